import { crc32, deflateRawSync } from 'node:zlib';

/**
 * The framing of a minimal zip archive, for the XLSX export: deflated entries one after the other,
 * the large one streamed (its CRC and sizes in a data descriptor after its data), then the central
 * directory. No ZIP64: an archive over 4 GiB is refused rather than written corrupt. The caller
 * writes the bytes each method returns, in order, and deflates the streamed entry itself.
 */

const DEFLATE = 8;
/** Bit 3: the CRC and sizes follow the data. */
const DATA_DESCRIPTOR_FLAG = 0x08;
const VERSION = 20;
/** 1980-01-01 00:00 in MS-DOS form: the entries' times carry nothing, and the file stays reproducible. */
const DOS_DATE = (1 << 5) | 1;
const MAX_32 = 0xffffffff;
/** Speed over size: level 1 deflates sheet XML about as well as 6 (it repeats itself) at several times the speed. */
export const ZIP_DEFLATE_LEVEL = 1;

/** A streamed entry's facts, filled in as its data is written. */
export interface StreamedEntry {
  crc: number;
  size: number;
  compressedSize: number;
}

interface Entry extends StreamedEntry {
  name: Buffer;
  flags: number;
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

function dataDescriptor(entry: StreamedEntry): Buffer {
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

/** The bytes of a zip archive, entry by entry; it counts them to know each entry's offset. */
export class ZipArchive {
  private readonly entries: Entry[] = [];
  private offset = 0;

  /** A small entry, deflated at once: its local header and data. */
  file(name: string, content: string): Buffer {
    const data = Buffer.from(content, 'utf8');
    const compressed = deflateRawSync(data, { level: ZIP_DEFLATE_LEVEL });
    const entry = this.entry(name, 0);
    Object.assign(entry, { crc: crc32(data), compressedSize: compressed.length, size: data.length });
    return this.counted(Buffer.concat([localHeader(entry), compressed]));
  }

  /**
   * The local header of a streamed entry; its deflated data follows (the caller counts it in the
   * returned facts), then `endStream`. Nothing else may be added until it has ended.
   */
  startStream(name: string): { header: Buffer; entry: StreamedEntry } {
    const entry = this.entry(name, DATA_DESCRIPTOR_FLAG);
    return { header: this.counted(localHeader(entry)), entry };
  }

  /** The data descriptor that ends a streamed entry, once all its data has been written. */
  endStream(entry: StreamedEntry): Buffer {
    this.offset += entry.compressedSize;
    return this.counted(dataDescriptor(entry));
  }

  /** The central directory and its end record: the archive's last bytes. */
  finish(): Buffer {
    const directory = Buffer.concat(this.entries.map(centralHeader));
    const start = this.offset;
    return Buffer.concat([directory, endOfCentralDirectory(this.entries.length, directory.length, start)]);
  }

  private entry(name: string, flags: number): Entry {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), flags, crc: 0, compressedSize: 0, size: 0, offset: this.offset };
    this.entries.push(entry);
    return entry;
  }

  private counted(bytes: Buffer): Buffer {
    this.offset += bytes.length;
    return bytes;
  }
}
