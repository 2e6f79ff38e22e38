/** Each page of UTF-8 text; a string longer than a page gets a page of its own. */
const PAGE_BYTES = 8 * 1024 * 1024;
const INITIAL_CAPACITY = 1024;
/** UTF-8 needs at most 3 bytes per UTF-16 code unit. */
const MAX_BYTES_PER_UNIT = 3;
/** Up to this length a string is copied byte by byte: cheaper than Buffer.copy's native call, for the short strings of most cells. */
const SHORT_COPY_BYTES = 64;
/** Slots of the cache of decoded strings: a power of two, for the mask. */
const CACHE_SLOTS = 4096;

/** Buffer's own UTF-8 decoder, which toString reaches after handling its arguments: half the cost for strings this short. */
type DecodingPage = Buffer & { utf8Slice(start: number, end: number): string };

/**
 * A workbook's shared strings, kept as UTF-8 in large pages with their ends in a typed array, and
 * decoded only when a cell asks for one. A million distinct strings held as JS strings cost about
 * 50 bytes each in headers and pointers; here they cost their UTF-8 bytes plus 4 (up to 8 while
 * the array has room to grow): a string starts where the one before it in its page ends, and
 * which page holds it is found among the pages' first indexes.
 */
export class SharedStringTable {
  private readonly pages: Buffer[] = [];
  /** The index of the first string of each page. */
  private readonly pageFirstIndexes: number[] = [];
  private page: Buffer = Buffer.alloc(0);
  private pageUsed = 0;
  /** Where each string ends in its page, in order. */
  private ends = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;
  /**
   * The strings decoded last, by index modulo CACHE_SLOTS: a column of a few repeated values (names,
   * a year) then costs one decoding per value instead of one per cell, and its cells share a string.
   */
  private readonly cachedIndexes = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly cachedStrings: (string | null)[] = new Array<string | null>(CACHE_SLOTS).fill(null);

  get size(): number {
    return this.count;
  }

  add(text: string): void {
    const byteLength = text.length * MAX_BYTES_PER_UNIT <= this.page.length - this.pageUsed ? -1 : Buffer.byteLength(text);
    this.makeRoom(byteLength);
    this.pageUsed += this.page.write(text, this.pageUsed);
    this.place();
  }

  /** Adds the string whose UTF-8 is source[start, end), copied as it is: no string is made. */
  addBytes(source: Buffer, start: number, end: number): void {
    const length = end - start;
    this.makeRoom(length);
    const page = this.page;
    const pageStart = this.pageUsed;
    if (length <= SHORT_COPY_BYTES) {
      for (let index = 0; index < length; index++) page[pageStart + index] = source[start + index];
    } else {
      source.copy(page, pageStart, start, end);
    }
    this.pageUsed += length;
    this.place();
  }

  /** The string at `index`; null when there is none, or it is empty (as Excel shows such a cell). */
  get(index: number): string | null {
    if (!(index >= 0 && index < this.count)) return null;
    const slot = index & (CACHE_SLOTS - 1);
    if (this.cachedIndexes[slot] === index) return this.cachedStrings[slot];
    const page = this.pageOf(index);
    const start = index === this.pageFirstIndexes[page] ? 0 : this.ends[index - 1];
    const end = this.ends[index];
    const text = end === start ? null : (this.pages[page] as DecodingPage).utf8Slice(start, end);
    this.cachedIndexes[slot] = index;
    this.cachedStrings[slot] = text;
    return text;
  }

  /** The page holding string `index`: the last page whose first index is not after it. */
  private pageOf(index: number): number {
    let low = 0;
    let high = this.pageFirstIndexes.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.pageFirstIndexes[middle] <= index) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Starts a page when the current one (or none yet) cannot take `byteLength` more bytes. */
  private makeRoom(byteLength: number): void {
    if (this.pages.length > 0 && byteLength <= this.page.length - this.pageUsed) return;
    // Unused tails of full pages stay allocated; with pages this large the waste is a few percent.
    this.page = Buffer.allocUnsafe(Math.max(PAGE_BYTES, byteLength));
    this.pageUsed = 0;
    this.pages.push(this.page);
    this.pageFirstIndexes.push(this.count);
  }

  /** Records the string just written, which ends at the page's used end. */
  private place(): void {
    if (this.count === this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.count] = this.pageUsed;
    this.count++;
  }
}
