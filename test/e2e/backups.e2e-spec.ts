import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Client } from 'pg';
import type { Schemas } from '../../openapi/client';
import { startTestApp, TestApp } from './support/test-app';

type Job = Schemas['JobDto'];
type Json = Record<string, unknown>;

const TABLES = ['users', 'courses', 'students', 'enrollments'] as const;
const STUDENTS = 3_000;

function decompressesTo(archive: Buffer, content: Buffer): boolean {
  try {
    return gunzipSync(archive).equals(content);
  } catch {
    return false;
  }
}

/** The backup routes are newer than the committed client: they are called over plain HTTP. */
interface Answer {
  status: number;
  body: Json;
}

describe('backups', () => {
  let t: TestApp;
  let database: Client;
  let backupDirectory: string;
  let staffToken: string;

  const call = async (method: string, path: string, body?: unknown, token = t.adminToken): Promise<Answer> => {
    const response = await fetch(`${t.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
  };
  const waitForJob = async (id: string): Promise<Job> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { data } = await t.admin.GET('/api/v1/jobs/{id}', { params: { path: { id } } });
      if (data !== undefined && ['completed', 'failed', 'cancelled'].includes(data.status)) return data;
      if (Date.now() > deadline) throw new Error(`job ${id} did not finish: ${JSON.stringify(data)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** Every row of the four tables, every column, in id order: what a restore must bring back exactly. */
  const dump = async (): Promise<Record<string, unknown[]>> => {
    const tables: Record<string, unknown[]> = {};
    for (const table of TABLES) tables[table] = (await database.query(`select * from ${table} order by id`)).rows;
    return tables;
  };
  const takeBackup = async (includePasswordHashes: boolean): Promise<Job> => {
    const started = await call('POST', '/backups', { includePasswordHashes });
    expect(started.status).toBe(202);
    const job = await waitForJob(started.body.id as string);
    expect(job).toMatchObject({ type: 'backup', status: 'completed' });
    return job;
  };
  const auditRows = async (action: 'backup_create' | 'backup_restore'): Promise<Schemas['AuditLogDto'][]> => {
    const { data } = await t.admin.GET('/api/v1/audit', { params: { query: { action, limit: 500 } } });
    return data!.items;
  };

  beforeAll(async () => {
    backupDirectory = await mkdtemp(join(tmpdir(), 'backups-e2e-'));
    t = await startTestApp('backups', { BACKUP_DIR: backupDirectory });
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
    staffToken = (await t.userWithRole('staff')).token;
    await database.query(`
      insert into students (student_id, email, first_name, last_name, father_name, enrollment_date, study_year, is_active, note, academic_year, class_division)
      select 'S' || lpad(n::text, 6, '0'), 'student' || n || '@school.example', 'Όνομα' || n, 'Last' || n, E'tab\\there',
             date '2025-09-01' + (n % 300), 1 + n % 6, n % 10 <> 0, case when n % 7 = 0 then E'two\\nlines, "quoted" \\\\ backslash' end,
             '2025-2026', 'A' || (n % 3)
      from generate_series(1, ${STUDENTS}) as n`);
    await database.query(`
      insert into courses (course_code, course_name, semester, credits, evaluation_rules)
      values ('MATH101', 'Άλγεβρα', 'Α΄ Τετράμηνο', 5, '[{"category":"exam","weight":100}]'), ('HIST', 'History', 'Β΄ Τετράμηνο', 3, null)`);
    await database.query(`
      insert into enrollments (student_id, course_id, enrolled_at, status)
      select s.id, c.id, date '2026-09-10', case when s.id % 3 = 0 then 'dropped' else 'active' end
      from students s cross join courses c where s.id <= 500`);
  });

  afterAll(async () => {
    await database.end();
    await t.close();
    await rm(backupDirectory, { recursive: true, force: true });
  });

  it('is for admins only: staff gets 403, and the refusal is audited', async () => {
    expect((await call('POST', '/backups', {}, staffToken)).status).toBe(403);
    expect((await call('GET', '/backups', undefined, staffToken)).status).toBe(403);
    const refused = (await auditRows('backup_create')).find((row) => row.statusCode === 403);
    expect(refused).toMatchObject({ success: false, errorCode: 'insufficient_role', resource: 'system' });
  });

  describe('backup → change → restore', () => {
    let backup: Json;
    let before: Record<string, unknown[]>;

    beforeAll(async () => {
      before = await dump();
      const job = await takeBackup(true);
      backup = (await call('GET', `/backups/${job.id}`)).body;
    });

    it('lists the backup with its manifest: counts, sha256, schema version, who and when', async () => {
      const expectedCounts = Object.fromEntries(TABLES.map((table) => [table, before[table].length]));
      expect(backup).toMatchObject({ counts: expectedCounts, restorable: true, includesPasswordHashes: true, createdBy: { email: 'admin@school.example' } });
      expect(backup.schemaVersion).toMatch(/^Migration\d+_/);
      expect((backup.parts as Json[]).map((part) => part.table)).toEqual(TABLES);
      const list = await call('GET', '/backups?limit=10');
      expect(list.body).toMatchObject({ total: 1, limit: 10, offset: 0 });
      expect((list.body.items as Json[])[0]).toEqual(backup);
    });

    it('downloads the archive streamed with an RFC 5987 filename; its sha256 is the manifest\'s and tar reads it', async () => {
      const response = await fetch(`${t.baseUrl}/api/v1/backups/${String(backup.id)}/download`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/gzip');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${String(backup.fileName)}"; filename*=UTF-8''${String(backup.fileName)}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(backup.sha256);
      const path = join(backupDirectory, 'download-check.tar.gz');
      await writeFile(path, bytes);
      const { stdout } = await promisify(execFile)('tar', ['-tzf', path]);
      await rm(path);
      expect(stdout.trim().split('\n')).toEqual(['manifest.json', 'users.copy', 'courses.copy', 'students.copy', 'enrollments.copy']);
    });

    it('restores the four tables exactly as they were, keeps sequences ahead and audits both with counts', async () => {
      const { data: created } = await t.admin.POST('/api/v1/students', { body: { studentId: 'NEW1', email: 'new1@school.example', firstName: 'New', lastName: 'One' } });
      const firstId = (before.students[0] as { id: number }).id;
      expect((await t.admin.PATCH('/api/v1/students/{id}', { params: { path: { id: firstId } }, body: { lastName: 'Changed' } })).response.status).toBe(200);
      const course = before.courses[1] as { id: number };
      const enrollment = (before.enrollments as { id: number; course_id: number }[]).find((row) => row.course_id === course.id)!;
      expect((await t.admin.DELETE('/api/v1/enrollments/{id}', { params: { path: { id: enrollment.id } } })).response.status).toBe(204);
      await t.userWithRole('auditor');
      expect(await dump()).not.toEqual(before);

      expect((await call('POST', `/backups/${String(backup.id)}/restore`, {})).body).toMatchObject({ code: 'validation_failed' });
      const started = await call('POST', `/backups/${String(backup.id)}/restore`, { confirm: true });
      expect(started.status).toBe(202);
      const job = await waitForJob(started.body.id as string);
      expect(job).toMatchObject({ type: 'backup_restore', status: 'completed' });
      expect(await dump()).toEqual(before);

      // Ids are never handed out twice, even those of rows the restore removed.
      const { data: next } = await t.admin.POST('/api/v1/students', { body: { studentId: 'NEW2', email: 'new2@school.example', firstName: 'New', lastName: 'Two' } });
      expect(next!.id).toBeGreaterThan(created!.id);
      await database.query(`delete from students where student_id = 'NEW2'`);

      const counts = Object.fromEntries(TABLES.map((table) => [table, before[table].length]));
      expect((await auditRows('backup_create')).find((row) => row.success && row.details !== null && 'counts' in row.details)).toMatchObject({
        resourceId: backup.id,
        details: { counts, sha256: backup.sha256, includePasswordHashes: true },
      });
      const restoreRows = (await auditRows('backup_restore')).filter((row) => row.success);
      expect(restoreRows.map((row) => row.statusCode).sort()).toEqual([202, null]);
      expect(restoreRows.find((row) => row.statusCode === null)).toMatchObject({ resourceId: backup.id, details: { counts, jobId: job.id } });
    });
  });

  describe('refusals and cancellation change nothing', () => {
    let backupId: string;
    let archive: string;
    let manifest: string;

    beforeAll(async () => {
      backupId = (await takeBackup(false)).id;
      archive = join(backupDirectory, `${backupId}.tar.gz`);
      manifest = join(backupDirectory, `${backupId}.manifest.json`);
      await database.query(`update students set note = 'after the backup' where id <= 10`);
    });

    it('refuses another schema version with 409 backup_schema_mismatch', async () => {
      const original = await readFile(manifest, 'utf8');
      await writeFile(manifest, original.replace(/"schemaVersion": "[^"]+"/, '"schemaVersion": "Migration20000101000000_other"'));
      const before = await dump();
      const answer = await call('POST', `/backups/${backupId}/restore`, { confirm: true });
      await writeFile(manifest, original);
      expect(answer).toMatchObject({ status: 409, body: { code: 'backup_schema_mismatch' } });
      expect(await dump()).toEqual(before);
    });

    /** Flips the first byte from `fraction` of the archive on whose flip the decompressed bytes change or stop decompressing. */
    const damage = (original: Buffer, fraction: number): Buffer => {
      // A flip that leaves the decompressed bytes as they were (deflate can copy the same text from
      // another distance) changes only the file's sha256; the job's own check needs one that changes the rows.
      const content = gunzipSync(original);
      const corrupted = Buffer.from(original);
      for (let position = Math.floor(original.length * fraction); ; position += 1) {
        corrupted[position] ^= 0x01;
        if (!decompressesTo(corrupted, content)) return corrupted;
        corrupted[position] ^= 0x01;
      }
    };
    /** Runs `work` on a damaged archive and puts the original archive and manifest back whatever happens. */
    const withDamagedArchive = async (fraction: number, work: (corrupted: Buffer) => Promise<void>): Promise<void> => {
      const original = await readFile(archive);
      const originalManifest = await readFile(manifest, 'utf8');
      const corrupted = damage(original, fraction);
      await writeFile(archive, corrupted);
      try {
        await work(corrupted);
      } finally {
        await writeFile(archive, original);
        await writeFile(manifest, originalManifest);
      }
    };

    it('refuses a file with one byte flipped with 422 backup_corrupt at the request', async () => {
      await withDamagedArchive(0.5, async () => {
        const before = await dump();
        expect(await call('POST', `/backups/${backupId}/restore`, { confirm: true })).toMatchObject({ status: 422, body: { code: 'backup_corrupt' } });
        expect(await dump()).toEqual(before);
      });
    });

    // Where the flip lands decides what notices it first: a tar header's checksum, PostgreSQL refusing
    // a row of a COPY, a part's sha256 or row count, or gzip's own check at the end.
    it.each([0.02, 0.3, 0.5, 0.7, 0.98])('refuses in the job a file flipped at %f of its length whose manifest was rewritten to its sha256', async (fraction) => {
      await withDamagedArchive(fraction, async (corrupted) => {
        // A manifest rewritten to the damaged file's sha256 passes the request; the job checks every part and refuses.
        const record = JSON.parse(await readFile(manifest, 'utf8')) as { archive: { sha256: string } };
        record.archive.sha256 = createHash('sha256').update(corrupted).digest('hex');
        await writeFile(manifest, JSON.stringify(record));
        const before = await dump();
        const started = await call('POST', `/backups/${backupId}/restore`, { confirm: true });
        expect(started.status).toBe(202);
        const job = await waitForJob(started.body.id as string);
        expect(job).toMatchObject({ status: 'failed', result: { success: false, errors: ['backup_corrupt'] } });
        expect(await dump()).toEqual(before);
        expect((await auditRows('backup_restore')).find((row) => row.details !== null && 'jobId' in row.details && row.details.jobId === job.id && row.statusCode === null)).toMatchObject({
          success: false,
          errorCode: 'backup_corrupt',
        });
      });
    });

    // Valid gzip and tar whose students part has a tab too many in one row. On an early row the COPY
    // fails while the part still streams; on the last one PostgreSQL answers only once the part ended.
    it.each([42, STUDENTS])('refuses in the job a part whose changed row %i PostgreSQL refuses, as backup_corrupt', async (damagedStudent) => {
      const content = gunzipSync(await readFile(archive));
      const row = content.indexOf(`\tS${String(damagedStudent).padStart(6, '0')}\t`);
      expect(row).toBeGreaterThan(0);
      const damaged = Buffer.from(content);
      damaged[row + 2] = 0x09;
      const rewritten = gzipSync(damaged);
      const original = await readFile(archive);
      const originalManifest = await readFile(manifest, 'utf8');
      const record = JSON.parse(originalManifest) as { archive: { sha256: string; sizeBytes?: number } };
      record.archive.sha256 = createHash('sha256').update(rewritten).digest('hex');
      if (record.archive.sizeBytes !== undefined) record.archive.sizeBytes = rewritten.length;
      await writeFile(archive, rewritten);
      await writeFile(manifest, JSON.stringify(record));
      try {
        const before = await dump();
        const started = await call('POST', `/backups/${backupId}/restore`, { confirm: true });
        expect(started.status).toBe(202);
        expect(await waitForJob(started.body.id as string)).toMatchObject({ status: 'failed', result: { success: false, errors: ['backup_corrupt'] } });
        expect(await dump()).toEqual(before);
      } finally {
        await writeFile(archive, original);
        await writeFile(manifest, originalManifest);
      }
    });

    it('a restore cancelled while it runs writes nothing', async () => {
      const before = await dump();
      // The restore waits for this lock after it has begun: cancelled while it runs.
      const blocker = new Client({ connectionString: t.databaseUrl });
      await blocker.connect();
      await blocker.query('begin');
      await blocker.query('lock table enrollments in access share mode');
      const started = await call('POST', `/backups/${backupId}/restore`, { confirm: true });
      expect(started.status).toBe(202);
      const jobId = started.body.id as string;
      for (let status = ''; status !== 'processing'; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await t.admin.GET('/api/v1/jobs/{id}', { params: { path: { id: jobId } } })).data!.status;
      }
      expect((await t.admin.DELETE('/api/v1/jobs/{id}', { params: { path: { id: jobId } } })).response.status).toBe(202);
      await blocker.query('commit');
      await blocker.end();
      expect(await waitForJob(jobId)).toMatchObject({ status: 'cancelled' });
      expect(await dump()).toEqual(before);
      expect((await auditRows('backup_restore')).find((row) => row.details !== null && 'jobId' in row.details && row.details.jobId === jobId && row.statusCode === null)).toMatchObject({
        success: false,
        errorCode: 'cancelled',
      });
    });

    it('a backup without password hashes restores the rows and keeps every current password', async () => {
      const { data: session } = await t.anonymous.POST('/api/v1/auth/login', { body: { email: 'admin@school.example', password: 'admin-password-for-tests' } });
      expect(session).toBeDefined();
      const started = await call('POST', `/backups/${backupId}/restore`, { confirm: true });
      expect(await waitForJob(started.body.id as string)).toMatchObject({ status: 'completed' });
      expect((await database.query(`select count(*)::int as n from students where note = 'after the backup'`)).rows[0].n).toBe(0);
      const again = await t.anonymous.POST('/api/v1/auth/login', { body: { email: 'admin@school.example', password: 'admin-password-for-tests' } });
      expect(again.response.status).toBe(200);
    });
  });
});
