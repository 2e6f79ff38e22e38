import { Client } from 'pg';
import { startTestApp, TestApp } from './support/test-app';
import { fixture, Job, postImportForm, studentsCsv, waitForJob } from './support/imports';

describe('imports: preview, commit, upload', () => {
  let t: TestApp;
  let database: Client;

  beforeAll(async () => {
    t = await startTestApp('imports');
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
  });

  afterAll(async () => {
    await database.end();
    await t.close();
  });

  const preview = (file: { name: string; content: Buffer | string } | null, fields: Record<string, string>, token = t.adminToken) =>
    postImportForm(t.baseUrl, token, '/api/v1/imports/preview', file, fields);
  const commit = (id: string, token = t.adminToken) =>
    fetch(`${t.baseUrl}/api/v1/imports/previews/${id}/commit`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const count = async (table: string, where = 'true') => Number((await database.query(`select count(*) from ${table} where ${where}`)).rows[0].count);

  it('previews a UTF-8 BOM CSV without writing, then commits exactly the plan', async () => {
    const before = await count('students');
    const { status, body } = await preview({ name: 'students-utf8-bom.csv', content: fixture('students-utf8-bom.csv') }, { entity: 'students' });
    expect(status).toBe(201);
    expect(body.detected).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ',' });
    expect(body.summary.invalidRows).toBe(0);
    expect(body.summary.create).toBe(body.summary.totalRows);
    expect(body.canCommit).toBe(true);
    expect(body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await count('students')).toBe(before);

    const response = await commit(body.id);
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toMatch(/^\/api\/v1\/jobs\//);
    const job = await response.json();
    const done = await waitForJob(t.baseUrl, t.adminToken, job.id);
    expect(done.status).toBe('completed');
    expect(done.result?.counts).toMatchObject({ created: body.summary.create, updated: 0, unchanged: 0, skipped: body.summary.skip, rejected: 0 });
    expect(await count('students')).toBe(before + body.summary.create);
    const stored = await database.query(`select first_name, last_name, email from students where student_id = 'S1002'`);
    expect(stored.rows[0]).toEqual({ first_name: 'Μαρία', last_name: 'Παπαδοπούλου', email: 'maria.papadopoulou@example.gr' });

    const again = await commit(body.id);
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('preview_already_committed');

    const second = await preview({ name: 'students-utf8-bom.csv', content: fixture('students-utf8-bom.csv') }, { entity: 'students' });
    expect(second.body.summary).toMatchObject({ create: 0, update: 0, unchanged: body.summary.totalRows });
  });

  it('reads the Greek registration export (Windows-1253, ";") with its headers and study years', async () => {
    const { status, body } = await preview(
      { name: 'εγγραφές.csv', content: fixture('students-greek-registration-windows1253.csv') },
      { entity: 'students', onInvalid: 'skip' },
    );
    expect(status).toBe(201);
    expect(body.detected).toMatchObject({ encoding: 'windows-1253', delimiter: ';' });
    const fields = Object.fromEntries(body.detected.columns.map((column) => [column.column, column.field]));
    expect(fields).toMatchObject({ 'Επώνυμο:': 'lastName', 'Έτος Σπουδών:': 'studyYear', 'Αριθμός Δελτίου Ταυτότητας:': 'studentId' });
    const job = await (await commit(body.id)).json();
    const done = await waitForJob(t.baseUrl, t.adminToken, job.id);
    expect(done.status).toBe('completed');
    // ΑΚ123456 typed with Greek capitals is stored with the Latin look-alikes.
    const stored = await database.query(`select last_name, study_year from students where student_id = 'AK123456'`);
    expect(stored.rows[0]).toEqual({ last_name: 'Παπαδόπουλος', study_year: 1 });
  });

  it('reports duplicates in the file (first wins) and an email owned by another student, without overwriting', async () => {
    await database.query(
      `insert into students (student_id, email, first_name, last_name, created_at, updated_at) values ('OWN1', 'taken@school.example', 'Ann', 'Owner', now(), now())`,
    );
    const csv = studentsCsv([
      { studentId: 'DUP1', email: 'dup1@school.example', firstName: 'First', lastName: 'Copy', studyYear: '1' },
      { studentId: 'dup1', email: 'dup1b@school.example', firstName: 'Second', lastName: 'Copy', studyYear: '1' },
      { studentId: 'THIEF', email: 'taken@school.example', firstName: 'Not', lastName: 'Owner', studyYear: '2' },
      { studentId: 'BAD1', email: 'not-an-email', firstName: 'Bad', lastName: 'Email', studyYear: '9' },
    ]);
    const { body } = await preview({ name: 'dups.csv', content: csv }, { entity: 'students', onInvalid: 'skip' });
    expect(body).toMatchObject({ summary: { totalRows: 4, invalidRows: 2, create: 1, skip: 1 } });
    const codes = body.issues.items.map((issue) => `${issue.row}:${issue.code}`);
    expect(codes).toEqual(expect.arrayContaining(['3:duplicate_in_file', '4:email_taken', '5:invalid_email', '5:invalid_study_year']));

    const rejected = await fetch(`${t.baseUrl}/api/v1/imports/previews/${body.id}/rejected`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(rejected.status).toBe(200);
    const lines = (await rejected.text()).replace(/^\uFEFF/, '').trim().split(/\r\n/);
    expect(lines[0]).toBe('studentId,email,firstName,lastName,studyYear,reason');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['dup1', 'THIEF', 'BAD1']);

    const done = await waitForJob(t.baseUrl, t.adminToken, (await (await commit(body.id)).json()).id);
    expect(done.result?.counts).toMatchObject({ created: 1, rejected: 2, skipped: 1 });
    const owner = await database.query(`select student_id, first_name from students where email = 'taken@school.example'`);
    expect(owner.rows).toEqual([{ student_id: 'OWN1', first_name: 'Ann' }]);
    expect(await count('students', `student_id = 'DUP1' and first_name = 'First'`)).toBe(1);
  });

  it('writes nothing when onInvalid is abort and a row is invalid', async () => {
    const csv = studentsCsv([
      { studentId: 'ABORT1', email: 'abort1@school.example', firstName: 'A', lastName: 'B', studyYear: '1' },
      { studentId: 'ABORT2', email: 'abort2@school.example', firstName: '', lastName: 'B', studyYear: '1' },
    ]);
    const { body } = await preview({ name: 'abort.csv', content: csv }, { entity: 'students' });
    expect(body.canCommit).toBe(false);
    const refused = await commit(body.id);
    expect(refused.status).toBe(422);
    expect((await refused.json()).code).toBe('preview_not_committable');

    const upload = await postImportForm<Job>(t.baseUrl, t.adminToken, '/api/v1/imports/upload', { name: 'abort.csv', content: csv }, { entity: 'students' });
    expect(upload.status).toBe(202);
    const done = await waitForJob(t.baseUrl, t.adminToken, upload.body.id);
    expect(done.status).toBe('failed');
    expect(done.result?.errors[0]).toMatch(/row 3 \(firstName\)/);
    expect(await count('students', `student_id like 'ABORT%'`)).toBe(0);
  });

  it('re-checks at commit and writes nothing when the data moved since the preview', async () => {
    const csv = studentsCsv([{ studentId: 'MOVE1', email: 'move1@school.example', firstName: 'Mo', lastName: 'Ved', studyYear: '1' }]);
    const { body } = await preview({ name: 'move.csv', content: csv }, { entity: 'students' });
    expect(body.summary.create).toBe(1);
    await database.query(
      `insert into students (student_id, email, first_name, last_name, created_at, updated_at) values ('MOVE1', 'elsewhere@school.example', 'Other', 'Person', now(), now())`,
    );
    const done = await waitForJob(t.baseUrl, t.adminToken, (await (await commit(body.id)).json()).id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/changed since the preview/);
    expect(done.result?.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^preview create: 1 → 0/)]));
    const row = await database.query(`select first_name from students where student_id = 'MOVE1'`);
    expect(row.rows).toEqual([{ first_name: 'Other' }]);
  });

  it('re-checks each row at commit: equal counts with rows planned differently write nothing', async () => {
    await database.query(
      `insert into students (student_id, email, first_name, last_name, study_year, created_at, updated_at)
       values ('SWAP1', 'swap1@school.example', 'Alpha', 'Same', 1, now(), now()), ('SWAP2', 'swap2@school.example', 'Beta', 'Same', 1, now(), now())`,
    );
    const csv = studentsCsv([
      { studentId: 'SWAP1', email: 'swap1@school.example', firstName: 'Alpha', lastName: 'Same', studyYear: '1' },
      { studentId: 'SWAP2', email: 'swap2@school.example', firstName: 'Gamma', lastName: 'Same', studyYear: '1' },
    ]);
    const { body } = await preview({ name: 'swap.csv', content: csv }, { entity: 'students' });
    expect(body.summary).toMatchObject({ update: 1, unchanged: 1 });
    // Now the first row would change its student and the second would leave its own as it is.
    await database.query(`update students set first_name = case student_id when 'SWAP1' then 'Changed' else 'Gamma' end where student_id in ('SWAP1', 'SWAP2')`);
    const done = await waitForJob(t.baseUrl, t.adminToken, (await (await commit(body.id)).json()).id);
    expect(done.status).toBe('failed');
    expect(done.result?.data).toMatchObject({ code: 'preview_outdated' });
    expect(done.result?.errors).toEqual([expect.stringMatching(/^preview plan: every count is the same/)]);
    const rows = await database.query(`select student_id, first_name from students where student_id like 'SWAP%' order by student_id`);
    expect(rows.rows).toEqual([
      { student_id: 'SWAP1', first_name: 'Changed' },
      { student_id: 'SWAP2', first_name: 'Gamma' },
    ]);
  });

  it("answers 404 for another user's preview", async () => {
    const { body } = await preview({ name: 'mine.csv', content: studentsCsv([{ studentId: 'MINE1', email: 'mine1@school.example', firstName: 'A', lastName: 'B' }]) }, { entity: 'students' });
    const staff = await t.userWithRole('staff');
    const response = await fetch(`${t.baseUrl}/api/v1/imports/previews/${body.id}`, { headers: { authorization: `Bearer ${staff.token}` } });
    expect(response.status).toBe(404);
    expect((await commit(body.id, staff.token)).status).toBe(404);
  });

  it('audits previews, commits and uploads with entity, file name, sha256 and counts', async () => {
    const csv = studentsCsv([{ studentId: 'AUD1', email: 'aud1@school.example', firstName: 'A', lastName: 'B' }]);
    const { body } = await preview({ name: 'audited.csv', content: csv }, { entity: 'students' });
    const job = await (await commit(body.id)).json();
    await waitForJob(t.baseUrl, t.adminToken, job.id);
    const rows = await database.query(`select resource_id, success, details from audit_logs where action = 'bulk_import' and resource_id = $1 order by id`, [body.id]);
    expect(rows.rows).toHaveLength(2);
    expect(rows.rows[0].details).toMatchObject({ entity: 'students', fileName: 'audited.csv', sha256: body.sha256, counts: { create: 1 } });
    expect(rows.rows[1].details).toMatchObject({ jobId: job.id, entity: 'students', files: [{ fileName: 'audited.csv', sha256: body.sha256 }] });
    expect(JSON.stringify(rows.rows)).not.toContain('/');
  });
});
