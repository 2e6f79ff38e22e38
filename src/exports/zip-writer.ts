import type { Writable } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import { ExportAbortedError } from './export-aborted.error';

/**
 * A minimal zip writer for the XLSX export: deflated entries written one after the other, the
 * large one streamed (its CRC and sizes in a data descriptor after its data), then the central
 * directory. No ZIP64: an archive over 4 GiB is refused rather than written corrupt.
 */

const DEFLATE = 8;
/** Bit 3: the CRC and sizes follow the data. */
const DATA_DESCRIPTOR_FLAG = 0x08;
const VERSION = 20;
/** 1980-01-01 00:00 in MS-DOS form: the entries' times carry nothing, and the file stays reproducible. */
const DOS_DATE = (1 << 5) | 1;
const MAX_32 = 0xffffffff;
/** Speed over size: level 1 deflates sheet XML about as well as 6 (it repeats itself) at several times the speed. */
const LEVEL = 1;

interface Entry {
  name: Buffer;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

function checked32(value: number, what: string): number {
  if (value > MAX_32) throw new RangeError(`The XLSX file is too large: its ${what} passes 4 GiB`);
  return value;
}

/** The fields a local header and a central directory header share, in the same order, from `at`. */
function writeEntryFields(header: Buffer, at: number, entry: Entry): void {
  header.writeUInt16LE(VERSION, at);
  header.writeUInt16LE(entry.flags, at + 2);
  header.writeUInt16LE(DEFLATE, at + 4);
  header.writeUInt16LE(DOS_DATE, at + 8);
  header.writeUInt32LE(entry.crc, at + 10);
  header.writeUInt32LE(entry.compressedSize, at + 14);
  header.writeUInt32LE(entry.size, at + 18);
  header.writeUInt16LE(entry.name.length, at + 22);
}

function localHeader(entry: Entry): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  writeEntryFields(header, 4, entry);
  return Buffer.concat([header, entry.name]);
}

function dataDescriptor(entry: Entry): Buffer {
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(entry.crc, 4);
  descriptor.writeUInt32LE(checked32(entry.compressedSize, 'compressed sheet'), 8);
  descriptor.writeUInt32LE(checked32(entry.size, 'sheet'), 12);
  return descriptor;
}

function centralHeader(entry: Entry): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  // Made by: the same version.
  header.writeUInt16LE(VERSION, 4);
  writeEntryFields(header, 6, entry);
  header.writeUInt32LE(checked32(entry.offset, 'offset'), 42);
  return Buffer.concat([header, entry.name]);
}

function endOfCentralDirectory(entries: number, size: number, offset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(checked32(offset, 'offset'), 16);
  return end;
}

/**
 * Resolves when `stream` emits `event`, or fails (the caller throws its recorded error), or when
 * `sink` closed (then nothing will drain or end it).
 */
function eventOrClosed(stream: NodeJS.EventEmitter, event: 'drain' | 'end', sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off(event, done);
      stream.off('error', done);
      sink.off('close', done);
      resolve();
    };
    stream.once(event, done);
    stream.once('error', done);
    sink.once('close', done);
  });
}

/** Writes a zip archive into `sink`, waiting whenever it is full. */
export class ZipWriter {
  private readonly entries: Entry[] = [];
  private offset = 0;

  constructor(private readonly sink: Writable) {}

  /** A small entry, deflated at once. */
  async addFile(name: string, content: string): Promise<void> {
    const data = Buffer.from(content, 'utf8');
    const compressed = deflateRawSync(data, { level: LEVEL });
    const entry = this.entry(name, 0);
    Object.assign(entry, { crc: crc32(data), compressedSize: compressed.length, size: data.length });
    await this.write(localHeader(entry));
    await this.write(compressed);
  }

  /**
   * A large entry, deflated as it is written: `write` each part (it resolves when more may be
   * written), then `end`. Nothing else may be added until it has ended.
   */
  async addStream(name: string): Promise<{ write: (text: string) => Promise<void>; end: () => Promise<void> }> {
    const entry = this.entry(name, DATA_DESCRIPTOR_FLAG);
    await this.write(localHeader(entry));
    const deflate = createDeflateRaw({ level: LEVEL });
    let failure: Error | undefined;
    deflate.on('error', (error) => {
      failure = error;
    });
    deflate.on('data', (chunk: Buffer) => {
      entry.compressedSize += chunk.length;
    });
    deflate.pipe(this.sink, { end: false });
    const write = async (text: string): Promise<void> => {
      const data = Buffer.from(text, 'utf8');
      entry.crc = crc32(data, entry.crc);
      entry.size += data.length;
      if (!deflate.write(data)) await eventOrClosed(deflate, 'drain', this.sink);
      if (failure !== undefined) throw failure;
      if (this.sink.destroyed) throw new ExportAbortedError();
    };
    const end = async (): Promise<void> => {
      deflate.end();
      // `end` comes once the last compressed bytes have been handed to the sink.
      if (!deflate.readableEnded) await eventOrClosed(deflate, 'end', this.sink);
      if (failure !== undefined) throw failure;
      if (this.sink.destroyed) throw new ExportAbortedError();
      this.offset += entry.compressedSize;
      await this.write(dataDescriptor(entry));
    };
    return { write, end };
  }

  /** Writes the central directory and ends the sink. */
  async finish(): Promise<void> {
    const directory = Buffer.concat(this.entries.map(centralHeader));
    const start = this.offset;
    await this.write(directory);
    await this.write(endOfCentralDirectory(this.entries.length, directory.length, start));
    this.sink.end();
  }

  private entry(name: string, flags: number): Entry {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags, crc: 0, compressedSize: 0, size: 0, offset: this.offset };
    this.entries.push(entry);
    return entry;
  }

  private async write(data: Buffer): Promise<void> {
    if (this.sink.destroyed) throw new ExportAbortedError();
    this.offset += data.length;
    if (!this.sink.write(data)) await eventOrClosed(this.sink, 'drain', this.sink);
  }
}
