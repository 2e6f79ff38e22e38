import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { attachmentDisposition } from '../common/http/content-disposition';
import { ContentDigest } from '../common/stream/content-digest';
import { ProblemException } from '../common/problem/problem.exception';
import { flattenValidationErrors } from '../common/validation/validation.pipe';
import { JobDto } from '../jobs/dto/job.dto';
import { JobExecution, JobOutcome } from '../jobs/job-handler.registry';
import { payloadOf, resultDataOf } from '../jobs/job-payloads';
import { JobStatus, JobType } from '../jobs/job.enums';
import { JobsService } from '../jobs/jobs.service';
import { EXPORT_FILTER_TYPES } from './dto/export-query.dto';
import { CopyCsvStream } from './copy-csv-stream';
import { ExportColumn, EXPORT_SOURCES, fieldNamesOf, selectColumns } from './export-columns';
import { csvCopySql } from './export-csv-sql';
import { ExportFile } from './export-file';
import { ExportFilesService } from './export-files.service';
import { ExportFilters, literalWhereOf, whereOf } from './export-filters';
import { CONTENT_TYPES, entityTitle, exportFileName } from './export-formats';
import { ExportSnapshot } from './export-snapshot';
import { BatchCallback, csvPrefix, ExportAbortedError, ExportLayout, writeExport } from './export-writer';
import { ExportEntity, ExportFormat, ExportLanguage } from './export.enums';

/** Rows per cursor batch (JSON, NDJSON, XLSX): one fetch and one write each. */
const BATCH_SIZE = 5_000;
/**
 * A job's progress is written at most this often (each write is a Redis round trip and an event);
 * a CSV job also looks for its cancellation this often (its rows come in one COPY, not in batches).
 */
const PROGRESS_INTERVAL_MS = 500;

export interface ExportRequest {
  entity: ExportEntity;
  format: ExportFormat;
  filters: ExportFilters;
  fields?: string[];
  language: ExportLanguage;
  byteOrderMark: boolean;
}

/** What an export job keeps in its parameters: the request, with the fields resolved. */
export interface ExportJobParameters extends ExportRequest {
  fields: string[];
}

/** What a finished export job keeps in `result.data`. */
export type ExportJobOutput = {
  entity: ExportEntity;
  format: ExportFormat;
  fileName: string;
  contentType: string;
  rowCount: number;
  sizeBytes: number;
  sha256: string;
};

@Injectable()
export class ExportsService {
  private readonly logger = new Logger(ExportsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly jobs: JobsService,
    private readonly files: ExportFilesService,
  ) {}

  /**
   * The export as a stream, from a snapshot opened before this returns: the row count is known
   * (and audited) before the first byte goes out, and is exactly the number of rows sent.
   */
  async stream(request: ExportRequest, user: AuthenticatedUser): Promise<ExportFile> {
    const columns = this.columnsFor(request, user);
    const layout = this.layoutOf(request, columns);
    const facts = (rowCount: number): Record<string, unknown> => ({ ...auditFactsOf(request, columns), rowCount });
    const headers = {
      type: CONTENT_TYPES[request.format],
      disposition: attachmentDisposition(exportFileName(request.entity, request.format, request.language, new Date())),
    };
    if (request.format === ExportFormat.Csv) {
      const { snapshot, copy } = await this.openCsvCopy(request, columns);
      const csv = new CopyCsvStream(csvPrefix(layout));
      // The response reads `csv`; when the client goes away Fastify destroys it, which makes the
      // pipeline fail and destroy the COPY's stream, and abort() drops the connection.
      pipeline(copy, csv).then(
        () => this.finishCsv(snapshot, csv, request),
        async (error: unknown) => {
          await snapshot.abort();
          this.logStreamFailure(error, request, csv.records);
        },
      ).catch((error: unknown) => this.logger.error({ err: error, entity: request.entity, format: request.format }, 'Could not end the export'));
      return new ExportFile(csv, headers, facts(snapshot.rowCount));
    }

    const snapshot = await this.openSnapshot(request, columns);
    const sink = new PassThrough();
    const run = async (): Promise<void> => {
      try {
        await writeExport(snapshot.batches(BATCH_SIZE), sink, layout);
      } finally {
        await snapshot.close();
      }
    };
    run().catch((error: unknown) => {
      if (error instanceof ExportAbortedError) {
        this.logger.warn({ entity: request.entity, format: request.format }, 'Export abandoned by the client');
        return;
      }
      // The status line has gone; cutting the stream is the only way left to tell the client.
      this.logger.error({ err: error, entity: request.entity, format: request.format }, 'Export failed mid-stream');
      sink.destroy(error as Error);
    });
    return new ExportFile(sink, headers, facts(snapshot.rowCount));
  }

  /** Checks the request as the GET export would, then queues it as an `export_large` job. */
  async startJob(request: ExportRequest, user: AuthenticatedUser): Promise<JobDto> {
    const columns = this.columnsFor(request, user);
    const parameters: ExportJobParameters = { ...request, fields: columns.map((column) => column.name) };
    return this.jobs.startServerJob(JobType.ExportLarge, parameters, user.id);
  }

  /**
   * The `export_large` handler: writes the file under a temporary name, hashing it on the way,
   * and gives it its final name only once complete. A cancelled or failed run leaves no file.
   */
  async runJob(execution: JobExecution<JobType.ExportLarge>): Promise<JobOutcome<JobType.ExportLarge>> {
    const request = execution.payload;
    const selection = selectColumns(request.entity, request.fields);
    if ('unknown' in selection) throw new Error(`Unknown export fields ${selection.unknown.join(', ')}`);
    const { columns } = selection;
    const layout = this.layoutOf(request, columns);
    const partialPath = this.files.partialPathOf(execution.job.id, request.format);
    const finalPath = this.files.pathOf(execution.job.id, request.format);
    await mkdir(this.files.directory, { recursive: true });

    const csvSql = request.format === ExportFormat.Csv ? this.csvSqlOf(request, columns) : undefined;
    // CSV rows come from a COPY started when the file is ready for them; the others from a cursor.
    const snapshot = await this.openSnapshot(request, csvSql === undefined ? columns : undefined);
    const hashing = new ContentDigest();
    const written = pipeline(hashing, createWriteStream(partialPath));
    let lastProgressAt = 0;
    const progress = async (rows: number): Promise<void> => {
      await execution.throwIfCancelled();
      if (Date.now() - lastProgressAt < PROGRESS_INTERVAL_MS) return;
      lastProgressAt = Date.now();
      await execution.reportProgress({ processed: rows, total: snapshot.rowCount });
    };
    try {
      await execution.reportProgress({ processed: 0, total: snapshot.rowCount, message: `Exporting ${snapshot.rowCount} rows` });
      const rowCount =
        csvSql === undefined
          ? await writeExport(snapshot.batches(BATCH_SIZE), hashing, layout, progress)
          : await this.copyCsvTo(snapshot, csvSql, hashing, layout, progress);
      await written;
      await snapshot.close();
      if (csvSql !== undefined && rowCount !== snapshot.rowCount) this.logCountMismatch(request, snapshot.rowCount, rowCount);
      await rename(partialPath, finalPath);
      const output: ExportJobOutput = {
        entity: request.entity,
        format: request.format,
        fileName: exportFileName(request.entity, request.format, request.language, new Date()),
        contentType: CONTENT_TYPES[request.format],
        rowCount,
        sizeBytes: hashing.size,
        sha256: hashing.sha256(),
      };
      await execution.reportProgress({ processed: rowCount, total: snapshot.rowCount, message: 'Written' });
      return { message: `Exported ${rowCount} rows`, counts: { rows: rowCount }, data: output };
    } catch (error) {
      hashing.destroy();
      await written.catch(() => undefined);
      await rm(partialPath, { force: true });
      throw error;
    } finally {
      // Committed above when all went well; otherwise a COPY may still be running: drop it.
      await snapshot.abort();
    }
  }

  /** A finished job's file, for its owner (or an admin); anyone else, or an expired job, gets 404. */
  async download(jobId: string, user: AuthenticatedUser): Promise<ExportFile> {
    const job = await this.jobs.get(jobId, user);
    if (job.type !== JobType.ExportLarge) throw ProblemException.notFound(`Export ${jobId}`, 'export_not_found');
    if (job.status !== JobStatus.Completed) {
      throw ProblemException.conflict('export_not_ready', `The export job is ${job.status}; only a completed export can be downloaded.`);
    }
    const output = resultDataOf(job, JobType.ExportLarge)!;
    const file = createReadStream(this.files.pathOf(job.id, output.format));
    try {
      await once(file, 'open');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw ProblemException.notFound(`The file of export ${jobId}`, 'export_file_missing');
    }
    const parameters = payloadOf(job, JobType.ExportLarge);
    return new ExportFile(
      file,
      { type: output.contentType, disposition: attachmentDisposition(output.fileName), length: output.sizeBytes },
      {
        jobId: job.id,
        entity: output.entity,
        format: output.format,
        filters: parameters.filters,
        fields: parameters.fields,
        rowCount: output.rowCount,
        sizeBytes: output.sizeBytes,
        sha256: output.sha256,
      },
    );
  }

  /** Validates the filters of a job export (a JSON object) with the rules of the entity's GET export. */
  async filtersOf(entity: ExportEntity, filters: Record<string, unknown> | undefined): Promise<ExportFilters> {
    const instance = plainToInstance(EXPORT_FILTER_TYPES[entity], filters ?? {});
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
    if (errors.length > 0) throw ProblemException.validation(flattenValidationErrors(errors, 'filters'));
    return definedOnly(instance);
  }

  private columnsFor(request: ExportRequest, user: AuthenticatedUser): ExportColumn[] {
    if (request.filters.includeDeleted === true && user.role !== Role.Admin) {
      throw ProblemException.insufficientRole('Only admins may export deleted rows.');
    }
    const selection = selectColumns(request.entity, request.fields);
    if ('unknown' in selection) {
      const known = fieldNamesOf(request.entity).join(', ');
      throw ProblemException.validation(
        selection.unknown.map((field) => ({
          field: 'fields',
          code: 'unknown_field',
          message: `${request.entity} have no field "${field}"; the fields are ${known}`,
        })),
      );
    }
    return selection.columns;
  }

  /** The request's snapshot (rows counted); with columns, a cursor over them too (see ExportSnapshot.open). */
  private openSnapshot(request: ExportRequest, cursorColumns?: readonly ExportColumn[]): Promise<ExportSnapshot> {
    return ExportSnapshot.open(this.em, EXPORT_SOURCES[request.entity], whereOf(request.entity, request.filters), cursorColumns);
  }

  /**
   * The COPY statement of a CSV export, the cells formatted by PostgreSQL (see
   * export-csv-sql.ts). The filters' values are written into it as escaped literals: COPY takes
   * no bind parameters.
   */
  private csvSqlOf(request: ExportRequest, columns: readonly ExportColumn[]): string {
    return csvCopySql(EXPORT_SOURCES[request.entity], columns, request.language, literalWhereOf(request.entity, request.filters));
  }

  /** A snapshot (rows counted) and its rows as CSV records from `COPY … TO STDOUT`, to be piped at once. */
  private async openCsvCopy(request: ExportRequest, columns: readonly ExportColumn[]): Promise<{ snapshot: ExportSnapshot; copy: Readable }> {
    const sql = this.csvSqlOf(request, columns);
    const snapshot = await this.openSnapshot(request);
    try {
      return { snapshot, copy: await snapshot.copyOut(sql) };
    } catch (error) {
      await snapshot.abort();
      throw error;
    }
  }

  /**
   * Pipes a CSV COPY into a job's file, after the header. The rows come in one stream, so the
   * cancellation and the progress are looked at on a timer rather than at batch boundaries; a
   * cancellation stops the pipeline. Returns the number of records written.
   */
  private async copyCsvTo(snapshot: ExportSnapshot, sql: string, sink: Writable, layout: ExportLayout, progress: BatchCallback): Promise<number> {
    const csv = new CopyCsvStream(csvPrefix(layout));
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
      }, PROGRESS_INTERVAL_MS);
    };
    try {
      const copy = await snapshot.copyOut(sql);
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

  /** The end of a streamed CSV export: commits the snapshot and checks that every counted row went out. */
  private async finishCsv(snapshot: ExportSnapshot, csv: CopyCsvStream, request: ExportRequest): Promise<void> {
    await snapshot.close();
    if (csv.records !== snapshot.rowCount) this.logCountMismatch(request, snapshot.rowCount, csv.records);
  }

  private logCountMismatch(request: ExportRequest, counted: number, written: number): void {
    this.logger.error({ entity: request.entity, format: request.format, counted, written }, 'The export wrote another number of rows than it counted');
  }

  /**
   * A streamed CSV export that did not end: the client went away (its stream was destroyed, so
   * the pipeline saw a premature close), or the COPY failed — then the response is cut, the only
   * way left to tell the client once the status line has gone.
   */
  private logStreamFailure(error: unknown, request: ExportRequest, rowsSent: number): void {
    const facts = { entity: request.entity, format: request.format, rowsSent };
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      this.logger.warn(facts, 'Export abandoned by the client');
      return;
    }
    this.logger.error({ err: error, ...facts }, 'Export failed mid-stream');
  }

  private layoutOf(request: ExportRequest, columns: readonly ExportColumn[]): ExportLayout {
    return {
      format: request.format,
      columns,
      language: request.language,
      byteOrderMark: request.byteOrderMark,
      sheetName: entityTitle(request.entity, request.language),
    };
  }
}

/** The facts of an export that its audit row records. */
function auditFactsOf(request: ExportRequest, columns: readonly ExportColumn[]): Record<string, unknown> {
  return {
    entity: request.entity,
    format: request.format,
    language: request.language,
    filters: request.filters,
    fields: columns.map((column) => column.name),
  };
}

/** The filters that are set: a DTO instance carries its unset optional properties as `undefined`. */
export function definedOnly(filters: ExportFilters): ExportFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
}
