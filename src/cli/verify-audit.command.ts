import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ChainedRowFields, rowHash } from '../audit/audit-chain';
import { ChainVerdict, ChainWalk, CheckpointWithId, WalkedRow } from '../audit/audit-chain-verifier';
import { CommandUsageError } from './create-admin.command';

/** The columns of an audit export that the hash covers (hash itself besides). */
const TEXT_COLUMNS = ['userId', 'email', 'action', 'resource', 'resourceId', 'ipAddress', 'peerAddress', 'userAgent', 'requestId', 'errorCode'] as const;
const FORMULA_ESCAPED = /^'[=+\-@\t\r]/;
const MAX_READINGS = 64;

type ExportedRow = ChainedRowFields & { hash: string };

/** RFC 4180 records of a CSV text, quotes and line breaks inside quotes included. */
export function* csvRecords(text: string): Generator<string[]> {
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char !== '"') cell += char;
      else if (text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index += 1;
      record.push(cell);
      yield record;
      record = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || record.length > 0) yield [...record, cell];
}

/**
 * The values a CSV text cell may have stood for: an empty cell was null or '', and a cell the
 * export neutralised (`'=…`) may also have been stored with its apostrophe.
 */
export function cellReadings(cell: string): (string | null)[] {
  if (cell === '') return [null, ''];
  return FORMULA_ESCAPED.test(cell) ? [cell.slice(1), cell] : [cell];
}

/** Sets of `count` indexes, smallest first: which ambiguous cells take their less likely reading. */
function* subsetsBySize(count: number): Generator<number[]> {
  for (let size = 0; size <= count; size += 1) {
    const pick = Array.from({ length: size }, (_, index) => index);
    for (;;) {
      yield [...pick];
      let position = size - 1;
      while (position >= 0 && pick[position] === count - size + position) position -= 1;
      if (position < 0) break;
      pick[position] += 1;
      for (let after = position + 1; after < size; after += 1) pick[after] = pick[after - 1] + 1;
    }
  }
}

/**
 * The readings of a CSV row, the likeliest first: every ambiguous cell as null or unescaped, then
 * one cell read the other way, then two…, at most MAX_READINGS in all.
 */
export function csvRowReadings(cells: Record<string, string>): ExportedRow[] {
  const base: Partial<ExportedRow> = {
    seq: Number(cells.seq),
    id: Number(cells.id),
    timestamp: cells.timestamp,
    success: cells.success === 'true',
    statusCode: cells.statusCode === '' ? null : Number(cells.statusCode),
    details: cells.details === '' ? null : (JSON.parse(cells.details) as Record<string, unknown>),
    prevHash: cells.prevHash,
    hash: cells.hash,
  };
  const options = TEXT_COLUMNS.map((column) => [column, cellReadings(cells[column] ?? '')] as const);
  const ambiguous = options.filter(([, values]) => values.length > 1).map(([column]) => column);
  const readings: ExportedRow[] = [];
  for (const flipped of subsetsBySize(ambiguous.length)) {
    const flips = new Set(flipped.map((index) => ambiguous[index]));
    readings.push({ ...base, ...Object.fromEntries(options.map(([column, values]) => [column, values[flips.has(column) ? 1 : 0]])) } as ExportedRow);
    if (readings.length === MAX_READINGS) break;
  }
  return readings;
}

function walkedRow(readings: ExportedRow[]): WalkedRow {
  const [first] = readings;
  const computed = readings.map(rowHash);
  return { id: first.id, seq: first.seq, prevHash: first.prevHash, hash: first.hash, computedHash: computed.find((hash) => hash === first.hash) ?? computed[0] };
}

async function* lines(file: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) if (line.trim() !== '') yield line;
}

async function readRows(file: string): Promise<WalkedRow[]> {
  const rows: WalkedRow[] = [];
  if (/\.csv$/i.test(file)) {
    const text = (await readFile(file, 'utf8')).replace(/^\ufeff/, '');
    let header: string[] | undefined;
    for (const record of csvRecords(text)) {
      if (header === undefined) {
        header = record;
        for (const column of ['id', 'seq', 'timestamp', 'prevHash', 'hash']) {
          if (!header.includes(column)) throw new CommandUsageError(`${file} has no ${column} column: export it again from a service that chains the trail.`);
        }
        continue;
      }
      rows.push(walkedRow(csvRowReadings(Object.fromEntries(header.map((column, index) => [column, record[index] ?? ''])))));
    }
  } else {
    for await (const line of lines(file)) rows.push(walkedRow([JSON.parse(line) as ExportedRow]));
  }
  // The export is newest first; the chain runs the other way.
  return rows.sort((a, b) => a.seq - b.seq);
}

/** Checkpoints from GET /audit/checkpoints/export (NDJSON), a JSON array of them, or a page of GET /audit/checkpoints. */
async function readCheckpoints(file: string): Promise<CheckpointWithId[]> {
  const text = (await readFile(file, 'utf8')).trim();
  if (text.startsWith('[')) return JSON.parse(text) as CheckpointWithId[];
  if (text.startsWith('{') && !text.includes('\n')) {
    const parsed = JSON.parse(text) as CheckpointWithId | { items: CheckpointWithId[] };
    return 'items' in parsed ? parsed.items : [parsed];
  }
  return text === '' ? [] : text.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as CheckpointWithId);
}

export interface VerifyAuditOptions {
  checkpoints?: string;
  /** Public keys (hex) the checkpoints must be signed with; any key when none is given. */
  publicKeys?: string[];
}

/** Verifies an exported audit file (CSV or NDJSON) and optional checkpoints, with no database. */
export async function verifyAuditCommand(file: string, options: VerifyAuditOptions = {}): Promise<ChainVerdict> {
  const checkpoints = options.checkpoints === undefined ? [] : await readCheckpoints(options.checkpoints);
  const trustedPublicKeys = options.publicKeys === undefined || options.publicKeys.length === 0 ? undefined : new Set(options.publicKeys.map((key) => key.toLowerCase()));
  const walk = new ChainWalk({ checkpoints, fromStart: true, trustedPublicKeys });
  for (const row of await readRows(file)) if (!walk.add(row)) break;
  return walk.finish();
}

export function describeVerdict(verdict: ChainVerdict): string {
  const counts = `${verdict.rowsChecked} rows and ${verdict.checkpointsChecked} checkpoints checked`;
  if (verdict.failure === null) return `Intact: ${counts} (seq ${verdict.firstSeq ?? '-'} to ${verdict.lastSeq ?? '-'}).`;
  const { kind, rowId, seq, detail } = verdict.failure;
  return `${kind} at row ${rowId} (seq ${seq}): ${detail}. ${counts}.`;
}
