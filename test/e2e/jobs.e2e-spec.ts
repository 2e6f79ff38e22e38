import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ApiClient, Schemas } from '../../openapi/client';
import { BatchJobModule, BatchJobParameters } from './support/batch-job.module';
import { readEventStream, ReceivedEvent } from './support/event-stream';
import { startTestApp, TestApp } from './support/test-app';

type Job = Schemas['JobDto'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(read: () => Promise<Job>, until: (job: Job) => boolean, timeoutMs = 15_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await read();
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`Timed out; last state ${JSON.stringify(job)}`);
    await sleep(50);
  }
}

describe('jobs', () => {
  let t: TestApp;
  let staff: ApiClient;
  let staffToken: string;
  let database: Client;

  const read = (client: ApiClient, id: string) => async () => (await client.GET('/api/v1/jobs/{id}', { params: { path: { id } } })).data!;
  const startBatchJob = async (parameters: BatchJobParameters, token = staffToken): Promise<Job> => {
    const response = await fetch(`${t.baseUrl}/api/v1/test-only/batch-jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(parameters),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as Job;
  };
  const studentsWithPrefix = async (prefix: string): Promise<number> =>
    (await database.query('select count(*)::int as count from students where student_id like $1', [`${prefix.toUpperCase()}%`])).rows[0].count;

  beforeAll(async () => {
    t = await startTestApp('jobs', { JOB_CONCURRENCY: '1' }, { extraModules: [BatchJobModule] });
    ({ client: staff, token: staffToken } = await t.userWithRole('staff'));
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await t.close();
  });

  describe('tracked jobs (driven through the API)', () => {
    it('goes pending → processing (50 %) → completed with its result', async () => {
      const created = await staff.POST('/api/v1/jobs', { body: { type: 'custom', parameters: { source: 'registrar' }, priority: 7 } });
      expect(created.response.status).toBe(202);
      const job = created.data!;
      expect(created.response.headers.get('location')).toBe(`/api/v1/jobs/${job.id}`);
      expect(job).toMatchObject({ type: 'custom', status: 'pending', runner: 'external', priority: 7, parameters: { source: 'registrar' }, attempts: 0 });

      const progressed = await staff.PATCH('/api/v1/jobs/{id}/progress', { params: { path: { id: job.id } }, body: { processed: 5, total: 10, unit: 'steps', message: 'Half' } });
      expect(progressed.data).toMatchObject({ status: 'processing', progress: { percentage: 50, processed: 5, total: 10, unit: 'steps', message: 'Half', failed: 0 } });
      expect(progressed.data?.startedAt).not.toBeNull();

      const completed = await staff.PATCH('/api/v1/jobs/{id}/complete', {
        params: { path: { id: job.id } },
        body: { result: { message: 'Synchronised', counts: { synchronised: 10 }, warnings: ['one odd row'] } },
      });
      expect(completed.data).toMatchObject({
        status: 'completed',
        progress: { percentage: 100 },
        result: { success: true, message: 'Synchronised', counts: { synchronised: 10 }, errors: [], warnings: ['one odd row'], data: null },
      });
      expect(Date.parse(completed.data!.expiresAt!) - Date.parse(completed.data!.finishedAt!)).toBe(24 * 3600 * 1000);
      expect((await staff.GET('/api/v1/jobs/{id}', { params: { path: { id: job.id } } })).data).toEqual(completed.data);
    });

    it('fails with the error given, and refuses every change after the end (409 job_finished)', async () => {
      const { data: job } = await staff.POST('/api/v1/jobs', { body: { type: 'custom' } });
      const failed = await staff.PATCH('/api/v1/jobs/{id}/fail', { params: { path: { id: job!.id } }, body: { error: 'Disk full' } });
      expect(failed.data).toMatchObject({ status: 'failed', error: 'Disk full', result: null });
      for (const attempt of [
        () => staff.PATCH('/api/v1/jobs/{id}/progress', { params: { path: { id: job!.id } }, body: { processed: 1 } }),
        () => staff.PATCH('/api/v1/jobs/{id}/complete', { params: { path: { id: job!.id } }, body: {} }),
        () => staff.DELETE('/api/v1/jobs/{id}', { params: { path: { id: job!.id } } }),
      ]) {
        const { response, error } = await attempt();
        expect(response.status).toBe(409);
        expect(error?.code).toBe('job_finished');
      }
    });

    it('cancels a pending job at once', async () => {
      const { data: job } = await staff.POST('/api/v1/jobs', { body: { type: 'custom' } });
      const { data, response } = await staff.DELETE('/api/v1/jobs/{id}', { params: { path: { id: job!.id } } });
      expect(response.status).toBe(200);
      expect(data).toMatchObject({ status: 'cancelled' });
      expect(data?.cancelRequestedAt).not.toBeNull();
    });

    it("hides another user's job (404 job_not_found), but not from admins", async () => {
      const { data: job } = await staff.POST('/api/v1/jobs', { body: { type: 'custom' } });
      const { client: other } = await t.userWithRole('staff');
      const path = { params: { path: { id: job!.id } } };
      for (const { response, error } of [
        await other.GET('/api/v1/jobs/{id}', path),
        await other.PATCH('/api/v1/jobs/{id}/progress', { ...path, body: { processed: 1 } }),
        await other.DELETE('/api/v1/jobs/{id}', path),
      ]) {
        expect(response.status).toBe(404);
        expect(error?.code).toBe('job_not_found');
      }
      const stream = await readEventStream(`${t.baseUrl}/api/v1/jobs/${job!.id}/events`, { authorization: `Bearer ${(await t.userWithRole('staff')).token}` });
      expect(stream.status).toBe(404);
      expect((await t.admin.GET('/api/v1/jobs/{id}', path)).response.status).toBe(200);
    });

    it('returns the same job for a repeated Idempotency-Key, and refuses the key with another body', async () => {
      const headers = { 'Idempotency-Key': 'sync-2026-11-27' };
      const first = await staff.POST('/api/v1/jobs', { body: { type: 'custom', parameters: { n: 1 } }, headers });
      const second = await staff.POST('/api/v1/jobs', { body: { type: 'custom', parameters: { n: 1 } }, headers });
      expect(second.error).toBeUndefined();
      expect(second.data?.id).toBe(first.data?.id);
      expect(second.response.headers.get('idempotency-replayed')).toBe('true');
      // The same request written differently (explicit defaults, other key order) is the same request.
      const rewritten = await staff.POST('/api/v1/jobs', { body: { priority: 5, parameters: { n: 1 }, type: 'custom' }, headers });
      expect(rewritten.data?.id).toBe(first.data?.id);
      const concurrent = await Promise.all(
        [1, 2, 3].map(() => staff.POST('/api/v1/jobs', { body: { type: 'custom' }, headers: { 'Idempotency-Key': 'raced-key' } })),
      );
      expect(new Set(concurrent.map(({ data }) => data?.id)).size).toBe(1);
      const reused = await staff.POST('/api/v1/jobs', { body: { type: 'custom', parameters: { n: 2 } }, headers });
      expect(reused.response.status).toBe(422);
      expect(reused.error?.code).toBe('idempotency_key_reused');
      // Keys belong to their user: another user's identical key makes another job.
      const { client: other } = await t.userWithRole('staff');
      const theirs = await other.POST('/api/v1/jobs', { body: { type: 'custom', parameters: { n: 1 } }, headers });
      expect(theirs.data?.id).not.toBe(first.data?.id);
    });

    it('refuses to register a job type that the service runs itself', async () => {
      for (const type of ['cleanup', 'bulk_import', 'export_large', 'bulk_update'] as const) {
        const { response, error } = await staff.POST('/api/v1/jobs', { body: { type } });
        expect(response.status).toBe(422);
        expect(error?.code).toBe('job_type_runs_on_server');
      }
    });

    it('counts and filters exactly with 20 concurrent creates', async () => {
      const { client: user, user: account } = await t.userWithRole('staff');
      const created = await Promise.all(
        Array.from({ length: 20 }, () => user.POST('/api/v1/jobs', { body: { type: 'custom' } })),
      );
      const ids = created.map(({ data }) => data!.id);
      expect(new Set(ids).size).toBe(20);
      await Promise.all(ids.slice(0, 6).map((id) => user.PATCH('/api/v1/jobs/{id}/complete', { params: { path: { id } }, body: {} })));
      await Promise.all(ids.slice(6, 9).map((id) => user.PATCH('/api/v1/jobs/{id}/progress', { params: { path: { id } }, body: { processed: 1 } })));

      const count = async (query: Record<string, unknown>, client: ApiClient = user) =>
        (await client.GET('/api/v1/jobs', { params: { query: { limit: 500, ...query } } })).data!;
      expect((await count({})).total).toBe(20);
      expect((await count({ status: 'completed' })).total).toBe(6);
      expect((await count({ status: 'processing' })).total).toBe(3);
      expect((await count({ status: 'pending' })).total).toBe(11);
      // The one type left that the service does not run is custom (the test module runs migration jobs).
      expect((await count({ type: 'custom' })).total).toBe(20);
      expect((await count({ type: 'migration' })).total).toBe(0);
      expect((await count({ type: 'custom', status: 'completed' })).total).toBe(6);

      const page = await count({ limit: 7, offset: 14 });
      expect(page).toMatchObject({ total: 20, limit: 7, offset: 14 });
      expect(page.items).toHaveLength(6);
      const all = (await count({})).items;
      const createdTimes = all.map((job) => Date.parse(job.createdAt));
      expect([...createdTimes].sort((a, b) => b - a)).toEqual(createdTimes);

      expect((await count({ userId: account.id }, t.admin)).total).toBe(20);
      const forbidden = await staff.GET('/api/v1/jobs', { params: { query: { userId: account.id } } });
      expect(forbidden.response.status).toBe(403);
    });
  });

  describe('server-run jobs', () => {
    it('runs a job to completion in batches, reporting progress', async () => {
      const job = await startBatchJob({ batches: 3, batchSize: 4, delayMs: 10, prefix: 'done' });
      expect(job).toMatchObject({ status: 'pending', runner: 'server', type: 'migration' });
      const finished = await waitFor(read(staff, job.id), (current) => current.status === 'completed');
      expect(finished).toMatchObject({ attempts: 1, progress: { processed: 12, total: 12, percentage: 100 }, result: { counts: { created: 12 } } });
      expect(await studentsWithPrefix('done')).toBe(12);
    });

    it('refuses the PATCH endpoints for a job the service runs (409 job_managed_by_server)', async () => {
      const job = await startBatchJob({ batches: 1, batchSize: 1, delayMs: 0, prefix: 'managed' });
      const { response, error } = await staff.PATCH('/api/v1/jobs/{id}/complete', { params: { path: { id: job.id } }, body: {} });
      expect(response.status).toBe(409);
      expect(error?.code).toBe('job_managed_by_server');
      await waitFor(read(staff, job.id), (current) => current.status === 'completed');
    });

    it('stops a running job at a batch boundary and leaves nothing of it committed', async () => {
      const job = await startBatchJob({ batches: 200, batchSize: 5, delayMs: 50, prefix: 'cancelme' });
      await waitFor(read(staff, job.id), (current) => current.progress.processed >= 10);
      const { data, response } = await staff.DELETE('/api/v1/jobs/{id}', {
        params: { path: { id: job.id } },
        headers: { 'x-request-id': `cancel-${job.id}` },
      });
      expect(response.status).toBe(202);
      expect(data?.cancelRequestedAt).not.toBeNull();
      const audit = await t.admin.GET('/api/v1/audit', { params: { query: { requestId: `cancel-${job.id}` } } });
      expect(audit.data?.items[0]).toMatchObject({ action: 'cancel', resource: 'job', resourceId: job.id, statusCode: 202, success: true });
      const cancelled = await waitFor(read(staff, job.id), (current) => current.status !== 'processing');
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.progress.processed).toBeLessThan(1000);
      expect(await studentsWithPrefix('cancelme')).toBe(0);
    });

    it('takes a pending job off the queue when cancelled', async () => {
      // Concurrency 1: the second job waits behind the first.
      const running = await startBatchJob({ batches: 100, batchSize: 1, delayMs: 50, prefix: 'blocker' });
      await waitFor(read(staff, running.id), (current) => current.status === 'processing');
      const waiting = await startBatchJob({ batches: 1, batchSize: 1, delayMs: 0, prefix: 'queued' });
      const { data, response } = await staff.DELETE('/api/v1/jobs/{id}', { params: { path: { id: waiting.id } } });
      expect(response.status).toBe(200);
      expect(data?.status).toBe('cancelled');
      await staff.DELETE('/api/v1/jobs/{id}', { params: { path: { id: running.id } } });
      await waitFor(read(staff, running.id), (current) => current.status === 'cancelled');
      await sleep(300);
      expect((await read(staff, waiting.id)()).status).toBe('cancelled');
      expect(await studentsWithPrefix('queued')).toBe(0);
    });

    it('runs the cleanup job: the audit retention purge, recorded in the trail', async () => {
      await database.query(`insert into audit_logs (action, resource, success, request_id, "timestamp") values ('login', 'session', true, 'ancient', now() - interval '400 days')`);
      const response = await fetch(`${t.baseUrl}/api/v1/test-only/batch-jobs/cleanup`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } });
      const job = (await response.json()) as Job;
      const finished = await waitFor(read(t.admin, job.id), (current) => current.status === 'completed');
      expect(finished.result?.counts).toEqual({ auditRows: 1, jobs: 0, importsPastUndo: 0, bulkPreviews: 0 });
      expect((await database.query(`select 1 from audit_logs where request_id = 'ancient'`)).rowCount).toBe(0);
      const { data } = await t.admin.GET('/api/v1/audit', { params: { query: { action: 'retention_purge' } } });
      expect(data?.items[0]).toMatchObject({ userAgent: 'cleanup job', details: { deletedRows: 1, retentionDays: 90 } });
    });

    it('fails a job whose handler throws, rolling its batches back', async () => {
      const job = await startBatchJob({ batches: 5, batchSize: 2, delayMs: 0, prefix: 'broken', failOnBatch: 3 });
      const failed = await waitFor(read(staff, job.id), (current) => current.status === 'failed');
      expect(failed.error).toBe('Batch 3 broke');
      expect(await studentsWithPrefix('broken')).toBe(0);
    });
  });

  describe('event stream', () => {
    it('delivers every change in order and ends after the final one; Last-Event-ID resumes', async () => {
      const { data: job } = await staff.POST('/api/v1/jobs', { body: { type: 'custom' } });
      const url = `${t.baseUrl}/api/v1/jobs/${job!.id}/events`;
      const headers = { authorization: `Bearer ${staffToken}` };
      const received: ReceivedEvent[] = [];
      let firstEvent!: () => void;
      const firstArrived = new Promise<void>((resolve) => (firstEvent = resolve));
      const streaming = readEventStream(url, headers, (event) => {
        received.push(event);
        firstEvent();
      });
      await firstArrived;
      for (const processed of [1, 2, 3]) {
        await staff.PATCH('/api/v1/jobs/{id}/progress', { params: { path: { id: job!.id } }, body: { processed, total: 4 } });
      }
      await staff.PATCH('/api/v1/jobs/{id}/complete', { params: { path: { id: job!.id } }, body: {} });
      const { status, contentType, events } = await streaming;
      expect(status).toBe(200);
      expect(contentType).toContain('text/event-stream');
      const summary = events.map(({ data }) => `${(data as Job).status}:${(data as Job).progress.processed}`);
      expect(summary).toEqual(['pending:0', 'processing:1', 'processing:2', 'processing:3', 'completed:3']);
      expect(new Set(events.map((event) => event.id)).size).toBe(5);

      const resumed = await readEventStream(url, { ...headers, 'last-event-id': events[2].id });
      expect(resumed.events.map(({ data }) => (data as Job).progress.processed)).toEqual([3, 3]);
      const afterEnd = await readEventStream(url, { ...headers, 'last-event-id': events[4].id });
      expect(afterEnd.events).toEqual([]);
    });
  });
});

describe('a worker killed mid-job', () => {
  const children: ChildProcess[] = [];
  const startWorker = (environment: Record<string, string>): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const child = fork(join(__dirname, 'support', 'slow-worker.js'), { env: { ...process.env, ...environment }, stdio: 'inherit' });
      children.push(child);
      child.once('message', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('leaves the job to be run again by another worker, never stuck in processing', async () => {
    const environment = { JOB_LOCK_SECONDS: '2', JOB_STALLED_INTERVAL_SECONDS: '1' };
    const t = await startTestApp('jobs_crash', { ROLE: 'api', ...environment }, { extraModules: [BatchJobModule] });
    try {
      const shared = {
        NODE_ENV: 'test',
        ROLE: 'worker',
        DATABASE_URL: t.databaseUrl,
        REDIS_URL: t.redisUrl,
        REDIS_KEY_PREFIX: t.redisKeyPrefix,
        JWT_SECRET: 'worker-secret',
        LOG_LEVEL: 'silent',
        ...environment,
      };
      const first = await startWorker(shared);
      const response = await fetch(`${t.baseUrl}/api/v1/test-only/batch-jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ steps: 15 }),
      });
      const job = (await response.json()) as Job;
      await waitFor(read(t.admin, job.id), (current) => current.progress.processed >= 2);
      first.kill('SIGKILL');
      const killedAt = Date.now();

      await startWorker(shared);
      const finished = await waitFor(read(t.admin, job.id), (current) => current.status === 'completed' || current.status === 'failed', 20_000);
      expect(finished.status).toBe('completed');
      expect(finished.attempts).toBe(2);
      expect(finished.result?.message).not.toBe(`Finished in ${first.pid}`);
      // Lock (2 s) + stall check (1 s) + the second run (3 s), with room for a loaded machine.
      expect(Date.now() - killedAt).toBeLessThan(15_000);
    } finally {
      await t.close();
    }
    // Booting three processes takes over 30 s when another suite (the console's Chromium) shares the two cores.
  }, 60_000);

  function read(client: ApiClient, id: string) {
    return async () => (await client.GET('/api/v1/jobs/{id}', { params: { path: { id } } })).data!;
  }
});
