import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ExcelJS from 'exceljs';
import { SourceBatch } from '../../src/imports/import.types';
import { openSource, OpenSourceOptions } from '../../src/imports/readers/open-source';
import { checkXlsxEntries, locateDirectory, parseCentralDirectory, parseZip64EndOfDirectory, readZipDirectory } from '../../src/imports/readers/zip-directory';
import { DEFAULT_READER_LIMITS } from '../../src/imports/readers/reader-limits';

const FIXTURE = join(__dirname, '..', 'fixtures', 'imports', 'students-with-dates.xlsx');
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'import-xlsx-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

async function readAll(path: string, options: Partial<OpenSourceOptions> = {}): Promise<{ sheet: string | null; batches: SourceBatch[] }> {
  const { detection, batches } = await openSource(path, { fileName: 'upload.xlsx', ...options });
  const result: SourceBatch[] = [];
  for await (const batch of batches) result.push(batch);
  return { sheet: detection.sheet, batches: result };
}

/** A central directory entry as a zip writer lays it out, sizes possibly saturated for zip64. */
function directoryEntry(name: string, compressed: number, uncompressed: number, extra = Buffer.alloc(0), offset = 0): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(8, 10);
  header.writeUInt32LE(offset, 42);
  header.writeUInt32LE(compressed, 20);
  header.writeUInt32LE(uncompressed, 24);
  header.writeUInt16LE(Buffer.byteLength(name), 28);
  header.writeUInt16LE(extra.length, 30);
  return Buffer.concat([header, Buffer.from(name), extra]);
}

describe('XLSX reader', () => {
  it('reads the first sheet with dates at UTC midnight, numbers, booleans and flattened cells', async () => {
    const { sheet, batches } = await readAll(FIXTURE);
    expect(sheet).toBe('Students');
    expect(batches).toHaveLength(1);
    const [{ headers, records }] = batches;
    expect(headers).toEqual(['studentId', 'email', 'firstName', 'lastName', 'enrollmentDate', 'studyYear', 'isActive', 'website']);
    expect(records.map((record) => record.row)).toEqual([2, 3, 4]);
    expect(records[0].cells).toEqual(['S7001', 'lucas.green@example.com', 'Lucas', 'Green', new Date('2024-09-02T00:00:00.000Z'), 1, true, 'lucas.example.com']);
    const enrollmentDate = records[1].cells[4];
    expect(enrollmentDate).toBeInstanceOf(Date);
    expect((enrollmentDate as Date).toISOString()).toBe('2023-09-01T00:00:00.000Z');
    // Rich text → text, error cell → nothing (a trailing null is dropped), formula → its result.
    expect(records[1].cells).toEqual(['S7002', 'irini.lamprou@example.gr', 'Ειρήνη', 'Λάμπρου', new Date('2023-09-01T00:00:00.000Z'), 2, true]);
    expect(records[2].cells[5]).toBe(3);
  });

  it('reads a named sheet and reports a missing one with the sheet names', async () => {
    const { sheet, batches } = await readAll(FIXTURE, { sheet: 'Courses' });
    expect(sheet).toBe('Courses');
    expect(batches[0]).toEqual({ headers: ['courseCode', 'courseName'], records: [{ row: 2, cells: ['MATH101', 'Calculus I'] }] });
    await expect(readAll(FIXTURE, { sheet: 'Teachers' })).rejects.toMatchObject({
      code: 'sheet_not_found',
      status: 422,
      message: expect.stringContaining('"Students", "Courses"'),
    });
  });

  it('skips leading blank rows, takes the first non-blank one as headers and flags values beyond them', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Data');
    sheet.getCell('A3').value = ' id ';
    sheet.getCell('B3').value = 'name';
    sheet.getRow(4).values = ['1', 'Maria', null, 'extra'];
    sheet.getRow(5).values = ['2', 'Nikos'];
    sheet.getRow(6).values = ['  ', null];
    const path = join(directory, 'offset.xlsx');
    await workbook.xlsx.writeFile(path);
    const { batches } = await readAll(path);
    expect(batches[0].headers).toEqual(['id', 'name']);
    expect(batches[0].records).toEqual([
      { row: 4, cells: ['1', 'Maria', null, 'extra'], parseError: expect.objectContaining({ code: 'too_many_cells' }) },
      { row: 5, cells: ['2', 'Nikos'] },
    ]);
  });

  it('refuses a header-only sheet', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Data').addRow(['id', 'name']);
    const path = join(directory, 'header-only.xlsx');
    await workbook.xlsx.writeFile(path);
    await expect(readAll(path)).rejects.toMatchObject({ code: 'no_rows', status: 422 });
  });

  it('refuses a zip that is not a workbook and a file that is not a zip', async () => {
    const notZip = join(directory, 'not-zip.xlsx');
    writeFileSync(notZip, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100, 0x41)]));
    await expect(readAll(notZip)).rejects.toMatchObject({ code: 'invalid_xlsx', status: 422 });
    const noSheet = join(directory, 'no-sheet.xlsx');
    writeFileSync(noSheet, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), emptyZipEnd()]));
    await expect(readAll(noSheet)).rejects.toMatchObject({ code: 'invalid_xlsx', message: expect.stringContaining('no worksheet') });
  });

  it('refuses an archive that expands too much or too steeply, from its directory alone', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Big');
    for (let row = 0; row < 20000; row++) sheet.addRow(['same value', 'same value', 'same value']);
    const path = join(directory, 'repetitive.xlsx');
    await workbook.xlsx.writeFile(path);
    await expect(readAll(path, { limits: { maxXlsxUncompressedBytes: 100_000 } })).rejects.toMatchObject({ code: 'xlsx_too_large', status: 422 });
    await expect(readAll(path, { limits: { maxXlsxCompressionRatio: 5 } })).rejects.toMatchObject({ code: 'xlsx_compression_ratio', status: 422 });
    const { entries } = await readZipDirectory(path);
    expect(entries.map((entry) => entry.name)).toContain('xl/worksheets/sheet1.xml');
  });
});

function emptyZipEnd(): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  return end;
}

describe('zip directory', () => {
  it('finds the end record behind a comment and reads the entries', () => {
    const entries = Buffer.concat([directoryEntry('xl/workbook.xml', 100, 300), directoryEntry('xl/worksheets/sheet1.xml', 1000, 9000, undefined, 145)]);
    const end = emptyZipEnd();
    end.writeUInt16LE(2, 10);
    end.writeUInt32LE(entries.length, 12);
    end.writeUInt32LE(12345, 16);
    end.writeUInt16LE(5, 20);
    expect(locateDirectory(Buffer.concat([Buffer.from('junk'), end, Buffer.from('hello')]))).toEqual({ entryCount: 2, size: entries.length, offset: 12345 });
    expect(parseCentralDirectory(entries, 2)).toEqual([
      { name: 'xl/workbook.xml', compressedSize: 100, uncompressedSize: 300, method: 8, localHeaderOffset: 0 },
      { name: 'xl/worksheets/sheet1.xml', compressedSize: 1000, uncompressedSize: 9000, method: 8, localHeaderOffset: 145 },
    ]);
    expect(() => parseCentralDirectory(Buffer.concat([entries, Buffer.alloc(4)]), 2)).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
  });

  it('reads zip64 sizes from the extra field and the zip64 end record', () => {
    const extra = Buffer.alloc(28);
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(24, 2);
    extra.writeBigUInt64LE(5_000_000_000n, 4);
    extra.writeBigUInt64LE(40_000_000n, 12);
    extra.writeBigUInt64LE(6_000_000_000n, 20);
    expect(parseCentralDirectory(directoryEntry('xl/worksheets/sheet1.xml', 0xffffffff, 0xffffffff, extra, 0xffffffff), 1)).toEqual([
      { name: 'xl/worksheets/sheet1.xml', compressedSize: 40_000_000, uncompressedSize: 5_000_000_000, method: 8, localHeaderOffset: 6_000_000_000 },
    ]);
    // Only the saturated values are listed, and a field shorter than they need is refused.
    expect(parseCentralDirectory(directoryEntry('a', 7, 0xffffffff, extra.subarray(0, 12), 9), 1)).toEqual([
      { name: 'a', compressedSize: 7, uncompressedSize: 5_000_000_000, method: 8, localHeaderOffset: 9 },
    ]);
    expect(() => parseCentralDirectory(directoryEntry('a', 0xffffffff, 0xffffffff, extra.subarray(0, 20), 0xffffffff), 1)).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
    const end = emptyZipEnd();
    end.writeUInt16LE(0xffff, 10);
    expect(locateDirectory(end)).toBe('zip64');
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(3n, 32);
    record.writeBigUInt64LE(200n, 40);
    record.writeBigUInt64LE(7_000_000_000n, 48);
    expect(parseZip64EndOfDirectory(record)).toEqual({ entryCount: 3, size: 200, offset: 7_000_000_000 });
  });

  it('refuses data without an end record, and a corrupt directory', () => {
    expect(() => locateDirectory(Buffer.alloc(64))).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
    expect(() => parseCentralDirectory(Buffer.alloc(46), 1)).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
    expect(() => parseCentralDirectory(directoryEntry('a', 0xffffffff, 1), 1)).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
  });

  it('checks total size, per-entry ratio above 1 MiB, and the presence of a worksheet', () => {
    const sheet = { name: 'xl/worksheets/sheet1.xml', compressedSize: 10_000, uncompressedSize: 100_000 };
    expect(() => checkXlsxEntries([sheet], DEFAULT_READER_LIMITS)).not.toThrow();
    // A small part compressing 1000× is harmless: the ratio applies from 1 MiB.
    expect(() => checkXlsxEntries([sheet, { name: 'xl/styles.xml', compressedSize: 100, uncompressedSize: 100_000 }], DEFAULT_READER_LIMITS)).not.toThrow();
    expect(() => checkXlsxEntries([{ ...sheet, compressedSize: 10_000, uncompressedSize: 10_000_000 }], DEFAULT_READER_LIMITS)).toThrow(
      expect.objectContaining({ code: 'xlsx_compression_ratio' }),
    );
    expect(() => checkXlsxEntries([{ ...sheet, compressedSize: 1e9, uncompressedSize: 3e9 }], DEFAULT_READER_LIMITS)).toThrow(
      expect.objectContaining({ code: 'xlsx_too_large' }),
    );
    expect(() => checkXlsxEntries([{ ...sheet, name: 'xl/workbook.xml' }], DEFAULT_READER_LIMITS)).toThrow(expect.objectContaining({ code: 'invalid_xlsx' }));
  });
});
