import Redis from 'ioredis';
import { Client } from 'pg';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

const json = { 'content-type': 'application/json' };

describe('errors and request ids', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('errors');
  });
  afterAll(async () => {
    await t.close();
  });

  it('echoes a sane X-Request-ID and quotes it as the problem instance', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/nowhere`, { headers: { 'x-request-id': 'trace-42.a:b' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('trace-42.a:b');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'urn:problem:sms:route_not_found',
      title: 'Not Found',
      status: 404,
      detail: 'Cannot GET /api/v1/nowhere',
      instance: 'trace-42.a:b',
      code: 'route_not_found',
    });
  });

  it('replaces an unsafe or overlong X-Request-ID with a generated one', async () => {
    for (const header of ['x'.repeat(65), 'has space', '<script>']) {
      const response = await fetch(`${t.baseUrl}/api/v1/health`, { headers: { 'x-request-id': header } });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: json, body: '{"email":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 400, code: 'bad_request' });
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('answers a body over 1 MiB with 413', async () => {
    const body = JSON.stringify({ email: ADMIN_EMAIL, password: 'x'.repeat(1024 * 1024) });
    const response = await fetch(`${t.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: json, body });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('hides internals of a database failure behind a 500 problem', async () => {
    // A rule only the database knows (every value the API accepts is storable): a check constraint
    // added behind the service's back makes PostgreSQL itself refuse the insert.
    const database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
    try {
      await database.query(`ALTER TABLE students ADD CONSTRAINT test_no_boom CHECK (first_name <> 'Boom')`);
    } finally {
      await database.end();
    }
    const { response, error } = await t.admin.POST('/api/v1/students', {
      body: { studentId: 'BOOM1', email: 'boom@school.example', firstName: 'Boom', lastName: 'B' },
    });
    expect(response.status).toBe(500);
    expect(error).toMatchObject({ code: 'internal_error', instance: response.headers.get('x-request-id') });
    expect(JSON.stringify(error)).not.toMatch(/test_no_boom|constraint|check|students|stack|node_modules/i);
  });

  it('serves the spec at /docs/json with every operation documented', async () => {
    const response = await fetch(`${t.baseUrl}/docs/json`);
    expect(response.status).toBe(200);
    const spec = (await response.json()) as { paths: Record<string, Record<string, { operationId: string; responses: object }>> };
    const operations = Object.values(spec.paths).flatMap((item) => Object.values(item));
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) expect(Object.keys(operation.responses)).toContain('500');
    expect((await fetch(`${t.baseUrl}/docs`)).status).toBe(200);
  });
});

describe('health', () => {
  it('is live and ready with PostgreSQL and Redis up, without a token', async () => {
    const t = await startTestApp('health');
    try {
      const live = await t.anonymous.GET('/api/v1/health');
      expect(live.data?.status).toBe('ok');
      const ready = await t.anonymous.GET('/api/v1/health/ready');
      expect(ready.response.status).toBe(200);
      expect(ready.data?.checks).toMatchObject({ postgresql: { status: 'up' }, redis: { status: 'up' } });
      // Ready stays 200 whatever durability says; what it says follows the Redis in use (CI's persists nothing).
      const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
      const [[, appendonly], [, save]] = (await Promise.all([redis.config('GET', 'appendonly'), redis.config('GET', 'save')]).finally(() => redis.disconnect())) as string[][];
      // Read without the generated client, whose types follow the committed spec.
      const { checks } = (await (await fetch(`${t.baseUrl}/api/v1/health/ready`)).json()) as { checks: { durability: { status: string; warnings: string[] } } };
      const durability = checks.durability;
      expect(['ok', 'warning']).toContain(durability.status);
      expect(durability.warnings.some((warning) => warning.includes('persists nothing'))).toBe(appendonly === 'no' && save === '');
    } finally {
      await t.close();
    }
  });

  it('answers 503 naming Redis when Redis is down, and pauses sign-in rather than lifting its limits', async () => {
    // Port 1 on loopback refuses at once: a Redis that is not there.
    const t = await startTestApp('redis_down', { REDIS_URL: 'redis://127.0.0.1:1' }, { signInAdmin: false });
    try {
      const { response, error } = await t.anonymous.GET('/api/v1/health/ready');
      expect(response.status).toBe(503);
      expect(error?.detail).toContain('Redis');
      expect(error?.detail).not.toContain('PostgreSQL');
      const login = await t.anonymous.POST('/api/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      expect(login.response.status).toBe(503);
      expect(login.error?.code).toBe('rate_limit_unavailable');
    } finally {
      await t.close();
    }
  });

  it('answers 503 naming PostgreSQL when the database goes away', async () => {
    const t = await startTestApp('postgres_down');
    try {
      const admin = new Client({ connectionString: t.databaseUrl.replace(/\/[^/]+$/, '/postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE "${new URL(t.databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
      await admin.end();
      const { response, error } = await t.anonymous.GET('/api/v1/health/ready');
      expect(response.status).toBe(503);
      expect(error).toMatchObject({ code: 'dependency_unavailable' });
      expect(error?.detail).toContain('PostgreSQL');
      expect(error?.detail).not.toContain('Redis');
    } finally {
      await t.close();
    }
  });
});

describe('rate limits', () => {
  const login = (t: TestApp, email: string, headers: Record<string, string> = {}) =>
    fetch(`${t.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify({ email, password: 'wrong-password' }) });

  it('limits sign-in per email with a 429 problem and Retry-After, leaving other emails alone', async () => {
    const t = await startTestApp('login_limit', { RATE_LIMIT_LOGIN_PER_EMAIL_PER_MINUTE: '3' }, { signInAdmin: false });
    try {
      const statuses = [];
      for (let attempt = 0; attempt < 4; attempt += 1) statuses.push((await login(t, 'victim@school.example')).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      // The same address typed differently is the same account.
      const limited = await login(t, ' VICTIM@school.example');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('content-type')).toContain('application/problem+json');
      expect(await limited.json()).toMatchObject({ status: 429, code: 'rate_limited' });
      expect((await login(t, 'someone.else@school.example')).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('counts a default limit per user and says so in X-RateLimit headers', async () => {
    const t = await startTestApp('default_limit', { RATE_LIMIT_DEFAULT_PER_MINUTE: '5' });
    try {
      // Counted per user: the admin's anonymous login went to the budget of the address.
      const remaining = [];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const { response } = await t.admin.GET('/api/v1/auth/me');
        remaining.push(response.headers.get('x-ratelimit-remaining'));
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      const { response, error } = await t.admin.GET('/api/v1/auth/me');
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(error?.code).toBe('rate_limited');
      // Health probes are never limited.
      expect((await t.anonymous.GET('/api/v1/health')).response.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const untrusted = await startTestApp('untrusted_proxy', { RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '2' }, { signInAdmin: false });
    try {
      const statuses = [];
      for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        statuses.push((await login(untrusted, `${address}@school.example`, { 'x-forwarded-for': address })).status);
      }
      // A spoofed header does not buy a fresh per-IP budget.
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await untrusted.close();
    }

    const trusted = await startTestApp('trusted_proxy', { RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1/32, ::1' }, { signInAdmin: false });
    try {
      const statuses = [];
      for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        statuses.push((await login(trusted, `${address}@school.example`, { 'x-forwarded-for': address })).status);
      }
      expect(statuses).toEqual([401, 401, 401]);
    } finally {
      await trusted.close();
    }
  });
});
