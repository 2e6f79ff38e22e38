/**
 * The share of slots in use past which the table doubles. Probing stays cheap up to three
 * quarters (neighbouring slots share a cache line), and a fuller table is 32 MB less for a
 * 3 M-row preview than one kept half empty.
 */
const MAX_LOAD = 0.75;

/**
 * Remembers the values of one column while a file streams past, in about 8 bytes per distinct
 * value, and says of each value whether one like it came before.
 *
 * It keeps a 32-bit hash of each value, not the value: a million student ids held as strings in a
 * Set would cost some 80 MB, the hashes 8 MB (16 MB with 64-bit hashes, which a 3 M-row preview
 * could not afford within its 300 MB). So an answer of "seen" means "maybe seen" (two different
 * values may share a hash: about n² / 2³³ of n distinct values do, some 120 of a million), while
 * "not seen" is certain. The import uses it to mark the rows that may repeat an earlier one;
 * PostgreSQL then compares the real values of only those rows, which keeps the duplicate search
 * exact without grouping every row of the file.
 */
export class RepeatedValues {
  /** One hash per slot; 0 marks an empty slot. */
  private slots: Uint32Array;
  private size = 0;

  /** Sized for `expectedValues` without growing (each growth rehashes every value). */
  constructor(expectedValues = 1 << 15) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(expectedValues / MAX_LOAD, 16)));
    this.slots = new Uint32Array(capacity);
  }

  /** Records the value; true when a value with the same hash was recorded before. */
  repeats(value: string): boolean {
    let hash = 0x811c9dc5;
    for (let index = 0; index < value.length; index += 1) {
      hash = Math.imul(hash ^ value.charCodeAt(index), 0x01000193);
    }
    // Zero marks an empty slot: a hash of zero is stored as one.
    const mixed = mix(hash ^ value.length) >>> 0 || 1;
    if (this.insert(mixed)) return true;
    this.size += 1;
    if (this.size > this.slots.length * MAX_LOAD) this.grow();
    return false;
  }

  /** Number of distinct hashes recorded. */
  get distinct(): number {
    return this.size;
  }

  /** Puts the hash in its slot; true when it was already there. */
  private insert(hash: number): boolean {
    const { slots } = this;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const stored = slots[slot];
      if (stored === 0) {
        slots[slot] = hash;
        return false;
      }
      if (stored === hash) return true;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const previous = this.slots;
    this.slots = new Uint32Array(previous.length * 2);
    for (const hash of previous) if (hash !== 0) this.insert(hash);
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
