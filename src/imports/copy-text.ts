/**
 * PostgreSQL COPY text format: tab-separated, `\N` for NULL, backslash escapes for the characters
 * that would end a field or a line. Lines are built as strings in batches because a stream write
 * per row costs more than validating it.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export const COPY_NULL = '\\N';

export function copyText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (character) => ESCAPES[character]) : value;
}

/** One value as a COPY field: strings escaped, arrays and objects as JSON, booleans as t/f. */
export function copyField(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return copyText(value);
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'object':
      return value === null ? COPY_NULL : copyText(JSON.stringify(value));
    default:
      return COPY_NULL;
  }
}

/** copyField of a value made from plain text (see SourceBatch.plainText): its strings need no escape. */
export function plainCopyField(value: unknown): string {
  return typeof value === 'string' ? value : copyField(value);
}

const COPY_LINES_BLOCK_BYTES = 4 * 1024 * 1024;
const LINE_FEED = 0x0a;

/**
 * COPY lines gathered as UTF-8 bytes. Each line is encoded straight into a large block as it is
 * pushed: joining a batch of lines into one string and encoding that costs about three times as
 * much (the joined string is copied twice, and Greek text makes it a two-byte string).
 */
export class CopyLines {
  private block = Buffer.allocUnsafe(COPY_LINES_BLOCK_BYTES);
  /** Bytes of the block already taken, and bytes written. */
  private start = 0;
  private end = 0;
  /** Filled parts of earlier blocks not taken yet. */
  private readonly filled: Buffer[] = [];

  push(line: string): void {
    // UTF-8 needs at most three bytes per UTF-16 unit, and pushLine one more for its line feed.
    const mostBytes = line.length * 3 + 1;
    if (this.end + mostBytes > this.block.length) {
      if (this.end > this.start) this.filled.push(this.block.subarray(this.start, this.end));
      this.block = Buffer.allocUnsafe(Math.max(COPY_LINES_BLOCK_BYTES, mostBytes));
      this.start = 0;
      this.end = 0;
    }
    this.end += this.block.write(line, this.end, 'utf8');
  }

  /** Appends the line and its line feed; spares the caller a concatenation. */
  pushLine(line: string): void {
    this.push(line);
    this.block[this.end] = LINE_FEED;
    this.end += 1;
  }

  /** The bytes pushed since the last take. They stay valid: later lines never overwrite them. */
  take(): Buffer {
    const last = this.block.subarray(this.start, this.end);
    this.start = this.end;
    if (this.filled.length === 0) return last;
    const all = Buffer.concat([...this.filled, last]);
    this.filled.length = 0;
    return all;
  }
}
