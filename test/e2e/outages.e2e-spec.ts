import { startTcpProxy, TcpProxy } from './support/tcp-proxy';
import { startTestApp, TestApp } from './support/test-app';

/** Longest a request may take while a dependency is down: a few seconds, never a hang. */
const BOUND_MS = 5_000;

interface Answer {
  status: number;
  code?: string;
  retryAfter: string | null;
  contentType: string | null;
  ms: number;
}

interface Call {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: object;
}

/** Status 0: no answer within twice the bound (the request hung). */
async function send(t: TestApp, call: Call): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${t.baseUrl}/api/v1${call.path}`, {
    method: call.method,
    headers: { authorization: `Bearer ${t.adminToken}`, ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    signal: AbortSignal.timeout(2 * BOUND_MS),
  }).catch((error: unknown) => {
    if ((error as Error).name === 'TimeoutError') return undefined;
    throw error;
  });
  if (response === undefined) return { status: 0, retryAfter: null, contentType: null, ms: Math.round(performance.now() - started) };
  // An event stream that opened would never end: only its status and headers matter here.
  const isProblem = response.headers.get('content-type')?.includes('json') === true;
  const body = isProblem ? ((await response.json()) as { code?: string }) : undefined;
  if (!isProblem) await response.body?.cancel();
  return {
    status: response.status,
    code: body?.code,
    retryAfter: response.headers.get('retry-after'),
    contentType: response.headers.get('content-type'),
    ms: Math.round(performance.now() - started),
  };
}

/** Waits until readiness answers 200 again (the clients reconnect on their own). */
async function waitUntilReady(t: TestApp): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await fetch(`${t.baseUrl}/api/v1/health/ready`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the app did not become ready again after the dependency came back');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function expectOutage(answers: Record<string, Answer>, code: string): void {
  for (const [name, answer] of Object.entries(answers)) {
    expect({ name, status: answer.status, code: answer.code }).toEqual({ name, status: 503, code });
    expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(answer.contentType).toContain('application/problem+json');
    expect(answer.ms).toBeLessThan(BOUND_MS);
  }
}

/** Refused (cut), or accepted and never answered (stall). */
const MODES = ['cut', 'stall'] as const;

const summary = (answers: Record<string, Answer>): string =>
  Object.entries(answers)
    .map(([name, answer]) => `${name} ${answer.status} in ${answer.ms} ms`)
    .join(', ');
const statuses = (answers: Record<string, Answer>): Record<string, number> =>
  Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, answer.status]));

async function sendAll(t: TestApp, calls: Call[]): Promise<Record<string, Answer>> {
  const answers: Record<string, Answer> = {};
  for (const call of calls) answers[call.name] = await send(t, call);
  return answers;
}

describe('Redis outage', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let jobId: string;
  const calls = (): Call[] => [
    { name: 'list jobs', method: 'GET', path: '/jobs' },
    { name: 'register a job', method: 'POST', path: '/jobs', body: { type: 'custom' } },
    { name: 'start an export job', method: 'POST', path: '/exports', body: { entity: 'students', format: 'csv' } },
    { name: 'read a job', method: 'GET', path: `/jobs/${jobId}` },
    { name: 'follow a job', method: 'GET', path: `/jobs/${jobId}/events` },
  ];

  beforeAll(async () => {
    proxy = await startTcpProxy(6379);
    t = await startTestApp('outage_redis', {}, { via: { redis: `redis://127.0.0.1:${proxy.port}` } });
    const { data: job, response } = await t.admin.POST('/api/v1/jobs', { body: { type: 'custom' } });
    if (job === undefined) throw new Error(`registering a job failed with ${response.status}`);
    jobId = job.id;
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.cut();
  });

  describe.each(MODES)('while Redis %s', (mode) => {
    it('answers 503 queue_unavailable with Retry-After, within a bound, on every route that needs Redis', async () => {
      await proxy[mode]();
      const answers = await sendAll(t, calls());
      // Printed so that a run shows how long a client waits while Redis is down.
      console.log(`Redis ${mode}: ${summary(answers)}`);
      expectOutage(answers, 'queue_unavailable');
      // Signed-in users are not refused by the rate limiter (it fails open for them); sign-in is.
      const login = await fetch(`${t.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@school.example', password: 'whatever-password' }),
      });
      expect(login.status).toBe(503);
      expect(((await login.json()) as { code: string }).code).toBe('rate_limit_unavailable');
      expect(login.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    }, 60_000);

    it('serves them again once Redis is back, without a restart', async () => {
      await proxy.restore();
      await waitUntilReady(t);
      const answers = await sendAll(t, calls());
      expect(statuses(answers)).toEqual({
        'list jobs': 200,
        'register a job': 202,
        'start an export job': 202,
        'read a job': 200,
        'follow a job': 200,
      });
    });
  });
});

describe('PostgreSQL outage', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  const calls = (): Call[] => [
    { name: 'list students', method: 'GET', path: '/students' },
    { name: 'create a student', method: 'POST', path: '/students', body: { studentId: `S${Date.now()}`, email: `s${Date.now()}@school.example`, firstName: 'A', lastName: 'B' } },
    { name: 'read the audit log', method: 'GET', path: '/audit' },
    { name: 'who am I', method: 'GET', path: '/auth/me' },
  ];

  beforeAll(async () => {
    proxy = await startTcpProxy(5432);
    t = await startTestApp('outage_postgres', {}, { via: { postgres: `postgres://postgres@127.0.0.1:${proxy.port}` } });
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.cut();
  });

  describe.each(MODES)('while PostgreSQL %s', (mode) => {
    it('answers 503 database_unavailable with Retry-After, within a bound', async () => {
      await proxy[mode]();
      const answers = await sendAll(t, calls());
      console.log(`PostgreSQL ${mode}: ${summary(answers)}`);
      expectOutage(answers, 'database_unavailable');
    }, 60_000);

    it('serves them again once PostgreSQL is back, without a restart', async () => {
      await proxy.restore();
      await waitUntilReady(t);
      const answers = await sendAll(t, calls());
      expect(statuses(answers)).toEqual({
        'list students': 200,
        'create a student': 201,
        'read the audit log': 200,
        'who am I': 200,
      });
    });
  });
});
