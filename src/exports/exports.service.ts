import { Injectable, Logger } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { AttachmentFile } from '../common/http/attachment-file';
import { ProblemException } from '../common/problem/problem.exception';
import { JobDto } from '../jobs/dto/job.dto';
import { payloadOf, resultDataOf } from '../jobs/job-payloads';
import { JobStatus, JobType } from '../jobs/job.enums';
import { JobsService } from '../jobs/jobs.service';
import { ExportColumn, fieldNamesOf, selectColumns } from './export-columns';
import { ExportFilesService } from './export-files.service';
import { CONTENT_TYPES, exportFileName } from './export-formats';
import type { ExportJobParameters } from './dto/export-job.dto';
import { ExportRequest } from './export-request';
import { copyOutputOf, CopyOutput, ExportRows } from './export-rows.service';
import { ExportSnapshot } from './export-snapshot';
import { AuditExportDetails } from '../audit/dto/audit-details.dto';

@Injectable()
export class ExportsService {
  private readonly logger = new Logger(ExportsService.name);

  constructor(
    private readonly rows: ExportRows,
    private readonly jobs: JobsService,
    private readonly files: ExportFilesService,
  ) {}

  /**
   * The export as a stream, from a snapshot opened before this returns: the row count is known
   * (and audited) before the first byte goes out, and is exactly the number of rows sent.
   */
  async stream(request: ExportRequest, user: AuthenticatedUser): Promise<AttachmentFile> {
    const columns = this.columnsFor(request, user);
    const attachment = { fileName: exportFileName(request.entity, request.format, request.language, new Date()), contentType: CONTENT_TYPES[request.format] };
    const { snapshot, copy } = await this.rows.copyRows(request, columns);
    const output = copyOutputOf(request, columns);
    // The response reads `output`; when the client goes away Fastify destroys it, which makes
    // the pipeline fail and destroy the COPY's stream, and abort() drops the connection.
    pipeline(copy, output).then(
      () => this.finishCopy(snapshot, output, request),
      async (error: unknown) => {
        await snapshot.abort();
        this.logStreamFailure(error, request, output.records);
      },
    ).catch((error: unknown) => this.logger.error({ err: error, entity: request.entity, format: request.format }, 'Could not end the export'));
    return new AttachmentFile(output, attachment, { ...auditFactsOf(request, columns), rowCount: snapshot.rowCount });
  }

  /** Checks the request as the GET export would, then queues it as an `export_large` job. */
  async startJob(request: ExportRequest, user: AuthenticatedUser): Promise<JobDto> {
    const columns = this.columnsFor(request, user);
    const parameters: ExportJobParameters = { ...request, fields: columns.map((column) => column.name) };
    return this.jobs.startServerJob(JobType.ExportLarge, parameters, user.id);
  }

  /** A finished job's file, for its owner (or an admin); anyone else, or an expired job, gets 404. */
  async download(jobId: string, user: AuthenticatedUser): Promise<AttachmentFile> {
    const job = await this.jobs.get(jobId, user);
    if (job.type !== JobType.ExportLarge) throw ProblemException.notFound(`Export ${jobId}`, 'export_not_found');
    if (job.status !== JobStatus.Completed) {
      throw ProblemException.conflict('export_not_ready', `The export job is ${job.status}; only a completed export can be downloaded.`);
    }
    const output = resultDataOf(job, JobType.ExportLarge)!;
    const parameters = payloadOf(job, JobType.ExportLarge);
    return AttachmentFile.fromPath(
      this.files.pathOf(job.id, output.format),
      { fileName: output.fileName, contentType: output.contentType, length: output.sizeBytes },
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
      () => ProblemException.notFound(`The file of export ${jobId}`, 'export_file_missing'),
    );
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

  /** The end of a streamed COPY export: commits the snapshot and checks that every counted row went out. */
  private async finishCopy(snapshot: ExportSnapshot, output: CopyOutput, request: ExportRequest): Promise<void> {
    await snapshot.close();
    this.rows.checkRowCount(request, snapshot.rowCount, output.records);
  }

  /**
   * A streamed COPY export that did not end: the client went away (its stream was destroyed, so
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
}

/** The facts of an export that its audit row records. */
function auditFactsOf(request: ExportRequest, columns: readonly ExportColumn[]): Record<string, unknown> {
  return {
    entity: request.entity,
    format: request.format,
    language: request.language,
    filters: request.filters,
    fields: columns.map((column) => column.name),
  } satisfies AuditExportDetails;
}
