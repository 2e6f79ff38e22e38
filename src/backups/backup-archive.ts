import { Writable } from 'node:stream';

/** A tar block; headers, padded data and the end marker are whole blocks. */
const BLOCK = 512;
/** The largest entry an 11-digit octal size field can state (8 GiB). */
const MAX_ENTRY_BYTES = 8 ** 11 - 1;

/** A backup that may not be restored here; `code` is the problem code a request is refused with. */
export class BackupRefusedError extends Error {
  constructor(
    readonly code: 'backup_corrupt' | 'backup_schema_mismatch' | 'backup_without_admin',
    message: string,
  ) {
    super(message);
  }
}

/** The archive is not what its manifest says: unreadable, truncated, or its bytes changed. */
export class BackupCorruptError extends BackupRefusedError {
  constructor(message: string) {
    super('backup_corrupt', message);
  }
}

/** A POSIX ustar header for a regular file of `size` bytes. */
export function tarHeader(name: string, size: number, modifiedAt: Date): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`Archive entry name too long: ${name}`);
  if (size > MAX_ENTRY_BYTES) throw new Error(`Archive entry ${name} is larger than 8 GiB`);
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 8, 'ascii');
  header.write('0000000\0', 108, 8, 'ascii');
  header.write('0000000\0', 116, 8, 'ascii');
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  header.write(`${Math.floor(modifiedAt.getTime() / 1000).toString(8).padStart(11, '0')}\0`, 136, 12, 'ascii');
  // The checksum is computed with its own field taken as spaces.
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** The zero bytes that bring an entry of `size` bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** Two zero blocks end a tar archive. */
export const TAR_END = Buffer.alloc(2 * BLOCK);

export interface TarEntry {
  name: string;
  size: number;
}

/** Where an entry's bytes go: each write is awaited before the next chunk is read (backpressure). */
export interface TarEntrySink {
  write(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
}

/**
 * Reads a tar stream (the decompressed archive) and hands each regular file's bytes to the sink
 * that `open` returns for it, in order. Anything that is not a well-formed ustar archive written
 * by tarHeader, or ends before its end marker, is a BackupCorruptError.
 */
export class TarReader extends Writable {
  private header = Buffer.alloc(0);
  private remaining = 0;
  private padding = 0;
  private sink?: TarEntrySink;
  private ended = false;

  constructor(private readonly open: (entry: TarEntry) => Promise<TarEntrySink>) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.consume(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback(this.ended ? null : new BackupCorruptError('The archive ends before its end marker'));
  }

  private async consume(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        await this.sink!.write(chunk.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        if (this.remaining === 0) await this.sink!.end();
      } else if (this.padding > 0) {
        const skip = Math.min(this.padding, chunk.length - offset);
        this.padding -= skip;
        offset += skip;
      } else {
        const take = Math.min(BLOCK - this.header.length, chunk.length - offset);
        this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
        offset += take;
        if (this.header.length === BLOCK) await this.startEntry(this.header);
      }
    }
  }

  private async startEntry(header: Buffer): Promise<void> {
    this.header = Buffer.alloc(0);
    if (header.every((byte) => byte === 0)) {
      this.ended = true;
      return;
    }
    if (header.toString('ascii', 257, 262) !== 'ustar' || header.toString('ascii', 156, 157) !== '0') {
      throw new BackupCorruptError('The archive holds an entry that is not a regular file');
    }
    let checksum = 0;
    header.forEach((byte, index) => (checksum += index >= 148 && index < 156 ? 32 : byte));
    const size = parseInt(header.toString('ascii', 124, 135), 8);
    if (parseInt(header.toString('ascii', 148, 154), 8) !== checksum || !Number.isSafeInteger(size)) {
      throw new BackupCorruptError('An archive header is damaged');
    }
    const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    this.sink = await this.open({ name, size });
    this.remaining = size;
    this.padding = tarPadding(size).length;
    if (size === 0) await this.sink.end();
  }
}
