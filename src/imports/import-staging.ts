import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, WriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ContentDigest } from '../common/stream/content-digest';
import { ImportEntity } from './import.types';
import { ImportTarget } from './import-targets';
import { stagingCopySql, stagingTableSql } from './import-plan';
import { ImportMode } from './rows/import-mode';
import { StagedRowsListener, StagedRowsOptions, stagedRows, StagedSource, StageSource } from './staged-rows';

export type { StagedSource, StageSource } from './staged-rows';

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

/** A deep buffer lets the rows be read and checked ahead while PostgreSQL ingests the last ones. */
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Bytes of a typical data row, to guess from the file sizes how many rows to expect. A wrong guess
 * costs time (the duplicate markers grow) or memory (16 bytes per row guessed), never a result.
 */
export const TYPICAL_BYTES_PER_ROW = 128;
/** How often (in bytes of staged rows) loading a saved stage reports progress and looks for a cancellation. */
const PROGRESS_EVERY_BYTES = 4 * 1024 * 1024;

/**
 * Copies every record of every source into `import_stage` on the given connection (inside its
 * transaction): valid rows with their values, invalid ones with their issues only. One COPY
 * stream for all sources, fed with text built a batch at a time (see stagedRows).
 */
export async function stageSources(client: PoolClient, sources: readonly StageSource[], options: StageOptions): Promise<StageResult> {
  await client.query(stagingTableSql(options.target));
  const staged: StagedSource[] = [];
  const sizes = await Promise.all(sources.map((source) => stat(source.path).then((file) => file.size)));
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  const rowsOptions: StagedRowsOptions = {
    entity: options.entity,
    target: options.target,
    mode: options.mode,
    maxRows: options.maxRows,
    today: options.today,
    expectedRows: Math.min(totalBytes / TYPICAL_BYTES_PER_ROW, options.maxRows),
  };
  let rows = 0;
  const listener: StagedRowsListener = {
    progress: (progress) => {
      rows = progress.rows;
      const bytesBefore = sizes.slice(0, progress.sourceIndex).reduce((sum, size) => sum + size, 0);
      return options.onProgress({ rows: progress.rows, bytes: bytesBefore + progress.sourceBytes });
    },
    sourceDone: (source, rowsSoFar) => {
      staged.push(source);
      rows = rowsSoFar;
    },
  };
  const text = stagedRows(sources, rowsOptions, listener);

  const saved = options.saveTo === undefined ? null : new SavedStage(options.saveTo);
  try {
    const copy = client.query(copyFrom(stagingCopySql(options.target), { highWaterMark: COPY_BUFFER_BYTES }));
    await (saved === null ? pipeline(Readable.from(text), copy) : pipeline(Readable.from(text), saved, copy));
  } catch (error) {
    await saved?.discard();
    throw error;
  }
  await client.query('analyze import_stage');
  await options.onProgress({ rows, bytes: totalBytes });
  return { sources: staged, savedSha256: saved === null ? null : saved.sha256() };
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

