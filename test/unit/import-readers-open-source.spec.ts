import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportFormat, SourceBatch } from '../../src/imports/import.types';
import { openSource, OpenSourceOptions } from '../../src/imports/readers/open-source';
import { READ_CHUNK_BYTES } from '../../src/imports/readers/text-source';

const FIXTURES = join(__dirname, '..', 'fixtures', 'imports');
const GREEK_HEADERS = [
  'Επώνυμο:',
  'Όνομα:',
  'Όνομα Πατέρα:',
  'Ηλ. Ταχυδρομείο:',
  'Αρ. Κινητού Τηλεφώνου:',
  'Αρ. Σταθερού Τηλεφώνου:',
  'Έτος Σπουδών:',
  'Αριθμός Δελτίου Ταυτότητας:',
];
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'import-open-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

async function collect(batches: AsyncIterable<SourceBatch>): Promise<SourceBatch[]> {
  const result: SourceBatch[] = [];
  for await (const batch of batches) result.push(batch);
  return result;
}

async function readFixture(fileName: string, options: Partial<OpenSourceOptions> = {}) {
  const { detection, batches } = await openSource(join(FIXTURES, fileName), { fileName, ...options });
  return { detection, batches: await collect(batches) };
}

function writeTemp(fileName: string, content: string | Buffer): string {
  const path = join(directory, fileName);
  writeFileSync(path, content);
  return path;
}

describe('openSource on the Greek registration exports', () => {
  it.each([
    ['students-greek-registration-windows1253.csv', 'windows-1253', ';'],
    ['students-greek-registration-iso8859-7.csv', 'iso-8859-7', ';'],
    ['students-utf16le.csv', 'utf-16le', ';'],
    ['students-utf16le-no-bom.csv', 'utf-16le', '\t'],
  ])('reads %s as %s with %j', async (fileName, encoding, delimiter) => {
    const { detection, batches } = await readFixture(fileName);
    expect(detection).toEqual({ format: ImportFormat.Csv, encoding, delimiter, sheet: null });
    expect(batches).toHaveLength(1);
    const [{ headers, records }] = batches;
    expect(headers).toEqual(GREEK_HEADERS);
    expect(records).toHaveLength(10);
    expect(records[0]).toEqual({ row: 2, cells: ['Παπαδόπουλος', 'Γιώργος', 'Νικόλαος', 'g.papadopoulos@example.gr', '6912345678', '2101234567', "Α'", 'ΑΚ123456'] });
    expect(records[1].cells[1]).toBe('Άννα');
    expect(records[1].cells[5]).toBe('');
    expect(records.map((record) => record.cells[6])).toEqual(["Α'", "Β'", "Γ'", "Δ'", "Α'", "Β'", "Γ'", "Δ'", "Α'", "Β'"]);
  });

  it('tells the two Greek code pages apart by Ά alone', () => {
    const iso = readFileSync(join(FIXTURES, 'students-greek-registration-iso8859-7.csv'));
    const windows = readFileSync(join(FIXTURES, 'students-greek-registration-windows1253.csv'));
    expect(iso.some((byte) => (byte >= 0x80 && byte <= 0x9f) || byte === 0xa2)).toBe(false);
    expect(iso.includes(0xb6)).toBe(true);
    expect(windows.includes(0xa2)).toBe(true);
  });
});

describe('openSource on the English fixtures', () => {
  it('reads the UTF-8 BOM students file: BOM stripped, quoted comma, Greek name, empty optional cell', async () => {
    const { detection, batches } = await readFixture('students-utf8-bom.csv', { batchSize: 4 });
    expect(detection).toEqual({ format: ImportFormat.Csv, encoding: 'utf-8', delimiter: ',', sheet: null });
    expect(batches.map((batch) => batch.records.length)).toEqual([4, 2]);
    expect(batches[0].headers[0]).toBe('studentId');
    const [first, second, third] = batches[0].records;
    expect(first.cells[3]).toBe('Smith, Jr.');
    expect(first.cells[6]).toBe('');
    expect(second.cells.slice(2, 4)).toEqual(['Μαρία', 'Παπαδοπούλου']);
    expect(third.cells).toHaveLength(12);
    expect(batches[1].records[1]).toMatchObject({ row: 7, cells: expect.arrayContaining(['Alexander "Alex"']) });
  });

  it('reads courses with evaluation rules as JSON text, and enrollments', async () => {
    const courses = await readFixture('courses.csv');
    const rules = courses.batches[0].records[0].cells[7] as string;
    expect(JSON.parse(rules)).toEqual([
      { category: 'exam', weight: 70 },
      { category: 'homework', weight: 30 },
    ]);
    expect(courses.batches[0].records[2].cells[1]).toBe('Data Structures, Algorithms');
    expect(courses.batches[0].records[3].cells).toEqual(['HIST110', 'Ιστορία της Επιστήμης', '1', '3', '2', '2', 'false', '']);
    const enrollments = await readFixture('enrollments.csv');
    expect(enrollments.batches[0].headers).toEqual(['studentId', 'courseCode', 'enrolledAt', 'status']);
    expect(enrollments.batches[0].records).toHaveLength(4);
  });
});

describe('openSource file-level errors', () => {
  it.each([
    ['empty.csv', 'empty_file', 422],
    ['header-only.csv', 'no_rows', 422],
    ['legacy.xls', 'unsupported_format', 415],
    ['deep.json', 'json_too_deep', 422],
    ['proto.json', 'forbidden_json_key', 422],
    ['not-json.json', 'invalid_json', 422],
  ])('rejects %s with %s', async (fileName, code, status) => {
    await expect(readFixture(fileName)).rejects.toMatchObject({ code, status });
  });

  it('rejects blank-only CSV as empty and a zip named .csv as a mismatch', async () => {
    await expect(openSource(writeTemp('blank.csv', '\r\n ; \r\n\r\n'), { fileName: 'blank.csv' })).rejects.toMatchObject({ code: 'empty_file' });
    await expect(openSource(join(FIXTURES, 'students-with-dates.xlsx'), { fileName: 'students.csv' })).rejects.toMatchObject({
      code: 'format_mismatch',
      status: 415,
    });
  });

  it('lets the format option override the extension', async () => {
    const path = writeTemp('students.txt', '{"a":1}\n{"a":2}\n');
    const { detection, batches } = await openSource(path, { fileName: 'students.txt', format: ImportFormat.Ndjson });
    expect(detection.format).toBe(ImportFormat.Ndjson);
    expect((await collect(batches))[0].records).toHaveLength(2);
  });

  it('fails fast with bounded memory on one gigantic unclosed quoted field', async () => {
    const path = writeTemp('giant.csv', `a,b\n1,"${'x'.repeat(20 * 1024 * 1024)}`);
    const started = Date.now();
    await expect(openSource(path, { fileName: 'giant.csv' })).rejects.toMatchObject({ code: 'record_too_large', status: 422 });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('openSource row-level problems', () => {
  it('flags too many cells and an unclosed quote on the record, not as exceptions', async () => {
    const path = writeTemp('rows.csv', 'a,b\n1,2\n3,4,5\n6,7,,\n8,"open\n9,10\n');
    const [{ records }] = await collect((await openSource(path, { fileName: 'rows.csv' })).batches);
    expect(records.map((record) => [record.row, record.parseError?.code])).toEqual([
      [2, undefined],
      [3, 'too_many_cells'],
      [4, undefined],
      [5, 'unclosed_quote'],
    ]);
    expect(records[3].cells).toEqual(['8', 'open\n9,10\n']);
  });
});

describe('openSource streaming', () => {
  it.each([
    ['Ω', 1],
    ['€', 1],
    ['€', 2],
  ])('decodes %s cut %i byte(s) into a read boundary', async (character, bytesBefore) => {
    const header = 'name,value\n';
    const paddingLength = READ_CHUNK_BYTES - bytesBefore - Buffer.byteLength(header) - 'pad,\n'.length;
    const rows = Array.from({ length: 50 }, (_, index) => `${character}${index},ok\n`).join('');
    const bytes = Buffer.from(`${header}pad,${'p'.repeat(paddingLength)}\n${rows}`);
    // The first character of the first row starts `bytesBefore` bytes before the boundary.
    expect(bytes.subarray(READ_CHUNK_BYTES - bytesBefore, READ_CHUNK_BYTES - bytesBefore + Buffer.byteLength(character)).toString()).toBe(character);
    const path = writeTemp('boundary.csv', bytes);
    const [{ records }] = await collect((await openSource(path, { fileName: 'boundary.csv' })).batches);
    expect(records).toHaveLength(51);
    expect(records[1]).toEqual({ row: 3, cells: [`${character}0`, 'ok'] });
    expect(records.slice(1).every((record, index) => record.cells[0] === `${character}${index}`)).toBe(true);
  });

  it('keeps line numbers exact when a read boundary falls between CR and LF', async () => {
    const header = 'id,note\r\n';
    const filler = 'x'.repeat(READ_CHUNK_BYTES - Buffer.byteLength(header) - '1,'.length - 1);
    // Byte READ_CHUNK_BYTES - 1 is the CR, byte READ_CHUNK_BYTES the LF.
    const text = `${header}1,${filler}\r\n2,"a\r\nb"\r\n3,c\r\n`;
    expect(text.charAt(READ_CHUNK_BYTES - 1)).toBe('\r');
    const path = writeTemp('crlf.csv', text);
    const [{ records }] = await collect((await openSource(path, { fileName: 'crlf.csv' })).batches);
    expect(records.map((record) => [record.row, record.cells[0]])).toEqual([
      [2, '1'],
      [3, '2'],
      [5, '3'],
    ]);
    expect(records[1].cells[1]).toBe('a\r\nb');
  });

  it('stops reading when the consumer stops', async () => {
    const path = writeTemp('many.csv', `id\n${Array.from({ length: 5000 }, (_, index) => `${index}\n`).join('')}`);
    const { batches } = await openSource(path, { fileName: 'many.csv', batchSize: 100 });
    let seen = 0;
    for await (const batch of batches) {
      seen += batch.records.length;
      if (seen >= 300) break;
    }
    expect(seen).toBe(300);
    const iterator = (await openSource(path, { fileName: 'many.csv', batchSize: 100 })).batches[Symbol.asyncIterator]();
    await expect(iterator.return?.()).resolves.toMatchObject({ done: true });
  });
});
