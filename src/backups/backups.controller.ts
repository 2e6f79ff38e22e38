import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuditRequestContext } from '../audit/audit-context';
import { Audited, RequestAuditContext } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { ApiDownloadResponse, BINARY } from '../common/openapi/download-response';
import { Page } from '../common/pagination/page.dto';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { UuidParamPipe } from '../common/validation/id-param.pipes';
import { AttachmentFile } from '../common/http/attachment-file';
import { JobDto } from '../jobs/dto/job.dto';
import { StartsJob } from '../jobs/starts-job.decorator';
import { BackupsService } from './backups.service';
import { BackupDto, BackupListQueryDto, BackupPageDto, CreateBackupDto, RestoreBackupDto } from './dto/backup.dto';


@ApiTags('backups')
@Controller('backups')
@Authenticated(Role.Admin)
@RateLimit(RateLimitPolicy.Heavy)
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Post()
  @HttpCode(202)
  @Audited<JobDto>({
    action: AuditAction.BackupCreate,
    resource: AuditResource.System,
    resourceId: (_request, job) => job?.id,
    details: (request: FastifyRequest, job) => ({
      includePasswordHashes: (request.body as CreateBackupDto | undefined)?.includePasswordHashes === true,
      ...(job === undefined ? {} : { jobId: job.id }),
    }),
  })
  @ApiOperation({
    operationId: 'createBackup',
    summary: 'Take a backup of students, courses, enrollments and users as a backup job',
    description:
      'The job copies the four tables from one consistent snapshot into a compressed archive under BACKUP_DIR, with a manifest ' +
      '(row counts, sha256 of each part and of the archive, schema version). The backup id is the job id; it is listed once the job completes.',
  })
  @StartsJob()
  @ProblemResponses(400)
  async create(
    @Body() body: CreateBackupDto,
    @CurrentUser() user: AuthenticatedUser,
    @RequestAuditContext() context: AuditRequestContext,
  ): Promise<JobDto> {
    return this.backups.start(body.includePasswordHashes === true, user, context);
  }

  @Get()
  @ApiOperation({ operationId: 'listBackups', summary: 'List the backups, newest first', description: 'Completed backups only; a running one is a job (GET /jobs/{id}).' })
  @ApiOkResponse({ type: BackupPageDto })
  @ProblemResponses(400)
  list(@Query() query: BackupListQueryDto): Promise<Page<BackupDto>> {
    return this.backups.list(query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getBackup', summary: 'A backup and its manifest', description: 'Row counts, sha256 of each part and of the archive, schema version.' })
  @ApiParam({ name: 'id', format: 'uuid', description: "The backup's id (the id of the backup job that took it)." })
  @ApiOkResponse({ type: BackupDto })
  @ProblemResponses(400, 404, 422)
  get(@Param('id', UuidParamPipe) id: string): Promise<BackupDto> {
    return this.backups.get(id);
  }

  @Get(':id/download')
  @Audited<AttachmentFile>({ action: AuditAction.BulkExport, resource: AuditResource.System, details: (_request, file) => file?.auditDetails })
  @ApiOperation({ operationId: 'downloadBackup', summary: "Download a backup's archive (.tar.gz)", description: 'Streamed; `sha256sum` of the file gives the backup\'s `sha256`.' })
  @ApiParam({ name: 'id', format: 'uuid', description: "The backup's id." })
  @ApiDownloadResponse('The archive, as an attachment.', { 'application/gzip': BINARY })
  @ProblemResponses(400, 404, 422)
  download(@Param('id', UuidParamPipe) id: string): Promise<AttachmentFile> {
    return this.backups.download(id);
  }

  @Post(':id/restore')
  @HttpCode(202)
  @Audited<JobDto>({ action: AuditAction.BackupRestore, resource: AuditResource.System, details: (_request, job) => job && { jobId: job.id } })
  @ApiOperation({
    operationId: 'restoreBackup',
    summary: 'Restore a backup as a backup_restore job',
    description:
      'Replaces the students, courses, enrollments and users with the backup\'s, in one transaction, after checking the archive\'s sha256 ' +
      '(`422 backup_corrupt`) and the schema version (`409 backup_schema_mismatch`). The audit trail is never restored or changed.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: "The backup's id." })
  @StartsJob()
  @ProblemResponses(400, 404, 409, 422)
  async restore(
    @Param('id', UuidParamPipe) id: string,
    @Body() _body: RestoreBackupDto,
    @CurrentUser() user: AuthenticatedUser,
    @RequestAuditContext() context: AuditRequestContext,
  ): Promise<JobDto> {
    return this.backups.startRestore(id, user, context);
  }
}
