import { Client, CustomTypesConfig } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import JSZip from 'jszip';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvLine, neutraliseFormula, UTF8_BOM } from '../../src/common/csv';
import { CopyCsvStream } from '../../src/exports/copy-csv-stream';
import { EXPORT_SOURCES, ExportColumn, selectColumns } from '../../src/exports/export-columns';
import { csvCellSql, csvCopySql, neutraliseSql, NUMBER_OR_PHONE_SQL_PATTERN, sqlLiteral } from '../../src/exports/export-csv-sql';
import { literalWhereOf } from '../../src/exports/export-filters';
import { xlsxCopySql } from '../../src/exports/export-xlsx-sql';
import { XlsxFileStream } from '../../src/exports/xlsx-writer';
import { headerLabels, RawRow } from '../../src/exports/export-formats';
import { ExportEntity, ExportFormat, ExportLanguage } from '../../src/exports/export.enums';
import { csvRowFormatter } from './support/csv-reference';
import { sheetRowsFormatter } from './support/xlsx-reference';

/**
 * The SQL that writes CSV exports, checked against the Node formatter it replaces by running it in
 * PostgreSQL (TEST_POSTGRES_URL, as the e2e tests; only temporary tables, in the server's default
 * database).
 */
const POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const TEXT_VALUES = { getTypeParser: () => (value: string) => value } as unknown as CustomTypesConfig;

/** Text that starts with each formula character, numbers and phone numbers, and text that only looks like them. */
const CELLS = [
  '', ' ', 'plain', 'Μαρία', 'Ωμέγα', '[1]', '{"a":1}', '"quoted"', "'already", '\\.', 'a,b', 'x"y', 'two\nlines', 'cr\rlf\r\n',
  '=', '=1+2', '=HYPERLINK("http://evil.example","click")', '@', '@SUM(A1)', '\t', '\tcmd', '\t5', '\r', '\rcmd', '\r\n5',
  '+', '-', '+-', '--', '+5', '-5', '-5.25', '+-5', '-+5', '--5', '++5', '- 5', '-5 ', '-(210) 123-4567', '+30 210 1234567',
  '+30 (210) 123.4567', '-5a', '+5\n', '-5\n6', '+٣', '+５', '−5', '+\u00a05', '-.', '-()', '-.5', '+cmd|\' /C calc\'!A0',
  '5', '2101234567', '(210) 123', ' =x', 'A=1', 'z-5',
  // What XML escapes or cannot hold, and white space at either end.
  'a&b<c>"d"', '&amp;', '\u0001', 'x\u001fy', 'u\ufffe\uffff', 'trail ', ' lead', 'tab\t', '\u0002q',
];

describe('CSV in PostgreSQL', () => {
  let database: Client;

  beforeAll(async () => {
    database = new Client({ connectionString: POSTGRES });
    await database.connect();
  });

  afterAll(async () => {
    await database.end();
  });

  /** A COPY's output through `output`, as one buffer, and the records `output` counted. */
  const copyBytes = async (sql: string, output: Transform & { records: number }): Promise<{ bytes: Buffer; records: number }> => {
    const chunks: Buffer[] = [];
    await pipeline(database.query(copyTo(sql)), output, new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }));
    return { bytes: Buffer.concat(chunks), records: output.records };
  };

  const copyText = async (sql: string, prefix = ''): Promise<{ text: string; records: number }> => {
    const { bytes, records } = await copyBytes(sql, new CopyCsvStream(prefix));
    return { text: bytes.toString('utf8'), records };
  };

  describe('neutraliseSql', () => {
    it('neutralises exactly the cells neutraliseFormula does, and makes empty text NULL', async () => {
      const { rows } = await database.query<{ cell: string | null }>(
        `select ${neutraliseSql('v')} as cell from unnest($1::text[]) with ordinality as t(v, n) order by n`,
        [CELLS],
      );
      expect(rows.map((row) => row.cell)).toEqual(CELLS.map((cell) => (cell === '' ? null : neutraliseFormula(cell))));
    });

    it('keeps NULL', async () => {
      const { rows } = await database.query(`select ${neutraliseSql('null::text')} as cell`);
      expect(rows[0].cell).toBeNull();
    });

    it('uses the pattern of neutraliseFormula', async () => {
      const { rows } = await database.query<{ matches: boolean }>(
        `select v ~ $2 as matches from unnest($1::text[]) with ordinality as t(v, n) order by n`,
        [CELLS, NUMBER_OR_PHONE_SQL_PATTERN],
      );
      expect(rows.map((row) => row.matches)).toEqual(CELLS.map((cell) => new RegExp(NUMBER_OR_PHONE_SQL_PATTERN).test(cell)));
    });
  });

  describe('sqlLiteral', () => {
    it('round-trips any text, quotes and backslashes included', async () => {
      const values = ["x' or '1'='1", 'a\\b', "\\'; drop table x; --", 'Α΄ Τετράμηνο', '$1', 'E\'\\x41\''];
      const { rows } = await database.query<{ value: string }>(values.map((value) => `select ${sqlLiteral(value)}::text as value`).join(' union all '));
      expect(rows.map((row) => row.value)).toEqual(values);
    });

    it('writes numbers and booleans as untyped literals, and refuses anything else', () => {
      expect(sqlLiteral(3)).toBe("'3'");
      expect(sqlLiteral(false)).toBe("'false'");
      expect(() => sqlLiteral(Number.NaN)).toThrow(TypeError);
      expect(() => sqlLiteral({ toString: () => "' or true --" })).toThrow(TypeError);
      expect(() => sqlLiteral(null)).toThrow(TypeError);
      expect(() => sqlLiteral('a\0b')).toThrow(TypeError);
    });
  });

  describe('COPY of an export', () => {
    beforeAll(async () => {
      // The tables the exports read (text for varchar, to hold any cell), as temporary tables, which hide any real ones of the same name.
      await database.query(`
        create temporary table students (id serial primary key, student_id text not null, email text not null,
          first_name text not null, last_name text not null, father_name text, mobile_phone text,
          phone text, enrollment_date date, study_year smallint, is_active boolean not null default true, health_issue text,
          note text, academic_year text, class_division text, deleted_at timestamptz,
          created_at timestamptz not null default now(), updated_at timestamptz not null default now());
        create temporary table courses (id serial primary key, course_code text not null, course_name text not null,
          semester text not null, credits smallint not null default 3, description text, hours_per_week smallint,
          periods_per_week smallint, evaluation_rules jsonb, is_active boolean not null default true, deleted_at timestamptz,
          created_at timestamptz not null default now(), updated_at timestamptz not null default now());
        create temporary table enrollments (id serial primary key, student_id int not null, course_id int not null, enrolled_at date not null,
          status text not null default 'active', deleted_at timestamptz,
          created_at timestamptz not null default now(), updated_at timestamptz not null default now())`);
      // Every tricky cell in every text column, with NULLs and empty strings among them.
      await database.query(
        `insert into students (student_id, email, first_name, last_name, father_name, mobile_phone, phone, enrollment_date, study_year,
           is_active, health_issue, note, academic_year, class_division, deleted_at, created_at, updated_at)
         select v, v, v, v, case when n % 3 = 0 then null else v end, v, reverse(v), date '2026-09-01' + n::int, case when n % 4 = 0 then null else 1 + n % 6 end,
           n % 2 = 0, case when n % 5 = 0 then '' else v end, v, case when n % 2 = 0 then 'a\\b' else $2 end, v,
           case when n % 7 = 0 then timestamptz '2026-01-02 03:04:05.678999+02' when n % 7 = 1 then timestamptz '1969-12-31 23:59:59.999500Z' end,
           timestamptz '2026-11-30 10:15:00.123Z' + n * interval '1 second', timestamptz '2026-11-30 10:15:00Z'
         from unnest($1::text[]) with ordinality as t(v, n)`,
        [CELLS, "x' or '1'='1"],
      );
      await database.query(
        `insert into courses (course_code, course_name, semester, credits, description, evaluation_rules, is_active)
         select 'C' || n, v, 'Α΄ Τετράμηνο', n % 10, v,
           (array['[{"category": "exam", "weight": 100}]', '"=1+2"', '-5', 'null', '{"a": "b,\\"c\\""}', null])[1 + n % 6]::jsonb, n % 3 <> 0
         from unnest($1::text[]) with ordinality as t(v, n)`,
        [CELLS],
      );
      await database.query(
        `insert into enrollments (student_id, course_id, enrolled_at, status)
         select s.id, c.id, date '2026-09-10' + (s.id % 20), (array['active', 'completed', 'dropped', 'unknown', '=bad'])[1 + (s.id + c.id) % 5]
         from students s cross join courses c where s.id % 5 = 0`,
      );
    });

    /** The export as the Node formatter wrote it: the header, then csvRowFormatter over the cursor's rows. */
    const nodeCsv = async (entity: ExportEntity, columns: readonly ExportColumn[], language: ExportLanguage, where: string, bom: boolean): Promise<string> => {
      const source = EXPORT_SOURCES[entity];
      const { rows } = await database.query<RawRow>({
        text: `select ${columns.map((column) => column.sql).join(', ')} from ${source.from} where ${where} order by ${source.key}`,
        rowMode: 'array',
        types: TEXT_VALUES,
      });
      const line = csvRowFormatter(columns, language);
      return (bom ? UTF8_BOM : '') + csvLine(headerLabels(columns, language)) + rows.map(line).join('');
    };

    const cases = Object.values(ExportEntity).flatMap((entity) =>
      Object.values(ExportLanguage).map((language) => ({ entity, language, bom: language === ExportLanguage.Greek })),
    );

    it.each(cases)('writes the same bytes as the Node formatter: $entity, $language', async ({ entity, language, bom }) => {
      // Every column, the optional ones included.
      const selection = selectColumns(entity, EXPORT_SOURCES[entity].columns.map((column) => column.name));
      if ('unknown' in selection) throw new Error('unknown columns');
      const { columns } = selection;
      const where = literalWhereOf(entity, { includeDeleted: true });
      const expected = await nodeCsv(entity, columns, language, where, bom);
      const prefix = (bom ? UTF8_BOM : '') + csvLine(headerLabels(columns, language));
      const copied = await copyText(csvCopySql(EXPORT_SOURCES[entity], columns, language, where), prefix);
      expect(copied.text).toBe(expected);
      const { rows } = await database.query<{ count: string }>(`select count(*) from ${EXPORT_SOURCES[entity].from} where ${where}`);
      expect(copied.records).toBe(Number(rows[0].count));
      expect(copied.records).toBeGreaterThan(10);
    });

    it.each(cases)('writes the sheet rows the Node XLSX writer wrote, one a line: $entity, $language', async ({ entity, language }) => {
      const selection = selectColumns(entity, EXPORT_SOURCES[entity].columns.map((column) => column.name));
      if ('unknown' in selection) throw new Error('unknown columns');
      const { columns } = selection;
      const source = EXPORT_SOURCES[entity];
      const where = literalWhereOf(entity, { includeDeleted: true });
      const { rows } = await database.query<RawRow>({
        text: `select ${columns.map((column) => column.sql).join(', ')} from ${source.from} where ${where} order by ${source.key}`,
        rowMode: 'array',
        types: TEXT_VALUES,
      });
      const rowXml = sheetRowsFormatter(columns, language);
      const expected = rows.map((row, index) => `${rowXml([row], index + 2)}\n`).join('');
      const layout = { format: ExportFormat.Xlsx, columns, language, byteOrderMark: false, sheetName: 'Sheet' };
      const { bytes, records } = await copyBytes(xlsxCopySql(source, columns, language, where), new XlsxFileStream(layout));
      const sheet = await (await JSZip.loadAsync(bytes)).file('xl/worksheets/sheet1.xml')!.async('string');
      expect(sheet.slice(sheet.indexOf('<row r="2">'))).toBe(`${expected}</sheetData></worksheet>`);
      expect(records).toBe(rows.length);
      expect(records).toBeGreaterThan(10);
    });

    it('filters with literal values, which cannot escape their quotes', async () => {
      const columns = [EXPORT_SOURCES[ExportEntity.Students].columns.find((column) => column.name === 'academicYear')!];
      for (const academicYear of ["x' or '1'='1", 'a\\b', 'nothing']) {
        const where = literalWhereOf(ExportEntity.Students, { academicYear, isActive: true, enrollmentDateFrom: '2026-09-01' });
        const copied = await copyText(csvCopySql(EXPORT_SOURCES[ExportEntity.Students], columns, ExportLanguage.English, where));
        const { rows } = await database.query<{ count: string }>(
          `select count(*) from students where deleted_at is null and academic_year = $1 and is_active and enrollment_date >= '2026-09-01'`,
          [academicYear],
        );
        expect(copied.records).toBe(Number(rows[0].count));
        expect(copied.text).toBe(copied.records === 0 ? '' : `${csvLine([academicYear]).repeat(copied.records)}`);
      }
    });

    it('quotes a lone \\. cell of a one-column export (COPY would end there otherwise), the one difference from the Node formatter', async () => {
      const note = EXPORT_SOURCES[ExportEntity.Students].columns.find((column) => column.name === 'note')!;
      const copied = await copyText(`copy (select ${csvCellSql(note, ExportLanguage.English)} from (values ('\\.')) as s(note)) to stdout with (format csv)`);
      expect(copied.text).toBe('"\\."\r\n');
      expect(csvRowFormatter([note], ExportLanguage.English)(['\\.'])).toBe('\\.\r\n');
    });
  });
});
