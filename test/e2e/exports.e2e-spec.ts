import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ApiClient, Schemas } from '../../openapi/client';
import { startTestApp, TestApp } from './support/test-app';

type Job = Schemas['JobDto'];
type Row = Record<string, unknown>;

/** RFC 4180, enough for what the service writes: quoted cells with doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(cell);
      cell = '';
    } else if (character === '\r' && text[index + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      index += 1;
    } else cell += character;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

interface Download {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
}

const SEEDED = 12_345;

describe('exports', () => {
  let t: TestApp;
  let database: Client;
  let staff: { client: ApiClient; token: string };
  let otherStaff: { client: ApiClient; token: string };
  let exportDirectory: string;

  const download = async (path: string, token = t.adminToken, headers: Record<string, string> = {}): Promise<Download> => {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
  };
  const ndjsonRows = (text: string): Row[] => text.trimEnd().split('\n').map((line) => JSON.parse(line) as Row);
  const waitForJob = async (client: ApiClient, id: string): Promise<Job> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { data } = await client.GET('/api/v1/jobs/{id}', { params: { path: { id } } });
      if (data !== undefined && ['completed', 'failed', 'cancelled'].includes(data.status)) return data;
      if (Date.now() > deadline) throw new Error(`job ${id} did not finish: ${JSON.stringify(data)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const auditRows = async (query: Record<string, unknown>): Promise<Schemas['AuditLogDto'][]> => {
    const { data } = await t.admin.GET('/api/v1/audit', { params: { query: { action: 'bulk_export', limit: 500, ...query } } });
    return data!.items;
  };

  beforeAll(async () => {
    exportDirectory = await mkdtemp(join(tmpdir(), 'exports-e2e-'));
    t = await startTestApp('exports', { EXPORT_DIR: exportDirectory });
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
    staff = await t.userWithRole('staff');
    otherStaff = await t.userWithRole('staff');
    // More rows than any batch (5 000) or page size, so that a cut anywhere would show.
    await database.query(`
      insert into students (student_id, email, first_name, last_name, enrollment_date, study_year, is_active, academic_year, class_division)
      select 'S' || lpad(n::text, 6, '0'), 'student' || n || '@school.example', 'First' || n, 'Last' || n,
             date '2025-09-01' + (n % 300), 1 + n % 6, n % 10 <> 0, case when n % 2 = 0 then '2025-2026' else '2026-2027' end, 'A' || (n % 3)
      from generate_series(1, ${SEEDED}) as n`);
    await database.query(`
      insert into students (student_id, email, first_name, last_name, father_name, mobile_phone, phone, enrollment_date, study_year, note, health_issue, academic_year, class_division)
      values ('AB123456', 'maria@school.example', 'Μαρία', 'Παπαδοπούλου', 'Γεώργιος', '+30 690 1234567', '-5', '2026-09-01', 2,
              '=HYPERLINK("http://evil.example","click")', '@SUM(A1)', 'GREEK', 'Β2')`);
    await database.query(`
      insert into students (student_id, email, first_name, last_name, academic_year, deleted_at)
      values ('DELETED1', 'deleted@school.example', 'Gone', 'Away', 'GREEK', now())`);
    await database.query(`
      insert into courses (course_code, course_name, semester, credits, evaluation_rules, is_active)
      values ('MATH101', 'Άλγεβρα', 'Α΄ Τετράμηνο', 5, '[{"category":"exam","weight":100}]', true),
             ('HIST', '+cmd|'' /C calc''!A0', 'Β΄ Τετράμηνο', 3, null, false)`);
    await database.query(`
      insert into enrollments (student_id, course_id, enrolled_at, status)
      select s.id, c.id, date '2026-09-10' + (s.id % 20), case when s.id % 3 = 0 then 'dropped' else 'active' end
      from students s cross join courses c where s.id <= 100 and s.deleted_at is null`);
  });

  afterAll(async () => {
    await database.end();
    await t.close();
    await rm(exportDirectory, { recursive: true, force: true });
  });

  describe('formats parse back to the same rows', () => {
    let reference: Row[];

    beforeAll(async () => {
      const json = await download('/api/v1/exports/students?format=json');
      expect(json.status).toBe(200);
      expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
      reference = JSON.parse(json.text) as Row[];
    });

    it('exports every live student once, in id order, with the API field names and raw values', async () => {
      expect(reference).toHaveLength(SEEDED + 1);
      const ids = reference.map((row) => row.id as number);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const maria = reference.find((row) => row.studentId === 'AB123456')!;
      const { data: fromApi } = await t.admin.GET('/api/v1/students/{id}', { params: { path: { id: maria.id as number } } });
      // Provenance (which import last wrote the record) is the API's, not a field an export carries.
      const { deletedAt: _deletedAt, lastImport, ...apiFields } = JSON.parse(JSON.stringify(fromApi)) as Row;
      expect(lastImport).toBeNull();
      expect(maria).toEqual(apiFields);
      expect(maria.isActive).toBe(true);
      expect(maria.studyYear).toBe(2);
      expect(maria.enrollmentDate).toBe('2026-09-01');
    });

    it('NDJSON holds the same rows', async () => {
      const ndjson = await download('/api/v1/exports/students?format=ndjson');
      expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      expect(ndjsonRows(ndjson.text)).toEqual(reference);
    });

    it('CSV holds the same rows, labelled, with formula cells neutralised and numbers and phones left alone', async () => {
      const csv = await download('/api/v1/exports/students?format=csv');
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.text.charCodeAt(0)).not.toBe(0xfeff);
      const [header, ...rows] = parseCsv(csv.text);
      expect(header.slice(0, 4)).toEqual(['ID', 'Student ID', 'Last name', 'First name']);
      expect(rows).toHaveLength(reference.length);
      const fields = Object.keys(reference[0]);
      const expected = reference.map((row) =>
        fields.map((field) => {
          const value = row[field];
          if (value === null) return '';
          if (field === 'isActive') return value === true ? 'Active' : 'Inactive';
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- students have no object fields
          const text = String(value);
          return /^[=+\-@\t\r]/.test(text) && !/^[+-]?[0-9 .()-]*[0-9][0-9 .()-]*$/.test(text) ? `'${text}` : text;
        }),
      );
      expect(rows).toEqual(expected);
      const maria = rows.find((row) => row[1] === 'AB123456')!;
      expect(maria[2]).toBe('Παπαδοπούλου');
      expect(maria).toContain(`'=HYPERLINK("http://evil.example","click")`);
      expect(maria).toContain(`'@SUM(A1)`);
      expect(maria).toContain('-5');
      expect(maria).toContain('+30 690 1234567');
      expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    });

    it('XLSX holds the same rows, with a bold header, number and date cells, and neutralised formulas', async () => {
      const xlsx = await download('/api/v1/exports/students?format=xlsx');
      expect(xlsx.status).toBe(200);
      expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      expect(sheet.name).toBe('Students');
      expect(sheet.rowCount).toBe(reference.length + 1);
      expect(sheet.getRow(1).getCell(1).value).toBe('ID');
      expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
      const fields = Object.keys(reference[0]);
      const column = (field: string): number => fields.indexOf(field) + 1;
      const read = (cell: ExcelJS.CellValue): unknown => (cell instanceof Date ? cell.toISOString() : cell);
      const actual = reference.map((_row, index) => {
        const cells = sheet.getRow(index + 2);
        return ['id', 'lastName', 'studyYear', 'isActive', 'enrollmentDate', 'createdAt'].map((field) => read(cells.getCell(column(field)).value));
      });
      const expected = reference.map((row) => [
        row.id,
        row.lastName,
        row.studyYear,
        row.isActive === true ? 'Active' : 'Inactive',
        `${String(row.enrollmentDate)}T00:00:00.000Z`,
        row.createdAt,
      ]);
      expect(actual).toEqual(expected);
      const mariaRow = sheet.getRow(reference.findIndex((row) => row.studentId === 'AB123456') + 2);
      expect(mariaRow.getCell(column('note')).value).toBe(`'=HYPERLINK("http://evil.example","click")`);
      expect(mariaRow.getCell(column('phone')).value).toBe('-5');
      expect(mariaRow.getCell(column('mobilePhone')).value).toBe('+30 690 1234567');
      expect(mariaRow.getCell(column('firstName')).value).toBe('Μαρία');
    });
  });

  describe('filters and fields', () => {
    it('filters by active, academic year, class division and enrollment date range', async () => {
      const inactive = ndjsonRows((await download('/api/v1/exports/students?format=ndjson&isActive=false')).text);
      expect(inactive.length).toBe(Math.floor(SEEDED / 10));
      expect(inactive.every((row) => row.isActive === false)).toBe(true);
      const filtered = ndjsonRows(
        (await download('/api/v1/exports/students?format=ndjson&academicYear=2025-2026&classDivision=A1&enrollmentDateFrom=2025-10-01&enrollmentDateTo=2025-10-31')).text,
      );
      expect(filtered.length).toBeGreaterThan(0);
      for (const row of filtered) {
        expect(row.academicYear).toBe('2025-2026');
        expect(row.classDivision).toBe('A1');
        expect(String(row.enrollmentDate) >= '2025-10-01' && String(row.enrollmentDate) <= '2025-10-31').toBe(true);
      }
      const { rows } = await database.query<{ count: string }>(
        `select count(*) from students where deleted_at is null and academic_year = '2025-2026' and class_division = 'A1' and enrollment_date between '2025-10-01' and '2025-10-31'`,
      );
      expect(filtered).toHaveLength(Number(rows[0].count));
    });

    it('writes the chosen fields in the order given', async () => {
      const csv = await download('/api/v1/exports/students?format=csv&fields=lastName,studentId&academicYear=GREEK');
      expect(parseCsv(csv.text)).toEqual([['Last name', 'Student ID'], ['Παπαδοπούλου', 'AB123456']]);
      const json = JSON.parse((await download('/api/v1/exports/students?format=json&fields=studentId,deletedAt&academicYear=GREEK')).text) as Row[];
      expect(json).toEqual([{ studentId: 'AB123456', deletedAt: null }]);
    });

    it('answers 400 problems for an unknown field, format or filter', async () => {
      const unknownField = await download('/api/v1/exports/students?fields=studentId,password');
      expect(unknownField.status).toBe(400);
      expect(unknownField.headers.get('content-type')).toContain('application/problem+json');
      const problem = JSON.parse(unknownField.text) as Schemas['ProblemDetailsDto'];
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'fields', code: 'unknown_field' })]);
      const unknownFormat = await download('/api/v1/exports/students?format=pdf');
      expect(unknownFormat.status).toBe(400);
      expect((JSON.parse(unknownFormat.text) as Schemas['ProblemDetailsDto']).errors?.[0].field).toBe('format');
      expect((await download('/api/v1/exports/courses?academicYear=2025-2026')).status).toBe(400);
      expect((await download('/api/v1/exports/students?enrollmentDateFrom=2026-02-30')).status).toBe(400);
    });

    it('exports deleted rows to admins only', async () => {
      expect((await download('/api/v1/exports/students?includeDeleted=true', staff.token)).status).toBe(403);
      const all = ndjsonRows((await download('/api/v1/exports/students?format=ndjson&includeDeleted=true&academicYear=GREEK&fields=studentId,deletedAt')).text);
      expect(all.map((row) => row.studentId).sort()).toEqual(['AB123456', 'DELETED1']);
      expect(all.find((row) => row.studentId === 'DELETED1')!.deletedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/));
    });

    it('exports courses and enrollments with their filters', async () => {
      const courses = JSON.parse((await download('/api/v1/exports/courses?format=json')).text) as Row[];
      expect(courses.map((course) => course.courseCode)).toEqual(['MATH101', 'HIST']);
      expect(courses[0].evaluationRules).toEqual([{ category: 'exam', weight: 100 }]);
      const inactive = parseCsv((await download('/api/v1/exports/courses?isActive=false&fields=courseCode,courseName,isActive')).text);
      expect(inactive).toEqual([['Course code', 'Course name', 'Status'], ['HIST', `'+cmd|' /C calc'!A0`, 'Inactive']]);

      const dropped = ndjsonRows((await download('/api/v1/exports/enrollments?format=ndjson&courseCode=math101&status=dropped')).text);
      expect(dropped.length).toBe(33);
      expect(dropped.every((row) => row.courseCode === 'MATH101' && row.status === 'dropped')).toBe(true);
      const ranged = ndjsonRows((await download('/api/v1/exports/enrollments?format=ndjson&enrolledAtFrom=2026-09-12&enrolledAtTo=2026-09-13')).text);
      expect(ranged.length).toBeGreaterThan(0);
      expect(ranged.every((row) => row.enrolledAt === '2026-09-12' || row.enrolledAt === '2026-09-13')).toBe(true);
      const greek = parseCsv((await download('/api/v1/exports/enrollments?lang=el&status=dropped&fields=courseCode,status&courseCode=HIST')).text);
      expect(greek[0]).toEqual(['Κωδικός Μαθήματος', 'Κατάσταση']);
      expect(greek[1]).toEqual(['HIST', 'Αποχώρησε']);
    });
  });

  describe('languages and file names', () => {
    it('labels CSV in Greek with lang=el, adds the BOM on request, and names the file in Greek', async () => {
      const csv = await download('/api/v1/exports/students?lang=el&bom=true&academicYear=GREEK&fields=studentId,lastName,firstName,isActive');
      expect(csv.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(parseCsv(csv.text.slice(1))).toEqual([
        ['Αριθμός Δελτίου Ταυτότητας:', 'Επώνυμο:', 'Όνομα:', 'Κατάσταση'],
        ['AB123456', 'Παπαδοπούλου', 'Μαρία', 'Ενεργός'],
      ]);
      const disposition = csv.headers.get('content-disposition')!;
      expect(disposition).toMatch(/^attachment; filename="_+-\d{8}T\d{6}Z\.csv"; filename\*=UTF-8''/);
      const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)![1];
      expect(decodeURIComponent(encoded)).toMatch(/^μαθητές-\d{8}T\d{6}Z\.csv$/);
    });

    it('follows Accept-Language when lang is not given, and keeps JSON keys in camelCase', async () => {
      const xlsx = await download('/api/v1/exports/students?format=xlsx&academicYear=GREEK', t.adminToken, { 'accept-language': 'el-GR,el;q=0.9,en;q=0.8' });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
      expect(workbook.worksheets[0].name).toBe('Μαθητές');
      expect(workbook.worksheets[0].getRow(1).getCell(2).value).toBe('Αριθμός Δελτίου Ταυτότητας:');
      const english = await download('/api/v1/exports/students?academicYear=GREEK&fields=studentId', t.adminToken, { 'accept-language': 'fr, en;q=0.5' });
      expect(parseCsv(english.text)[0]).toEqual(['Student ID']);
      const json = JSON.parse((await download('/api/v1/exports/students?format=json&lang=el&academicYear=GREEK&fields=isActive')).text) as Row[];
      expect(json).toEqual([{ isActive: true }]);
    });
  });

  describe('job exports', () => {
    it('writes the file in a job whose download matches its sha256, for its owner only', async () => {
      const { data: job, response } = await staff.client.POST('/api/v1/exports', {
        body: { entity: 'students', format: 'csv', filters: { isActive: true }, fields: ['studentId', 'lastName'], lang: 'el' },
      });
      expect(response.status).toBe(202);
      expect(job!.type).toBe('export_large');
      expect(response.headers.get('location')).toBe(`/api/v1/jobs/${job!.id}`);
      const done = await waitForJob(staff.client, job!.id);
      expect(done.status).toBe('completed');
      const expectedRows = SEEDED - Math.floor(SEEDED / 10) + 1;
      expect(done.result!.counts).toEqual({ rows: expectedRows });
      const output = done.result!.data as { rowCount: number; sizeBytes: number; sha256: string; fileName: string };
      expect(output.rowCount).toBe(expectedRows);
      expect(output.fileName).toMatch(/^μαθητές-\d{8}T\d{6}Z\.csv$/);

      const file = await download(`/api/v1/exports/${job!.id}/download`, staff.token);
      expect(file.status).toBe(200);
      expect(file.body.length).toBe(output.sizeBytes);
      expect(createHash('sha256').update(file.body).digest('hex')).toBe(output.sha256);
      const rows = parseCsv(file.text);
      expect(rows[0]).toEqual(['Αριθμός Δελτίου Ταυτότητας:', 'Επώνυμο:']);
      expect(rows).toHaveLength(expectedRows + 1);
      expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(file.headers.get('content-disposition')!)![1])).toBe(output.fileName);

      expect(await readdir(exportDirectory)).toContain(`${job!.id}.csv`);
      expect((await download(`/api/v1/exports/${job!.id}/download`, otherStaff.token)).status).toBe(404);
      expect((await download(`/api/v1/exports/${job!.id}/download`)).status).toBe(200);

      const [downloadAudit] = await auditRows({ resource: 'job', resourceId: job!.id, success: true, userId: done.createdBy! });
      expect(downloadAudit.details).toEqual(
        expect.objectContaining({ jobId: job!.id, entity: 'students', format: 'csv', rowCount: expectedRows, sha256: output.sha256, fields: ['studentId', 'lastName'] }),
      );
    });

    it('refuses bad filters and fields before starting a job', async () => {
      const badFilter = await staff.client.POST('/api/v1/exports', { body: { entity: 'courses', format: 'csv', filters: { studyYear: 2 } } });
      expect(badFilter.response.status).toBe(400);
      expect(badFilter.error!.errors).toEqual([expect.objectContaining({ field: 'filters.studyYear', code: 'unknown_field' })]);
      const badField = await staff.client.POST('/api/v1/exports', { body: { entity: 'courses', format: 'xlsx', fields: ['nope'] } });
      expect(badField.response.status).toBe(400);
      const deleted = await staff.client.POST('/api/v1/exports', { body: { entity: 'students', format: 'csv', filters: { includeDeleted: true } } });
      expect(deleted.response.status).toBe(403);
    });

    it('writes XLSX jobs that read back, and 404s a job that is not an export', async () => {
      const { data: job } = await t.admin.POST('/api/v1/exports', { body: { entity: 'enrollments', format: 'xlsx', filters: { status: 'dropped' } } });
      const done = await waitForJob(t.admin, job!.id);
      expect(done.status).toBe('completed');
      const file = await download(`/api/v1/exports/${job!.id}/download`);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(file.body as unknown as ArrayBuffer);
      expect(workbook.worksheets[0].rowCount).toBe((done.result!.counts as { rows: number }).rows + 1);

      const { data: tracked } = await t.admin.POST('/api/v1/jobs', { body: { type: 'custom' } });
      expect((await download(`/api/v1/exports/${tracked!.id}/download`)).status).toBe(404);
      expect((await download('/api/v1/exports/not-a-uuid/download')).status).toBe(400);
    });
  });

  describe('audit', () => {
    it('records each export with its entity, format, filters, fields and row count', async () => {
      const response = await download('/api/v1/exports/students?format=ndjson&isActive=false&fields=studentId', staff.token, { 'x-request-id': 'export-audit-1' });
      expect(response.status).toBe(200);
      const [row] = await auditRows({ requestId: 'export-audit-1' });
      expect(row).toEqual(expect.objectContaining({ action: 'bulk_export', resource: 'student', success: true, statusCode: 200 }));
      expect(row.details).toEqual({
        entity: 'students',
        format: 'ndjson',
        language: 'en',
        filters: { isActive: false },
        fields: ['studentId'],
        rowCount: Math.floor(SEEDED / 10),
      });
      await download('/api/v1/exports/students?fields=bogus', staff.token, { 'x-request-id': 'export-audit-2' });
      const [refused] = await auditRows({ requestId: 'export-audit-2' });
      expect(refused).toEqual(expect.objectContaining({ success: false, statusCode: 400, errorCode: 'validation_failed' }));
    });
  });
});
