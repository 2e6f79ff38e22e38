import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Audited, AuditedOptions } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { attachmentDisposition } from '../common/http/content-disposition';
import { ApiDownloadResponse, BINARY } from '../common/openapi/download-response';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { UuidParamPipe } from '../common/validation/id-param.pipes';
import { JobDto } from '../jobs/dto/job.dto';
import { StartsJob } from '../jobs/starts-job.decorator';
import { ImportBehaviourDto, ImportCommitDto, ImportIssueQueryDto, ImportPreviewDto, ImportUploadBodyDto } from './dto/import-preview.dto';
import { UploadedImport } from './import-upload.pipe';
import { ImportEntity, ImportUpload } from './import.types';
import { ImportsService } from './imports.service';
import { AuditImportPreviewDetails } from '../audit/dto/audit-details.dto';


/** What the audit row of an import call keeps: never server paths, never cell values. */
function auditedImport<Result>(details: AuditedOptions<Result>['details'], resourceId?: AuditedOptions<Result>['resourceId']): MethodDecorator {
  return Audited<Result>({ action: AuditAction.BulkImport, resource: AuditResource.Import, details, resourceId });
}

const previewFacts = (preview: ImportPreviewDto | undefined) =>
  preview && ({ entity: preview.entity, fileName: preview.fileName, sha256: preview.sha256, mode: preview.mode, onInvalid: preview.onInvalid, counts: preview.summary } satisfies AuditImportPreviewDetails);

const jobFacts = (job: JobDto | undefined) => {
  if (job === undefined) return undefined;
  const { previewIds, entity, mode, onInvalid, files } = job.parameters;
  return { jobId: job.id, previewIds, entity, mode, onInvalid, files };
};

const firstPreviewOf = (_request: FastifyRequest, job?: JobDto) => (job?.parameters as { previewIds?: string[] } | undefined)?.previewIds?.[0];

@ApiTags('imports')
@Controller('imports')
@Authenticated(Role.Admin, Role.Staff)
@RateLimit(RateLimitPolicy.Heavy)
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post('preview')
  @auditedImport<ImportPreviewDto>((_request, preview) => previewFacts(preview))
  @ApiOperation({
    summary: 'Check a file without writing: what would be created, updated, left unchanged, skipped or rejected, and why',
    description:
      'Stores the upload and its sha256, reads and validates every row, compares it with the database, and answers the plan with the first 100 issues. Send the form fields before the file.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImportUploadBodyDto })
  @ApiCreatedResponse({ type: ImportPreviewDto })
  @ProblemResponses(400, 413, 415, 422)
  previewImport(@UploadedImport() upload: ImportUpload, @CurrentUser() user: AuthenticatedUser): Promise<ImportPreviewDto> {
    return this.imports.preview(upload, user);
  }

  @Get('previews/:id')
  @ApiParam({ name: 'id', format: 'uuid', description: "The preview's id (from `POST /imports/preview`)." })
  @ApiOperation({ summary: 'A preview again, with one page of its issues (filter by severity or code)', description: 'Previews can be read until they expire (IMPORT_PREVIEW_TTL_HOURS), committed or not.' })
  @ApiOkResponse({ type: ImportPreviewDto })
  @ProblemResponses(400, 404)
  getImportPreview(@Param('id', UuidParamPipe) id: string, @Query() query: ImportIssueQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<ImportPreviewDto> {
    return this.imports.get(id, user, query);
  }

  @Get('previews/:id/rejected')
  @ApiParam({ name: 'id', format: 'uuid', description: "The preview's id (from `POST /imports/preview`)." })
  @ApiOperation({
    summary: 'Download the rows the import leaves out, as CSV with a reason column',
    description: 'Invalid rows and skipped rows (duplicates, unknown references, records the mode does not touch), with their cells as in the file.',
  })
  @ApiDownloadResponse('UTF-8 CSV with a byte-order mark, so spreadsheets open Greek text correctly.', { 'text/csv; charset=utf-8': BINARY })
  @ProblemResponses(400, 404)
  async downloadRejectedRows(@Param('id', UuidParamPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<StreamableFile> {
    const { preview, content } = await this.imports.rejectedRows(id, user);
    const baseName = preview.fileName.replace(/\.[^.]*$/, '');
    return new StreamableFile(content, { type: 'text/csv; charset=utf-8', disposition: attachmentDisposition(`${baseName}-rejected.csv`) });
  }

  @Post('previews/:id/commit')
  @HttpCode(202)
  @ApiParam({ name: 'id', format: 'uuid', description: "The preview's id (from `POST /imports/preview`)." })
  @auditedImport<JobDto>((_request, job) => jobFacts(job), (request) => (request.params as { id?: string }).id)
  @ApiOperation({
    summary: 'Write exactly the previewed file as a bulk_import job',
    description:
      'A preview commits once. The job re-checks the plan and fails without writing anything if the data moved since the preview. 409 `mass_change_unconfirmed` when the preview says `massChange.confirmationNeeded` and the body lacks `confirmMassChange: true`.',
  })
  @ApiBody({ type: ImportCommitDto, required: false })
  @StartsJob()
  @ProblemResponses(400, 404, 409, 422)
  async commitImportPreview(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: ImportCommitDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<JobDto> {
    return this.imports.commit(id, body, user);
  }

  @Post('upload')
  @HttpCode(202)
  @auditedImport<JobDto>((_request, job) => jobFacts(job), firstPreviewOf)
  @ApiOperation({
    summary: 'Preview and commit in one call, as a bulk_import job',
    description: 'The job records its findings as a preview (see the job result data.previewIds) and writes only if the file may be committed.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImportUploadBodyDto })
  @StartsJob()
  @ProblemResponses(400, 413, 415, 422)
  async uploadImport(@UploadedImport() upload: ImportUpload, @CurrentUser() user: AuthenticatedUser): Promise<JobDto> {
    return this.imports.upload(upload, user);
  }

  @Post('students')
  @HttpCode(202)
  @auditedImport<JobDto>((_request, job) => jobFacts(job), firstPreviewOf)
  @ApiOperation({ summary: 'Import every file in IMPORT_DIR/students as one bulk_import job', description: 'The server-side files are copied first; 422 `import_directory_empty` when there is none.' })
  @ApiBody({ type: ImportBehaviourDto, required: false })
  @StartsJob()
  @ProblemResponses(400, 422)
  async importStudentDirectory(@Body() body: ImportBehaviourDto, @CurrentUser() user: AuthenticatedUser): Promise<JobDto> {
    return this.imports.importDirectory(ImportEntity.Students, body, user);
  }

  @Post('courses')
  @HttpCode(202)
  @auditedImport<JobDto>((_request, job) => jobFacts(job), firstPreviewOf)
  @ApiOperation({ summary: 'Import every file in IMPORT_DIR/courses as one bulk_import job', description: 'The server-side files are copied first; 422 `import_directory_empty` when there is none.' })
  @ApiBody({ type: ImportBehaviourDto, required: false })
  @StartsJob()
  @ProblemResponses(400, 422)
  async importCourseDirectory(@Body() body: ImportBehaviourDto, @CurrentUser() user: AuthenticatedUser): Promise<JobDto> {
    return this.imports.importDirectory(ImportEntity.Courses, body, user);
  }
}
