import { Client } from 'pg';
import type { ApiClient, Schemas } from '../../openapi/client';
import { Job, Problem, waitForJob } from './support/imports';
import { startTestApp, TestApp } from './support/test-app';

type Row = Record<string, unknown>;
type Entity = 'students' | 'courses' | 'enrollments';
type BulkPreview = Schemas['BulkPreviewDto'];

const PROMOTED = 10_000;
/** Students that differ from the promotion's filter in one field each. */
const BYSTANDERS = 1_500;

/** Every row of a table, every column, by id. */
async function rows(database: Client, table: Entity): Promise<Row[]> {
  return (await database.query<Row>(`select * from ${table} order by id`)).rows;
}

function previewUpdate(api: ApiClient, entity: Entity, body: { filter: Record<string, unknown>; set?: Record<string, unknown>; increment?: Record<string, number> }) {
  return api.POST('/api/v1/bulk/{entity}/update/preview', { params: { path: { entity } }, body });
}

function previewDelete(api: ApiClient, entity: Entity, filter: Record<string, unknown>) {
  return api.POST('/api/v1/bulk/{entity}/delete/preview', { params: { path: { entity } }, body: { filter } });
}

function commit(api: ApiClient, id: string, body: { onInvalid?: 'refuse' | 'skip'; confirmMassChange?: boolean } = {}) {
  return api.POST('/api/v1/bulk/previews/{id}/commit', { params: { path: { id } }, body });
}

function undo(t: TestApp, jobId: string, query: { dryRun?: boolean; onConflict?: 'refuse' | 'skip' } = {}) {
  return t.admin.POST('/api/v1/imports/jobs/{jobId}/undo', { params: { path: { jobId }, query } });
}

async function committed(t: TestApp, id: string, body: { onInvalid?: 'refuse' | 'skip'; confirmMassChange?: boolean } = {}): Promise<Job> {
  const started = await commit(t.admin, id, body);
  expect(started.response.status).toBe(202);
  return waitForJob(t.baseUrl, t.adminToken, (started.data as Job).id);
}

async function undone(t: TestApp, jobId: string): Promise<Job> {
  const started = await undo(t, jobId);
  expect(started.response.status).toBe(202);
  const job = await waitForJob(t.baseUrl, t.adminToken, (started.data as Job).id);
  expect(job.status).toBe('completed');
  return job;
}

describe('bulk updates and deletes', () => {
  let t: TestApp;
  let database: Client;

  const auditRows = async (action: string) =>
    (await database.query<{ success: boolean; status_code: number | null; error_code: string | null; resource_id: string; details: Record<string, unknown> }>('select * from audit_logs where action = $1 order by id', [action])).rows;

  /**
   * Commits while another transaction holds students in share mode: the job has begun and waits
   * for its lock. `meanwhile` runs then, on the blocking transaction, which commits after it.
   */
  const commitBehindLock = async (previewId: string, meanwhile: (blocker: Client, jobId: string) => Promise<void>): Promise<string> => {
    const blocker = new Client({ connectionString: t.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table students in share mode');
      const started = await commit(t.admin, previewId, { confirmMassChange: true });
      expect(started.response.status).toBe(202);
      const jobId = (started.data as Job).id;
      await waitForJob(t.baseUrl, t.adminToken, jobId, (job) => job.status === 'processing');
      await meanwhile(blocker, jobId);
      await blocker.query('commit');
      return jobId;
    } finally {
      await blocker.end();
    }
  };

  beforeAll(async () => {
    t = await startTestApp('bulk_changes');
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
    // Set-based seed: the promotion's 10 000, then bystanders one field off each (year 2, class A2, inactive).
    await database.query(
      `insert into students (student_id, email, first_name, last_name, study_year, class_division, is_active)
       select 'P' || n, 'p' || n || '@school.example', 'Μαρία', 'Παπαδοπούλου', 1, 'A1', true from generate_series(1, $1) n`,
      [PROMOTED],
    );
    await database.query(
      `insert into students (student_id, email, first_name, last_name, study_year, class_division, is_active)
       select 'Q' || n, 'q' || n || '@school.example', 'Ελένη', 'Οικονόμου', case when n % 3 = 0 then 2 else 1 end, case when n % 3 = 1 then 'A2' else 'A1' end, n % 3 <> 2
       from generate_series(1, $1) n`,
      [BYSTANDERS],
    );
  }, 60_000);

  afterAll(async () => {
    await database.end();
    await t.close();
  });

  it('promotes the 10 000 first-years of A1: exact preview, exactly those written, undone back to the snapshot, audited with counts', async () => {
    const promotion = { filter: { studyYear: 1, classDivision: 'A1', isActive: true }, set: { classDivision: 'B1' }, increment: { studyYear: 1 } };
    const preview = await previewUpdate(t.admin, 'students', promotion);
    expect(preview.response.status).toBe(201);
    const found = preview.data as BulkPreview;
    expect(found).toMatchObject({ entity: 'students', operation: 'update', matched: PROMOTED, changing: PROMOTED, invalid: 0, invalidRecords: { total: 0, items: [] }, status: 'ready', enrollments: null });
    expect(found.massChange).toMatchObject({ changed: PROMOTED, existing: PROMOTED + BYSTANDERS, confirmationNeeded: true });
    expect(found.sample).toHaveLength(20);
    expect(found.sample[0]).toMatchObject({ key: 'P1', before: { classDivision: 'A1', studyYear: 1 }, after: { classDivision: 'B1', studyYear: 2 } });
    const again = await t.admin.GET('/api/v1/bulk/previews/{id}', { params: { path: { id: found.id } } });
    expect(again.data).toEqual(found);

    const unconfirmed = await commit(t.admin, found.id);
    expect(unconfirmed.response.status).toBe(409);
    expect((unconfirmed.error as Problem).code).toBe('mass_change_unconfirmed');

    const before = await rows(database, 'students');
    const matchedIds = new Set(before.filter((row) => row.study_year === 1 && row.class_division === 'A1' && row.is_active === true).map((row) => row.id));
    expect(matchedIds.size).toBe(PROMOTED);
    const job = await committed(t, found.id, { confirmMassChange: true });
    expect(job).toMatchObject({ status: 'completed', type: 'bulk_update', result: { counts: { matched: PROMOTED, updated: PROMOTED, skipped: 0 } } });

    const after = await rows(database, 'students');
    const expected = before.map((row) =>
      matchedIds.has(row.id)
        ? { ...row, class_division: 'B1', study_year: 2, updated_at: expect.any(Date), last_import_job_id: job.id, last_import_file: 'bulk_update', last_import_row: 0 }
        : row,
    );
    expect(after).toEqual(expected);
    const promotedId = [...matchedIds][0] as number;
    expect((await t.admin.GET('/api/v1/students/{id}', { params: { path: { id: promotedId } } })).data?.lastImport).toEqual({ jobId: job.id, fileName: 'bulk_update', row: 0 });
    const records = await t.admin.GET('/api/v1/imports/jobs/{jobId}/records', { params: { path: { jobId: job.id }, query: { limit: 1 } } });
    expect(records.data).toMatchObject({ total: PROMOTED, items: [{ outcome: 'updated', fileName: 'bulk_update', row: 0, changed: false }] });

    const dry = await undo(t, job.id, { dryRun: true });
    expect(dry.data).toMatchObject({ counts: { created: 0, updated: PROMOTED, restored: 0, deleted: 0, conflicts: 0 } });
    await undone(t, job.id);
    expect(await rows(database, 'students')).toEqual(before);
    const twice = await undo(t, job.id);
    expect((twice.error as Problem).code).toBe('already_undone');

    const audit = await auditRows('bulk_update');
    expect(audit.find((row) => row.resource_id === found.id && row.status_code === 201)?.details).toMatchObject({ matched: PROMOTED, changing: PROMOTED, invalid: 0 });
    expect(audit.find((row) => row.resource_id === found.id && row.status_code === 202)?.details).toMatchObject({ jobId: job.id, counts: { matched: PROMOTED, changing: PROMOTED } });
    expect(audit.find((row) => row.resource_id === found.id && row.status_code === 409)).toMatchObject({ success: false, error_code: 'mass_change_unconfirmed' });
    expect(audit.find((row) => row.resource_id === job.id)).toMatchObject({ success: true, details: { counts: { matched: PROMOTED, updated: PROMOTED } } });
  }, 120_000);

  it('reports the records the change would make invalid; the commit refuses them, or leaves them out with onInvalid=skip', async () => {
    await database.query(
      `insert into students (student_id, email, first_name, last_name, study_year, class_division)
       select 'X' || n, 'x' || n || '@school.example', 'Νίκος', 'Γεωργίου', case when n <= 3 then 6 else 5 end, 'X1' from generate_series(1, 5) n`,
    );
    const preview = await previewUpdate(t.admin, 'students', { filter: { classDivision: 'X1' }, increment: { studyYear: 1 } });
    const found = preview.data as BulkPreview;
    expect(found).toMatchObject({ matched: 5, changing: 2, invalid: 3, massChange: { confirmationNeeded: false } });
    expect(found.invalidRecords).toEqual({
      total: 3,
      items: ['X1', 'X2', 'X3'].map((key) => ({ recordId: expect.any(Number), key, field: 'studyYear', code: 'out_of_range', message: 'studyYear would be outside 1..6', value: 7 })),
    });

    const refused = await commit(t.admin, found.id);
    expect(refused.response.status).toBe(422);
    expect((refused.error as Problem).code).toBe('preview_not_committable');

    const job = await committed(t, found.id, { onInvalid: 'skip' });
    expect(job).toMatchObject({ status: 'completed', result: { counts: { matched: 5, updated: 2, skipped: 3 } } });
    const years = await database.query<{ student_id: string; study_year: number }>("select student_id, study_year from students where class_division = 'X1' order by student_id");
    expect(years.rows.map((row) => row.study_year)).toEqual([6, 6, 6, 6, 6]);
    const readAgain = await t.admin.GET('/api/v1/bulk/previews/{id}', { params: { path: { id: found.id } } });
    expect(readAgain.data).toMatchObject({ status: 'committed', jobId: job.id });
    expect((await commit(t.admin, found.id, { onInvalid: 'skip' })).error).toMatchObject({ code: 'preview_already_committed' });
  });

  it("deletes a course's enrollments and undoes it; a delete of courses states what happens to their enrollments", async () => {
    await database.query(`insert into courses (course_code, course_name, semester) values ('BULK1', 'Άλγεβρα', 'BULK-SEM'), ('BULK2', 'Γεωμετρία', 'Α')`);
    await database.query(
      `insert into enrollments (student_id, course_id, enrolled_at)
       select s.id, c.id, date '2026-09-01' from students s cross join courses c where s.student_id in (select 'P' || n from generate_series(1, 50) n) and c.course_code = 'BULK1'
       union all
       select s.id, c.id, date '2026-09-01' from students s cross join courses c where s.student_id in (select 'P' || n from generate_series(1, 10) n) and c.course_code = 'BULK2'`,
    );
    const courses = await previewDelete(t.admin, 'courses', { semester: 'BULK-SEM' });
    expect(courses.data).toMatchObject({ matched: 1, enrollments: { affected: 50, consequence: expect.stringContaining('hidden') } });

    const before = await rows(database, 'enrollments');
    const preview = await previewDelete(t.admin, 'enrollments', { courseCode: 'BULK1' });
    const found = preview.data as BulkPreview;
    expect(found).toMatchObject({ operation: 'delete', matched: 50, changing: 50, enrollments: null, massChange: { confirmationNeeded: true } });
    expect(found.sample[0]).toMatchObject({ key: expect.stringMatching(/^P\d+ \/ BULK1$/), before: { deleted: false }, after: { deleted: true } });
    const job = await committed(t, found.id, { confirmMassChange: true });
    expect(job).toMatchObject({ status: 'completed', type: 'bulk_delete', result: { counts: { matched: 50, deleted: 50 } } });
    const listed = await t.admin.GET('/api/v1/enrollments', { params: { query: { courseCode: 'BULK1' } } });
    expect(listed.data?.total).toBe(0);
    expect((await t.admin.GET('/api/v1/enrollments', { params: { query: { courseCode: 'BULK2' } } })).data?.total).toBe(10);

    const dry = await undo(t, job.id, { dryRun: true });
    expect(dry.data).toMatchObject({ counts: { deleted: 50, updated: 0, conflicts: 0 } });
    await undone(t, job.id);
    expect(await rows(database, 'enrollments')).toEqual(before);
    expect((await auditRows('bulk_delete')).find((row) => row.resource_id === job.id)).toMatchObject({ success: true, details: { counts: { matched: 50, deleted: 50 } } });
  });

  it('a commit cancelled while it runs writes nothing, and its audit row says so', async () => {
    const preview = await previewUpdate(t.admin, 'students', { filter: { classDivision: 'A2' }, set: { note: 'never written' } });
    const found = preview.data as BulkPreview;
    expect(found.matched).toBe(BYSTANDERS / 3);
    const before = await rows(database, 'students');
    const jobId = await commitBehindLock(found.id, async (_blocker, waiting) => {
      expect((await t.admin.DELETE('/api/v1/jobs/{id}', { params: { path: { id: waiting } } })).response.status).toBe(202);
    });
    expect(await waitForJob(t.baseUrl, t.adminToken, jobId)).toMatchObject({ status: 'cancelled' });
    expect(await rows(database, 'students')).toEqual(before);
    expect((await database.query('select count(*)::int as n from import_changes where job_id = $1', [jobId])).rows[0].n).toBe(0);
    expect((await auditRows('bulk_update')).find((row) => row.resource_id === jobId)).toMatchObject({ success: false, error_code: 'cancelled' });
    expect((await t.admin.GET('/api/v1/bulk/previews/{id}', { params: { path: { id: found.id } } })).data?.status).toBe('failed');
  });

  it('refuses with preview_outdated when a matching record changed between preview and commit', async () => {
    const preview = await previewUpdate(t.admin, 'students', { filter: { classDivision: 'A2' }, set: { note: 'moved' } });
    const found = preview.data as BulkPreview;
    const id = (await database.query<{ id: number }>("select id from students where class_division = 'A2' order by id limit 1")).rows[0].id;
    expect((await t.admin.PATCH('/api/v1/students/{id}', { params: { path: { id } }, body: { phone: '210-1234567' } })).response.status).toBe(200);
    const before = await rows(database, 'students');
    const refused = await commit(t.admin, found.id, { confirmMassChange: true });
    expect(refused.response.status).toBe(409);
    expect((refused.error as Problem).code).toBe('preview_outdated');
    expect(await rows(database, 'students')).toEqual(before);
  });

  it('the job fails with preview_outdated, writing nothing, when a matching record changes after the request was accepted', async () => {
    const found = (await previewUpdate(t.admin, 'students', { filter: { classDivision: 'A2' }, set: { note: 'moved by the job' } })).data as BulkPreview;
    const jobId = await commitBehindLock(found.id, async (blocker) => {
      await blocker.query("update students set phone = '210-7654321', updated_at = now() where id = (select min(id) from students where class_division = 'A2')");
    });
    const before = await rows(database, 'students');
    const job = await waitForJob(t.baseUrl, t.adminToken, jobId);
    expect(job).toMatchObject({ status: 'failed', result: { data: { code: 'preview_outdated' } } });
    expect(await rows(database, 'students')).toEqual(before);
    expect((await auditRows('bulk_update')).find((row) => row.resource_id === jobId)).toMatchObject({ success: false, error_code: 'preview_outdated' });
  });

  it("keeps a preview to its creator and admins, and checks the filter and change set by the API's rules", async () => {
    const staff = await t.userWithRole('staff');
    const theirs = (await previewUpdate(staff.client, 'courses', { filter: { semester: 'Α' }, set: { credits: 4 } })).data as BulkPreview;
    expect(theirs).toMatchObject({ matched: 1, changing: 1, createdBy: staff.user.id });
    expect((await t.admin.GET('/api/v1/bulk/previews/{id}', { params: { path: { id: theirs.id } } })).response.status).toBe(200);
    const admins = (await previewDelete(t.admin, 'students', { classDivision: 'X1' })).data as BulkPreview;
    expect(admins.enrollments).toMatchObject({ affected: 0 });
    const read = await staff.client.GET('/api/v1/bulk/previews/{id}', { params: { path: { id: admins.id } } });
    expect(read.response.status).toBe(404);
    expect((read.error as Problem).code).toBe('preview_not_found');
    expect((await commit(staff.client, admins.id)).response.status).toBe(404);
    expect((await commit(t.admin, theirs.id)).response.status).toBe(404);

    const auditor = await t.userWithRole('auditor');
    expect((await previewDelete(auditor.client, 'students', {})).response.status).toBe(403);

    const invalid = await previewUpdate(t.admin, 'students', { filter: { studyYear: 9, includeDeleted: true }, set: { email: 'same@school.example', phone: 'call me' }, increment: { note: 1 } });
    expect(invalid.response.status).toBe(400);
    expect((invalid.error as Problem & { errors: { field: string; code: string }[] }).errors.map((error) => `${error.field} ${error.code}`).sort()).toEqual(
      expect.arrayContaining(['filter.includeDeleted unknown_field', 'filter.studyYear max', 'increment.note not_incrementable', 'set.email not_bulk_settable', 'set.phone matches']),
    );
    const unknownEntity = await fetch(`${t.baseUrl}/api/v1/bulk/teachers/delete/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filter: {} }),
    });
    expect(unknownEntity.status).toBe(400);
  });
});
