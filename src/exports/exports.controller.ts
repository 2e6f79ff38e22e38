import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Audited, AuditedOptions } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { ApiDownloadResponse, BINARY } from '../common/openapi/download-response';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { UuidParamPipe } from '../common/validation/id-param.pipes';
import { JobDto } from '../jobs/dto/job.dto';
import { StartsJob } from '../jobs/starts-job.decorator';
import { CourseExportQueryDto, CreateExportJobDto, EnrollmentExportQueryDto, ExportOptionsDto, StudentExportQueryDto } from './dto/export-query.dto';
import { AttachmentFile } from '../common/http/attachment-file';
import { EXPORT_ROW_SCHEMA_NAMES } from './export-row-schemas';
import { ExportFilters } from './export-filters';
import { CONTENT_TYPES, languageFromAcceptLanguage } from './export-formats';
import { ExportEntity, ExportFormat, ExportLanguage } from './export.enums';
import { CheckedExportJobBody, ExportJobFiltersPipe } from './export-job-filters.pipe';
import { definedOnly, ExportRequest } from './export-request';
import { ExportsService } from './exports.service';

/** The file per format: JSON is an array of the entity's rows, the other formats bytes to save. */
function exportContent(...entities: ExportEntity[]) {
  const rows = entities.map((entity) => ({ $ref: `#/components/schemas/${EXPORT_ROW_SCHEMA_NAMES[entity]}` }));
  return Object.fromEntries(
    Object.values(ExportFormat).map((format) => [
      CONTENT_TYPES[format],
      format === ExportFormat.Json ? { type: 'array' as const, items: rows.length === 1 ? rows[0] : { anyOf: rows } } : BINARY,
    ]),
  );
}

/** An export's audit row: its facts when it started, else (a refused request) what was asked. */
function exportAudit(entity: ExportEntity, resource: AuditResource): AuditedOptions<AttachmentFile> {
  return {
    action: AuditAction.BulkExport,
    resource,
    resourceId: () => null,
    details: (request, file) => file?.auditDetails ?? { entity, query: request.query },
  };
}

/** The language of the labels when the request names none: Accept-Language, else English. */
function languageOf(request: FastifyRequest): ExportLanguage {
  const header = request.headers['accept-language'];
  return languageFromAcceptLanguage(typeof header === 'string' ? header : undefined);
}

function requestOf(entity: ExportEntity, query: ExportOptionsDto & ExportFilters, request: FastifyRequest): ExportRequest {
  const { format, fields, lang, bom, ...filters } = query;
  return {
    entity,
    format,
    fields,
    filters: definedOnly(filters),
    language: lang ?? languageOf(request),
    byteOrderMark: bom === true,
  };
}

const EXPORT_DESCRIPTION =
  'Streamed from one consistent snapshot. CSV and XLSX carry labels in the chosen language and neutralise text cells ' +
  'that a spreadsheet would run as a formula; JSON and NDJSON keep the API\'s field names and values. ' +
  'Without `lang`, the labels follow `Accept-Language` (`el` or `en`, else English).';

@ApiTags('exports')
@Controller('exports')
@Authenticated(Role.Admin, Role.Staff)
@RateLimit(RateLimitPolicy.Heavy)
@ApiHeader({ name: 'Accept-Language', required: false, description: 'The language of CSV and XLSX labels when `lang` is not given: `el` or `en` (else English).' })
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get(ExportEntity.Students)
  @Audited(exportAudit(ExportEntity.Students, AuditResource.Student))
  @ApiOperation({ summary: 'Download the students as CSV, XLSX, JSON or NDJSON', description: EXPORT_DESCRIPTION })
  @ApiDownloadResponse('The file, as an attachment.', exportContent(ExportEntity.Students))
  @ProblemResponses(400)
  exportStudents(
    @Query() query: StudentExportQueryDto,
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<AttachmentFile> {
    return this.exports.stream(requestOf(ExportEntity.Students, query, request), user);
  }

  @Get(ExportEntity.Courses)
  @Audited(exportAudit(ExportEntity.Courses, AuditResource.Course))
  @ApiOperation({ summary: 'Download the courses as CSV, XLSX, JSON or NDJSON', description: EXPORT_DESCRIPTION })
  @ApiDownloadResponse('The file, as an attachment.', exportContent(ExportEntity.Courses))
  @ProblemResponses(400)
  exportCourses(
    @Query() query: CourseExportQueryDto,
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<AttachmentFile> {
    return this.exports.stream(requestOf(ExportEntity.Courses, query, request), user);
  }

  @Get(ExportEntity.Enrollments)
  @Audited(exportAudit(ExportEntity.Enrollments, AuditResource.Enrollment))
  @ApiOperation({ summary: 'Download the enrollments as CSV, XLSX, JSON or NDJSON', description: EXPORT_DESCRIPTION })
  @ApiDownloadResponse('The file, as an attachment.', exportContent(ExportEntity.Enrollments))
  @ProblemResponses(400)
  exportEnrollments(
    @Query() query: EnrollmentExportQueryDto,
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<AttachmentFile> {
    return this.exports.stream(requestOf(ExportEntity.Enrollments, query, request), user);
  }

  @Post()
  @HttpCode(202)
  @Audited<JobDto>({
    action: AuditAction.BulkExport,
    resource: AuditResource.Job,
    details: (request: FastifyRequest, job) => ({ ...(request.body as Record<string, unknown>), ...(job === undefined ? {} : { jobId: job.id }) }),
  })
  @ApiOperation({
    summary: 'Start a large export as an export_large job',
    description: 'The job writes the file and records its row count, size and sha256; download it from `/exports/{jobId}/download` while the job lives.',
  })
  @ApiBody({ type: CreateExportJobDto })
  @StartsJob()
  @ProblemResponses(400)
  async startExportJob(
    @Body(ExportJobFiltersPipe) body: CheckedExportJobBody,
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: FastifyRequest,
  ): Promise<JobDto> {
    return this.exports.startJob(
      {
        entity: body.entity,
        format: body.format,
        fields: body.fields,
        filters: body.filters,
        language: body.lang ?? languageOf(request),
        byteOrderMark: body.bom === true,
      },
      user,
    );
  }

  @Get(':jobId/download')
  @Audited<AttachmentFile>({
    action: AuditAction.BulkExport,
    resource: AuditResource.Job,
    resourceId: (request) => (request.params as Record<string, string>).jobId,
    details: (_request, file) => file?.auditDetails,
  })
  @ApiOperation({ summary: "Download a finished export job's file", description: "Only the job's owner (or an admin) may; anyone else gets 404." })
  @ApiParam({ name: 'jobId', format: 'uuid', description: 'The id of the export_large job (from `POST /exports`).' })
  @ApiDownloadResponse('The file, as an attachment; a JSON file holds the rows of the job\'s entity.', exportContent(...Object.values(ExportEntity)))
  @ProblemResponses(400, 404, 409)
  downloadExport(@Param('jobId', UuidParamPipe) jobId: string, @CurrentUser() user: AuthenticatedUser): Promise<AttachmentFile> {
    return this.exports.download(jobId, user);
  }
}
