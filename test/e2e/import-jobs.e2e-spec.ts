import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { followJob } from '../../openapi/client';
import { ForkedWorkers } from './support/forked-workers';
import { Job, postImportForm, previewImport, studentsCsv, waitForJob } from './support/imports';
import { startTestApp, TestApp } from './support/test-app';

/** A students CSV large enough that its commit is still running a moment after it starts. */
function largeStudentsCsv(prefix: string, rows: number): string {
  const lines = ['studentId,email,firstName,lastName,studyYear'];
  for (let index = 0; index < rows; index += 1) lines.push(`${prefix}${index},${prefix.toLowerCase()}${index}@school.example,Όνομα${index},Επώνυμο,${(index % 4) + 1}`);
  return `${lines.join('\n')}\n`;
}

const LARGE_ROWS = 150_000;

/** The name of the saved staged rows of a preview, whatever layout version it carries. */
function stageFileOf(storage: string, previewId: string): string {
  const names = readdirSync(storage).filter((name) => name.startsWith(`${previewId}.stage`));
  expect(names).toHaveLength(1);
  return names[0];
}

async function openDatabase(t: TestApp): Promise<Client> {
  const database = new Client({ connectionString: t.databaseUrl });
  await database.connect();
  return database;
}

const countStudents = async (database: Client, prefix: string) =>
  Number((await database.query(`select count(*) from students where student_id like $1`, [`${prefix}%`])).rows[0].count);

describe('import jobs: cancel and directory imports', () => {
  let t: TestApp;
  let database: Client;
  const importDirectory = mkdtempSync(join(tmpdir(), 'sms-import-dir-'));
  const storage = mkdtempSync(join(tmpdir(), 'sms-import-storage-'));

  beforeAll(async () => {
    t = await startTestApp('import_jobs', { IMPORT_DIR: importDirectory, IMPORT_STORAGE_DIR: storage });
    database = await openDatabase(t);
  });

  afterAll(async () => {
    await database.end();
    await t.close();
    rmSync(importDirectory, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  const previewAndCommit = async (prefix: string) => {
    const csv = studentsCsv([{ studentId: `${prefix}1`, email: `${prefix.toLowerCase()}1@school.example`, firstName: 'Στέλλα', lastName: 'Αποθηκευμένη', studyYear: '1' }]);
    const preview = await previewImport(t.admin, { name: 'saved.csv', content: csv }, { entity: 'students' });
    if (preview.data === undefined) throw new Error(`preview: ${preview.response.status} ${preview.error.code}`);
    const { id } = preview.data;
    return {
      id,
      commit: async () => {
        const committed = await t.admin.POST('/api/v1/imports/previews/{id}/commit', { params: { path: { id } } });
        if (committed.data === undefined) throw new Error(`commit: ${committed.response.status} ${committed.error.code}`);
        let job = committed.data;
        for await (const next of followJob(t.admin, job.id)) job = next;
        return job;
      },
    };
  };

  it('commits the rows the preview saved, and refuses them if they changed', async () => {
    const tampered = await previewAndCommit('TAMPER');
    const stageFile = join(storage, stageFileOf(storage, tampered.id));
    writeFileSync(stageFile, readFileSync(stageFile, 'utf8').replace('Στέλλα', 'Mallory'));
    const refused = await tampered.commit();
    expect(refused.status).toBe('failed');
    expect(refused.result?.data).toMatchObject({ code: 'stage_changed' });
    expect(await countStudents(database, 'TAMPER')).toBe(0);

    // Without its saved rows a preview is committed from its upload, read and checked again.
    const lost = await previewAndCommit('LOST');
    rmSync(join(storage, stageFileOf(storage, lost.id)));
    // Saved rows of an older staging layout are not loaded either.
    writeFileSync(join(storage, `${lost.id}.stage`), '1\t0\t2\tt\tf\t\\N\tLOST1\n');
    const done = await lost.commit();
    expect(done.status).toBe('completed');
    expect(done.result?.counts).toMatchObject({ created: 1 });
    const stored = await database.query(`select first_name from students where student_id = 'LOST1'`);
    expect(stored.rows).toEqual([{ first_name: 'Στέλλα' }]);
  });

  it('cancelled mid-commit leaves the tables unchanged', async () => {
    const preview = await postImportForm(t.baseUrl, t.adminToken, '/api/v1/imports/preview', { name: 'large.csv', content: largeStudentsCsv('CAN', LARGE_ROWS) }, { entity: 'students' });
    expect(preview.body.summary.create).toBe(LARGE_ROWS);
    const commit = await fetch(`${t.baseUrl}/api/v1/imports/previews/${preview.body.id}/commit`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } });
    const job = (await commit.json()) as Job;
    await waitForJob(t.baseUrl, t.adminToken, job.id, (current) => current.progress.processed > 0 || current.status !== 'pending');
    const cancel = await fetch(`${t.baseUrl}/api/v1/jobs/${job.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${t.adminToken}` } });
    expect([200, 202]).toContain(cancel.status);
    const done = await waitForJob(t.baseUrl, t.adminToken, job.id);
    expect(done.status).toBe('cancelled');
    expect(await countStudents(database, 'CAN')).toBe(0);
    const status = await database.query('select status from import_previews where id = $1', [preview.body.id]);
    expect(status.rows[0].status).toBe('failed');
  });

  it('imports every file of IMPORT_DIR/students as one job, first occurrence winning across files', async () => {
    mkdirSync(join(importDirectory, 'students'), { recursive: true });
    writeFileSync(
      join(importDirectory, 'students', 'a-first.csv'),
      studentsCsv([
        { studentId: 'DIR1', email: 'dir1@school.example', firstName: 'Άννα', lastName: 'Πρώτη', studyYear: '1' },
        { studentId: 'DIR2', email: 'dir2@school.example', firstName: 'Βασίλης', lastName: 'Δεύτερος', studyYear: '2' },
      ]),
    );
    writeFileSync(
      join(importDirectory, 'students', 'b-second.json'),
      JSON.stringify([
        { studentId: 'DIR2', email: 'dir2@school.example', firstName: 'Other', lastName: 'Copy' },
        { studentId: 'DIR3', email: 'dir3@school.example', firstName: 'Γιάννης', lastName: 'Τρίτος' },
      ]),
    );
    writeFileSync(join(importDirectory, 'students', 'notes.md'), 'not an import file');

    const response = await fetch(`${t.baseUrl}/api/v1/imports/students`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ onInvalid: 'skip' }),
    });
    expect(response.status).toBe(202);
    const job = (await response.json()) as Job;
    expect((job.parameters as { files: { fileName: string }[] }).files.map((file) => file.fileName)).toEqual(['a-first.csv', 'b-second.json']);
    const done = await waitForJob(t.baseUrl, t.adminToken, job.id);
    expect(done.status).toBe('completed');
    expect(done.result?.counts).toMatchObject({ created: 3, skipped: 1, rejected: 0 });
    const stored = await database.query(`select student_id, first_name from students where student_id like 'DIR%' order by student_id`);
    expect(stored.rows).toEqual([
      { student_id: 'DIR1', first_name: 'Άννα' },
      { student_id: 'DIR2', first_name: 'Βασίλης' },
      { student_id: 'DIR3', first_name: 'Γιάννης' },
    ]);
    const previewIds = (done.result?.data as { previewIds: string[] }).previewIds;
    const second = await fetch(`${t.baseUrl}/api/v1/imports/previews/${previewIds[1]}?code=duplicate_in_file`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    const issues = ((await second.json()) as { issues: { items: { row: number; message: string }[] } }).issues.items;
    expect(issues).toEqual([expect.objectContaining({ row: 1, message: expect.stringContaining('row 3 of a-first.csv') })]);

    const audit = await database.query(`select details from audit_logs where action = 'bulk_import' and resource = 'import' and details->>'jobId' = $1`, [job.id]);
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows[0].details)).not.toContain(importDirectory);
  });

  it('answers 422 when the import directory holds no importable file', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/imports/courses`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { code: string }).code).toBe('import_directory_empty');
  });
});

describe('an import whose worker is killed mid-commit', () => {
  const workers = new ForkedWorkers();

  afterAll(() => workers.stopAll());

  it('leaves nothing half-written, and the job is run again to the end by another worker', async () => {
    const timing = { JOB_LOCK_SECONDS: '2', JOB_STALLED_INTERVAL_SECONDS: '1' };
    const storage = mkdtempSync(join(tmpdir(), 'sms-import-storage-'));
    const t = await startTestApp('import_crash', { ROLE: 'api', IMPORT_STORAGE_DIR: storage, ...timing });
    const database = await openDatabase(t);
    const startWorker = () => workers.start(t, { IMPORT_STORAGE_DIR: storage, ...timing });
    try {
      const preview = await postImportForm(t.baseUrl, t.adminToken, '/api/v1/imports/preview', { name: 'crash.csv', content: largeStudentsCsv('CRASH', LARGE_ROWS) }, { entity: 'students' });
      const first = startWorker();
      const commit = await fetch(`${t.baseUrl}/api/v1/imports/previews/${preview.body.id}/commit`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } });
      const job = (await commit.json()) as Job;
      await waitForJob(t.baseUrl, t.adminToken, job.id, (current) => current.progress.processed > 0, 30_000);
      first.kill('SIGKILL');
      // The killed worker's connection closes with it, and PostgreSQL rolls its transaction back.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await countStudents(database, 'CRASH')).toBe(0);

      startWorker();
      const done = await waitForJob(t.baseUrl, t.adminToken, job.id, undefined, 60_000);
      expect(done.status).toBe('completed');
      expect(done.attempts).toBe(2);
      expect(done.result?.counts).toMatchObject({ created: LARGE_ROWS });
      expect(await countStudents(database, 'CRASH')).toBe(LARGE_ROWS);
    } finally {
      await workers.stopAll();
      await database.end();
      await t.close();
      rmSync(storage, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a commit cancelled before any worker took it', () => {
  it('leaves the preview failed, not committing', async () => {
    // No worker in this process: the job stays queued until it is cancelled.
    const t = await startTestApp('import_cancel_queued', { ROLE: 'api' });
    try {
      const csv = studentsCsv([{ studentId: 'QUEUED1', email: 'queued1@school.example', firstName: 'Ουρά', lastName: 'Αναμονής', studyYear: '1' }]);
      const preview = await postImportForm(t.baseUrl, t.adminToken, '/api/v1/imports/preview', { name: 'queued.csv', content: csv }, { entity: 'students' });
      const commit = await fetch(`${t.baseUrl}/api/v1/imports/previews/${preview.body.id}/commit`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } });
      const job = (await commit.json()) as Job;
      const cancel = await fetch(`${t.baseUrl}/api/v1/jobs/${job.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${t.adminToken}` } });
      expect(cancel.status).toBe(200);
      const read = await fetch(`${t.baseUrl}/api/v1/imports/previews/${preview.body.id}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      expect(((await read.json()) as { status: string; canCommit: boolean })).toMatchObject({ status: 'failed', canCommit: false });
    } finally {
      await t.close();
    }
  });
});
