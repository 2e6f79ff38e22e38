import { FileHandle, open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { ImportFileError } from './import-file.error';
import { ReaderLimits } from './reader-limits';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** 0 stored, 8 deflated; nothing else is read. */
  method: number;
  /** Where the entry's local file header starts. */
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Where the central directory starts, so where the last entry's data must end. */
  offset: number;
  size: number;
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
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_LENGTH = 30;
/** Signature and CRC, compressed and uncompressed sizes: the 16 bytes unzipper reads after such data. */
const DATA_DESCRIPTOR_SIGNATURE = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
const DATA_DESCRIPTOR_LENGTH = 16;
const HAS_DATA_DESCRIPTOR_FLAG = 0x0008;
const STORED = 0;
const DEFLATED = 8;
/** The first read of an entry: its local header and, for most XLSX parts, all of its compressed bytes. */
const HEAD_READ_BYTES = 64 * 1024;
/** Each later read of an entry's compressed bytes, and so what of them is in memory at a time. */
const READ_CHUNK_BYTES = 256 * 1024;
const INFLATE_CHUNK_BYTES = 256 * 1024;
/** An entry declaring no more than this and read whole is inflated in one call: cheaper than a stream. */
const SMALL_ENTRY_BYTES = 64 * 1024;
const ZIP64_EXTRA_FIELD_ID = 0x0001;
const MAX_COMMENT_LENGTH = 0xffff;
/** An XLSX has tens of entries; a directory this large is not a spreadsheet worth reading. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
/** Below this, an entry cannot hurt whatever its ratio (tiny XML parts compress very well). */
const RATIO_CHECK_MIN_BYTES = 1024 * 1024;
/** An XLSX has tens of entries; each one costs an inflation here. */
const MAX_ENTRIES = 10_000;

/**
 * The archive's entries as its central directory declares them, read from the end of the file
 * without decompressing anything, so that a zip bomb is refused before anything inflates it.
 */
export async function readZipDirectory(path: string): Promise<ZipDirectory> {
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
    const entries = parseCentralDirectory(await readExactly(file, location.offset, location.size), location.entryCount);
    return { entries, offset: location.offset, size: location.size };
  } finally {
    await file.close();
  }
}

/**
 * Refuses archives whose declared expansion is too large or too steep, and archives without a
 * worksheet, without inflating anything. The sizes are the archive's word: verifyXlsxEntries then
 * checks that they hold.
 */
export function checkXlsxEntries(entries: readonly Pick<ZipEntry, 'name' | 'compressedSize' | 'uncompressedSize'>[], limits: ReaderLimits): void {
  if (entries.length > MAX_ENTRIES) throw invalidXlsx(`it holds ${entries.length} entries, more than the ${MAX_ENTRIES} a workbook could need`);
  let totalUncompressed = 0;
  for (const entry of entries) {
    totalUncompressed += entry.uncompressedSize;
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > RATIO_CHECK_MIN_BYTES && ratio > limits.maxXlsxCompressionRatio) {
      throw new ImportFileError(
        'xlsx_compression_ratio',
        `The XLSX entry ${shownName(entry.name)} expands ${Math.round(ratio)} times (limit ${limits.maxXlsxCompressionRatio}); the file looks like a zip bomb.`,
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

/**
 * Inflates every entry with node:zlib, one at a time and without keeping any of it, and refuses the
 * archive as soon as an entry produces more than its directory declares (a zip bomb that lies about
 * its sizes, which checkXlsxEntries alone would accept), steeper than the ratio limit, or more than
 * the total limit. Call after checkXlsxEntries: an honest archive then passes, since the bytes it
 * really holds are the ones already checked.
 *
 * Except the entries isInflatedByReader names (the shared strings and the worksheets, nearly all
 * of a workbook's bytes): their layout is checked here like any other's, but inflating them is left
 * to the reader, which counts what each produces against its declared size as it reads it (in
 * inflatedEntry) and inflates the worksheets it does not read with verifyInflation. An entry
 * that stays within its declared size stays within the limits checkXlsxEntries applied to those
 * sizes, so counting against it refuses what this pass would have, inflating each entry once.
 *
 * Our reader finds the entries through the central directory, but other tools (and the exceljs
 * reader this one replaced) read front to back by local headers, as unzipper's Parse does. An
 * archive those two ways read differently is the classic way to show a checker one file and a
 * reader another, so the entries must follow each other from the start of the file up to the
 * directory exactly as such a parser would find them, with nothing between them the directory does
 * not list, and each entry is read the way that parser reads it.
 *
 * Errors (ImportFileError, 422): xlsx_compression_ratio when an entry inflates beyond its declared
 * size (its real ratio is then steeper than the one checked) or beyond the ratio limit;
 * xlsx_too_large when the entries together inflate beyond maxXlsxUncompressedBytes; invalid_xlsx
 * when the layout is not one a front-to-back parser would read the same way, or an entry does not inflate.
 */
export async function verifyXlsxEntries(path: string, directory: ZipDirectory, limits: ReaderLimits): Promise<void> {
  const entries = [...directory.entries].sort((first, second) => first.localHeaderOffset - second.localHeaderOffset);
  const file = await open(path, 'r');
  let total = 0;
  try {
    let position = 0;
    for (const entry of entries) {
      if (entry.localHeaderOffset !== position) throw invalidXlsx(`its entry ${shownName(entry.name)} does not start where the previous one ends`);
      const data = await readLocalHeader(file, entry, directory.offset);
      if (isInflatedByReader(entry.name)) {
        await checkCompressedBytes(file, entry, data);
        // Its declared size stands for what it produces: the reader refuses it past that.
        total += entry.uncompressedSize;
        const failure = inflatedTooMuch(entry, entry.uncompressedSize, total, limits);
        if (failure) throw failure;
      } else {
        const totalBefore = total;
        total += await inflateEntry(file, entry, data, (produced) => inflatedTooMuch(entry, produced, totalBefore + produced, limits));
      }
      position = data.next;
    }
    if (position !== directory.offset) throw invalidXlsx('it holds data its zip directory does not list');
    // After the directory, unzipper would take a local header for one more file; its end record stops it.
    const next = await readExactly(file, directory.offset + directory.size, 4);
    if (next.readUInt32LE(0) !== END_OF_DIRECTORY_SIGNATURE && next.readUInt32LE(0) !== ZIP64_END_OF_DIRECTORY_SIGNATURE) {
      throw invalidXlsx('its zip directory is not followed by its end record');
    }
  } finally {
    await file.close();
  }
}

/** Worksheets, as checkXlsxEntries finds them, and the one shared-strings part a workbook may have. */
const INFLATED_BY_READER = /^xl\/(?:worksheets\/sheet\d+\.xml|sharedStrings\.xml)$/;

/** Whether verifyXlsxEntries leaves the entry's inflation (and its counting) to the reader. */
export function isInflatedByReader(name: string): boolean {
  return INFLATED_BY_READER.test(name);
}

/**
 * The inflating half of verifyXlsxEntries for entries it left to the reader and that the reader
 * will not read: each is inflated without being kept, and refused past its declared size.
 */
export async function verifyInflation(path: string, directory: ZipDirectory, entries: readonly ZipEntry[]): Promise<void> {
  const file = await open(path, 'r');
  try {
    for (const entry of entries) {
      await inflateEntry(file, entry, await readLocalHeader(file, entry, directory.offset), (produced) => beyondDeclaredSize(entry, produced));
    }
  } finally {
    await file.close();
  }
}

/**
 * The entry's bytes, inflated, in chunks of at most INFLATE_CHUNK_BYTES, refused as soon as they
 * pass the entry's declared size (xlsx_compression_ratio). Call only after checkXlsxEntries and
 * verifyXlsxEntries accepted the archive: the declared sizes are then within the limits, so this
 * count is the only one an entry left to the reader needs.
 */
export async function* inflatedEntry(path: string, directory: ZipDirectory, entry: ZipEntry): AsyncGenerator<Buffer, void, undefined> {
  const file = await open(path, 'r');
  let produced = 0;
  try {
    const input = compressedBytes(file, entry, await readLocalHeader(file, entry, directory.offset));
    if (entry.method !== DEFLATED) {
      for await (const chunk of input) {
        produced += chunk.length;
        const failure = beyondDeclaredSize(entry, produced);
        if (failure) throw failure;
        yield chunk;
      }
      return;
    }
    const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
    // A failure on either side destroys `inflate` with it, so the loop below throws it; the settled
    // value is only awaited when the loop ended normally, so an early return leaves no rejection.
    const fed = pipeline(input, inflate).then(
      () => null,
      (error: unknown) => ({ error }),
    );
    try {
      for await (const chunk of inflate) {
        produced += (chunk as Buffer).length;
        const failure = beyondDeclaredSize(entry, produced);
        if (failure) throw failure;
        yield chunk as Buffer;
      }
    } catch (error) {
      if (error instanceof ImportFileError) throw error;
      throw entryFailure(entry, error);
    } finally {
      inflate.destroy();
    }
    const failure = await fed;
    if (failure !== null) throw entryFailure(entry, failure.error);
  } finally {
    await file.close();
  }
}

interface EntryData {
  /** Where the compressed bytes start. */
  start: number;
  /** The file from the local header on, as far as one read went: all of a small entry's data. */
  head: Buffer;
  /** Whether the parser finds the end of the data by the data descriptor's signature. */
  endsAtDescriptor: boolean;
  /** Where the next local header must start. */
  next: number;
}

/** Checks the local header against the directory entry and places the entry's data as unzipper's Parse would. */
async function readLocalHeader(file: FileHandle, entry: ZipEntry, directoryOffset: number): Promise<EntryData> {
  const outOfBounds = (): ImportFileError => invalidXlsx(`its entry ${shownName(entry.name)} is out of bounds`);
  if (entry.localHeaderOffset + LOCAL_HEADER_LENGTH > directoryOffset) throw outOfBounds();
  // One read takes the header, name and extra field and, for most entries, all of the data.
  const available = directoryOffset - entry.localHeaderOffset;
  let head = await readExactly(file, entry.localHeaderOffset, Math.min(HEAD_READ_BYTES, available));
  if (head.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw invalidXlsx(`its entry ${shownName(entry.name)} has no local header`);
  const flags = head.readUInt16LE(6);
  const method = head.readUInt16LE(8);
  const nameEnd = LOCAL_HEADER_LENGTH + head.readUInt16LE(26);
  const extraEnd = nameEnd + head.readUInt16LE(28);
  if (extraEnd > available) throw outOfBounds();
  if (extraEnd > head.length) head = await readExactly(file, entry.localHeaderOffset, extraEnd);
  if (head.toString('utf8', LOCAL_HEADER_LENGTH, nameEnd) !== entry.name) throw invalidXlsx(`its entry ${shownName(entry.name)} has another name in its local header`);
  if (method !== entry.method || (method !== STORED && method !== DEFLATED)) {
    throw invalidXlsx(`its entry ${shownName(entry.name)} uses compression method ${method}, not stored or deflate as its directory says`);
  }
  let compressedSize = head.readUInt32LE(18);
  if (compressedSize === 0xffffffff) compressedSize = localZip64CompressedSize(head.subarray(nameEnd, extraEnd), entry.name);
  // unzipper's rule: a data descriptor with no size in the local header means "read up to its signature".
  const endsAtDescriptor = (flags & HAS_DATA_DESCRIPTOR_FLAG) !== 0 && compressedSize === 0;
  if (!endsAtDescriptor && compressedSize !== entry.compressedSize) {
    throw invalidXlsx(`its entry ${shownName(entry.name)} declares ${compressedSize} compressed bytes locally but ${entry.compressedSize} in its directory`);
  }
  const start = entry.localHeaderOffset + extraEnd;
  const dataEnd = start + entry.compressedSize;
  const next = endsAtDescriptor ? dataEnd + DATA_DESCRIPTOR_LENGTH : dataEnd;
  if (next > directoryOffset) throw outOfBounds();
  if (endsAtDescriptor) {
    const inHead = dataEnd + DATA_DESCRIPTOR_SIGNATURE.length - entry.localHeaderOffset <= head.length;
    const signature = inHead
      ? head.subarray(dataEnd - entry.localHeaderOffset, dataEnd - entry.localHeaderOffset + DATA_DESCRIPTOR_SIGNATURE.length)
      : await readExactly(file, dataEnd, DATA_DESCRIPTOR_SIGNATURE.length);
    if (!signature.equals(DATA_DESCRIPTOR_SIGNATURE)) throw invalidXlsx(`its entry ${shownName(entry.name)} is not followed by its data descriptor`);
  }
  return { start, head: head.subarray(extraEnd), endsAtDescriptor, next };
}

/** The compressed size of a local zip64 field, which unzipper reads at a fixed place (after the uncompressed size). */
function localZip64CompressedSize(extra: Buffer, name: string): number {
  for (let index = 0; index + 4 <= extra.length; index += 4 + extra.readUInt16LE(index + 2)) {
    if (extra.readUInt16LE(index) !== ZIP64_EXTRA_FIELD_ID) continue;
    if (extra.readUInt16LE(index + 2) < 16 || index + 20 > extra.length) break;
    return toSafeNumber(extra.readBigUInt64LE(index + 12));
  }
  throw invalidXlsx(`its entry ${shownName(name)} has no zip64 sizes in its local header`);
}

/**
 * Inflates the entry's compressed bytes (or takes them as they are when stored), counting what
 * comes out and stopping at the first chunk `tooMuch` refuses; returns the bytes produced. A small
 * entry already read whole is inflated in one call, its output capped just past its declared size;
 * a larger one is streamed, so that no more than a chunk of it is in memory at a time.
 */
async function inflateEntry(file: FileHandle, entry: ZipEntry, data: EntryData, tooMuch: (produced: number) => ImportFileError | undefined): Promise<number> {
  if (entry.compressedSize === 0) return 0;
  if (entry.compressedSize <= data.head.length && entry.uncompressedSize <= SMALL_ENTRY_BYTES) {
    const compressed = data.head.subarray(0, entry.compressedSize);
    if (data.endsAtDescriptor && compressed.includes(DATA_DESCRIPTOR_SIGNATURE)) throw descriptorInsideData(entry);
    const produced = entry.method === DEFLATED ? inflateSmall(entry, compressed) : compressed.length;
    const failure = tooMuch(produced);
    if (failure) throw failure;
    return produced;
  }
  let produced = 0;
  const counter = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      produced += chunk.length;
      callback(tooMuch(produced));
    },
  });
  const input = compressedBytes(file, entry, data);
  try {
    if (entry.method === DEFLATED) await pipeline(input, createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES }), counter);
    else await pipeline(input, counter);
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw notInflating(entry, error);
  }
  return produced;
}

/** The size a small entry inflates to, or one byte past its declared size when it would go further. */
function inflateSmall(entry: ZipEntry, compressed: Buffer): number {
  try {
    return inflateRawSync(compressed, { maxOutputLength: entry.uncompressedSize + 1 }).length;
  } catch (error) {
    // By its code: under a test runner's sandbox, node's RangeError is not the global one.
    if ((error as NodeJS.ErrnoException | null)?.code === 'ERR_BUFFER_TOO_LARGE') return entry.uncompressedSize + 1;
    throw notInflating(entry, error);
  }
}

/** Reads the compressed bytes of an entry that is not inflated here, for what compressedBytes checks in them. */
async function checkCompressedBytes(file: FileHandle, entry: ZipEntry, data: EntryData): Promise<void> {
  if (!data.endsAtDescriptor) return;
  for await (const _ of compressedBytes(file, entry, data)) {
    // compressedBytes refuses a data descriptor signature inside the data; nothing else is needed.
  }
}

/**
 * The entry's compressed bytes in chunks of at most READ_CHUNK_BYTES, the ones already read first.
 * When unzipper finds their end by the data descriptor's signature, they must not hold that
 * signature: unzipper would end the entry there and read what follows as entries never checked.
 */
async function* compressedBytes(file: FileHandle, entry: ZipEntry, data: EntryData): AsyncGenerator<Buffer, void, undefined> {
  const end = data.start + entry.compressedSize;
  const seamLength = DATA_DESCRIPTOR_SIGNATURE.length - 1;
  let previousTail = Buffer.alloc(0);
  let chunk = data.head.subarray(0, entry.compressedSize);
  for (let position = data.start + chunk.length; ; ) {
    if (data.endsAtDescriptor) {
      const seam = Buffer.concat([previousTail, chunk.subarray(0, seamLength)]);
      if (seam.includes(DATA_DESCRIPTOR_SIGNATURE) || chunk.includes(DATA_DESCRIPTOR_SIGNATURE)) throw descriptorInsideData(entry);
      previousTail = Buffer.from(Buffer.concat([previousTail, chunk.subarray(-seamLength)]).subarray(-seamLength));
    }
    if (chunk.length > 0) yield chunk;
    if (position >= end) return;
    chunk = await readExactly(file, position, Math.min(READ_CHUNK_BYTES, end - position));
    position += chunk.length;
  }
}

function descriptorInsideData(entry: ZipEntry): ImportFileError {
  return invalidXlsx(`its entry ${shownName(entry.name)} holds a data descriptor signature inside its data`);
}

/** Bad compressed data is the file's problem; a failed read is the server's, and is thrown as it is. */
function entryFailure(entry: ZipEntry, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_') ? notInflating(entry, error) : error;
}

/** zlib's own words stay in the cause, for the log: the answer says what is wrong in ours. */
function notInflating(entry: ZipEntry, error: unknown): ImportFileError {
  return new ImportFileError('invalid_xlsx', `The file is not a readable XLSX workbook: its entry ${shownName(entry.name)} is not valid compressed data.`, 422, { cause: error });
}

/** The error that stops the inflation, or undefined while the entry stays within what was checked. */
function inflatedTooMuch(entry: ZipEntry, produced: number, total: number, limits: ReaderLimits): ImportFileError | undefined {
  const beyond = beyondDeclaredSize(entry, produced);
  if (beyond) return beyond;
  const ratio = produced / Math.max(entry.compressedSize, 1);
  if (produced > RATIO_CHECK_MIN_BYTES && ratio > limits.maxXlsxCompressionRatio) {
    return new ImportFileError(
      'xlsx_compression_ratio',
      `The XLSX entry ${shownName(entry.name)} expands ${Math.round(ratio)} times (limit ${limits.maxXlsxCompressionRatio}); the file looks like a zip bomb.`,
    );
  }
  if (total > limits.maxXlsxUncompressedBytes) {
    return new ImportFileError('xlsx_too_large', `The XLSX file expands to more than ${total - 1} bytes, more than the limit of ${limits.maxXlsxUncompressedBytes}.`);
  }
  return undefined;
}

/** The error for an entry that inflated to more than its declared size; undefined while it has not. */
function beyondDeclaredSize(entry: ZipEntry, produced: number): ImportFileError | undefined {
  if (produced <= entry.uncompressedSize) return undefined;
  // The declared ratio passed checkXlsxEntries; the real one is steeper than that, by how much is not worth inflating to learn.
  return new ImportFileError(
    'xlsx_compression_ratio',
    `The XLSX entry ${shownName(entry.name)} inflates to more than the ${entry.uncompressedSize} bytes its archive declares (from ${entry.compressedSize}); the file looks like a zip bomb.`,
  );
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
    const sizes = entrySizes(
      directory.readUInt32LE(index + 20),
      directory.readUInt32LE(index + 24),
      directory.readUInt32LE(index + 42),
      directory.subarray(extraStart, extraStart + extraLength),
    );
    entries.push({ name: directory.toString('utf8', nameStart, extraStart), method: directory.readUInt16LE(index + 10), ...sizes });
    index = next;
  }
  if (index !== directory.length) throw invalidXlsx('its zip directory holds more than its entries');
  return entries;
}

type EntryPlacement = Pick<ZipEntry, 'compressedSize' | 'uncompressedSize' | 'localHeaderOffset'>;

/** 32-bit sizes and offset, or their zip64 values from the extra field when the 32-bit ones are saturated. */
function entrySizes(compressed32: number, uncompressed32: number, offset32: number, extra: Buffer): EntryPlacement {
  const saturated = (value: number): boolean => value === 0xffffffff;
  if (!saturated(compressed32) && !saturated(uncompressed32) && !saturated(offset32)) {
    return { compressedSize: compressed32, uncompressedSize: uncompressed32, localHeaderOffset: offset32 };
  }
  for (let index = 0; index + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(index);
    const length = extra.readUInt16LE(index + 2);
    if (id === ZIP64_EXTRA_FIELD_ID) {
      // The zip64 field lists only the saturated values: uncompressed, compressed, offset.
      let field = index + 4;
      const readNext = (): number => {
        if (field + 8 > index + 4 + length || field + 8 > extra.length) throw invalidXlsx('its zip64 sizes are corrupt');
        const value = toSafeNumber(extra.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      const uncompressedSize = saturated(uncompressed32) ? readNext() : uncompressed32;
      const compressedSize = saturated(compressed32) ? readNext() : compressed32;
      const localHeaderOffset = saturated(offset32) ? readNext() : offset32;
      return { compressedSize, uncompressedSize, localHeaderOffset };
    }
    index += 4 + length;
  }
  throw invalidXlsx('its zip64 sizes are missing');
}

async function readExactly(file: FileHandle, position: number, length: number): Promise<Buffer> {
  // Not zeroed first: it is refused unless the read fills it.
  const buffer = Buffer.allocUnsafe(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw invalidXlsx('it is truncated');
  return buffer;
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidXlsx('its zip64 sizes are out of range');
  return Number(value);
}

const SHOWN_NAME_MAX_LENGTH = 120;

/** An entry name as an answer may quote it: the archive may hold up to 65 535 bytes there. */
function shownName(name: string): string {
  return name.length > SHOWN_NAME_MAX_LENGTH ? `${name.slice(0, SHOWN_NAME_MAX_LENGTH)}…` : name;
}

function invalidXlsx(reason: string): ImportFileError {
  return new ImportFileError('invalid_xlsx', `The file is not a readable XLSX workbook: ${reason}.`);
}
