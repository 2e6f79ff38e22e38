import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceBatch } from '../../src/imports/import.types';
import { ImportFileError } from '../../src/imports/readers/import-file.error';
import { JsonRecordScanner, JsonRecordText } from '../../src/imports/readers/json-record-scanner';
import { assertNoForbiddenKeys, JsonHeaders, measureJsonDepth } from '../../src/imports/readers/json-values';
import { openSource } from '../../src/imports/readers/open-source';

const FIXTURES = join(__dirname, '..', 'fixtures', 'imports');
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'import-json-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

async function readAll(path: string, fileName: string, batchSize = 1000): Promise<SourceBatch[]> {
  const { batches } = await openSource(path, { fileName, batchSize });
  const result: SourceBatch[] = [];
  for await (const batch of batches) result.push(batch);
  return result;
}

async function readText(fileName: string, text: string, batchSize = 1000): Promise<SourceBatch[]> {
  const path = join(directory, fileName);
  writeFileSync(path, text);
  return readAll(path, fileName, batchSize);
}

function scan(chunks: string[], maxLength = 1024, maxDepth = 16): JsonRecordText[] {
  const scanner = new JsonRecordScanner(maxLength, maxDepth);
  const output: JsonRecordText[] = [];
  for (const chunk of chunks) scanner.push(chunk, output);
  scanner.finish();
  return output;
}

describe('JsonRecordScanner', () => {
  const text = ' [ {"a": "x,]}\\"{"}, [1, [2]] , "s\\"]" ,12.5e3,null ]\n';

  it('splits the top-level array into record texts with their positions', () => {
    expect(scan([text]).map(({ number, text: recordText }) => [number, recordText])).toEqual([
      [1, '{"a": "x,]}\\"{"}'],
      [2, '[1, [2]]'],
      [3, '"s\\"]"'],
      [4, '12.5e3'],
      [5, 'null'],
    ]);
    expect(scan([text])[1].position).toBe(text.indexOf('[1'));
  });

  it('gives the same records for every chunk boundary', () => {
    const expected = scan([text]);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(scan([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
    }
    expect(scan(text.split(''))).toEqual(expected);
  });

  it('takes a single top-level object as one record', () => {
    expect(scan(['{"a":', '1}  '])).toEqual([{ number: 1, position: 0, text: '{"a":1}' }]);
  });

  it('accepts an empty array', () => {
    expect(scan(['[ ]'])).toEqual([]);
  });

  it.each([
    ['a top level that is neither array nor object', '"text"'],
    ['a missing comma', '[{"a":1} {"b":2}]'],
    ['a trailing comma', '[{"a":1},]'],
    ['a leading comma', '[,{"a":1}]'],
    ['an unclosed array', '[{"a":1}'],
    ['an unclosed object', '{"a":1'],
    ['data after the end', '[{"a":1}] x'],
  ])('refuses %s as invalid_json with its position', (_name, input) => {
    expect(() => scan([input])).toThrow(expect.objectContaining({ code: 'invalid_json', status: 422, message: expect.stringMatching(/position \d+/) }));
  });

  it('refuses only whitespace as an empty file', () => {
    expect(() => scan([' \n '])).toThrow(expect.objectContaining({ code: 'empty_file' }));
  });

  it('refuses nesting deeper than the limit, counting the top-level array', () => {
    expect(scan(['[{"a":[[1]]}]'], 1024, 4)).toHaveLength(1);
    expect(() => scan(['[{"a":[[[1]]]}]'], 1024, 4)).toThrow(expect.objectContaining({ code: 'json_too_deep' }));
  });

  it('refuses a record longer than the limit without waiting for its end', () => {
    const scanner = new JsonRecordScanner(50, 16);
    scanner.push('[{"a":"', []);
    expect(() => scanner.push('x'.repeat(100), [])).toThrow(expect.objectContaining({ code: 'record_too_large' }));
  });
});

describe('json values', () => {
  it('measures depth ignoring brackets in strings', () => {
    expect(measureJsonDepth('{"a":"[[[{{{","b":[{"c":[]}]}')).toBe(4);
    expect(measureJsonDepth('"\\"["')).toBe(0);
  });

  it('finds forbidden keys at any depth', () => {
    expect(() => assertNoForbiddenKeys(JSON.parse('{"a":[{"b":{"constructor":1}}]}'), 'record 1')).toThrow(
      expect.objectContaining({ code: 'forbidden_json_key', status: 422 }),
    );
    expect(() => assertNoForbiddenKeys(JSON.parse('{"prototype":1}'), 'x')).toThrow(ImportFileError);
    expect(() => assertNoForbiddenKeys(JSON.parse('{"proto":1,"constructors":[1]}'), 'x')).not.toThrow();
  });

  it('places values by header position, growing the headers', () => {
    const headers = new JsonHeaders();
    expect(headers.toCells({ a: 1, b: 2 })).toEqual([1, 2]);
    expect(headers.toCells({ c: 3, a: 4 })).toEqual([4, undefined, 3]);
    expect(headers.names).toEqual(['a', 'b', 'c']);
  });
});

describe('JSON files', () => {
  it('reads an array of objects, headers in order of first appearance', async () => {
    const [batch, ...rest] = await readAll(join(FIXTURES, 'students.json'), 'students.json');
    expect(rest).toHaveLength(0);
    expect(batch.headers).toEqual([
      'studentId',
      'email',
      'firstName',
      'lastName',
      'fatherName',
      'mobilePhone',
      'enrollmentDate',
      'studyYear',
      'isActive',
      'phone',
      'academicYear',
      'classDivision',
    ]);
    expect(batch.records.map((record) => record.row)).toEqual([1, 2, 3]);
    expect(batch.records[0].cells).toEqual(['S2001', 'eleni.georgiou@example.gr', 'Ελένη', 'Γεωργίου', 'Κωνσταντίνος', '6912000001', '2024-09-02', 1, true]);
    expect(batch.records[2].cells.slice(10)).toEqual(['2024-2025', 'C1']);
  });

  it('reads a single object as one record', async () => {
    const [batch] = await readAll(join(FIXTURES, 'student-single.json'), 'student-single.json');
    expect(batch.records).toEqual([{ row: 1, cells: expect.arrayContaining(['S2101', 'Πέτρος']) }]);
    expect(batch.headers[0]).toBe('studentId');
  });

  it('grows headers from batch to batch, keeping nested values as they are', async () => {
    const batches = await readText('grow.json', '[{"a":1},{"a":2,"rules":[{"category":"exam","weight":100}]},{"b":true}]', 2);
    expect(batches.map((batch) => batch.headers)).toEqual([['a', 'rules'], ['a', 'rules', 'b']]);
    expect(batches[0].records[1].cells).toEqual([2, [{ category: 'exam', weight: 100 }]]);
    expect(batches[1].records[0]).toEqual({ row: 3, cells: [undefined, undefined, true] });
  });

  it('flags records that are not objects and skips empty ones', async () => {
    const [batch] = await readText('mixed.json', '[{"a":1}, 5, {}, {"a":" "}, null, [1], {"a":2}]');
    expect(batch.records.map((record) => [record.row, record.parseError?.code])).toEqual([
      [1, undefined],
      [2, 'not_an_object'],
      [5, 'not_an_object'],
      [6, 'not_an_object'],
      [7, undefined],
    ]);
  });

  it.each([
    ['deep.json', 'json_too_deep'],
    ['proto.json', 'forbidden_json_key'],
    ['not-json.json', 'invalid_json'],
  ])('refuses %s with %s', async (fileName, code) => {
    await expect(readAll(join(FIXTURES, fileName), fileName)).rejects.toMatchObject({ code, status: 422 });
  });

  it('reports the absolute position of a syntax error inside a record', async () => {
    await expect(readAll(join(FIXTURES, 'not-json.json'), 'not-json.json')).rejects.toThrow(/position 1\d\d \(record 2\)/);
  });

  it('refuses an empty array, and an array of empty objects, as an empty file', async () => {
    await expect(readText('empty-array.json', '[]')).rejects.toMatchObject({ code: 'empty_file' });
    await expect(readText('empty-objects.json', '[{}, {}]')).rejects.toMatchObject({ code: 'empty_file' });
  });

  it('does not let __proto__ reach a prototype', async () => {
    await expect(readText('proto-single.json', '{"__proto__":{"polluted":true}}')).rejects.toMatchObject({ code: 'forbidden_json_key' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('NDJSON files', () => {
  it('reads one object per line, skipping blank lines, row = line number', async () => {
    const [batch] = await readAll(join(FIXTURES, 'students.ndjson'), 'students.ndjson');
    expect(batch.records.map((record) => record.row)).toEqual([1, 2, 4]);
    expect(batch.records[2].cells[batch.headers.indexOf('phone')]).toBe('2104445566');
  });

  it('turns a bad line into a row-level error and goes on', async () => {
    const [batch] = await readText('bad.ndjson', '{"a":1}\r\n{"a":\r\n\r\n[1,2]\n"text"\n{"a":3}');
    expect(batch.records.map((record) => [record.row, record.parseError?.code])).toEqual([
      [1, undefined],
      [2, 'invalid_json'],
      [4, 'not_an_object'],
      [5, 'not_an_object'],
      [6, undefined],
    ]);
    expect(batch.records[4].cells).toEqual([3]);
  });

  it('refuses forbidden keys, too deep lines and too long lines for the whole file', async () => {
    await expect(readText('proto.ndjson', '{"a":1}\n{"b":{"__proto__":1}}\n')).rejects.toMatchObject({ code: 'forbidden_json_key' });
    await expect(readText('deep.ndjson', `{"a":${'['.repeat(17)}${']'.repeat(17)}}\n`)).rejects.toMatchObject({ code: 'json_too_deep' });
    const path = join(directory, 'long.ndjson');
    writeFileSync(path, `{"a":"${'x'.repeat(300)}"}\n`);
    await expect(openSource(path, { fileName: 'long.ndjson', limits: { maxRecordBytes: 100 } })).rejects.toMatchObject({ code: 'record_too_large' });
  });
});
