/**
 * Imports benchmark (not a test): `npm run bench:imports`.
 *
 * Generates a students CSV (BENCH_IMPORT_ROWS, default 1 000 000 rows, 12 columns) and, in one run,
 * times: `psql \copy` of that file into an equivalent bare table (the physical limit), the floors
 * of writing those rows into (and then changing every row of) a copy of `students` with its indexes, our
 * preview over HTTP, our commit job with every row new, then preview and commit of the same keys
 * with every row changed (all updates), and the undo of that last commit. Then the same for an
 * XLSX of BENCH_XLSX_ROWS (100 000), written as Excel writes it (bench-workbook.ts).
 * The service runs as users run it, a child process of its own (bench-service.ts), so that its peak RSS is its own;
 * RSS is sampled every 50 ms from /proc. Uses its own database (BENCH_DATABASE, sms_bench_imports) and Redis
 * prefix, both removed at the end.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BULK_WORK_MEMORY } from '../src/imports/bulk-work-memory';
import { BenchService, startBenchService, timed } from './bench-service';
import { WorkbookCell, writeWorkbook } from './bench-workbook';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
/** With BENCH_IMPORT_COMPARE: how many times the builds take turns, so that a change of the machine's load hits each. */
const ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 1);
const XLSX_ROWS = Number(process.env.BENCH_XLSX_ROWS ?? 100_000);
const SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
// BENCH_DATABASE: a name of its own when two of these benches may run on one server at once.
const DATABASE_URL = `${SERVER}/${process.env.BENCH_DATABASE ?? 'sms_bench_imports'}`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_KEY_PREFIX = `bench-imports:${process.pid}:`;
const PORT = Number(process.env.BENCH_PORT ?? 3917);

const COLUMNS = ['studentId', 'email', 'firstName', 'lastName', 'fatherName', 'mobilePhone', 'phone', 'enrollmentDate', 'studyYear', 'isActive', 'academicYear', 'classDivision'];
const FIRST_NAMES = ['Μαρία', 'Γιώργος', 'Ελένη', 'Νίκος', 'Anna', 'John', 'Δήμητρα', 'Κώστας'];
const LAST_NAMES = ['Παπαδοπούλου', 'Ιωάννου', 'Smith', 'Γεωργίου', 'Brown', 'Νικολάου'];

function studentRow(index: number, variant: string): string[] {
  const day = String((index % 28) + 1).padStart(2, '0');
  return [
    `B${String(index).padStart(8, '0')}`,
    `student${index}@bench.example`,
    `${FIRST_NAMES[index % FIRST_NAMES.length]}${variant}`,
    LAST_NAMES[index % LAST_NAMES.length],
    FIRST_NAMES[(index + 3) % FIRST_NAMES.length],
    `69${String(index).padStart(8, '0')}`,
    `210${String(index).padStart(7, '0')}`,
    `2024-09-${day}`,
    String((index % 4) + 1),
    index % 10 === 0 ? 'false' : 'true',
    '2025-2026',
    `A${index % 5}`,
  ];
}

async function writeCsv(path: string, rows: number, variant: string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${COLUMNS.join(',')}\n`);
  let chunk = '';
  for (let index = 0; index < rows; index += 1) {
    chunk += `${studentRow(index, variant).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** As Excel writes it: shared strings, a date-formatted date, a number, a boolean (see bench-workbook.ts). */
async function writeXlsx(path: string, rows: number): Promise<void> {
  function* values(): Iterable<WorkbookCell[]> {
    for (let index = 0; index < rows; index += 1) {
      const cells = studentRow(index + 5_000_000, '');
      yield [...cells.slice(0, 7), new Date(`${cells[7]}T00:00:00Z`), Number(cells[8]), cells[9] === 'true', cells[10], cells[11]];
    }
  }
  await writeWorkbook(path, COLUMNS, values(), { sharedStrings: true });
}

async function previewFile(service: BenchService, path: string, name: string): Promise<{ id: string; summary: Record<string, number> }> {
  const form = new FormData();
  form.append('entity', 'students');
  // Streamed from disk as it is sent, as psql streams the file it copies.
  form.append('file', await openAsBlob(path), name);
  const response = await service.request('/api/v1/imports/preview', { method: 'POST', body: form });
  const body = (await response.json()) as { id: string; summary: Record<string, number> };
  if (response.status !== 201) throw new Error(`preview answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Commits with confirmMassChange: changing every student is what the benchmark means to do. */
async function commitPreview(service: BenchService, id: string): Promise<{ jobId: string; counts: Record<string, number> }> {
  const response = await service.request(`/api/v1/imports/previews/${id}/commit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ confirmMassChange: true }),
  });
  return finishedJob(service, response, 'commit');
}

/** Undoes a committed import: its job puts back the prior values of every record the import changed. */
async function undoImport(service: BenchService, jobId: string): Promise<{ jobId: string; counts: Record<string, number> } | null> {
  const response = await service.request(`/api/v1/imports/jobs/${jobId}/undo`, { method: 'POST' });
  // A build from before undo existed has no such route.
  if (response.status === 404 && ((await response.clone().json()) as { code?: string }).code === 'route_not_found') return null;
  return finishedJob(service, response, 'undo');
}

async function finishedJob(service: BenchService, response: Response, what: string): Promise<{ jobId: string; counts: Record<string, number> }> {
  const job = (await response.json()) as { id: string };
  if (response.status !== 202) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(job)}`);
  for (;;) {
    const polled = await service.request(`/api/v1/jobs/${job.id}`);
    if (polled.status !== 200) throw new Error(`reading the job answered ${polled.status}`);
    const current = (await polled.json()) as { status: string; error: string | null; result: { counts: Record<string, number> } | null };
    if (current.status === 'completed') return { jobId: job.id, counts: current.result?.counts ?? {} };
    if (current.status === 'failed' || current.status === 'cancelled') throw new Error(`${what} job ${current.status}: ${current.error}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Floors {
  seconds: number;
  insertSeconds: number;
  updateSeconds: number;
}

const execFileAsync = promisify(execFile);

/**
 * Asynchronous on purpose: a `spawnSync` of minutes blocked the event loop while the service closed
 * the idle keep-alive connection of the login, and the next request then wrote into that closed
 * socket (`EPIPE`: the failures of the 3 M-row runs and of some 1 M-row runs under load).
 */
async function psqlCopy(path: string): Promise<Floors> {
  const create = `drop table if exists bench_students_copy; create table bench_students_copy (student_id varchar(50), email varchar(254), first_name varchar(100), last_name varchar(100), father_name varchar(100), mobile_phone varchar(30), phone varchar(30), enrollment_date date, study_year smallint, is_active boolean, academic_year varchar(20), class_division varchar(20))`;
  const run = async (command: string) => {
    await execFileAsync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', DATABASE_URL, '-c', command], { encoding: 'utf8' });
  };
  await run(create);
  const started = process.hrtime.bigint();
  await run(`\\copy bench_students_copy from '${path}' with (format csv, header true)`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The floor of writing into the real table: the same rows, already in PostgreSQL, inserted in
  // one statement into an empty table with the students table's columns, defaults and indexes.
  await run('create table bench_students_indexed (like students including all)');
  const insertStarted = process.hrtime.bigint();
  await run(
    'insert into bench_students_indexed (student_id, email, first_name, last_name, father_name, mobile_phone, phone, enrollment_date, study_year, is_active, academic_year, class_division) select * from bench_students_copy',
  );
  const insertSeconds = Number(process.hrtime.bigint() - insertStarted) / 1e9;
  // The floor of changing every row of the real table: one statement that rewrites each of them,
  // with the memory our imports give their joins (at the default 4 MB this join spills to disk).
  await run('analyze bench_students_copy; analyze bench_students_indexed');
  const updateStarted = process.hrtime.bigint();
  await run(
    `set work_mem = '${BULK_WORK_MEMORY}'; update bench_students_indexed t set email = c.email, first_name = c.first_name || 'ς', last_name = c.last_name, father_name = c.father_name, mobile_phone = c.mobile_phone, phone = c.phone,
       enrollment_date = c.enrollment_date, study_year = c.study_year, is_active = c.is_active, academic_year = c.academic_year, class_division = c.class_division, updated_at = now()
     from bench_students_copy c where t.student_id = c.student_id`,
  );
  const updateSeconds = Number(process.hrtime.bigint() - updateStarted) / 1e9;
  await run('drop table bench_students_copy; drop table bench_students_indexed');
  return { seconds, insertSeconds, updateSeconds };
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const rate = (rows: number, seconds: number) => Math.round(rows / seconds);

/** A build of the service to measure: this one, or another's `dist-bench/src/main.js` (BENCH_IMPORT_COMPARE). */
interface Build {
  label: string;
  main: string;
}

/**
 * BENCH_IMPORT_COMPARE=label=path,… adds other builds (their compiled `src/main.js`, e.g. of an
 * earlier commit built with `tsc -p bench/tsconfig.json`): the CSV steps then run against each
 * build in turn (BENCH_IMPORT_ROUNDS times, each round starting with the next build), each on a fresh database, and a table gives
 * this build's time of each step as a multiple of each other build's, per round and the median.
 */
function buildsToMeasure(): Build[] {
  const others = (process.env.BENCH_IMPORT_COMPARE ?? '')
    .split(',')
    .filter((entry) => entry !== '')
    .map((entry) => {
      const separator = entry.indexOf('=');
      if (separator < 1) throw new Error(`BENCH_IMPORT_COMPARE entries are label=path/to/main.js, not ${entry}`);
      return { label: entry.slice(0, separator), main: entry.slice(separator + 1) };
    });
  return [{ label: 'this build', main: join(__dirname, '..', 'src', 'main.js') }, ...others];
}

/** A running service of one build, on a fresh database (see bench-service.ts). */
function startServer(build: Build, directory: string): Promise<BenchService> {
  return startBenchService({
    main: build.main,
    port: PORT,
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    redisKeyPrefix: REDIS_KEY_PREFIX,
    env: {
      IMPORT_STORAGE_DIR: join(directory, 'storage'),
      IMPORT_MAX_FILE_MB: '1024',
      IMPORT_MAX_ROWS: String(Math.max(ROWS, XLSX_ROWS)),
      RATE_LIMIT_HEAVY_PER_MINUTE: '1000',
      RATE_LIMIT_PER_USER_PER_MINUTE: '100000',
    },
  });
}

/** One measured step: seconds and peak RSS, or null where the build has no such step. */
type Measured = { seconds: number; peak: number } | null;

/** The CSV steps, in order: preview and commit of new rows, of changed rows, and the undo of the latter. */
const CSV_STEPS = ['preview, all new', 'commit job, all new', 'preview, all updates', 'commit job, all updates', 'undo job of the all-updates commit'] as const;

async function csvSteps(service: BenchService, created: string, changed: string): Promise<Measured[]> {
  const measure = async <T>(work: () => Promise<T>): Promise<{ value: T; measured: Measured }> => {
    service.sampler.reset();
    const { seconds, value } = await timed(work);
    return { value, measured: { seconds, peak: service.sampler.peak } };
  };
  const newPreview = await measure(() => previewFile(service, created, 'students.csv'));
  if (newPreview.value.summary.create !== ROWS) throw new Error(`preview planned ${JSON.stringify(newPreview.value.summary)}`);
  const newCommit = await measure(() => commitPreview(service, newPreview.value.id));
  if (newCommit.value.counts.created !== ROWS) throw new Error(`commit wrote ${JSON.stringify(newCommit.value)}`);
  const updatePreview = await measure(() => previewFile(service, changed, 'students-changed.csv'));
  const updateCommit = await measure(() => commitPreview(service, updatePreview.value.id));
  if (updateCommit.value.counts.updated !== ROWS) throw new Error(`commit wrote ${JSON.stringify(updateCommit.value)}`);
  const undo = await measure(() => undoImport(service, updateCommit.value.jobId));
  if (undo.value !== null && undo.value.counts.updated !== ROWS) throw new Error(`undo put back ${JSON.stringify(undo.value)}`);
  return [newPreview.measured, newCommit.measured, updatePreview.measured, updateCommit.measured, undo.value === null ? null : undo.measured];
}

/** This build's time of each step as a multiple of each other build's: per round, and the median of the rounds. */
function printComparison(builds: Build[], rounds: Measured[][][]): void {
  const seconds = (measured: Measured) => (measured === null ? '—' : measured.seconds.toFixed(2));
  const multiple = (own: Measured, other: Measured) => (own === null || other === null ? null : own.seconds / other.seconds);
  const shown = (value: number | null) => (value === null ? '—' : `${value.toFixed(2)}×`);
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length === 0 ? null : sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  };
  const others = builds.slice(1);
  console.log(`\n| step (${ROWS} rows) | round | ${builds.map((build) => `${build.label} s`).join(' | ')} | ${others.map((build) => `this build ÷ ${build.label}`).join(' | ')} |`);
  console.log(`|---|---:|${builds.map(() => '---:').join('|')}|${others.map(() => '---:').join('|')}|`);
  for (const [step, what] of CSV_STEPS.entries()) {
    for (const [round, byBuild] of rounds.entries()) {
      const measured = byBuild.map((results) => results[step]);
      console.log(`| ${what} | ${round + 1} | ${measured.map(seconds).join(' | ')} | ${measured.slice(1).map((other) => shown(multiple(measured[0], other))).join(' | ')} |`);
    }
    if (rounds.length > 1) {
      const medians = others.map((_, index) => median(rounds.flatMap((byBuild) => multiple(byBuild[0][step], byBuild[index + 1][step]) ?? [])));
      console.log(`| ${what} | median | ${builds.map(() => '').join(' | ')} | ${medians.map(shown).join(' | ')} |`);
    }
  }
}

async function main(): Promise<void> {
  const builds = buildsToMeasure();
  const directory = mkdtempSync(join(tmpdir(), 'sms-bench-imports-'));
  const created = join(directory, 'students.csv');
  const changed = join(directory, 'students-changed.csv');
  const workbook = join(directory, 'students.xlsx');
  console.log(`Generating ${ROWS} students (CSV, twice) and ${XLSX_ROWS} (XLSX) in ${directory}`);
  await writeCsv(created, ROWS, '');
  await writeCsv(changed, ROWS, 'ς');
  if (XLSX_ROWS > 0) await writeXlsx(workbook, XLSX_ROWS);
  console.log(`CSV ${megabytes(statSync(created).size)}${XLSX_ROWS > 0 ? `, XLSX ${megabytes(statSync(workbook).size)}` : ''}`);

  try {
    const rows: string[][] = [];
    let copySeconds = 0;
    let floorNote = '';
    const record = (what: string, count: number, seconds: number, peak: number | null) => {
      rows.push([what, String(count), seconds.toFixed(2), String(rate(count, seconds)), (copySeconds / seconds).toFixed(2), peak === null ? '-' : megabytes(peak)]);
    };
    /** By round, then by build: the CSV steps. */
    const rounds: Measured[][][] = [];
    for (let round = 0; round < (builds.length > 1 ? ROUNDS : 1); round += 1) {
      const byBuild: Measured[][] = [];
      // Each round starts with the next build, so that none is always measured first or last.
      for (const index of builds.map((_, turn) => (turn + round) % builds.length)) {
        const build = builds[index];
        console.log(`Round ${round + 1}: measuring ${build.label} (${build.main})`);
        const service = await startServer(build, directory);
        const first = round === 0 && index === 0;
        try {
          // The floors are measured before and after this build's steps, and their mean is the
          // baseline: the machine's speed moves over the minutes a run takes.
          const floorsBefore = first ? await psqlCopy(created) : null;
          const measured = await csvSteps(service, created, changed);
          byBuild[index] = measured;
          if (floorsBefore !== null) {
            const xlsxRows: string[][] = [];
            if (XLSX_ROWS > 0) {
              service.sampler.reset();
              const xlsxPreview = await timed(() => previewFile(service, workbook, 'students.xlsx'));
              xlsxRows.push(['XLSX preview, all new', String(XLSX_ROWS), xlsxPreview.seconds.toFixed(2), String(rate(XLSX_ROWS, xlsxPreview.seconds)), '-', megabytes(service.sampler.peak)]);
              service.sampler.reset();
              const xlsxCommit = await timed(() => commitPreview(service, xlsxPreview.value.id));
              xlsxRows.push(['XLSX commit job, all new', String(XLSX_ROWS), xlsxCommit.seconds.toFixed(2), String(rate(XLSX_ROWS, xlsxCommit.seconds)), '-', megabytes(service.sampler.peak)]);
            }
            const floorsAfter = await psqlCopy(created);
            const mean = (pick: (floors: Floors) => number) => (pick(floorsBefore) + pick(floorsAfter)) / 2;
            copySeconds = mean((floors) => floors.seconds);
            const both = (pick: (floors: Floors) => number) => ` (before ${pick(floorsBefore).toFixed(2)} s, after ${pick(floorsAfter).toFixed(2)} s)`;
            record(`psql \\copy (baseline)${both((floors) => floors.seconds)}`, ROWS, copySeconds, null);
            record(`INSERT … SELECT into an indexed copy of students (floor of writing)${both((floors) => floors.insertSeconds)}`, ROWS, mean((floors) => floors.insertSeconds), null);
            record(`UPDATE … FROM of every row of that copy (floor of updating)${both((floors) => floors.updateSeconds)}`, ROWS, mean((floors) => floors.updateSeconds), null);
            for (const [step, what] of CSV_STEPS.entries()) {
              const result = measured[step];
              if (result !== null) record(what, ROWS, result.seconds, result.peak);
            }
            rows.push(...xlsxRows);
            const newCommit = measured[CSV_STEPS.indexOf('commit job, all new')];
            if (newCommit !== null) floorNote = `Floor of writing ÷ commit job of new rows: ${(mean((floors) => floors.insertSeconds) / newCommit.seconds).toFixed(2)}`;
          }
        } finally {
          await service.stop();
        }
      }
      rounds.push(byBuild);
    }

    console.log('\n| step | rows | seconds | rows/s | × \\copy | peak RSS |\n|---|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    if (floorNote !== '') console.log(`\n${floorNote}`);
    if (builds.length > 1) printComparison(builds, rounds);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
