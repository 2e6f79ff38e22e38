/**
 * XLSX reader benchmark (not a test): `npm run bench:xlsx-import`.
 *
 * Generates a students workbook of BENCH_XLSX_ROWS rows (default 1 000 000) and 11 columns, as
 * Excel lays it out (shared strings, styled date cells, numbers, booleans), and a CSV of the same
 * rows, once: both are cached under the system temp dir (BENCH_XLSX_DIR) for later runs. Then, in
 * one run, each reader reads every row through openSource's checks in a child process of its own,
 * so that its peak RSS (VmHWM) and CPU time are its own: the CSV reader (the baseline), the XLSX
 * reader, and the exceljs reader the XLSX reader replaced, which stops after
 * BENCH_XLSX_OLD_MAX_ROWS (default 200 000) rows, since at its pace the whole file takes minutes.
 * CPU seconds beside wall seconds show how much of a slow run was the machine's load. exceljs is
 * loaded only by the process that uses it (the old reader's child): its 50-odd MB of
 * heap would otherwise be in every child, and measured 1.3 s more CPU (garbage collection) and
 * 15-20 MB more peak RSS on the XLSX reader's million rows.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource } from '../src/imports/readers/open-source';
import { WorkbookCell, writeWorkbook } from './bench-workbook';
import { resolveReaderLimits } from '../src/imports/readers/reader-limits';
import { checkXlsxEntries, isInflatedByReader, readZipDirectory, verifyInflation, verifyXlsxEntries } from '../src/imports/readers/zip-directory';

const ROWS = Number(process.env.BENCH_XLSX_ROWS ?? 1_000_000);
const OLD_MAX_ROWS = Number(process.env.BENCH_XLSX_OLD_MAX_ROWS ?? 200_000);
const DIRECTORY = process.env.BENCH_XLSX_DIR ?? join(tmpdir(), 'sms-bench-xlsx-import');
const COLUMNS = ['studentId', 'email', 'firstName', 'lastName', 'fatherName', 'mobilePhone', 'phone', 'enrollmentDate', 'studyYear', 'isActive', 'academicYear'];
const FIRST_NAMES = ['Μαρία', 'Γιώργος', 'Ελένη', 'Νίκος', 'Anna', 'John', 'Δήμητρα', 'Κώστας'];
const LAST_NAMES = ['Παπαδοπούλου', 'Ιωάννου', 'Smith', 'Γεωργίου', 'Brown', 'Νικολάου'];
const READERS = ['csv', 'xlsx', 'xlsx-exceljs'] as const;
type ReaderName = (typeof READERS)[number];

interface Measurement {
  reader: ReaderName;
  rows: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
}

function studentRow(index: number): [string, string, string, string, string, string, string, Date, number, boolean, string] {
  return [
    `B${String(index).padStart(8, '0')}`,
    `student${index}@bench.example`,
    FIRST_NAMES[index % FIRST_NAMES.length],
    LAST_NAMES[index % LAST_NAMES.length],
    FIRST_NAMES[(index + 3) % FIRST_NAMES.length],
    `69${String(index).padStart(8, '0')}`,
    `210${String(index).padStart(7, '0')}`,
    new Date(Date.UTC(2024, 8, (index % 28) + 1)),
    (index % 4) + 1,
    index % 10 !== 0,
    '2025-2026',
  ];
}

/**
 * Written to a temporary name and renamed, so that an interrupted run leaves no half file in the
 * cache. Shared strings, as Excel writes them (bench-workbook.ts: exceljs' writer never finished 3 M rows).
 */
async function writeXlsx(path: string): Promise<void> {
  const partial = `${path}.partial`;
  function* rows(): Iterable<WorkbookCell[]> {
    for (let index = 0; index < ROWS; index++) yield studentRow(index);
  }
  await writeWorkbook(partial, COLUMNS, rows(), { sharedStrings: true });
  renameSync(partial, path);
}

async function writeCsv(path: string): Promise<void> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  let chunk = `${COLUMNS.join(',')}\n`;
  for (let index = 0; index < ROWS; index++) {
    const row = studentRow(index);
    chunk += `${row.map((cell) => (cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell))).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  renameSync(partial, path);
}

/** Runs in the child: reads every row (or up to `maxRows`) and prints one JSON line. */
async function measure(reader: ReaderName, path: string, maxRows: number): Promise<void> {
  const started = process.hrtime.bigint();
  let rows = 0;
  for await (const batch of await batchesOf(reader, path)) {
    rows += batch.records.length;
    if (rows >= maxRows) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // VmHWM, not resourceUsage().maxRSS: on Linux the latter keeps the parent's peak across fork and exec.
  const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  const cpu = process.cpuUsage();
  const measurement: Measurement = { reader, rows, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb: peakKb / 1024 };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

async function batchesOf(reader: ReaderName, path: string): Promise<AsyncIterable<{ records: unknown[] }>> {
  if (reader !== 'xlsx-exceljs') return (await openSource(path, { fileName: path })).batches;
  // The same checks openSource ran before the exceljs reader: it inflates every entry, so none is left to it.
  const limits = resolveReaderLimits(undefined);
  const directory = await readZipDirectory(path);
  checkXlsxEntries(directory.entries, limits);
  await verifyXlsxEntries(path, directory, limits);
  await verifyInflation(
    path,
    directory,
    directory.entries.filter((entry) => isInflatedByReader(entry.name)),
  );
  const { readXlsxBatchesWithExceljs } = await import('./exceljs-xlsx-reader');
  return readXlsxBatchesWithExceljs(path, { batchSize: 1000, maxColumns: limits.maxColumns, onSheet: () => undefined });
}

async function runChild(reader: ReaderName, path: string, maxRows: number): Promise<Measurement> {
  const child = spawn(process.execPath, [__filename, 'child', reader, path, String(maxRows)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the ${reader} reader's child exited with ${code}`);
  return JSON.parse(output) as Measurement;
}

async function main(): Promise<void> {
  mkdirSync(DIRECTORY, { recursive: true });
  const xlsx = join(DIRECTORY, `students-${ROWS}.xlsx`);
  const csv = join(DIRECTORY, `students-${ROWS}.csv`);
  if (!existsSync(xlsx)) {
    console.log(`writing ${xlsx} …`);
    await writeXlsx(xlsx);
  }
  if (!existsSync(csv)) await writeCsv(csv);
  const results: Measurement[] = [];
  for (const reader of READERS) {
    const measurement = await runChild(reader, reader === 'csv' ? csv : xlsx, reader === 'xlsx-exceljs' ? OLD_MAX_ROWS : Infinity);
    results.push(measurement);
    console.log(
      `${reader.padEnd(13)} ${String(measurement.rows).padStart(9)} rows  ${measurement.seconds.toFixed(2).padStart(7)} s  ${Math.round(measurement.rows / measurement.seconds).toString().padStart(8)} rows/s  CPU ${measurement.cpuSeconds.toFixed(2).padStart(6)} s  peak RSS ${Math.round(measurement.maxRssMb)} MB`,
    );
  }
  const rate = (reader: ReaderName): number => {
    const found = results.find((result) => result.reader === reader) as Measurement;
    return found.rows / found.seconds;
  };
  console.log(`xlsx / csv rows/s: ${(rate('xlsx') / rate('csv')).toFixed(2)}; xlsx / exceljs rows/s: ${(rate('xlsx') / rate('xlsx-exceljs')).toFixed(1)}`);
}

const [mode, reader, path, maxRows] = process.argv.slice(2);
const run = mode === 'child' ? measure(reader as ReaderName, path, Number(maxRows)) : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
