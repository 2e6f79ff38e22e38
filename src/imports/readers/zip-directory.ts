import { open } from 'node:fs/promises';
import { ImportFileError } from './import-file.error';
import { ReaderLimits } from './reader-limits';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

interface DirectoryLocation {
  entryCount: number;
  size: number;
  offset: number;
}

const END_OF_DIRECTORY_SIGNATURE = 0x06054b50;
const END_OF_DIRECTORY_LENGTH = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_LENGTH = 20;
const ZIP64_END_OF_DIRECTORY_SIGNATURE = 0x06064b50;
const ZIP64_END_OF_DIRECTORY_LENGTH = 56;
const DIRECTORY_ENTRY_SIGNATURE = 0x02014b50;
const DIRECTORY_ENTRY_LENGTH = 46;
const ZIP64_EXTRA_FIELD_ID = 0x0001;
const MAX_COMMENT_LENGTH = 0xffff;
/** An XLSX has tens of entries; a directory this large is not a spreadsheet worth reading. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
/** Below this, an entry cannot hurt whatever its ratio (tiny XML parts compress very well). */
const RATIO_CHECK_MIN_BYTES = 1024 * 1024;

/**
 * The archive's entries as its central directory declares them, read from the end of the file
 * without decompressing anything, so that a zip bomb is refused before exceljs inflates it.
 */
export async function readZipDirectory(path: string): Promise<ZipEntry[]> {
  const file = await open(path, 'r');
  try {
    const { size: fileSize } = await file.stat();
    const tailLength = Math.min(fileSize, END_OF_DIRECTORY_LENGTH + MAX_COMMENT_LENGTH + ZIP64_LOCATOR_LENGTH);
    const tail = await readExactly(file, fileSize - tailLength, tailLength);
    let location = locateDirectory(tail);
    if (location === 'zip64') {
      const zip64Record = await readExactly(file, zip64RecordOffset(tail), ZIP64_END_OF_DIRECTORY_LENGTH);
      location = parseZip64EndOfDirectory(zip64Record);
    }
    if (location.size > MAX_DIRECTORY_BYTES || location.offset + location.size > fileSize) {
      throw invalidXlsx('its zip directory is out of bounds');
    }
    return parseCentralDirectory(await readExactly(file, location.offset, location.size), location.entryCount);
  } finally {
    await file.close();
  }
}

/** Refuses archives whose declared expansion is too large or too steep, and archives without a worksheet. */
export function checkXlsxEntries(entries: readonly ZipEntry[], limits: ReaderLimits): void {
  let totalUncompressed = 0;
  for (const entry of entries) {
    totalUncompressed += entry.uncompressedSize;
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > RATIO_CHECK_MIN_BYTES && ratio > limits.maxXlsxCompressionRatio) {
      throw new ImportFileError(
        'xlsx_compression_ratio',
        `The XLSX entry ${entry.name} expands ${Math.round(ratio)} times (limit ${limits.maxXlsxCompressionRatio}); the file looks like a zip bomb.`,
      );
    }
  }
  if (totalUncompressed > limits.maxXlsxUncompressedBytes) {
    throw new ImportFileError(
      'xlsx_too_large',
      `The XLSX file expands to ${totalUncompressed} bytes, more than the limit of ${limits.maxXlsxUncompressedBytes}.`,
    );
  }
  if (!entries.some((entry) => /^xl\/worksheets\/sheet\d+\.xml$/.test(entry.name))) {
    throw invalidXlsx('it contains no worksheet');
  }
}

/** Finds the End Of Central Directory record in the file's tail; 'zip64' when the sizes live in the zip64 record. */
export function locateDirectory(tail: Buffer): DirectoryLocation | 'zip64' {
  for (let index = tail.length - END_OF_DIRECTORY_LENGTH; index >= 0; index--) {
    if (tail.readUInt32LE(index) !== END_OF_DIRECTORY_SIGNATURE) continue;
    const diskNumber = tail.readUInt16LE(index + 4);
    const entryCount = tail.readUInt16LE(index + 10);
    const size = tail.readUInt32LE(index + 12);
    const offset = tail.readUInt32LE(index + 16);
    if (entryCount === 0xffff || size === 0xffffffff || offset === 0xffffffff) return 'zip64';
    if (diskNumber !== 0) throw invalidXlsx('multi-part archives are not supported');
    return { entryCount, size, offset };
  }
  throw invalidXlsx('it is not a zip archive');
}

function zip64RecordOffset(tail: Buffer): number {
  const endIndex = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const locatorIndex = endIndex - ZIP64_LOCATOR_LENGTH;
  if (locatorIndex < 0 || tail.readUInt32LE(locatorIndex) !== ZIP64_LOCATOR_SIGNATURE) throw invalidXlsx('its zip64 locator is missing');
  return toSafeNumber(tail.readBigUInt64LE(locatorIndex + 8));
}

export function parseZip64EndOfDirectory(record: Buffer): DirectoryLocation {
  if (record.readUInt32LE(0) !== ZIP64_END_OF_DIRECTORY_SIGNATURE) throw invalidXlsx('its zip64 directory record is missing');
  return {
    entryCount: toSafeNumber(record.readBigUInt64LE(32)),
    size: toSafeNumber(record.readBigUInt64LE(40)),
    offset: toSafeNumber(record.readBigUInt64LE(48)),
  };
}

export function parseCentralDirectory(directory: Buffer, entryCount: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let index = 0;
  for (let count = 0; count < entryCount; count++) {
    if (index + DIRECTORY_ENTRY_LENGTH > directory.length || directory.readUInt32LE(index) !== DIRECTORY_ENTRY_SIGNATURE) {
      throw invalidXlsx('its zip directory is corrupt');
    }
    const nameLength = directory.readUInt16LE(index + 28);
    const extraLength = directory.readUInt16LE(index + 30);
    const commentLength = directory.readUInt16LE(index + 32);
    const nameStart = index + DIRECTORY_ENTRY_LENGTH;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > directory.length) throw invalidXlsx('its zip directory is corrupt');
    const sizes = entrySizes(directory.readUInt32LE(index + 20), directory.readUInt32LE(index + 24), directory.subarray(extraStart, extraStart + extraLength));
    entries.push({ name: directory.toString('utf8', nameStart, extraStart), ...sizes });
    index = next;
  }
  return entries;
}

/** 32-bit sizes, or their zip64 values from the extra field when the 32-bit ones are saturated. */
function entrySizes(compressed32: number, uncompressed32: number, extra: Buffer): Omit<ZipEntry, 'name'> {
  if (compressed32 !== 0xffffffff && uncompressed32 !== 0xffffffff) return { compressedSize: compressed32, uncompressedSize: uncompressed32 };
  for (let index = 0; index + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(index);
    const length = extra.readUInt16LE(index + 2);
    if (id === ZIP64_EXTRA_FIELD_ID) {
      // The zip64 field lists only the saturated values, uncompressed first.
      let field = index + 4;
      const readNext = (): number => {
        if (field + 8 > index + 4 + length) throw invalidXlsx('its zip64 sizes are corrupt');
        const value = toSafeNumber(extra.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      const uncompressedSize = uncompressed32 === 0xffffffff ? readNext() : uncompressed32;
      const compressedSize = compressed32 === 0xffffffff ? readNext() : compressed32;
      return { compressedSize, uncompressedSize };
    }
    index += 4 + length;
  }
  throw invalidXlsx('its zip64 sizes are missing');
}

async function readExactly(file: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw invalidXlsx('it is truncated');
  return buffer;
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidXlsx('its zip64 sizes are out of range');
  return Number(value);
}

function invalidXlsx(reason: string): ImportFileError {
  return new ImportFileError('invalid_xlsx', `The file is not a readable XLSX workbook: ${reason}.`);
}
