import { Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { attachmentDisposition } from '../common/http/content-disposition';
import { Page } from '../common/pagination/page.dto';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { UuidParamPipe } from '../common/validation/id-param.pipes';
import { JobDto } from '../jobs/dto/job.dto';
import { StartsJob } from '../jobs/starts-job.decorator';
import { ImportRecordDto, ImportRecordPageDto, ImportRecordQueryDto, ImportUndoPreviewDto, ImportUndoQueryDto } from './dto/import-undo.dto';
import { ImportUndoService } from './import-undo.service';

const JOB_ID = { name: 'jobId', format: 'uuid', description: 'The bulk_import job that committed the import.' };

const undoFacts = (request: FastifyRequest, answer?: JobDto | ImportUndoPreviewDto) => {
  const query = request.query as Partial<ImportUndoQueryDto>;
  const counts = answer === undefined ? undefined : 'counts' in answer ? answer.counts : answer.parameters.counts;
  return { dryRun: query.dryRun ?? false, onConflict: query.onConflict ?? 'refuse', counts, undoJobId: answer !== undefined && 'id' in answer ? answer.id : undefined };
};

/** What a committed import wrote, and its undo. */
@ApiTags('imports')
@Controller('imports/jobs/:jobId')
@Authenticated(Role.Admin, Role.Staff)
@RateLimit(RateLimitPolicy.Heavy)
export class ImportUndoController {
  constructor(private readonly undo: ImportUndoService) {}

  @Get('records')
  @ApiParam(JOB_ID)
  @ApiOperation({
    summary: 'The records an import created, updated or restored, with the file row each came from',
    description: 'Its creator and admins only. `changed` marks records written again after the import. Updated and restored records are listed while the import can be undone (IMPORT_UNDO_DAYS).',
  })
  @ApiOkResponse({ type: ImportRecordPageDto })
  @ProblemResponses(400, 404)
  listImportRecords(@Param('jobId', UuidParamPipe) jobId: string, @Query() query: ImportRecordQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<Page<ImportRecordDto>> {
    return this.undo.records(jobId, query, user);
  }

  @Get('conflicts')
  @ApiParam(JOB_ID)
  @ApiOperation({ summary: 'The records changed after an import, which its undo refuses for or leaves alone', description: 'Paginated, by record id.' })
  @ApiOkResponse({ type: ImportRecordPageDto })
  @ProblemResponses(400, 404)
  listImportConflicts(@Param('jobId', UuidParamPipe) jobId: string, @Query() query: PageQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<Page<ImportRecordDto>> {
    return this.undo.conflicts(jobId, query, user);
  }

  @Get('conflicts/download')
  @ApiParam(JOB_ID)
  @ApiOperation({ summary: 'Download every record changed after an import, as CSV', description: 'UTF-8 with a byte-order mark: recordId, key, outcome, fileName, row, updatedAt.' })
  @ApiProduces('text/csv; charset=utf-8')
  @ApiOkResponse({ description: 'The conflicts as CSV.', content: { 'text/csv; charset=utf-8': { schema: { type: 'string' } } } })
  @ProblemResponses(400, 404)
  async downloadImportConflicts(@Param('jobId', UuidParamPipe) jobId: string, @CurrentUser() user: AuthenticatedUser): Promise<StreamableFile> {
    const content = await this.undo.conflictsCsv(jobId, user);
    return new StreamableFile(content, { type: 'text/csv; charset=utf-8', disposition: attachmentDisposition(`import-${jobId}-conflicts.csv`) });
  }

  @Post('undo')
  @HttpCode(202)
  @ApiParam(JOB_ID)
  @Audited<JobDto | ImportUndoPreviewDto>({ action: AuditAction.BulkImportUndo, resource: AuditResource.Import, details: undoFacts, resourceId: (request) => (request.params as { jobId?: string }).jobId })
  @ApiOperation({
    summary: 'Undo a committed import as a bulk_import_undo job, or preview the undo with dryRun=true',
    description:
      'In one transaction the job soft-deletes the records the import created, puts back the prior values of those it updated and deletes again those it restored. Records changed after the import refuse the undo (409 `undo_conflict`, listing them) unless onConflict=skip, which leaves them alone. 409 `already_undone`, `undo_expired` (after IMPORT_UNDO_DAYS). dryRun=true answers 200 with the counts and the first conflicts and writes nothing. ' +
      'The jobId may also be a `bulk_update` or `bulk_delete` job: its records get their prior values back (deleted ones are restored) under the same rules.',
  })
  @StartsJob()
  @ApiOkResponse({ type: ImportUndoPreviewDto, description: 'dryRun=true: what the undo would do.' })
  @ProblemResponses(400, 404, 409)
  async undoImport(
    @Param('jobId', UuidParamPipe) jobId: string,
    @Query() query: ImportUndoQueryDto,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobDto | ImportUndoPreviewDto> {
    const answer = await this.undo.undo(jobId, query, user);
    if ('preview' in answer) {
      reply.status(200);
      return answer.preview;
    }
    return answer.job;
  }
}
