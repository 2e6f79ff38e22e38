import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { attachmentDisposition } from '../common/http/content-disposition';
import { ProblemException } from '../common/problem/problem.exception';
import { flattenValidationErrors } from '../common/validation/validation.pipe';
import { JobDto } from '../jobs/dto/job.dto';
import { JobExecution } from '../jobs/job-handler.registry';
import { JobResult } from '../jobs/job-record';
import { JobStatus, JobType } from '../jobs/job.enums';
import { JobsService } from '../jobs/jobs.service';
import { EXPORT_FILTER_TYPES } from './dto/export-query.dto';
import { ExportColumn, EXPORT_SOURCES, fieldNamesOf, selectColumns } from './export-columns';
import { ExportFile } from './export-file';
import { ExportFilesService } from './export-files.service';
import { ExportFilters, whereOf } from './export-filters';
import { CONTENT_TYPES, entityTitle, exportFileName } from './export-formats';
import { ExportSnapshot } from './export-snapshot';
import { ExportAbortedError, ExportLayout, writeExport } from './export-writer';
import { ExportEntity, ExportFormat, ExportLanguage } from './export.enums';

/** Rows per keyset batch: one query and one write each. */
const BATCH_SIZE = 5_000;
/** A job's progress is written at most this often (each write is a Redis round trip and an event). */
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
interface ExportJobParameters extends ExportRequest {
  fields: string[];
}

/** What a finished export job keeps in `result.data`. */
export interface ExportJobOutput {
  entity: ExportEntity;
  format: ExportFormat;
  fileName: string;
  contentType: string;
  rowCount: number;
  sizeBytes: number;
  sha256: string;
}

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
    const snapshot = await this.openSnapshot(request.entity, request.filters, columns);
    const sink = new PassThrough();
    const run = async (): Promise<void> => {
      try {
        await writeExport(snapshot.batches(BATCH_SIZE), sink, this.layoutOf(request, columns));
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
    return new ExportFile(
      sink,
      {
        type: CONTENT_TYPES[request.format],
        disposition: attachmentDisposition(exportFileName(request.entity, request.format, request.language, new Date())),
      },
      { ...auditFactsOf(request, columns), rowCount: snapshot.rowCount },
    );
  }

  /** Checks the request as the GET export would, then queues it as an `export_large` job. */
  async startJob(request: ExportRequest, user: AuthenticatedUser): Promise<JobDto> {
    const columns = this.columnsFor(request, user);
    const parameters: ExportJobParameters = { ...request, fields: columns.map((column) => column.name) };
    return this.jobs.startServerJob(JobType.ExportLarge, { ...parameters }, user.id);
  }

  /**
   * The `export_large` handler: writes the file under a temporary name, hashing it on the way,
   * and gives it its final name only once complete. A cancelled or failed run leaves no file.
   */
  async runJob(execution: JobExecution): Promise<Partial<JobResult>> {
    const request = execution.job.parameters as unknown as ExportJobParameters;
    const selection = selectColumns(request.entity, request.fields);
    if ('unknown' in selection) throw new Error(`Unknown export fields ${selection.unknown.join(', ')}`);
    const { columns } = selection;
    const partialPath = this.files.partialPathOf(execution.job.id, request.format);
    const finalPath = this.files.pathOf(execution.job.id, request.format);
    await mkdir(this.files.directory, { recursive: true });

    const snapshot = await this.openSnapshot(request.entity, request.filters, columns);
    const hash = createHash('sha256');
    let sizeBytes = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        sizeBytes += chunk.length;
        callback(null, chunk);
      },
    });
    const written = pipeline(hashing, createWriteStream(partialPath));
    let lastProgressAt = 0;
    try {
      await execution.reportProgress({ processed: 0, total: snapshot.rowCount, message: `Exporting ${snapshot.rowCount} rows` });
      const rowCount = await writeExport(snapshot.batches(BATCH_SIZE), hashing, this.layoutOf(request, columns), async (rows) => {
        await execution.throwIfCancelled();
        if (Date.now() - lastProgressAt < PROGRESS_INTERVAL_MS) return;
        lastProgressAt = Date.now();
        await execution.reportProgress({ processed: rows, total: snapshot.rowCount });
      });
      await written;
      await rename(partialPath, finalPath);
      const output: ExportJobOutput = {
        entity: request.entity,
        format: request.format,
        fileName: exportFileName(request.entity, request.format, request.language, new Date()),
        contentType: CONTENT_TYPES[request.format],
        rowCount,
        sizeBytes,
        sha256: hash.digest('hex'),
      };
      await execution.reportProgress({ processed: rowCount, total: snapshot.rowCount, message: 'Written' });
      return { message: `Exported ${rowCount} rows`, counts: { rows: rowCount }, data: { ...output } };
    } catch (error) {
      hashing.destroy();
      await written.catch(() => undefined);
      await rm(partialPath, { force: true });
      throw error;
    } finally {
      await snapshot.close();
    }
  }

  /** A finished job's file, for its owner (or an admin); anyone else, or an expired job, gets 404. */
  async download(jobId: string, user: AuthenticatedUser): Promise<ExportFile> {
    const job = await this.jobs.get(jobId, user);
    if (job.type !== JobType.ExportLarge) throw ProblemException.notFound(`Export ${jobId}`, 'export_not_found');
    if (job.status !== JobStatus.Completed) {
      throw ProblemException.conflict('export_not_ready', `The export job is ${job.status}; only a completed export can be downloaded.`);
    }
    const output = job.result!.data as unknown as ExportJobOutput;
    const file = createReadStream(this.files.pathOf(job.id, output.format));
    try {
      await once(file, 'open');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw ProblemException.notFound(`The file of export ${jobId}`, 'export_file_missing');
    }
    const parameters = job.parameters as unknown as ExportJobParameters;
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
      throw new ProblemException({ status: 403, code: 'insufficient_role', title: 'Forbidden', detail: 'Only admins may export deleted rows.' });
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

  private openSnapshot(entity: ExportEntity, filters: ExportFilters, columns: readonly ExportColumn[]): Promise<ExportSnapshot> {
    return ExportSnapshot.open(this.em.getKnex(), EXPORT_SOURCES[entity], columns, whereOf(entity, filters));
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

function definedOnly(filters: ExportFilters): ExportFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
}
