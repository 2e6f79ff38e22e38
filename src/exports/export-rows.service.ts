import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyCsvStream } from './copy-csv-stream';
import { CopyJsonStream } from './copy-json-stream';
import { ExportColumn, EXPORT_SOURCES } from './export-columns';
import { csvCopySql } from './export-csv-sql';
import { literalWhereOf, whereOf } from './export-filters';
import { jsonCopySql } from './export-json-sql';
import { xlsxCopySql } from './export-xlsx-sql';
import { ExportRequest, exportLayoutOf } from './export-request';
import { ExportSnapshot } from './export-snapshot';
import { BatchCallback, csvPrefix } from './export-writer';
import { ExportFormat } from './export.enums';
import { XlsxFileStream } from './xlsx-writer';

/**
 * How often a job's progress is written at most (each write is a Redis round trip and an event);
 * a job also looks for its cancellation this often (its rows come in one COPY, not in batches).
 */
export const EXPORT_PROGRESS_INTERVAL_MS = 500;

/** What a COPY's output goes through on its way out (the header, the framing), counting the records. */
export type CopyOutput = Transform & { readonly records: number };

/** The stream that makes a COPY's output the export's file: see CopyCsvStream, CopyJsonStream and XlsxFileStream. */
export function copyOutputOf(request: ExportRequest, columns: readonly ExportColumn[]): CopyOutput {
  if (request.format === ExportFormat.Csv) return new CopyCsvStream(csvPrefix(exportLayoutOf(request, columns)));
  if (request.format === ExportFormat.Xlsx) return new XlsxFileStream(exportLayoutOf(request, columns));
  return new CopyJsonStream(request.format === ExportFormat.Json);
}

/** Where an export's rows come from, for the streamed download and the job alike: one snapshot, one COPY. */
@Injectable()
export class ExportRows {
  private readonly logger = new Logger(ExportRows.name);

  constructor(private readonly em: EntityManager) {}

  /** Every counted row must go out: a difference is a bug worth an error line, though the file stands. */
  checkRowCount(request: ExportRequest, counted: number, written: number): void {
    if (counted === written) return;
    this.logger.error({ entity: request.entity, format: request.format, counted, written }, 'The export wrote another number of rows than it counted');
  }

  /** The request's snapshot, its rows counted (see ExportSnapshot.open). */
  snapshot(request: ExportRequest): Promise<ExportSnapshot> {
    return ExportSnapshot.open(this.em, EXPORT_SOURCES[request.entity], whereOf(request.entity, request.filters));
  }

  /** A snapshot (rows counted) and its rows as written by `COPY … TO STDOUT`, to be piped at once. */
  async copyRows(request: ExportRequest, columns: readonly ExportColumn[]): Promise<{ snapshot: ExportSnapshot; copy: Readable }> {
    const snapshot = await this.snapshot(request);
    try {
      return { snapshot, copy: await snapshot.copyOut(copySqlOf(request, columns)) };
    } catch (error) {
      await snapshot.abort();
      throw error;
    }
  }

  /**
   * Pipes a snapshot's COPY into a job's file, through its CopyOutput. The rows come in one
   * stream, so the cancellation and the progress are looked at on a timer rather than at batch
   * boundaries; a cancellation stops the pipeline. Returns the number of records written.
   */
  async copyTo(snapshot: ExportSnapshot, request: ExportRequest, columns: readonly ExportColumn[], sink: Writable, progress: BatchCallback): Promise<number> {
    const output = copyOutputOf(request, columns);
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let looking: Promise<void> = Promise.resolve();
    const watch = (): void => {
      timer = setTimeout(() => {
        looking = progress(output.records).then(
          () => {
            if (!done) watch();
          },
          (error: unknown) => {
            if (!done) output.destroy(error as Error);
          },
        );
      }, EXPORT_PROGRESS_INTERVAL_MS);
    };
    try {
      const copy = await snapshot.copyOut(copySqlOf(request, columns));
      watch();
      await pipeline(copy, output, sink);
      return output.records;
    } finally {
      done = true;
      clearTimeout(timer);
      // A progress report still on its way must not land after the final one.
      await looking;
    }
  }
}

/**
 * The COPY statement of an export, the rows formatted by PostgreSQL (see export-csv-sql.ts,
 * export-json-sql.ts and export-xlsx-sql.ts). The filters' values are written into it as escaped
 * literals: COPY takes no bind parameters.
 */
function copySqlOf(request: ExportRequest, columns: readonly ExportColumn[]): string {
  const source = EXPORT_SOURCES[request.entity];
  const where = literalWhereOf(request.entity, request.filters);
  if (request.format === ExportFormat.Csv) return csvCopySql(source, columns, request.language, where);
  if (request.format === ExportFormat.Xlsx) return xlsxCopySql(source, columns, request.language, where);
  return jsonCopySql(source, columns, where);
}
