import { createReadStream } from 'node:fs';
import { Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ContentDigest } from '../common/stream/content-digest';
import { copyText } from './copy-text';
import { ImportEntity } from './import.types';
import { ImportSummary, insertedColumns, PROVENANCE_COLUMNS } from './import-plan';
import { StageChangedError } from './import-staging';
import { ImportTarget } from './import-targets';
import { ImportMode } from './rows/import-mode';

/**
 * A commit whose preview planned nothing but new records writes the rows the preview saved straight
 * into the table with one COPY, rewritten line by line on the way: no staging table, no second
 * plan, no `INSERT … SELECT`. The table's unique constraints make the re-check: the COPY fails if
 * any key or unique value of the file now exists (which is exactly when the plan would no longer
 * create every row), and the commit then plans again as usual to say what changed.
 */

/** Fields of a staged line before the values: ordinal, source, row, valid, has_warning, key_repeated, unique_repeated, issues. */
const STAGED_PREFIX_FIELDS = 8;
const ROW_FIELD = 2;
const VALID_FIELD = 3;
const TAB = 0x09;
const NEWLINE = 0x0a;
const LETTER_T = 0x74;
const COPY_NULL = Buffer.from('\\N');
const OUTPUT_BLOCK_BYTES = 4 * 1024 * 1024;
/** How often (in bytes of the saved rows) the copy reports progress and looks for a cancellation. */
const PROGRESS_EVERY_BYTES = 4 * 1024 * 1024;

/** Whether a preview's plan creates every row it writes, so that a commit may write them without planning again. */
export function createsEveryRow(summary: ImportSummary | null | undefined, entity: ImportEntity, mode: ImportMode): boolean {
  if (summary == null || entity === ImportEntity.Enrollments || mode === ImportMode.Update) return false;
  return summary.create > 0 && summary.create === summary.validRows && summary.update === 0 && summary.unchanged === 0 && summary.skip === 0;
}

/** One piece of an output line: a run of staged fields copied as they are, a staged field with a default when empty, or fixed text. */
type Piece = { kind: 'fields'; first: number; last: number } | { kind: 'defaulted'; field: number; whenEmpty: Buffer } | { kind: 'text'; text: Buffer };

export interface CreatedRowsLayout {
  /** The table's columns, in the order of each output line. */
  columns: string[];
  pieces: Piece[];
}

/**
 * How a staged line becomes a line of the table: the inserted columns (a default where the file left
 * a defaulted one empty, as the INSERT of a planned commit does) and the provenance. `defaults` holds
 * the COPY text of each defaulted column's default, by column name. created_at and updated_at are
 * left to the table: their default, now(), is the transaction's timestamp that a planned commit
 * writes, and COPY would otherwise parse the same timestamp text twice on every line.
 */
export function createdRowsLayout(
  target: ImportTarget,
  presentFields: ReadonlySet<string>,
  values: { jobId: string; fileName: string; defaults: Readonly<Record<string, string>> },
): CreatedRowsLayout {
  const pieces: Piece[] = [];
  for (const column of insertedColumns(target, presentFields)) {
    const field = STAGED_PREFIX_FIELDS + target.columns.indexOf(column);
    const whenEmpty = column.defaultWhenEmpty === undefined ? null : Buffer.from(copyText(values.defaults[column.column]));
    const last = pieces.at(-1);
    if (!presentFields.has(column.field)) pieces.push({ kind: 'text', text: whenEmpty as Buffer });
    else if (whenEmpty !== null) pieces.push({ kind: 'defaulted', field, whenEmpty });
    else if (last?.kind === 'fields' && last.last === field - 1) last.last = field;
    else pieces.push({ kind: 'fields', first: field, last: field });
  }
  const text = (value: string): Piece => ({ kind: 'text', text: Buffer.from(copyText(value)) });
  pieces.push(text(values.jobId), text(values.fileName), { kind: 'fields', first: ROW_FIELD, last: ROW_FIELD });
  return { columns: [...insertedColumns(target, presentFields).map((column) => column.column), ...PROVENANCE_COLUMNS], pieces };
}

/**
 * Rewrites staged COPY lines (import_stage's layout) into lines of the table, leaving out the
 * invalid rows. Works on the bytes: a field never holds a raw tab or newline (COPY escapes them).
 * A line that is not a staged line means the file is not what the preview saved.
 */
export class CreatedRowsCopy extends Transform {
  /** Valid rows written. */
  rows = 0;
  /** Bytes of staged lines read, and when to report them next. */
  private bytesRead = 0;
  private nextProgressAt = PROGRESS_EVERY_BYTES;
  private rest: Buffer = Buffer.alloc(0);
  private readonly starts: Int32Array;
  private readonly fieldCount: number;
  private readonly mostExtraBytes: number;
  /** Output lines are written into a block; [written, filled) is what was written and not yet passed on. */
  private block = Buffer.allocUnsafe(OUTPUT_BLOCK_BYTES);
  private written = 0;
  private filled = 0;

  /** `onProgress` is told the bytes read every PROGRESS_EVERY_BYTES, and may throw to stop (cancellation). */
  constructor(
    private readonly layout: CreatedRowsLayout,
    stagedValues: number,
    private readonly onProgress: (bytes: number) => Promise<void> = async () => undefined,
  ) {
    super();
    this.fieldCount = STAGED_PREFIX_FIELDS + stagedValues;
    this.starts = new Int32Array(this.fieldCount + 1);
    this.mostExtraBytes = layout.pieces.reduce((sum, piece) => sum + 1 + (piece.kind === 'fields' ? 0 : piece.kind === 'text' ? piece.text.length : piece.whenEmpty.length), 0);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    let start = 0;
    try {
      for (let end = data.indexOf(NEWLINE, start); end >= 0; end = data.indexOf(NEWLINE, start)) {
        this.convert(data, start, end);
        start = end + 1;
      }
    } catch (error) {
      return callback(error as Error);
    }
    this.rest = Buffer.from(data.subarray(start));
    this.bytesRead += chunk.length;
    if (this.bytesRead < this.nextProgressAt) return callback(null, this.passOn());
    this.nextProgressAt = this.bytesRead + PROGRESS_EVERY_BYTES;
    const lines = this.passOn();
    this.onProgress(this.bytesRead).then(() => callback(null, lines), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.rest.length > 0) return callback(new StageChangedError());
    callback(null, this.passOn());
  }

  /** The lines written since the last take. They stay valid: later lines never overwrite them. */
  private passOn(): Buffer {
    const taken = this.block.subarray(this.written, this.filled);
    this.written = this.filled;
    return taken;
  }

  /** Writes the line data[start, end) (without its newline) as a table line, if its row is valid. */
  private convert(data: Buffer, start: number, end: number): void {
    const starts = this.starts;
    let fields = 1;
    starts[0] = start;
    for (let index = start; index < end; index += 1) {
      if (data[index] === TAB) {
        if (fields === this.fieldCount) throw new StageChangedError();
        starts[fields] = index + 1;
        fields += 1;
      }
    }
    if (fields !== this.fieldCount) throw new StageChangedError();
    starts[fields] = end + 1;
    if (data[starts[VALID_FIELD]] !== LETTER_T) return;
    if (this.filled + (end - start) + this.mostExtraBytes > this.block.length) this.grow(end - start + this.mostExtraBytes);
    const block = this.block;
    let at = this.filled;
    for (const piece of this.layout.pieces) {
      if (piece.kind === 'fields') {
        at += data.copy(block, at, starts[piece.first], starts[piece.last + 1] - 1);
      } else if (piece.kind === 'text') {
        at += piece.text.copy(block, at);
      } else {
        const from = starts[piece.field];
        const to = starts[piece.field + 1] - 1;
        const empty = to - from === COPY_NULL.length && data[from] === COPY_NULL[0] && data[from + 1] === COPY_NULL[1];
        at += empty ? piece.whenEmpty.copy(block, at) : data.copy(block, at, from, to);
      }
      block[at] = TAB;
      at += 1;
    }
    block[at - 1] = NEWLINE;
    this.filled = at;
    this.rows += 1;
  }

  /** A new block with what is not yet passed on, and room for at least `bytes` more. */
  private grow(bytes: number): void {
    const pending = this.filled - this.written;
    const next = Buffer.allocUnsafe(Math.max(OUTPUT_BLOCK_BYTES, pending + bytes));
    this.block.copy(next, 0, this.written, this.filled);
    this.block = next;
    this.written = 0;
    this.filled = pending;
  }
}

export interface CreatedRowsCopyOptions {
  table: string;
  layout: CreatedRowsLayout;
  stagedValues: number;
  /** The saved rows, and the sha256 the preview recorded for them. */
  path: string;
  sha256: string;
  /** Called with the bytes of the saved rows read so far; may throw to stop (cancellation). */
  onProgress: (bytes: number) => Promise<void>;
}

/**
 * Copies the valid saved rows into the table; answers how many it wrote. Throws StageChangedError
 * (after the copy, which the caller's transaction then undoes) if the file is not byte for byte what
 * the preview saved, and PostgreSQL's error if the table refuses a row.
 */
export async function copyCreatedRows(client: PoolClient, options: CreatedRowsCopyOptions): Promise<number> {
  const digest = new ContentDigest();
  const rows = new CreatedRowsCopy(options.layout, options.stagedValues, options.onProgress);
  const columns = options.layout.columns.map((column) => `"${column}"`).join(', ');
  await pipeline(
    createReadStream(options.path, { highWaterMark: 1024 * 1024 }),
    digest,
    rows,
    client.query(copyFrom(`copy "${options.table}" (${columns}) from stdin`, { highWaterMark: OUTPUT_BLOCK_BYTES })),
  );
  if (digest.sha256() !== options.sha256) throw new StageChangedError();
  return rows.rows;
}
