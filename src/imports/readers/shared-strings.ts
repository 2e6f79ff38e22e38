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
 * A workbook's shared strings, kept as UTF-8 in large pages with their places in a typed array,
 * and decoded only when a cell asks for one. A million distinct strings held as JS strings cost
 * about 50 bytes each in headers and pointers; here they cost their UTF-8 bytes plus 12.
 */
export class SharedStringTable {
  private readonly pages: Buffer[] = [];
  private page: Buffer = Buffer.alloc(0);
  private pageUsed = 0;
  /** page, start, end of each string, in order. */
  private places = new Uint32Array(INITIAL_CAPACITY * 3);
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
    if (byteLength > this.page.length - this.pageUsed) this.newPage(byteLength);
    const start = this.pageUsed;
    this.pageUsed += this.page.write(text, start);
    this.place(start);
  }

  /** Adds the string whose UTF-8 is source[start, end), copied as it is: no string is made. */
  addBytes(source: Buffer, start: number, end: number): void {
    const length = end - start;
    if (length > this.page.length - this.pageUsed) this.newPage(length);
    const page = this.page;
    const pageStart = this.pageUsed;
    if (length <= SHORT_COPY_BYTES) {
      for (let index = 0; index < length; index++) page[pageStart + index] = source[start + index];
    } else {
      source.copy(page, pageStart, start, end);
    }
    this.pageUsed += length;
    this.place(pageStart);
  }

  /** The string at `index`; null when there is none, or it is empty (as Excel shows such a cell). */
  get(index: number): string | null {
    if (!(index >= 0 && index < this.count)) return null;
    const slot = index & (CACHE_SLOTS - 1);
    if (this.cachedIndexes[slot] === index) return this.cachedStrings[slot];
    const place = index * 3;
    const start = this.places[place + 1];
    const end = this.places[place + 2];
    const text = end === start ? null : (this.pages[this.places[place]] as DecodingPage).utf8Slice(start, end);
    this.cachedIndexes[slot] = index;
    this.cachedStrings[slot] = text;
    return text;
  }

  /** Records the string written from `start` to the page's used end. */
  private place(start: number): void {
    if (this.count * 3 === this.places.length) {
      const grown = new Uint32Array(this.places.length * 2);
      grown.set(this.places);
      this.places = grown;
    }
    const place = this.count * 3;
    this.places[place] = this.pages.length - 1;
    this.places[place + 1] = start;
    this.places[place + 2] = this.pageUsed;
    this.count++;
  }

  private newPage(minimumBytes: number): void {
    // Unused tails of full pages stay allocated; with pages this large the waste is a few percent.
    this.page = Buffer.allocUnsafe(Math.max(PAGE_BYTES, minimumBytes));
    this.pageUsed = 0;
    this.pages.push(this.page);
  }
}
