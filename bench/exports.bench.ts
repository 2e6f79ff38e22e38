/**
 * Exports benchmark (not a test): `npm run bench:exports`.
 *
 * Seeds 1 000 000 students (generate_series), then in one run times
 * - `COPY (SELECT <the columns' plain expressions>) TO STDOUT` through psql: the physical limit;
 * - the same COPY with the CSV export's cell expressions (labels, formula neutralisation) and
 *   settings (no parallel workers, no JIT), for the share of the time PostgreSQL spends on them;
 * - GET /api/v1/exports/students over HTTP as CSV, JSON, NDJSON and XLSX, 100 k and 1 M rows each,
 * and reports rows/s, each format's ratio to CSV at the same size, the CSV/COPY ratio, the
 * server's peak RSS during each export and the load average (the figures mean little on a busy
 * machine without it). Each format runs in a service of its own, started as users start it
 * (`node dist/src/main.js` of this build, see bench-service.ts), so that its RSS is that format's.
 * Uses its own database (sms_bench_exports) and Redis key prefix, both removed at the end.
 * BENCH_ROWS changes the row count (the 100 k subset is always a tenth of it); BENCH_FORMATS
 * (e.g. `csv,xlsx`) the formats, CSV first to have the ratios.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { BenchService, residentBytes, RssSampler, startBenchService } from './bench-service';
import { dropDatabase } from '../src/database/ensure-database';
import { EXPORT_SOURCES } from '../src/exports/export-columns';
import { csvCellSql } from '../src/exports/export-csv-sql';
import { ExportEntity, ExportLanguage } from '../src/exports/export.enums';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sms_bench_exports';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_KEY_PREFIX = process.env.BENCH_REDIS_KEY_PREFIX ?? `bench-exports:${process.pid}:`;
const PORT = Number(process.env.BENCH_PORT ?? 3918);
/** Every tenth student has this academic year: the 100 k subset. */
const TENTH = '2024-2025';
/** USER_HZ of /proc's CPU times: 100 on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

interface Measurement {
  name: string;
  rows: number;
  bytes: number;
  seconds: number;
  startRssMb?: number;
  peakRssMb?: number;
  /** The server's CPU time (user and system, all its threads) during the export. */
  serverCpuSeconds?: number;
  /** The 1-minute load average when the measurement started. */
  load: number;
}

/** Newlines in a chunk, counted natively: a byte loop in JavaScript would cost the machine the server shares. */
function newlines(chunk: Uint8Array): number {
  const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let count = 0;
  for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) count += 1;
  return count;
}

/** A process's CPU time so far (utime + stime of /proc/<pid>/stat), in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command's closing parenthesis; utime and stime are the 14th and 15th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

const MEGABYTE = 1024 * 1024;

/** Reads a response to its end, counting bytes and its rows' lines (those besides `extraLines`), while sampling the server's RSS. */
async function measureExport(name: string, url: string, token: string, pid: number, extraLines: number | undefined, expectedRows: number): Promise<Measurement> {
  const load = loadavg()[0];
  const start = residentBytes(pid) / MEGABYTE;
  const cpuAtStart = cpuSeconds(pid);
  const sampler = new RssSampler(pid);
  const started = process.hrtime.bigint();
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok || response.body === null) throw new Error(`${name}: HTTP ${response.status}: ${await response.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      if (extraLines !== undefined) lines += newlines(chunk);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rows = extraLines === undefined ? expectedRows : lines - extraLines;
    if (rows !== expectedRows) throw new Error(`${name}: ${rows} rows, expected ${expectedRows}`);
    return { name, rows, bytes, seconds, startRssMb: start, peakRssMb: Math.max(start, sampler.peak / MEGABYTE), serverCpuSeconds: cpuSeconds(pid) - cpuAtStart, load };
  } finally {
    sampler.stop();
  }
}

async function measureCopy(name: string, cells: 'plain' | 'csv', where: string, expectedRows: number): Promise<Measurement> {
  const { from, columns } = EXPORT_SOURCES[ExportEntity.Students];
  const regular = columns.filter((column) => column.optional !== true);
  const select = regular.map((column) => (cells === 'plain' ? column.sql : csvCellSql(column, ExportLanguage.English))).join(', ');
  const sql = `COPY (SELECT ${select} FROM ${from} WHERE ${where} ORDER BY s.id) TO STDOUT WITH (FORMAT csv, HEADER)`;
  const load = loadavg()[0];
  const started = process.hrtime.bigint();
  // With the export's cells, the settings the export runs its COPY with (see ExportSnapshot.copyOut).
  const settings = cells === 'plain' ? [] : ['-c', 'set max_parallel_workers_per_gather = 0', '-c', 'set jit = off'];
  const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', DATABASE_URL, ...settings, '-c', sql], { stdio: ['ignore', 'pipe', 'inherit'] });
  let bytes = 0;
  let lines = 0;
  psql.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    lines += newlines(chunk);
  });
  const [code] = (await once(psql, 'close')) as [number];
  if (code !== 0) throw new Error(`psql exited with ${code}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (lines - 1 !== expectedRows) throw new Error(`COPY: ${lines - 1} rows, expected ${expectedRows}`);
  return { name, rows: expectedRows, bytes, seconds, load };
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
             case when n % 100 = 0 then '=SUM(A1:A2)' when n % 3 = 0 then 'Σημείωση, με "εισαγωγικά"' end,
             case when n % 10 = 0 then '${TENTH}' else '2025-2026' end, 'A' || (n % 4)
      from generate_series(1, ${ROWS}) as n`);
    await database.query('vacuum analyze students');
    console.log(`Seeded ${ROWS} students in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await database.end();
  }
}

const format = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The service as users start it, on the seeded database (kept between formats); stopped when `use` is done. */
async function withServer<T>(use: (service: BenchService) => Promise<T>): Promise<T> {
  const service = await startBenchService({
    main: join(__dirname, '..', 'src', 'main.js'),
    port: PORT,
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    redisKeyPrefix: REDIS_KEY_PREFIX,
    database: 'kept',
    // Raised on purpose: this measures exports, not the rate limiter.
    env: { RATE_LIMIT_HEAVY_PER_MINUTE: '1000000' },
  });
  try {
    return await use(service);
  } finally {
    await service.stop();
  }
}

const FORMATS = ['csv', 'json', 'ndjson', 'xlsx'] as const;
type Format = (typeof FORMATS)[number];
/** Lines a format writes besides its rows: CSV its header, JSON its `[` and `]` lines; XLSX is zipped (its row count is taken as given). */
const EXTRA_LINES: Record<Format, number | undefined> = { csv: 1, json: 2, ndjson: 0, xlsx: undefined };

/** A format's exports, the smaller first (RSS seldom shrinks, so a peak says little about the run after a larger one). */
async function measureFormat(format: Format, sizes: readonly [label: string, query: string, rows: number][], service: BenchService): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const [label, query, rows] of sizes) {
    const name = `${format.toUpperCase()} over HTTP (${label} rows)`;
    measurements.push(await measureExport(name, `${service.baseUrl}/api/v1/exports/students?format=${format}${query}`, service.token, service.pid, EXTRA_LINES[format], rows));
  }
  return measurements;
}

async function main(): Promise<void> {
  await dropDatabase(DATABASE_URL);
  const formats = (process.env.BENCH_FORMATS ?? FORMATS.join(',')).split(',') as Format[];
  const unknown = formats.filter((format) => !FORMATS.includes(format));
  if (unknown.length > 0) throw new Error(`BENCH_FORMATS: unknown ${unknown.join(', ')}; known ${FORMATS.join(', ')}`);
  const tenth = ROWS / 10;
  const sizes: [string, string, number][] = [
    [format(tenth), `&academicYear=${TENTH}`, tenth],
    [format(ROWS), '', ROWS],
  ];
  try {
    const measurements: Measurement[] = [];
    let idleRss = 0;
    let loadBefore: number[] = [];
    // The COPY references run while the first server idles.
    for (const [index, exportFormat] of formats.entries()) {
      const first = index === 0;
      const run = await withServer(async (service) => {
        const references: Measurement[] = [];
        if (first) {
          // Once the service has migrated the database, which the seed needs.
          await seed();
          idleRss = residentBytes(service.pid) / MEGABYTE;
          const plainCopy = 'COPY TO STDOUT (psql)';
          await measureCopy(plainCopy, 'plain', 's.deleted_at is null', ROWS); // warms the cache, as the exports that follow will find it
          loadBefore = loadavg();
          references.push(await measureCopy(plainCopy, 'plain', 's.deleted_at is null', ROWS));
          references.push(await measureCopy("COPY TO STDOUT (psql), the CSV export's cell expressions", 'csv', 's.deleted_at is null', ROWS));
        }
        return [...references, ...(await measureFormat(exportFormat, sizes, service))];
      });
      measurements.push(...run);
    }
    report(measurements, loadBefore, idleRss);
  } finally {
    // Each service removed its Redis keys when it stopped; the database was kept for the next format.
    await dropDatabase(DATABASE_URL);
    console.log(`\nCleaned up: dropped ${new URL(DATABASE_URL).pathname.slice(1)}`);
  }
}

function report(measurements: readonly Measurement[], loadBefore: number[], idleRss: number): void {
  const load = (averages: number[]): string => averages.map((average) => average.toFixed(2)).join(', ');
  console.log(`\nLoad average (1, 5, 15 min) before: ${load(loadBefore)}; after: ${load(loadavg())}`);
  console.log(`Server RSS when idle after start-up: ${format(idleRss)} MB (each format runs in a server of its own)\n`);
  const rate = (m: Measurement): number => m.rows / m.seconds;
  const csvAt = (rows: number): Measurement | undefined => measurements.find((m) => m.name.startsWith('CSV') && m.rows === rows);
  console.log('| export | rows | MB | seconds | rows/s | × CSV rows/s | server CPU s | server RSS MB at start | server peak RSS MB | load (1 min) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const m of measurements) {
    const csv = m.startRssMb === undefined ? undefined : csvAt(m.rows);
    const ratio = csv === undefined ? '—' : (rate(m) / rate(csv)).toFixed(2);
    console.log(
      `| ${m.name} | ${format(m.rows)} | ${format(m.bytes / 1e6, 1)} | ${format(m.seconds, 2)} | ${format(rate(m))} | ${ratio} | ${m.serverCpuSeconds === undefined ? '—' : format(m.serverCpuSeconds, 1)} | ${m.startRssMb === undefined ? '—' : format(m.startRssMb)} | ${m.peakRssMb === undefined ? '—' : format(m.peakRssMb)} | ${m.load.toFixed(2)} |`,
    );
  }
  const copy = measurements[0];
  const csv = csvAt(ROWS);
  if (csv !== undefined) console.log(`\nRatio CSV over HTTP / COPY TO (rows/s): ${(rate(csv) / rate(copy)).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
