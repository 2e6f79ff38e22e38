import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyCsvStream } from './copy-csv-stream';
import { ExportColumn, EXPORT_SOURCES } from './export-columns';
import { csvCopySql } from './export-csv-sql';
import { literalWhereOf, whereOf } from './export-filters';
import { ExportRequest, exportLayoutOf } from './export-request';
import { ExportSnapshot } from './export-snapshot';
import { BatchCallback, csvPrefix } from './export-writer';

/** Rows per cursor batch (JSON, NDJSON, XLSX): one fetch and one write each. */
export const EXPORT_BATCH_SIZE = 5_000;
/**
 * How often a job's progress is written at most (each write is a Redis round trip and an event);
 * a CSV job also looks for its cancellation this often (its rows come in one COPY, not in batches).
 */
export const EXPORT_PROGRESS_INTERVAL_MS = 500;

/** Where an export's rows come from, for the streamed download and the job alike: one snapshot. */
@Injectable()
export class ExportRows {
  private readonly logger = new Logger(ExportRows.name);

  constructor(private readonly em: EntityManager) {}

  /** Every counted row must go out: a difference is a bug worth an error line, though the file stands. */
  checkRowCount(request: ExportRequest, counted: number, written: number): void {
    if (counted === written) return;
    this.logger.error({ entity: request.entity, format: request.format, counted, written }, 'The export wrote another number of rows than it counted');
  }

  /** The request's snapshot (rows counted); with columns, a cursor over them too (see ExportSnapshot.open). */
  snapshot(request: ExportRequest, cursorColumns?: readonly ExportColumn[]): Promise<ExportSnapshot> {
    return ExportSnapshot.open(this.em, EXPORT_SOURCES[request.entity], whereOf(request.entity, request.filters), cursorColumns);
  }

  /** A snapshot (rows counted) and its rows as CSV records from `COPY … TO STDOUT`, to be piped at once. */
  async csvCopy(request: ExportRequest, columns: readonly ExportColumn[]): Promise<{ snapshot: ExportSnapshot; copy: Readable }> {
    const snapshot = await this.snapshot(request);
    try {
      return { snapshot, copy: await snapshot.copyOut(csvSqlOf(request, columns)) };
    } catch (error) {
      await snapshot.abort();
      throw error;
    }
  }

  /**
   * Pipes a snapshot's CSV COPY into a job's file, after the header. The rows come in one
   * stream, so the cancellation and the progress are looked at on a timer rather than at batch
   * boundaries; a cancellation stops the pipeline. Returns the number of records written.
   */
  async copyCsvTo(snapshot: ExportSnapshot, request: ExportRequest, columns: readonly ExportColumn[], sink: Writable, progress: BatchCallback): Promise<number> {
    const csv = new CopyCsvStream(csvPrefix(exportLayoutOf(request, columns)));
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let looking: Promise<void> = Promise.resolve();
    const watch = (): void => {
      timer = setTimeout(() => {
        looking = progress(csv.records).then(
          () => {
            if (!done) watch();
          },
          (error: unknown) => {
            if (!done) csv.destroy(error as Error);
          },
        );
      }, EXPORT_PROGRESS_INTERVAL_MS);
    };
    try {
      const copy = await snapshot.copyOut(csvSqlOf(request, columns));
      watch();
      await pipeline(copy, csv, sink);
      return csv.records;
    } finally {
      done = true;
      clearTimeout(timer);
      // A progress report still on its way must not land after the final one.
      await looking;
    }
  }
}

/**
 * The COPY statement of a CSV export, the cells formatted by PostgreSQL (see export-csv-sql.ts).
 * The filters' values are written into it as escaped literals: COPY takes no bind parameters.
 */
function csvSqlOf(request: ExportRequest, columns: readonly ExportColumn[]): string {
  return csvCopySql(EXPORT_SOURCES[request.entity], columns, request.language, literalWhereOf(request.entity, request.filters));
}
