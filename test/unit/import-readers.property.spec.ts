import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unstorableReason } from '../../src/common/validation/storable-text';
import { CellValue, ImportEntity, SourceRecord } from '../../src/imports/import.types';
import { CsvParser, CsvRecord } from '../../src/imports/readers/csv-parser';
import { ImportFileError } from '../../src/imports/readers/import-file.error';
import { JsonRecordScanner, JsonRecordText } from '../../src/imports/readers/json-record-scanner';
import { openSource } from '../../src/imports/readers/open-source';
import { DEFAULT_READER_LIMITS, ReaderLimits } from '../../src/imports/readers/reader-limits';
import { withStorableCells } from '../../src/imports/readers/text-policy';
import { checkXlsxEntries, readZipDirectory, verifyXlsxEntries } from '../../src/imports/readers/zip-directory';
import { mapColumns } from '../../src/imports/rows/column-mapping';
import { importFields } from '../../src/imports/rows/import-fields';
import { ImportMode } from '../../src/imports/rows/import-mode';
import { createRowValidator } from '../../src/imports/rows/row-validator';
import { sharedStringsXlsx, validXlsx } from '../fixtures/hostile/generate-hostile-files';

/**
 * Random and mutated input for the readers: whatever the bytes, a reader yields records or throws
 * its own ImportFileError (in its own words), and never lets text that cannot be stored through.
 */

const FIXTURES = join(__dirname, '..', 'fixtures', 'imports');
// Small limits, so that random input reaches them too.
const LIMITS: Partial<ReaderLimits> = { maxRecordBytes: 4096, maxJsonDepth: 8, maxColumns: 64, maxXlsxUncompressedBytes: 8 * 1024 * 1024 };

let directory: string;
let fileNumber = 0;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'import-property-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Runs `work`; an ImportFileError passes (in our own words), anything else fails the property. */
async function onlyImportFileErrors(work: () => Promise<void> | void): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw new Error(`not an ImportFileError: ${String(error)}`, { cause: error });
    expect(error.message).not.toMatch(/Cannot read properties|is not valid JSON|Unexpected token|incorrect header|invalid (stored )?block|unexpected end of file/);
    expect(unstorableReason(error.message)).toBeUndefined();
  }
}

/** Text rich in what the parsers care about: separators, quotes, line ends, NUL, lone and paired surrogates. */
const hostileText = fc
  .array(fc.oneof(fc.constantFrom('"', ',', ';', '\t', '\n', '\r', '\r\n', '{', '}', '[', ']', ':', '\\', ' ', 'a', 'Ω', '\u0000', '\ud800', '\udfff', '😀', '\uFEFF'), fc.string({ maxLength: 4 })), {
    maxLength: 120,
  })
  .map((parts) => parts.join(''));

/** Splits text at the given fractions, so that a chunk may end anywhere (inside a CRLF, a quote, a pair). */
function chunked(text: string, cuts: number[]): string[] {
  const positions = [...new Set(cuts.map((cut) => Math.floor(cut * text.length)))].sort((first, second) => first - second);
  const chunks: string[] = [];
  let start = 0;
  for (const position of positions) {
    chunks.push(text.slice(start, position));
    start = position;
  }
  chunks.push(text.slice(start));
  return chunks;
}

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

function parseCsv(chunks: string[], delimiter: string): CsvRecord[] {
  const parser = new CsvParser(delimiter, 256);
  const records: CsvRecord[] = [];
  for (const chunk of chunks) parser.push(chunk, records);
  parser.finish(records);
  return records;
}

describe('CSV parser, on any text', () => {
  it('yields records or throws its own error, and how the text is cut into chunks changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, cuts, fc.constantFrom(',', ';', '\t'), async (text, splits, delimiter) => {
        let whole: CsvRecord[] | ImportFileError;
        try {
          whole = parseCsv([text], delimiter);
        } catch (error) {
          if (!(error instanceof ImportFileError)) throw error;
          whole = error;
        }
        await onlyImportFileErrors(() => {
          const inChunks = parseCsv(chunked(text, splits), delimiter);
          expect(inChunks).toEqual(whole);
        });
      }),
      { numRuns: 400 },
    );
  });
});

describe('JSON record scanner, on any text', () => {
  it('emits record texts or throws its own error, whatever the chunks', async () => {
    const jsonish = fc.oneof(hostileText.map((text) => `[${text}]`), hostileText, fc.json({ maxDepth: 6 }));
    await fc.assert(
      fc.asyncProperty(jsonish, cuts, async (text, splits) => {
        await onlyImportFileErrors(() => {
          const scanner = new JsonRecordScanner(512, 6);
          const records: JsonRecordText[] = [];
          for (const chunk of chunked(text, splits)) scanner.push(chunk, records);
          scanner.finish();
          for (const record of records) expect(text).toContain(record.text);
        });
      }),
      { numRuns: 400 },
    );
  });
});

type Mutation = { kind: 'flip'; at: number; byte: number } | { kind: 'insert'; at: number; bytes: number[] } | { kind: 'delete'; at: number; length: number } | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }).map((at) => at), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.array(fc.oneof(fc.constantFrom(0x00, 0x22, 0x2c, 0x0a, 0x0d, 0x5b, 0x7b, 0xff, 0xfe, 0xd8, 0x50, 0x4b), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

/** The bytes with the mutations applied in turn; positions are fractions of the length at that point. */
function mutate(base: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(base);
  for (const change of mutations) {
    const at = Math.min(bytes.length, Math.floor(change.at * bytes.length));
    if (change.kind === 'flip' && at < bytes.length) bytes[at] = change.byte;
    if (change.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
    if (change.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
    if (change.kind === 'truncate') bytes = bytes.subarray(0, at);
  }
  return bytes;
}

/** Reads the file to the end through openSource, checking every record against the text policy. */
async function readEverything(content: Buffer, fileName: string): Promise<number> {
  const path = join(directory, `${++fileNumber}-${fileName}`);
  writeFileSync(path, content);
  let records = 0;
  try {
    const opened = await openSource(path, { fileName, limits: LIMITS, batchSize: 7 });
    for await (const batch of opened.batches) {
      for (const record of batch.records) {
        records++;
        if (record.parseError === undefined) for (const cell of record.cells) expect(storable(cell)).toBe(true);
        else expect(unstorableReason(record.parseError.message)).toBeUndefined();
      }
    }
  } finally {
    rmSync(path, { force: true });
  }
  return records;
}

function storable(cell: unknown): boolean {
  if (typeof cell === 'string') return unstorableReason(cell) === undefined;
  if (cell === null || typeof cell !== 'object' || cell instanceof Date) return true;
  return Object.entries(cell).every(([key, value]) => unstorableReason(key) === undefined && storable(value));
}

const TEXT_SEEDS: readonly { name: string; content: Buffer }[] = [
  { name: 'students-utf8-bom.csv', content: readFileSync(join(FIXTURES, 'students-utf8-bom.csv')) },
  { name: 'students-utf16le.csv', content: readFileSync(join(FIXTURES, 'students-utf16le.csv')) },
  { name: 'students-greek-registration-windows1253.csv', content: readFileSync(join(FIXTURES, 'students-greek-registration-windows1253.csv')) },
  { name: 'students.json', content: readFileSync(join(FIXTURES, 'students.json')) },
  { name: 'students.ndjson', content: readFileSync(join(FIXTURES, 'students.ndjson')) },
];

describe('text readers (CSV, JSON, NDJSON) from the bytes up', () => {
  it('read random bytes as records or refuse them with their own error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.constantFrom('x.csv', 'x.json', 'x.ndjson'), async (content, name) => {
        await onlyImportFileErrors(async () => {
          await readEverything(Buffer.from(content), name);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('read mutated valid files as records or refuse them with their own error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TEXT_SEEDS), fc.array(mutation, { minLength: 1, maxLength: 5 }), async (seed, mutations) => {
        await onlyImportFileErrors(async () => {
          await readEverything(mutate(seed.content, mutations), seed.name);
        });
      }),
      { numRuns: 250 },
    );
  });

  it('make a row of any NUL or lone surrogate in a cell, and read the valid seeds whole', async () => {
    for (const seed of TEXT_SEEDS) expect(await readEverything(seed.content, seed.name)).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('\u0000', '\ud800', '\udc00', 'a\u0000\ud83d'), fc.constantFrom('csv', 'json', 'ndjson'), async (bad, format) => {
        const name = `Na${bad}me`;
        const content =
          format === 'csv'
            ? Buffer.from(`\uFEFFstudentId,firstName\nS1,${name}\nS2,ok\n`, 'utf16le')
            : Buffer.from(format === 'json' ? JSON.stringify([{ studentId: 'S1', firstName: name }, { studentId: 'S2' }]) : `${JSON.stringify({ studentId: 'S1', firstName: name })}\n{"studentId":"S2"}\n`);
        expect(await readEverything(content, `x.${format}`)).toBe(2);
      }),
      { numRuns: 30 },
    );
  });
});

const XLSX_SEEDS: readonly Buffer[] = [
  readFileSync(join(FIXTURES, 'students-with-dates.xlsx')),
  validXlsx(),
  sharedStringsXlsx([
    ['studentId', 'email'],
    ['S1', 's1@school.example'],
  ]),
];

describe('XLSX zip check and reader, on mutated workbooks', () => {
  it('the zip-directory check accepts or refuses with its own error', async () => {
    const limits = { ...DEFAULT_READER_LIMITS, ...LIMITS };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...XLSX_SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (seed, mutations) => {
        const path = join(directory, `${++fileNumber}.xlsx`);
        writeFileSync(path, mutate(seed, mutations));
        try {
          await onlyImportFileErrors(async () => {
            const zip = await readZipDirectory(path);
            checkXlsxEntries(zip.entries, limits);
            await verifyXlsxEntries(path, zip, limits);
          });
        } finally {
          rmSync(path, { force: true });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the whole XLSX reader yields rows or refuses with its own error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...XLSX_SEEDS), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (seed, mutations) => {
        await onlyImportFileErrors(async () => {
          await readEverything(mutate(seed, mutations), 'x.xlsx');
        });
      }),
      { numRuns: 120 },
    );
  });
});

const ENTITIES = [ImportEntity.Students, ImportEntity.Courses, ImportEntity.Enrollments];

const anyCell: fc.Arbitrary<CellValue> = fc.oneof(
  hostileText,
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', ' ', '1', '0', '-5', 'yes', 'Όχι', 'Α\'', '2024-02-30', '31/12/2023', 'a@b.c', '+30 210 1234567', '1e999'),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  fc.constant(null),
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<CellValue>,
);

describe('row validators, on any cells', () => {
  it('never throw; a row is values or issues; behind the text policy every value and issue can be stored', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ENTITIES), fc.constantFrom(ImportMode.Create, ImportMode.Update, ImportMode.Upsert), fc.array(anyCell, { maxLength: 14 }), (entity, mode, cells) => {
        const headers = [...importFields(entity).map((field) => field.name), 'unknown'].slice(0, Math.max(cells.length, 1));
        const { mapping } = mapColumns(entity, headers, mode);
        const validate = createRowValidator(entity, mapping, { today: '2026-05-01' });
        const raw = validate(cells, 2);
        expect(raw.values === null).toBe(raw.issues.length > 0);
        const record: SourceRecord = withStorableCells({ row: 2, cells }, headers);
        if (record.parseError !== undefined) {
          expect(record.parseError.code).toBe('invalid_character');
          return;
        }
        const { values, issues } = validate(record.cells, 2);
        expect(JSON.stringify(values ?? []).includes('\\u0000')).toBe(false);
        for (const value of values ?? []) if (typeof value === 'string') expect(unstorableReason(value)).toBeUndefined();
        for (const issue of issues) expect(unstorableReason(`${issue.message}${issue.value ?? ''}`)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});
