import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, WriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ContentDigest } from '../common/stream/content-digest';
import { COPY_NULL, copyField, CopyLines } from './copy-text';
import { ImportEntity, IssueSeverity, RowIssue, SourceRecord } from './import.types';
import { ImportTarget } from './import-targets';
import { stagingCopySql, stagingTableSql } from './import-plan';
import { RepeatedValues } from './repeated-values';
import { ImportFileError } from './readers/import-file.error';
import { openSource, SourceDetection } from './readers/open-source';
import { ColumnMapping, MappedColumn, mapColumns } from './rows/column-mapping';
import { ImportMode } from './rows/import-mode';
import { createRowValidator, issueValue, RowValidator } from './rows/row-validator';

/** One stored file to stage. */
export interface StageSource {
  path: string;
  fileName: string;
  sheet?: string | null;
}

/** What staging learnt about one file. */
export interface StagedSource {
  detection: SourceDetection;
  columns: MappedColumn[];
  /** Row 0 issues: unknown, duplicate and missing columns. */
  headerIssues: RowIssue[];
  presentFields: Set<string>;
}

export interface StageOptions {
  entity: ImportEntity;
  target: ImportTarget;
  mode: ImportMode;
  /** Most data rows of all sources together. */
  maxRows: number;
  /** The server's date, YYYY-MM-DD: dates after it are in the future. */
  today: string;
  /**
   * Called between batches with the rows staged so far and the bytes of the files read so far (the
   * files before, and as much of the current one as its reader counts); may throw to stop (cancellation).
   */
  onProgress: (progress: { rows: number; bytes: number }) => Promise<void>;
  /** Also write the staged rows (COPY text) to this file, for a commit to load without reading the upload again. */
  saveTo?: string;
}

/** What staging learnt about its files, and the sha256 of the saved staged rows when they were saved. */
export interface StageResult {
  sources: StagedSource[];
  savedSha256: string | null;
}

const COPY_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Bytes of a typical data row, to guess from the file sizes how many rows to expect. A wrong guess
 * costs time (the duplicate markers grow) or memory (16 bytes per row guessed), never a result.
 */
export const TYPICAL_BYTES_PER_ROW = 128;
/** How often (in bytes of staged rows) loading a saved stage reports progress and looks for a cancellation. */
const PROGRESS_EVERY_BYTES = 4 * 1024 * 1024;

/** How often (in rows) staging reports progress and looks for a cancellation. */
const PROGRESS_EVERY_ROWS = 20_000;

/** The column mapping of one file, remade when a JSON file reveals new keys. */
class SourceColumns {
  private mapping: ColumnMapping | null = null;
  private headerCount = -1;
  readonly issues = new Map<string, RowIssue>();
  readonly presentFields = new Set<string>();
  validator: RowValidator | null = null;

  constructor(private readonly options: StageOptions) {}

  /** The validator for the headers of this batch. */
  validatorFor(headers: readonly string[]): RowValidator {
    if (headers.length !== this.headerCount || this.validator === null) {
      const { mapping, issues } = mapColumns(this.options.entity, headers, this.options.mode);
      // Issues accumulate: a JSON file whose first record lacks a required key stays refused.
      for (const issue of issues) this.issues.set(`${issue.code}\u0000${issue.column ?? ''}\u0000${issue.field ?? ''}`, issue);
      for (const field of mapping.fieldColumns.keys()) this.presentFields.add(field);
      this.mapping = mapping;
      this.headerCount = headers.length;
      this.validator = createRowValidator(this.options.entity, mapping, { today: this.options.today });
    }
    return this.validator;
  }

  /** The issue of a record the reader refused, placed in its column when the reader named one. */
  parseIssue({ row, cells }: SourceRecord, parseError: NonNullable<SourceRecord['parseError']>): RowIssue {
    const column = parseError.column === undefined ? undefined : this.mapping?.columns[parseError.column];
    return {
      row,
      column: column?.header ?? null,
      field: column?.field ?? null,
      severity: IssueSeverity.Error,
      code: parseError.code,
      message: parseError.message,
      value: parseError.column === undefined ? null : issueValue(cells[parseError.column]),
    };
  }

  get columns(): MappedColumn[] {
    return this.mapping?.columns ?? [];
  }

  /**
   * Every header issue seen. A required JSON key that appears only after the first batch stays a
   * missing_column error: the records before it were checked without it.
   */
  get headerIssues(): RowIssue[] {
    return [...this.issues.values()];
  }
}

function issueJson(issues: readonly RowIssue[]): string {
  return copyField(issues.map(({ column, field, severity, code, message, value }) => ({ column, field, severity, code, message, value })));
}

/**
 * Copies every record of every source into `import_stage` on the given connection (inside its
 * transaction): valid rows with their values, invalid ones with their issues only. One COPY
 * stream for all sources, fed with text built a batch at a time.
 */
export async function stageSources(client: PoolClient, sources: readonly StageSource[], options: StageOptions): Promise<StageResult> {
  await client.query(stagingTableSql(options.target));
  const staged: StagedSource[] = [];
  let ordinal = 0;
  let nextProgressAt = PROGRESS_EVERY_ROWS;
  const fieldCount = options.target.columns.length;
  const nulls = Array.from({ length: fieldCount }, () => COPY_NULL).join('\t');
  const sizes = await Promise.all(sources.map((source) => stat(source.path).then((file) => file.size)));
  const expectedRows = Math.min(sizes.reduce((sum, size) => sum + size, 0) / TYPICAL_BYTES_PER_ROW, options.maxRows);
  const { repeatedKey, repeatedUnique } = repetitionMarkers(options.target, expectedRows);
  const lines = new CopyLines();
  /** The COPY fields of the current row; joining them costs a third less than appending each to the line. */
  const fields = new Array<string>(fieldCount);

  /** Bytes of the files before the current one, and read of the current one. */
  let bytesBefore = 0;
  let bytesOfSource = 0;

  async function* copyText(): AsyncGenerator<Buffer> {
    for (const [sourceIndex, source] of sources.entries()) {
      bytesOfSource = 0;
      const opened = await openSource(source.path, { fileName: source.fileName, sheet: source.sheet ?? undefined, onBytesRead: (bytes) => (bytesOfSource = bytes) });
      const columns = new SourceColumns(options);
      for await (const batch of opened.batches) {
        const validator = columns.validatorFor(batch.headers);
        for (const record of batch.records) {
          ordinal += 1;
          if (ordinal > options.maxRows) {
            throw new ImportFileError('too_many_rows', `The import has more than ${options.maxRows} data rows (IMPORT_MAX_ROWS); split the file.`, 422);
          }
          const prefix = `${ordinal}\t${sourceIndex}\t${record.row}\t`;
          if (record.parseError !== undefined) {
            lines.push(`${prefix}f\tf\tf\tf\t${issueJson([columns.parseIssue(record, record.parseError)])}\t${nulls}\n`);
            continue;
          }
          const { values, issues } = validator(record.cells, record.row);
          const issuesField = issues.length === 0 ? COPY_NULL : issueJson(issues);
          if (values === null) {
            lines.push(`${prefix}f\tf\tf\tf\t${issuesField}\t${nulls}\n`);
            continue;
          }
          for (let index = 0; index < fieldCount; index += 1) fields[index] = copyField(values[index]);
          lines.push(
            `${prefix}t\t${issues.length === 0 ? 'f' : 't'}\t${repeatedKey(values) ? 't' : 'f'}\t${repeatedUnique(values) ? 't' : 'f'}\t${issuesField}\t${fields.join('\t')}\n`,
          );
        }
        yield lines.take();
        if (ordinal >= nextProgressAt) {
          nextProgressAt = ordinal + PROGRESS_EVERY_ROWS;
          await options.onProgress({ rows: ordinal, bytes: bytesBefore + bytesOfSource });
        }
      }
      bytesBefore += sizes[sourceIndex];
      bytesOfSource = 0;
      staged.push({ detection: opened.detection, columns: columns.columns, headerIssues: columns.headerIssues, presentFields: columns.presentFields });
    }
  }

  // A deep buffer lets Node parse the next batches while PostgreSQL ingests the last ones: on two
  // cores the two halves then overlap instead of taking turns.
  const saved = options.saveTo === undefined ? null : new SavedStage(options.saveTo);
  try {
    const rows = Readable.from(copyText());
    const copy = client.query(copyFrom(stagingCopySql(options.target), { highWaterMark: COPY_BUFFER_BYTES }));
    await (saved === null ? pipeline(rows, copy) : pipeline(rows, saved, copy));
  } catch (error) {
    await saved?.discard();
    throw error;
  }
  await client.query('analyze import_stage');
  await options.onProgress({ rows: ordinal, bytes: bytesBefore });
  return { sources: staged, savedSha256: saved === null ? null : saved.sha256() };
}

/**
 * Two markers over the validated values of each row: does its key, and does its unique value, maybe
 * repeat an earlier row's (of any source of the import)? A row that repeats nothing is certain not
 * to be a duplicate, so the plan compares only the marked ones.
 */
function repetitionMarkers(
  target: ImportTarget,
  expectedRows: number,
): { repeatedKey: (values: readonly unknown[]) => boolean; repeatedUnique: (values: readonly unknown[]) => boolean } {
  const positionOf = (field: string) => target.columns.findIndex((column) => column.field === field);
  const keyPositions = target.keyFields.map(positionOf);
  // Sized for the rows the files may hold, so that the sets rarely grow (each growth rehashes every value).
  const keys = new RepeatedValues(expectedRows * 2);
  const [firstKey] = keyPositions;
  const repeatedKey =
    keyPositions.length === 1
      ? (values: readonly unknown[]) => keys.repeats(String(values[firstKey]))
      : (values: readonly unknown[]) => keys.repeats(keyPositions.map((position) => String(values[position])).join('\u0000'));
  if (target.uniqueField === undefined) return { repeatedKey, repeatedUnique: () => false };
  const uniquePosition = positionOf(target.uniqueField);
  const uniques = new RepeatedValues(expectedRows * 2);
  return { repeatedKey, repeatedUnique: (values) => typeof values[uniquePosition] === 'string' && uniques.repeats(values[uniquePosition]) };
}

/**
 * The staged rows on their way to COPY, written to a file and hashed as they pass, so that what is
 * saved, hashed and sent are the same bytes. An error of the file (a full disk, or a write still in
 * flight when the stage is discarded) fails the pipeline it is in rather than the process.
 */
class SavedStage extends Transform {
  private readonly file: WriteStream;
  private readonly hash = createHash('sha256');

  constructor(private readonly path: string) {
    super();
    this.file = createWriteStream(path);
    this.file.on('error', (error) => this.destroy(error));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    if (this.file.write(chunk)) callback(null, chunk);
    else this.file.once('drain', () => callback(null, chunk));
  }

  override _flush(callback: TransformCallback): void {
    this.file.end();
    finished(this.file).then(() => callback(), callback);
  }

  /** The hex sha256 of the rows; once, after the pipeline succeeded. */
  sha256(): string {
    return this.hash.digest('hex');
  }

  /** After a failure: closes the file (its late errors go to the listener above) and removes it. */
  async discard(): Promise<void> {
    this.file.destroy();
    if (!this.file.closed) await new Promise<void>((resolve) => this.file.once('close', () => resolve()));
    await rm(this.path, { force: true });
  }
}

/**
 * Loads rows a preview staged (and saved) into `import_stage`, straight into PostgreSQL, checking
 * that they are byte for byte what the preview saved. Throws before anything is planned if not.
 */
export async function restoreStage(client: PoolClient, target: ImportTarget, path: string, sha256: string, onProgress: (bytes: number) => Promise<void>): Promise<void> {
  await client.query(stagingTableSql(target));
  const digest = new ContentDigest();
  let nextProgressAt = PROGRESS_EVERY_BYTES;
  const reporting = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (digest.size < nextProgressAt) return callback(null, chunk);
      nextProgressAt = digest.size + PROGRESS_EVERY_BYTES;
      onProgress(digest.size).then(() => callback(null, chunk), callback);
    },
  });
  await pipeline(
    createReadStream(path, { highWaterMark: 1024 * 1024 }),
    digest,
    reporting,
    client.query(copyFrom(stagingCopySql(target), { highWaterMark: COPY_BUFFER_BYTES })),
  );
  if (digest.sha256() !== sha256) throw new StageChangedError();
  await client.query('analyze import_stage');
}

/** The saved staged rows of a preview are not what the preview wrote. */
export class StageChangedError extends Error {
  constructor() {
    super('The staged rows of this preview changed since the preview; nothing was written.');
  }
}

