import { Client } from 'pg';
import { ForkedWorkers } from './support/forked-workers';
import { Job, postImportForm, Problem, studentsCsv, waitForJob } from './support/imports';
import { startTestApp, TestApp } from './support/test-app';

type Row = Record<string, unknown>;
type Snapshot = Record<'students' | 'courses' | 'enrollments', Row[]>;

/** Every row of the three tables, every column, by id. */
async function snapshot(database: Client): Promise<Snapshot> {
  const rows = async (table: string) => (await database.query<Row>(`select * from ${table} order by id`)).rows;
  return { students: await rows('students'), courses: await rows('courses'), enrollments: await rows('enrollments') };
}

/** The rows of `after` whose ids were in `before` (the records an undo must give back as they were), and the others. */
function split(before: Snapshot, after: Snapshot): { prior: Snapshot; added: Row[] } {
  const prior = {} as Snapshot;
  const added: Row[] = [];
  for (const table of ['students', 'courses', 'enrollments'] as const) {
    const ids = new Set(before[table].map((row) => row.id));
    prior[table] = after[table].filter((row) => ids.has(row.id));
    added.push(...after[table].filter((row) => !ids.has(row.id)));
  }
  return { prior, added };
}

const student = (id: string, firstName = 'Μαρία', extra: Record<string, string> = {}) => ({
  studentId: id,
  email: `${id.toLowerCase()}@school.example`,
  firstName,
  lastName: 'Παπαδοπούλου',
  studyYear: '2',
  ...extra,
});

async function importFile(t: TestApp, entity: string, name: string, csv: string, { confirmMassChange = false } = {}): Promise<Job> {
  const preview = await postImportForm(t.baseUrl, t.adminToken, '/api/v1/imports/preview', { name, content: csv }, { entity });
  expect(preview.status).toBe(201);
  const commit = await t.admin.POST('/api/v1/imports/previews/{id}/commit', { params: { path: { id: preview.body.id } }, body: { confirmMassChange } });
  expect(commit.response.status).toBe(202);
  const job = await waitForJob(t.baseUrl, t.adminToken, (commit.data as Job).id);
  expect(job.status).toBe('completed');
  return job;
}

function undo(t: TestApp, jobId: string, query: { dryRun?: boolean; onConflict?: 'refuse' | 'skip' } = {}) {
  return t.admin.POST('/api/v1/imports/jobs/{jobId}/undo', { params: { path: { jobId }, query } });
}

async function studentIdOf(database: Client, studentId: string): Promise<number> {
  return (await database.query<{ id: number }>('select id from students where student_id = $1', [studentId])).rows[0].id;
}

describe('import provenance and undo', () => {
  let t: TestApp;
  let database: Client;

  beforeAll(async () => {
    t = await startTestApp('import_undo');
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
  });

  afterAll(async () => {
    await database.end();
    await t.close();
  });

  it('refuses an undo over a record changed since, and with onConflict=skip puts everything else back as it was', async () => {
    const first = await importFile(t, 'students', 'first.csv', studentsCsv(Array.from({ length: 10 }, (_, index) => student(`UA${index}`))));
    const deletedId = await studentIdOf(database, 'UA9');
    expect((await t.admin.DELETE('/api/v1/students/{id}', { params: { path: { id: deletedId } } })).response.status).toBe(204);
    const before = await snapshot(database);

    // Updates three, restores one, creates two: 40 % of the students, so it needs the confirmation.
    const rows = [student('UA0', 'Ελένη'), student('UA1', 'Ελένη'), student('UA2', 'Ελένη'), student('UA9', 'Ελένη'), student('UB0'), student('UB1')];
    const second = await importFile(t, 'students', 'second.csv', studentsCsv(rows), { confirmMassChange: true });
    expect(second.result?.counts).toMatchObject({ created: 2, updated: 4, restored: 1 });

    const changedId = await studentIdOf(database, 'UA1');
    const read = await t.admin.GET('/api/v1/students/{id}', { params: { path: { id: changedId } } });
    expect(read.data?.lastImport).toEqual({ jobId: second.id, fileName: 'second.csv', row: 3 });
    const untouched = await t.admin.GET('/api/v1/students/{id}', { params: { path: { id: await studentIdOf(database, 'UA5') } } });
    expect(untouched.data?.lastImport).toEqual({ jobId: first.id, fileName: 'first.csv', row: 7 });

    const records = await t.admin.GET('/api/v1/imports/jobs/{jobId}/records', { params: { path: { jobId: second.id }, query: { outcome: 'restored' } } });
    expect(records.data).toMatchObject({ total: 1, items: [{ key: 'UA9', outcome: 'restored', fileName: 'second.csv', row: 5, changed: false }] });
    const all = await t.admin.GET('/api/v1/imports/jobs/{jobId}/records', { params: { path: { jobId: second.id } } });
    expect(all.data?.items.map((item) => `${item.key} ${item.outcome}`).sort()).toEqual(['UA0 updated', 'UA1 updated', 'UA2 updated', 'UA9 restored', 'UB0 created', 'UB1 created']);

    expect((await t.admin.PATCH('/api/v1/students/{id}', { params: { path: { id: changedId } }, body: { note: 'changed after the import' } })).response.status).toBe(200);
    const afterEdit = (await database.query<Row>('select * from students where id = $1', [changedId])).rows[0];

    const dry = await undo(t, second.id, { dryRun: true });
    expect(dry.response.status).toBe(200);
    expect(dry.response.headers.get('location')).toBeNull();
    expect(dry.data).toMatchObject({ counts: { created: 2, updated: 2, restored: 1, conflicts: 1 }, conflicts: { total: 1, items: [{ key: 'UA1' }] } });

    const refused = await undo(t, second.id);
    expect(refused.response.status).toBe(409);
    const problem = refused.error as Problem & { conflicts: { total: number; items: { key: string }[] } };
    expect(problem.code).toBe('undo_conflict');
    expect(problem.conflicts).toMatchObject({ total: 1, items: [{ key: 'UA1' }] });
    const csv = await fetch(`${t.baseUrl}/api/v1/imports/jobs/${second.id}/conflicts/download`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(await csv.text()).toContain(`${changedId},UA1,updated,second.csv,3,`);
    expect(split(before, await snapshot(database)).added).toHaveLength(2);

    const started = await undo(t, second.id, { onConflict: 'skip' });
    expect(started.response.status).toBe(202);
    expect(started.response.headers.get('location')).toBe(`/api/v1/jobs/${(started.data as Job).id}`);
    const done = await waitForJob(t.baseUrl, t.adminToken, (started.data as Job).id);
    expect(done).toMatchObject({ status: 'completed', type: 'bulk_import_undo', result: { counts: { created: 2, updated: 2, restored: 1, conflicts: 1 } } });

    const { prior, added } = split(before, await snapshot(database));
    const expected = { ...before, students: before.students.map((row) => (row.id === changedId ? afterEdit : row)) };
    expect(prior).toEqual(expected);
    expect(added.map((row) => row.deleted_at !== null)).toEqual([true, true]);
    expect((await t.admin.GET('/api/v1/students/{id}', { params: { path: { id: await studentIdOf(database, 'UA0') } } })).data?.lastImport?.jobId).toBe(first.id);
  });

  it('undoes an import that created, updated and restored enrollments, leaving the three tables as they were, once', async () => {
    await importFile(t, 'students', 'people.csv', studentsCsv([student('EA0'), student('EA1'), student('EA2')]));
    await importFile(t, 'courses', 'courses.csv', 'courseCode,courseName,semester\nCA1,Άλγεβρα,Α\nCA2,Γεωμετρία,Α\n');
    await importFile(t, 'enrollments', 'enrolments.csv', 'studentId,courseCode,status\nEA0,CA1,active\nEA1,CA1,active\nEA2,CA1,active\n');
    const removed = (await database.query<{ id: number }>("select e.id from enrollments e join students s on s.id = e.student_id where s.student_id = 'EA2'")).rows[0].id;
    expect((await t.admin.DELETE('/api/v1/enrollments/{id}', { params: { path: { id: removed } } })).response.status).toBe(204);
    const before = await snapshot(database);

    const job = await importFile(t, 'enrollments', 'changes.csv', 'studentId,courseCode,status\nEA0,CA1,completed\nEA2,CA1,active\nEA0,CA2,active\n', { confirmMassChange: true });
    expect(job.result?.counts).toMatchObject({ created: 1, updated: 2, restored: 1 });

    const started = await undo(t, job.id);
    expect(started.response.status).toBe(202);
    expect((await waitForJob(t.baseUrl, t.adminToken, (started.data as Job).id)).status).toBe('completed');
    const { prior, added } = split(before, await snapshot(database));
    expect(prior).toEqual(before);
    expect(added).toEqual([expect.objectContaining({ deleted_at: expect.any(Date) })]);

    const again = await undo(t, job.id);
    expect(again.response.status).toBe(409);
    expect((again.error as Problem).code).toBe('already_undone');
  });

  it('asks for confirmation before updating 30 % of the students or deactivating one', async () => {
    const ids = Array.from({ length: 10 }, (_, index) => `MA${index}`);
    await importFile(t, 'students', 'mass.csv', studentsCsv(ids.map((id) => student(id))));
    const existing = Number((await database.query('select count(*) from students')).rows[0].count);
    const updates = (await database.query<{ student_id: string }>('select student_id from students where deleted_at is null order by id limit $1', [Math.ceil(existing * 0.3)])).rows;
    const preview = await postImportForm(t.baseUrl, t.adminToken, '/api/v1/imports/preview', { name: 'thirty.csv', content: studentsCsv(updates.map((row) => student(row.student_id, 'Νέο'))) }, { entity: 'students' });
    expect(preview.body.massChange).toMatchObject({ existing, changed: updates.length, confirmationNeeded: true, deactivated: 0 });

    const refused = await t.admin.POST('/api/v1/imports/previews/{id}/commit', { params: { path: { id: preview.body.id } } });
    expect(refused.response.status).toBe(409);
    expect(refused.error).toMatchObject({ code: 'mass_change_unconfirmed', massChange: { changed: updates.length, existing } });
    const confirmed = await t.admin.POST('/api/v1/imports/previews/{id}/commit', { params: { path: { id: preview.body.id } }, body: { confirmMassChange: true } });
    expect(confirmed.response.status).toBe(202);
    expect((await waitForJob(t.baseUrl, t.adminToken, (confirmed.data as Job).id)).status).toBe('completed');

    const deactivating = studentsCsv([student('MA0', 'Νέο', { isActive: 'false' })], ['studentId', 'email', 'firstName', 'lastName', 'studyYear', 'isActive']);
    const upload = await postImportForm<Job>(t.baseUrl, t.adminToken, '/api/v1/imports/upload', { name: 'off.csv', content: deactivating }, { entity: 'students' });
    const failed = await waitForJob(t.baseUrl, t.adminToken, upload.body.id);
    expect(failed).toMatchObject({ status: 'failed', result: { data: { code: 'mass_change_unconfirmed', massChange: { deactivated: 1 } } } });
  });

  it('keeps the first rejected rows and the rejected-rows link in the job result', async () => {
    const csv = studentsCsv([student('RA0'), { ...student('RA1'), email: 'not-an-email' }]);
    const upload = await postImportForm<Job>(t.baseUrl, t.adminToken, '/api/v1/imports/upload', { name: 'mixed.csv', content: csv }, { entity: 'students', onInvalid: 'skip' });
    const job = await waitForJob(t.baseUrl, t.adminToken, upload.body.id);
    expect(job.result?.errors).toEqual([expect.stringMatching(/^row 3: email/)]);
    const data = job.result?.data as { rejectedRowsUrls: string[]; previewIds: string[] };
    expect(data.rejectedRowsUrls).toEqual([`/api/v1/imports/previews/${data.previewIds[0]}/rejected`]);
  });
});

describe('an undo whose worker is killed', () => {
  const workers = new ForkedWorkers();
  afterAll(() => workers.stopAll());

  it('leaves nothing half-undone, and the retried job completes', async () => {
    const rows = 200_000;
    const timing = { JOB_LOCK_SECONDS: '2', JOB_STALLED_INTERVAL_SECONDS: '1' };
    const t = await startTestApp('import_undo_crash', { ROLE: 'api', ...timing });
    const database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
    const startWorker = () => workers.start(t, timing);
    const csv = (name: string) => studentsCsv(Array.from({ length: rows }, (_, index) => student(`K${index}`, name)));
    try {
      const first = startWorker();
      await importFile(t, 'students', 'k.csv', csv('Πρώτο'));
      const update = await importFile(t, 'students', 'k2.csv', csv('Δεύτερο'), { confirmMassChange: true });
      const before = await snapshot(database);

      const started = await undo(t, update.id);
      const undoJob = started.data as Job;
      await waitForJob(t.baseUrl, t.adminToken, undoJob.id, (job) => ['Finding the records the import wrote', 'Undoing'].includes(job.progress.message ?? ''), 120_000);
      first.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await snapshot(database)).toEqual(before);
      expect((await database.query('select undone_at from import_commits where job_id = $1', [update.id])).rows[0].undone_at).toBeNull();

      startWorker();
      const done = await waitForJob(t.baseUrl, t.adminToken, undoJob.id, undefined, 180_000);
      expect(done).toMatchObject({ status: 'completed', attempts: 2, result: { counts: { updated: rows, conflicts: 0 } } });
      const names = (await database.query<{ first_name: string; count: string }>("select first_name, count(*) from students where student_id like 'K%' group by first_name")).rows;
      expect(names).toEqual([{ first_name: 'Πρώτο', count: String(rows) }]);
    } finally {
      await workers.stopAll();
      await database.end();
      await t.close();
    }
  }, 420_000);
});
