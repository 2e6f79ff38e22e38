/**
 * Remembers the values of one column while a file streams past, in about 16 bytes per distinct
 * value, and says of each value whether one like it came before.
 *
 * It keeps a 64-bit hash of each value, not the value: a million student ids held as strings in a
 * Set would cost some 80 MB, the hashes 16 MB. So an answer of "seen" means "maybe seen" (two
 * different values may share a hash), while "not seen" is certain. The import uses it to mark the
 * rows that may repeat an earlier one; PostgreSQL then compares the real values of only those rows,
 * which keeps the duplicate search exact without grouping every row of the file.
 */
export class RepeatedValues {
  /** Slot i holds a hash as [i * 2] high half, [i * 2 + 1] low half: one cache line per probe. */
  private slots: Uint32Array;
  private size = 0;

  constructor(initialCapacity = 1 << 16) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(initialCapacity, 16)));
    this.slots = new Uint32Array(capacity * 2);
  }

  /** Records the value; true when a value with the same hash was recorded before. */
  repeats(value: string): boolean {
    let high = 0x811c9dc5;
    let low = 0x9747b28c;
    for (let index = 0; index < value.length; index += 1) {
      const code = value.charCodeAt(index);
      high = Math.imul(high ^ code, 0x01000193);
      low = Math.imul(low ^ code, 0x5bd1e995);
      low ^= low >>> 15;
    }
    high = mix(high ^ value.length) >>> 0;
    // Zero marks an empty slot: a hash whose low half is zero is stored as one.
    low = mix(low) >>> 0 || 1;
    if (this.insert(high, low)) return true;
    this.size += 1;
    if (this.size * 4 > this.slots.length) this.grow();
    return false;
  }

  /** Number of distinct hashes recorded. */
  get distinct(): number {
    return this.size;
  }

  /** Puts the hash in its slot; true when it was already there. */
  private insert(high: number, low: number): boolean {
    const { slots } = this;
    const mask = slots.length / 2 - 1;
    let slot = (high ^ Math.imul(low, 0x9e3779b1)) & mask;
    for (;;) {
      const at = slot * 2;
      const storedLow = slots[at + 1];
      if (storedLow === 0) {
        slots[at] = high;
        slots[at + 1] = low;
        return false;
      }
      if (storedLow === low && slots[at] === high) return true;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const previous = this.slots;
    this.slots = new Uint32Array(previous.length * 2);
    for (let at = 0; at < previous.length; at += 2) {
      if (previous[at + 1] !== 0) this.insert(previous[at], previous[at + 1]);
    }
  }
}

/** The murmur3 finaliser: spreads every input bit over the whole word. */
function mix(hash: number): number {
  let mixed = hash;
  mixed ^= mixed >>> 16;
  mixed = Math.imul(mixed, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  mixed ^= mixed >>> 16;
  return mixed;
}
