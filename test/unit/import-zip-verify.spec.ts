import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { openSource } from '../../src/imports/readers/open-source';
import { DEFAULT_READER_LIMITS, ReaderLimits } from '../../src/imports/readers/reader-limits';
import { inflatedEntry, isInflatedByReader, readZipDirectory, verifyInflation, verifyXlsxEntries, ZipDirectory } from '../../src/imports/readers/zip-directory';

const FIXTURE = join(__dirname, '..', 'fixtures', 'imports', 'students-with-dates.xlsx');
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'import-zip-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

interface Part {
  name: string;
  content: Buffer;
  /** The bytes stored for the content, when not its deflated (or stored) self. */
  data?: Buffer;
  /** 8 (deflate) unless 0 (stored). */
  method?: number;
  /** The uncompressed size the headers declare; the true one unless set. */
  declaredSize?: number;
  /** Sizes left out of the local header and written in a data descriptor after the data, as streaming writers do. */
  dataDescriptor?: boolean;
  /** The name in the local header, when it should differ from the directory's. */
  localName?: string;
  /** Bytes written between this entry and the next one, unlisted by the directory. */
  after?: Buffer;
}

/** A zip archive laid out as a writer would, except where a part asks otherwise. */
function buildZip(parts: Part[], afterDirectory: Buffer = Buffer.alloc(0)): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const method = part.method ?? 8;
    const data = part.data ?? (method === 8 ? deflateRawSync(part.content) : part.content);
    const crc = crc32(part.content);
    const declared = part.declaredSize ?? part.content.length;
    const name = Buffer.from(part.name);
    const localName = Buffer.from(part.localName ?? part.name);
    const flags = part.dataDescriptor ? 0x0008 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    if (!part.dataDescriptor) {
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(declared, 22);
    }
    local.writeUInt16LE(localName.length, 26);
    const descriptor = Buffer.alloc(part.dataDescriptor ? 16 : 0);
    if (part.dataDescriptor) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(data.length, 8);
      descriptor.writeUInt32LE(declared, 12);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    const after = part.after ?? Buffer.alloc(0);
    locals.push(local, localName, data, descriptor, after);
    centrals.push(central, name);
    offset += local.length + localName.length + data.length + descriptor.length + after.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, afterDirectory, end]);
}

/** The fixture workbook's parts, inflated, to rebuild it with one part changed. */
function fixtureParts(): Part[] {
  const zip = readFileSync(FIXTURE);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let index = zip.readUInt32LE(end + 16);
  const parts: Part[] = [];
  for (let count = 0; count < zip.readUInt16LE(end + 10); count++) {
    const nameLength = zip.readUInt16LE(index + 28);
    const local = zip.readUInt32LE(index + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + zip.readUInt32LE(index + 20));
    const method = zip.readUInt16LE(index + 10);
    parts.push({ name: zip.toString('utf8', index + 46, index + 46 + nameLength), method, content: method === 8 ? inflateRawSync(data) : Buffer.from(data) });
    index += 46 + nameLength + zip.readUInt16LE(index + 30) + zip.readUInt16LE(index + 32);
  }
  return parts;
}

let fileCount = 0;
function write(zip: Buffer): string {
  const path = join(directory, `archive-${++fileCount}.xlsx`);
  writeFileSync(path, zip);
  return path;
}

/**
 * verifyXlsxEntries, then the share of the check it leaves to the reader: the shared strings and
 * worksheets, inflated and counted by verifyInflation (the worksheets the reader does not read) or
 * by inflatedEntry (the parts it reads), as `reading` says.
 */
async function verify(zip: Buffer, limits: Partial<ReaderLimits> = {}, reading = false): Promise<void> {
  const path = write(zip);
  const directory = await readZipDirectory(path);
  await verifyXlsxEntries(path, directory, { ...DEFAULT_READER_LIMITS, ...limits });
  const left = directory.entries.filter((entry) => isInflatedByReader(entry.name));
  if (reading) await readEntries(path, directory, left);
  else await verifyInflation(path, directory, left);
}

async function readEntries(path: string, directory: ZipDirectory, entries: ZipDirectory['entries']): Promise<void> {
  for (const entry of entries) {
    for await (const _chunk of inflatedEntry(path, directory, entry)) {
      // read to the end, keeping nothing
    }
  }
}

const SHEET = 'xl/worksheets/sheet1.xml';
const text = (length: number, seed = 'row'): Buffer => Buffer.from(Array.from({ length: Math.ceil(length / 12) }, (_, i) => `${seed}${i}`.padEnd(12, ' ')).join('').slice(0, length));

describe('XLSX entries verified by inflating them', () => {
  it('accepts honest archives: deflated and stored, with and without data descriptors, and a real workbook', async () => {
    await expect(
      verify(
        buildZip([
          { name: '[Content_Types].xml', content: text(500) },
          { name: 'xl/', content: Buffer.alloc(0), method: 0 },
          { name: SHEET, content: text(300_000), dataDescriptor: true },
          { name: 'xl/media/image1.png', content: text(2000, 'png'), method: 0 },
          { name: 'xl/styles.xml', content: Buffer.alloc(0) },
        ]),
      ),
    ).resolves.toBeUndefined();
    const path = write(readFileSync(FIXTURE));
    await expect(verifyXlsxEntries(path, await readZipDirectory(path), DEFAULT_READER_LIMITS)).resolves.toBeUndefined();
  });

  it('refuses an entry that inflates beyond its declared size, as soon as it does', async () => {
    // 32 MiB that the headers declare as 1 KiB or 100 KiB (one inflated in one call, one streamed):
    // the declared ratio is harmless, the real one is not.
    for (const declaredSize of [1024, 100 * 1024]) {
      for (const name of [SHEET, 'xl/theme/theme1.xml']) {
        const bomb = buildZip([{ name, content: Buffer.alloc(32 * 1024 * 1024, 0x20), declaredSize, dataDescriptor: true }]);
        for (const reading of [false, true]) {
          await expect(verify(bomb, {}, reading)).rejects.toMatchObject({
            code: 'xlsx_compression_ratio',
            status: 422,
            message: expect.stringContaining(`${name} inflates to more than the ${declaredSize} bytes its archive declares`),
          });
        }
      }
      // Cut in half, its deflate stream fails at its end, which the check never reaches.
      const half = deflateRawSync(Buffer.alloc(32 * 1024 * 1024, 0x20)).subarray(0, 16 * 1024);
      const cut = (size: number): Buffer => buildZip([{ name: SHEET, content: Buffer.alloc(0), data: half, declaredSize: size }]);
      for (const reading of [false, true]) {
        await expect(verify(cut(declaredSize), {}, reading)).rejects.toMatchObject({ code: 'xlsx_compression_ratio' });
        await expect(verify(cut(64 * 1024 * 1024), { maxXlsxCompressionRatio: 1e6 }, reading)).rejects.toMatchObject({
          code: 'invalid_xlsx',
          message: expect.stringMatching(/is not valid compressed data\.$/),
        });
      }
    }
    // A stored entry lying the same way.
    for (const reading of [false, true]) {
      await expect(verify(buildZip([{ name: SHEET, content: text(10_000), method: 0, declaredSize: 100 }]), {}, reading)).rejects.toMatchObject({
        code: 'xlsx_compression_ratio',
      });
    }
  });

  it('refuses entries that together inflate beyond the total limit, or one steeper than the ratio limit', async () => {
    const parts = [
      { name: SHEET, content: text(600_000) },
      { name: 'xl/sharedStrings.xml', content: text(600_000, 'string') },
    ];
    await expect(verify(buildZip(parts), { maxXlsxUncompressedBytes: 1_000_000 })).rejects.toMatchObject({ code: 'xlsx_too_large', status: 422 });
    await expect(verify(buildZip(parts), { maxXlsxUncompressedBytes: 1_200_000 })).resolves.toBeUndefined();
    // Honestly declared but steep: checkXlsxEntries refuses it first; the inflating pass does too.
    await expect(verify(buildZip([{ name: SHEET, content: Buffer.alloc(4 * 1024 * 1024, 0x20) }]))).rejects.toMatchObject({
      code: 'xlsx_compression_ratio',
      message: expect.stringMatching(/expands \d+ times \(limit 200\)/),
    });
  });

  it('refuses a layout that exceljs would read differently from the directory', async () => {
    const sheet = { name: SHEET, content: text(5000) };
    const styles = { name: 'xl/styles.xml', content: text(500) };
    // A local entry between two listed ones, which a front-to-back reader would inflate.
    const hidden = buildZip([{ name: 'x', content: Buffer.alloc(0), method: 0 }]).subarray(0, 31);
    await expect(verify(buildZip([{ ...sheet, after: hidden }, styles]))).rejects.toMatchObject({ code: 'invalid_xlsx', message: expect.stringContaining('does not start where') });
    await expect(verify(buildZip([sheet, { ...styles, after: hidden }]))).rejects.toMatchObject({ code: 'invalid_xlsx', message: expect.stringContaining('does not list') });
    // A data descriptor signature inside the data ends the entry early for unzipper.
    const early = Buffer.concat([text(100), Buffer.from([0x50, 0x4b, 0x07, 0x08]), text(100)]);
    await expect(verify(buildZip([{ ...sheet, content: early, method: 0, dataDescriptor: true }]))).rejects.toMatchObject({
      code: 'invalid_xlsx',
      message: expect.stringContaining('data descriptor signature'),
    });
    await expect(verify(buildZip([{ ...sheet, content: early, method: 0 }]))).resolves.toBeUndefined();
    await expect(verify(buildZip([{ ...sheet, localName: 'xl/worksheets/sheet2.xml' }]))).rejects.toMatchObject({ code: 'invalid_xlsx' });
    await expect(verify(buildZip([{ ...sheet, method: 12 }]))).rejects.toMatchObject({ code: 'invalid_xlsx', message: expect.stringContaining('method 12') });
    // Data that is not deflate.
    const garbage = buildZip([{ ...sheet, content: Buffer.alloc(100, 0xff), method: 0 }]);
    garbage.writeUInt16LE(8, 8);
    garbage.writeUInt16LE(8, garbage.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
    await expect(verify(garbage)).rejects.toMatchObject({ code: 'invalid_xlsx', message: expect.stringMatching(/is not valid compressed data\.$/) });
    await expect(verify(garbage, {}, true)).rejects.toMatchObject({ code: 'invalid_xlsx', message: expect.stringMatching(/is not valid compressed data\.$/) });
    // A local entry right after the directory, which unzipper would read as one more file.
    await expect(verify(buildZip([sheet], hidden))).rejects.toMatchObject({ code: 'invalid_xlsx', message: expect.stringContaining('end record') });
  });

  it('makes openSource refuse a workbook whose sheet lies about its size, before exceljs reads it', async () => {
    const parts = fixtureParts();
    const honest = write(buildZip(parts));
    const { batches } = await openSource(honest, { fileName: 'students.xlsx' });
    for await (const _batch of batches) {
      // read to the end
    }
    const lying = parts.map((part) => (part.name === SHEET ? { ...part, content: Buffer.concat([part.content, Buffer.alloc(16 * 1024 * 1024, 0x20)]), declaredSize: 2054 } : part));
    await expect(openSource(write(buildZip(lying)), { fileName: 'students.xlsx' })).rejects.toMatchObject({ code: 'xlsx_compression_ratio', status: 422 });
    // The same lie in the sheet that is not read (the second), and in the shared strings, which the reader inflates itself.
    for (const name of ['xl/worksheets/sheet2.xml', 'xl/sharedStrings.xml']) {
      const lyingPart = parts.map((part) => (part.name === name ? { ...part, content: Buffer.concat([part.content, Buffer.alloc(16 * 1024 * 1024, 0x20)]), declaredSize: part.content.length } : part));
      await expect(openSource(write(buildZip(lyingPart)), { fileName: 'students.xlsx' })).rejects.toMatchObject({
        code: 'xlsx_compression_ratio',
        message: expect.stringContaining(name),
      });
    }
    // A lying entry under the sheet's own name, ahead of the honest one the reader takes.
    const sheet = parts.find((part) => part.name === SHEET) as Part;
    const twin = { ...sheet, content: Buffer.concat([sheet.content, Buffer.alloc(16 * 1024 * 1024, 0x20)]), declaredSize: sheet.content.length };
    await expect(openSource(write(buildZip([twin, ...parts])), { fileName: 'students.xlsx' })).rejects.toMatchObject({ code: 'xlsx_compression_ratio' });
  });
});
