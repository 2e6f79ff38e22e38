import { Transform, TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Turns the output of `COPY … TO STDOUT WITH (FORMAT csv)` into the exports' CSV: `prefix` first
 * (the byte order mark and the header line), then the records with CRLF line ends instead of
 * COPY's LF. A line feed inside a quoted cell stays as it is: a line feed ends a record only
 * after an even number of quotes since the record began (COPY doubles every quote inside a quoted
 * cell, so the parity is exact), which is also how the records are counted.
 *
 * The work per chunk is native searches for `"` and LF plus one copy per record: no JavaScript
 * loop over the bytes.
 */
export class CopyCsvStream extends Transform {
  /** The records passed through so far (the rows of the export; the prefix is not counted). */
  records = 0;
  private quoted = false;
  /** Where the records end in the chunk being transformed; kept to spare an allocation per chunk. */
  private readonly ends: number[] = [];

  constructor(prefix: string) {
    super();
    if (prefix !== '') this.push(Buffer.from(prefix, 'utf8'));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const ends = this.ends;
    ends.length = 0;
    let quoted = this.quoted;
    let quote = chunk.indexOf(QUOTE);
    for (let lineFeed = chunk.indexOf(LF); lineFeed !== -1; lineFeed = chunk.indexOf(LF, lineFeed + 1)) {
      while (quote !== -1 && quote < lineFeed) {
        quoted = !quoted;
        quote = chunk.indexOf(QUOTE, quote + 1);
      }
      if (!quoted) ends.push(lineFeed);
    }
    while (quote !== -1) {
      quoted = !quoted;
      quote = chunk.indexOf(QUOTE, quote + 1);
    }
    this.quoted = quoted;
    const count = ends.length;
    if (count === 0) {
      callback(null, chunk);
      return;
    }
    this.records += count;
    const output = Buffer.allocUnsafe(chunk.length + count);
    let from = 0;
    let at = 0;
    for (let index = 0; index < count; index += 1) {
      const end = ends[index];
      at += chunk.copy(output, at, from, end);
      output[at] = CR;
      output[at + 1] = LF;
      at += 2;
      from = end + 1;
    }
    if (from < chunk.length) chunk.copy(output, at, from);
    callback(null, output);
  }
}
