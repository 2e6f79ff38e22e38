/**
 * What the benchmarks that measure the service over HTTP share: the service started as users start
 * it (`node <build>/src/main.js`, a child process of its own, so that its RSS is its own), on a
 * fresh database and Redis key prefix that are removed when it stops, and its RSS sampled from /proc.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import { dropDatabase } from '../src/database/ensure-database';

/** The administrator every benchmark service is started with. */
export const BENCH_ADMIN = { email: 'bench-admin@school.example', password: 'bench-admin-password' };

/** Samples a process's RSS from /proc every 50 ms until stopped; `peak` is the highest seen since the last reset, in bytes. */
export class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 50);
  }

  reset(): void {
    this.peak = 0;
    this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    this.peak = Math.max(this.peak, residentBytes(this.pid));
  }
}

/** A process's RSS now, in bytes; 0 once the process is gone (its last samples stand). */
export function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

export interface BenchServiceOptions {
  /** The build's entry point, e.g. dist-bench/src/main.js. */
  main: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  /** More environment for the service (limits raised for the benchmark, storage directories). */
  env?: Record<string, string>;
  /**
   * `fresh` (the default): the database is dropped before the service starts and when it stops.
   * `kept`: the caller owns it, as when several services read one seeded database in turn.
   */
  database?: 'fresh' | 'kept';
}

export interface BenchService {
  baseUrl: string;
  /** The administrator's access token. */
  token: string;
  pid: number;
  sampler: RssSampler;
  /** Calls the service, with the token when `authenticated` (the default). */
  request(path: string, init?: RequestInit & { authenticated?: boolean }): Promise<Response>;
  /** Ends the service, then removes its Redis keys and, unless kept, its database. */
  stop(): Promise<void>;
}

/** Starts a build of the service on a fresh database and logs in as the administrator. */
export async function startBenchService(options: BenchServiceOptions): Promise<BenchService> {
  const fresh = options.database !== 'kept';
  // A run that was killed leaves its database behind; start from an empty one.
  if (fresh) await dropDatabase(options.databaseUrl);
  const server = spawn(process.execPath, [options.main], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: options.redisKeyPrefix,
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = once(server, 'exit');
  const sampler = new RssSampler(server.pid as number);
  const baseUrl = `http://127.0.0.1:${options.port}`;
  let token = '';
  const request = (path: string, init: RequestInit & { authenticated?: boolean } = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (init.authenticated !== false) headers.set('authorization', `Bearer ${token}`);
    return fetch(`${baseUrl}${path}`, { ...init, headers });
  };
  const stop = async (): Promise<void> => {
    sampler.stop();
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
    if (fresh) await dropDatabase(options.databaseUrl);
    const redis = new Redis(options.redisUrl);
    try {
      const keys = await redis.keys(`${options.redisKeyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  };
  try {
    await waitUntilReady(request, exited);
    const login = await request('/api/v1/auth/login', {
      method: 'POST',
      authenticated: false,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BENCH_ADMIN),
    });
    if (!login.ok) throw new Error(`login answered ${login.status}: ${await login.text()}`);
    token = ((await login.json()) as { accessToken: string }).accessToken;
    return { baseUrl, token, pid: server.pid as number, sampler, request, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitUntilReady(request: BenchService['request'], exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !gone) {
    const ready = await request('/api/v1/health/ready', { authenticated: false }).catch(() => null);
    if (ready?.ok === true) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(gone ? 'the service exited before it was ready' : 'the service did not become ready in 60 s');
}

/** Runs the work and answers its result with the seconds it took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}
