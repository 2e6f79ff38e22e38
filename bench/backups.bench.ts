/**
 * Backups benchmark (not a test): `npm run bench:backups`.
 *
 * Seeds 1 000 000 students (BENCH_ROWS), 100 courses and 200 000 enrollments (BENCH_ENROLLMENTS)
 * in a database of its own, then, alternating, times `pg_dump -t students -t courses -t
 * enrollments -t users` of that database into a file (plain format, as the target says;
 * once more with `-Fc`, pg_dump's compressed format, for comparison) and a backup through the API
 * (`POST /api/v1/backups`, until its job completes), twice each, and reports the ratio. Then one
 * restore of that backup, for its time. The server runs in a child process (this script, forked
 * with `serve`). The database, the Redis keys and the backup directory are removed at the end.
 */
import 'reflect-metadata';
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { createHttpApp } from '../src/app.factory';
import { parseEnvironment } from '../src/config/environment';
import { dropDatabase } from '../src/database/ensure-database';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ENROLLMENTS = Number(process.env.BENCH_ENROLLMENTS ?? 200_000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sms_bench_backups';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_KEY_PREFIX = process.env.BENCH_REDIS_KEY_PREFIX ?? `bench-backups:${process.pid}:`;
const ADMIN = { email: 'bench-admin@school.example', password: 'bench-admin-password' };
const POLL_MS = 50;

interface Measurement {
  name: string;
  seconds: number;
  bytes: number;
  load: number;
}

async function serve(): Promise<void> {
  const config = parseEnvironment({
    NODE_ENV: 'test',
    ROLE: 'all',
    DATABASE_URL,
    REDIS_URL,
    REDIS_KEY_PREFIX,
    BACKUP_DIR: process.env.BENCH_BACKUP_DIR ?? '',
    JWT_SECRET: process.env.BENCH_JWT_SECRET ?? '',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Raised on purpose: the job is polled every 50 ms, and this measures backups, not the rate limiter.
    RATE_LIMIT_HEAVY_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_USER_PER_MINUTE: '1000000',
    RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  });
  const app = await createHttpApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send!({ baseUrl: (await app.getUrl()).replace('[::1]', '127.0.0.1') });
  await once(process, 'message');
  await app.close();
}

async function seed(): Promise<void> {
  const database = new Client({ connectionString: DATABASE_URL });
  await database.connect();
  try {
    const started = Date.now();
    await database.query(`
      insert into students (student_id, email, first_name, last_name, father_name, mobile_phone, enrollment_date, study_year, is_active, note, academic_year, class_division)
      select 'S' || lpad(n::text, 7, '0'), 'student' || n || '@school.example',
             case when n % 2 = 0 then 'Μαρία' else 'John' end, 'Παπαδοπούλου-' || n, 'Γεώργιος',
             '+30 690 ' || lpad((n % 10000000)::text, 7, '0'), date '2020-09-01' + (n % 2000), 1 + n % 6, n % 7 <> 0,
             case when n % 3 = 0 then 'Σημείωση, με "εισαγωγικά"' end, '2025-2026', 'A' || (n % 4)
      from generate_series(1, ${ROWS}) as n`);
    await database.query(`
      insert into courses (course_code, course_name, semester, credits)
      select 'C' || n, 'Μάθημα ' || n, 'Α΄ Τετράμηνο 2025-2026', 1 + n % 6 from generate_series(1, 100) as n`);
    await database.query(`
      insert into enrollments (student_id, course_id, enrolled_at)
      select n, 1 + n % 100, date '2025-09-01' + (n % 30) from generate_series(1, ${Math.min(ENROLLMENTS, ROWS)}) as n`);
    await database.query('vacuum analyze');
    console.log(`Seeded ${ROWS} students, 100 courses and ${Math.min(ENROLLMENTS, ROWS)} enrollments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await database.end();
  }
}

async function pgDump(name: string, file: string, extra: string[]): Promise<Measurement> {
  const load = loadavg()[0];
  const started = process.hrtime.bigint();
  const dump = spawn('pg_dump', ['-d', DATABASE_URL, '-t', 'students', '-t', 'courses', '-t', 'enrollments', '-t', 'users', '-f', file, ...extra], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = (await once(dump, 'close')) as [number];
  if (code !== 0) throw new Error(`pg_dump exited with ${code}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { size } = await stat(file);
  await rm(file);
  return { name, seconds, bytes: size, load };
}

interface Job {
  id: string;
  status: string;
  error: string | null;
  result: { data: { sizeBytes?: number; counts: Record<string, number> } | null } | null;
}

async function runJob(baseUrl: string, token: string, path: string, body: unknown): Promise<{ job: Job; seconds: number }> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const started = process.hrtime.bigint();
  const response = await fetch(`${baseUrl}/api/v1${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (response.status !== 202) throw new Error(`${path}: HTTP ${response.status}: ${await response.text()}`);
  const { id } = (await response.json()) as Job;
  for (;;) {
    const polled = await fetch(`${baseUrl}/api/v1/jobs/${id}`, { headers });
    if (!polled.ok) throw new Error(`GET /jobs/${id}: HTTP ${polled.status}: ${await polled.text()}`);
    const job = (await polled.json()) as Job;
    if (job.status === 'completed') return { job, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
    if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`${path}: job ${job.status}: ${job.error}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
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
  const directory = await mkdtemp(join(tmpdir(), 'bench-backups-'));
  const server = fork(__filename, ['serve'], {
    env: { ...process.env, BENCH_REDIS_KEY_PREFIX: REDIS_KEY_PREFIX, BENCH_JWT_SECRET: `bench-secret-${randomUUID()}`, BENCH_BACKUP_DIR: join(directory, 'backups') },
  });
  try {
    const [{ baseUrl }] = (await once(server, 'message')) as [{ baseUrl: string }];
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    await seed();

    const dumpFile = join(directory, 'dump.sql');
    await pgDump('warm-up', dumpFile, []); // the runs that follow all find the tables in the cache
    const loadBefore = loadavg();
    const measurements: Measurement[] = [];
    let backupId = '';
    for (let round = 1; round <= 2; round += 1) {
      measurements.push(await pgDump(`pg_dump (plain), run ${round}`, dumpFile, []));
      const load = loadavg()[0];
      const { job, seconds } = await runJob(baseUrl, accessToken, '/backups', { includePasswordHashes: true });
      measurements.push({ name: `backup job (tar.gz), run ${round}`, seconds, bytes: job.result!.data!.sizeBytes!, load });
      backupId = job.id;
    }
    measurements.push(await pgDump('pg_dump -Fc (compressed)', dumpFile, ['-Fc']));
    const load = loadavg()[0];
    const restore = await runJob(baseUrl, accessToken, `/backups/${backupId}/restore`, { confirm: true });
    measurements.push({ name: 'restore job', seconds: restore.seconds, bytes: 0, load });
    const loadAfter = loadavg();

    const averages = (values: number[]): string => values.map((value) => value.toFixed(2)).join(', ');
    console.log(`\nLoad average (1, 5, 15 min) before: ${averages(loadBefore)}; after: ${averages(loadAfter)}\n`);
    console.log('| what | seconds | MB written | load (1 min) |');
    console.log('|---|---:|---:|---:|');
    for (const m of measurements) console.log(`| ${m.name} | ${m.seconds.toFixed(2)} | ${m.bytes === 0 ? '—' : (m.bytes / 1e6).toFixed(1)} | ${m.load.toFixed(2)} |`);
    const seconds = (prefix: string): number[] => measurements.filter((m) => m.name.startsWith(prefix)).map((m) => m.seconds);
    const dumps = seconds('pg_dump (plain)');
    const backups = seconds('backup job');
    const ratios = backups.map((backup, index) => (backup / dumps[index]).toFixed(2));
    console.log(`\nRatio backup / pg_dump, per round: ${ratios.join(', ')} (target < 2)`);
    console.log(`Ratio of the sums: ${(backups.reduce((a, b) => a + b) / dumps.reduce((a, b) => a + b)).toFixed(2)}`);
  } finally {
    server.send('stop');
    await once(server, 'exit');
    await dropDatabase(DATABASE_URL);
    await rm(directory, { recursive: true, force: true });
    const deleted = await deleteRedisKeys();
    console.log(`\nCleaned up: dropped ${new URL(DATABASE_URL).pathname.slice(1)}, removed ${directory}, deleted ${deleted} Redis keys under ${REDIS_KEY_PREFIX}`);
  }
}

(process.argv[2] === 'serve' ? serve() : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
