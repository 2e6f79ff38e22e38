/**
 * Jobs read benchmark (not a test): `npm run bench:jobs`.
 *
 * Throughput of GET /api/v1/jobs/{id} (authenticated, a real tracked job with progress) against
 * GET /api/v1/health (public, no I/O) on the same server in the same run, one after the other,
 * with autocannon. The health route is the floor of the HTTP stack; the ratio says what
 * authentication, the per-user limiter and the job lookup cost on top of it.
 * Uses its own database (sms_bench_jobs) and Redis key prefix, both removed at the end.
 */
import 'reflect-metadata';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createHttpApp } from '../src/app.factory';
import { parseEnvironment } from '../src/config/environment';
import { dropDatabase } from '../src/database/ensure-database';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sms_bench_jobs';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_KEY_PREFIX = `bench-jobs:${process.pid}:`;
const ADMIN = { email: 'bench-admin@school.example', password: 'bench-admin-password' };

/** The part of autocannon's result this benchmark reads (@types/autocannon is not installed). */
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  total: number;
}

interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}

type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

// Without a callback autocannon returns a promise of the result.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

interface Measurement {
  route: string;
  result: AutocannonResult;
}

/** A warm-up, then the measured run; throws when any response was not 2xx or failed outright. */
async function measure(route: string, url: string, headers: Record<string, string> = {}): Promise<Measurement> {
  const check = (phase: string, result: AutocannonResult): void => {
    if (result.non2xx !== 0 || result.errors !== 0 || result.timeouts !== 0) {
      throw new Error(
        `${route} (${phase}): ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; status codes ${JSON.stringify(result.statusCodeStats)}`,
      );
    }
  };
  check('warm-up', await autocannon({ url, headers, connections: CONNECTIONS, duration: WARMUP_SECONDS }));
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION_SECONDS });
  check('measured', result);
  return { route, result };
}

async function request<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status}: ${body}`);
  return JSON.parse(body) as T;
}

async function deleteRedisKeys(): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${REDIS_KEY_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  await dropDatabase(DATABASE_URL);
  const config = parseEnvironment({
    NODE_ENV: 'test',
    ROLE: 'all',
    DATABASE_URL,
    REDIS_URL,
    REDIS_KEY_PREFIX,
    JWT_SECRET: `bench-secret-${randomUUID()}`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Raised to the maximum on purpose: this measures the route, not the rate limiter. With the
    // defaults (600 and 100 a minute) nearly every benchmark request would be answered 429.
    RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_USER_PER_MINUTE: '1000000',
  });
  const app = await createHttpApp(config);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const json = { 'content-type': 'application/json' };

    const { accessToken } = await request<{ accessToken: string }>(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(ADMIN),
    });
    const authorization = { authorization: `Bearer ${accessToken}` };
    const job = await request<{ id: string }>(`${baseUrl}/api/v1/jobs`, {
      method: 'POST',
      headers: { ...json, ...authorization },
      body: JSON.stringify({ type: 'custom', parameters: { source: 'bench-jobs' } }),
    });
    await request(`${baseUrl}/api/v1/jobs/${job.id}/progress`, {
      method: 'PATCH',
      headers: { ...json, ...authorization },
      body: JSON.stringify({ processed: 500, total: 1000, message: 'Halfway there' }),
    });
    const jobUrl = `${baseUrl}/api/v1/jobs/${job.id}`;
    const state = await request<{ status: string; progress: unknown }>(jobUrl, { headers: authorization });
    console.log(`Job ${job.id}: status ${state.status}, progress ${JSON.stringify(state.progress)}`);
    console.log(
      `autocannon: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up then ${DURATION_SECONDS} s measured per route, routes run one after the other\n`,
    );

    const measurements = [
      await measure(`GET /api/v1/jobs/{id}`, jobUrl, authorization),
      await measure('GET /api/v1/health', `${baseUrl}/api/v1/health`),
    ];

    console.log('| route | requests/s (avg) | p50 ms | p99 ms | requests | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const { route, result } of measurements) {
      console.log(
        `| ${route} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${result.requests.total} | ${result.non2xx} |`,
      );
    }
    const [jobs, health] = measurements.map(({ result }) => result.requests.average);
    console.log(`\nRatio jobs/health (requests/s): ${(jobs / health).toFixed(2)}`);
  } finally {
    await app.close();
    await dropDatabase(DATABASE_URL);
    const deleted = await deleteRedisKeys();
    console.log(`\nCleaned up: dropped ${new URL(DATABASE_URL).pathname.slice(1)}, deleted ${deleted} Redis keys under ${REDIS_KEY_PREFIX}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
