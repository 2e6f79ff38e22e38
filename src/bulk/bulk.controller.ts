import { Body, Controller, Get, HttpCode, Injectable, Param, PipeTransform, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuditRequestContext } from '../audit/audit-context';
import { Audited, RequestAuditContext } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { ProblemException } from '../common/problem/problem.exception';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { UuidParamPipe } from '../common/validation/id-param.pipes';
import { ImportEntity } from '../imports/import.types';
import { JobDto } from '../jobs/dto/job.dto';
import { StartsJob } from '../jobs/starts-job.decorator';
import { BulkService } from './bulk.service';
import { BulkCommitDto, BulkDeletePreviewRequestDto, BulkPreviewDto, BulkUpdatePreviewRequestDto } from './dto/bulk.dto';

/** `students`, `courses` or `enrollments`; anything else is a 400 naming the parameter. */
@Injectable()
class EntityParamPipe implements PipeTransform<string, ImportEntity> {
  transform(value: string): ImportEntity {
    const entity = Object.values(ImportEntity).find((candidate) => candidate === (value as ImportEntity));
    if (entity === undefined) throw ProblemException.validation([{ field: 'entity', code: 'isEnum', message: `entity must be one of: ${Object.values(ImportEntity).join(', ')}` }]);
    return entity;
  }
}

const PREVIEW_ID = { name: 'id', format: 'uuid', description: 'The bulk preview.' };

const ENTITY = { name: 'entity', enum: ImportEntity, enumName: 'ImportEntity', description: 'What to change.' };

/** What the audit row of a preview keeps: the counts, never the values set. */
const previewFacts = (preview: BulkPreviewDto | undefined) =>
  preview && { entity: preview.entity, previewId: preview.id, matched: preview.matched, changing: preview.changing, invalid: preview.invalid, fields: Object.keys({ ...(preview.change.set as object), ...(preview.change.increment as object) }) };

/** Filter-based bulk updates and deletes: preview, commit as a job; undone as imports are (`POST /imports/jobs/{jobId}/undo`). */
@ApiTags('bulk')
@Controller('bulk')
@Authenticated(Role.Admin, Role.Staff)
@RateLimit(RateLimitPolicy.Heavy)
export class BulkController {
  constructor(private readonly bulk: BulkService) {}

  @Post(':entity/update/preview')
  @ApiParam(ENTITY)
  @Audited<BulkPreviewDto>({ action: AuditAction.BulkUpdate, resource: AuditResource.System, resourceId: (_request, preview) => preview?.id, details: (_request, preview) => previewFacts(preview) })
  @ApiOperation({
    summary: 'Preview a change of every record a filter matches, without writing',
    description:
      'Answers how many records match, how many would change, the first 20 before and after, every record the change would make invalid (e.g. studyYear past 6) with the reason, ' +
      'and whether the commit needs confirmMassChange. The preview is kept for its creator until expiresAt and committed with `POST /bulk/previews/{id}/commit`.',
  })
  @ApiBody({ type: BulkUpdatePreviewRequestDto, examples: { promotion: { summary: 'Year-end promotion', value: { filter: { studyYear: 1, classDivision: 'A1', isActive: true }, set: { classDivision: 'B1' }, increment: { studyYear: 1 } } } } })
  @ApiCreatedResponse({ type: BulkPreviewDto })
  @ProblemResponses(400)
  previewBulkUpdate(
    @Param('entity', EntityParamPipe) entity: ImportEntity,
    @Body() body: BulkUpdatePreviewRequestDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<BulkPreviewDto> {
    return this.bulk.previewUpdate(entity, body, user);
  }

  @Post(':entity/delete/preview')
  @ApiParam(ENTITY)
  @Audited<BulkPreviewDto>({ action: AuditAction.BulkDelete, resource: AuditResource.System, resourceId: (_request, preview) => preview?.id, details: (_request, preview) => previewFacts(preview) })
  @ApiOperation({
    summary: 'Preview the soft deletion of every record a filter matches, without writing',
    description:
      'Answers how many records match, the first 20, and for students and courses what happens to their enrollments (kept, but hidden while their student or course is deleted, as through the API).',
  })
  @ApiBody({ type: BulkDeletePreviewRequestDto, examples: { closedCourse: { summary: "A closed course's enrollments", value: { filter: { courseCode: 'MATH101' } } } } })
  @ApiCreatedResponse({ type: BulkPreviewDto })
  @ProblemResponses(400)
  previewBulkDelete(
    @Param('entity', EntityParamPipe) entity: ImportEntity,
    @Body() body: BulkDeletePreviewRequestDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<BulkPreviewDto> {
    return this.bulk.previewDelete(entity, body, user);
  }

  @Get('previews/:id')
  @ApiParam(PREVIEW_ID)
  @ApiOperation({ summary: 'Read a bulk preview again', description: 'Its creator and admins only; anyone else, and an expired preview, get 404 `preview_not_found`.' })
  @ApiOkResponse({ type: BulkPreviewDto })
  @ProblemResponses(400, 404)
  getBulkPreview(@Param('id', UuidParamPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<BulkPreviewDto> {
    return this.bulk.get(id, user);
  }

  @Post('previews/:id/commit')
  @HttpCode(202)
  @ApiParam(PREVIEW_ID)
  @ApiOperation({
    summary: 'Commit a bulk preview as a bulk_update or bulk_delete job',
    description:
      'Its creator only. The job writes everything in one transaction or nothing: it finds the matching records again and fails with `preview_outdated` if any was added, removed or changed since the preview; ' +
      'it keeps their prior values, stamps them with its provenance (`lastImport`: the job id, fileName `bulk_update` or `bulk_delete`, row 0) and can be undone with `POST /imports/jobs/{jobId}/undo`. ' +
      '409 `preview_outdated` when that is already so at the request, `mass_change_unconfirmed` without confirmMassChange when the preview needs it, `preview_already_committed`; ' +
      '422 `preview_not_committable` when the preview lists invalid records and onInvalid is refuse. The request and the end of the job are audited as bulk_update or bulk_delete, with the counts.',
  })
  @StartsJob()
  @ProblemResponses(400, 404, 409, 422)
  commitBulkPreview(
    @Param('id', UuidParamPipe) id: string,
    @Body() body: BulkCommitDto,
    @CurrentUser() user: AuthenticatedUser,
    @RequestAuditContext() context: AuditRequestContext,
  ): Promise<JobDto> {
    return this.bulk.commit(id, body, user, context);
  }
}
