import { Transform, TransformCallback } from 'node:stream';

/** The binary COPY header: signature, flags and the length of a header extension (which follows). */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
const TUPLE_START_BYTES = 2;
const FIELD_LENGTH_BYTES = 4;
/** The trailer: a tuple start whose field count is -1. */
const TRAILER = -1;
const FIRST_OBJECT = Buffer.from('\n');
const NEXT_OBJECT = Buffer.from(',\n');
const LINE_FEED = Buffer.from('\n');

type Expecting = 'header' | 'extension' | 'tuple' | 'length' | 'object' | 'end';

/** The binary COPY is not what export-json-sql.ts asks for: a bug, never the data's fault. */
class UnexpectedCopyError extends Error {
  constructor(what: string) {
    super(`The JSON export's binary COPY is not as expected: ${what}`);
  }
}

/**
 * Turns the output of a JSON COPY (see export-json-sql.ts: binary format, one text field per row
 * holding the row's object) into the NDJSON export, an object per line, or into the JSON export —
 * an array with one object per line: `[`, `\n{…},\n{…}\n]\n`, or `[]\n` without rows. The binary
 * format frames each object with its length, so PostgreSQL neither scans nor escapes the text,
 * and the objects pass through as they come, without a search. Counts the records either way.
 */
export class CopyJsonStream extends Transform {
  /** The records passed through so far (the rows of the export). */
  records = 0;
  private expecting: Expecting = 'header';
  /** A fixed-size part split across chunks, gathered here until whole. */
  private readonly part = Buffer.alloc(HEADER_BYTES);
  private partFilled = 0;
  /** Bytes left of the header extension or of the current object. */
  private remaining = 0;

  constructor(private readonly array: boolean) {
    super();
    if (array) this.push('[');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const output: Buffer[] = [];
    try {
      this.consume(chunk, output);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, output.length === 1 ? output[0] : output.length === 0 ? undefined : Buffer.concat(output));
  }

  override _flush(callback: TransformCallback): void {
    if (this.expecting !== 'end') {
      callback(new UnexpectedCopyError('it ended before its trailer'));
      return;
    }
    if (!this.array) callback();
    else callback(null, this.records > 0 ? '\n]\n' : ']\n');
  }

  private consume(chunk: Buffer, output: Buffer[]): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.expecting === 'object') {
        const end = Math.min(chunk.length, at + this.remaining);
        output.push(chunk.subarray(at, end));
        this.remaining -= end - at;
        at = end;
        if (this.remaining === 0) {
          if (!this.array) output.push(LINE_FEED);
          this.expecting = 'tuple';
        }
        continue;
      }
      if (this.expecting === 'extension') {
        const skipped = Math.min(chunk.length - at, this.remaining);
        this.remaining -= skipped;
        at += skipped;
        if (this.remaining === 0) this.expecting = 'tuple';
        continue;
      }
      if (this.expecting === 'end') throw new UnexpectedCopyError('bytes after its trailer');
      const size = this.expecting === 'header' ? HEADER_BYTES : this.expecting === 'tuple' ? TUPLE_START_BYTES : FIELD_LENGTH_BYTES;
      const taken = Math.min(size - this.partFilled, chunk.length - at);
      chunk.copy(this.part, this.partFilled, at, at + taken);
      this.partFilled += taken;
      at += taken;
      if (this.partFilled < size) continue;
      this.partFilled = 0;
      this.completePart(output);
    }
  }

  /** Acts on a whole header, tuple start or field length gathered in `part`. */
  private completePart(output: Buffer[]): void {
    const part = this.part;
    if (this.expecting === 'header') {
      if (!part.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new UnexpectedCopyError('no binary COPY signature');
      this.remaining = part.readUInt32BE(SIGNATURE.length + 4);
      this.expecting = this.remaining > 0 ? 'extension' : 'tuple';
    } else if (this.expecting === 'tuple') {
      const fields = part.readInt16BE(0);
      if (fields === TRAILER) this.expecting = 'end';
      else if (fields === 1) this.expecting = 'length';
      else throw new UnexpectedCopyError(`a row of ${fields} fields`);
    } else {
      const length = part.readInt32BE(0);
      if (length < 0) throw new UnexpectedCopyError('a NULL object');
      if (this.array) output.push(this.records === 0 ? FIRST_OBJECT : NEXT_OBJECT);
      this.records += 1;
      this.remaining = length;
      this.expecting = 'object';
    }
  }
}
