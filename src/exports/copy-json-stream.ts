import { Transform, TransformCallback } from 'node:stream';

const LF = 0x0a;
const COMMA = 0x2c;
const FIRST_OBJECT = Buffer.from('\n');
const NEXT_OBJECT = Buffer.from(',\n');

/** Where the line feeds are in a chunk, found natively. */
function lineFeedsOf(chunk: Buffer): number[] {
  const at: number[] = [];
  for (let index = chunk.indexOf(LF); index !== -1; index = chunk.indexOf(LF, index + 1)) at.push(index);
  return at;
}

/** The chunk with a comma before each of the line feeds at `lineFeeds`. */
function withCommas(chunk: Buffer, lineFeeds: readonly number[]): Buffer {
  const output = Buffer.allocUnsafe(chunk.length + lineFeeds.length);
  let from = 0;
  let at = 0;
  for (const lineFeed of lineFeeds) {
    at += chunk.copy(output, at, from, lineFeed);
    output[at] = COMMA;
    at += 1;
    from = lineFeed;
  }
  chunk.copy(output, at, from);
  return output;
}

/**
 * Turns the output of a JSON COPY (see export-json-sql.ts: one object per line, no line feed
 * inside one) into the NDJSON export as it is, or into the JSON export — an array with one object
 * per line: `[`, `\n{…},\n{…}\n]\n`, or `[]\n` without rows. Counts the records either way.
 */
export class CopyJsonStream extends Transform {
  /** The records passed through so far (the rows of the export). */
  records = 0;
  /** The last record's line feed, held back until it is known whether a comma goes before it. */
  private heldLineFeed = false;
  private started = false;

  constructor(private readonly array: boolean) {
    super();
    if (array) this.push('[');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const lineFeeds = lineFeedsOf(chunk);
    this.records += lineFeeds.length;
    if (!this.array || chunk.length === 0) {
      callback(null, chunk);
      return;
    }
    const before = this.heldLineFeed ? NEXT_OBJECT : this.started ? undefined : FIRST_OBJECT;
    this.started = true;
    // COPY ends every record with a line feed: the chunk's last one may close the last record.
    const held = chunk[chunk.length - 1] === LF;
    const body = withCommas(held ? chunk.subarray(0, -1) : chunk, held ? lineFeeds.slice(0, -1) : lineFeeds);
    this.heldLineFeed = held;
    if (before !== undefined) this.push(before);
    callback(null, body);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.array) callback();
    else callback(null, this.heldLineFeed ? '\n]\n' : ']\n');
  }
}
