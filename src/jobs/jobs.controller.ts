import { Body, Controller, Delete, Get, Headers, HttpCode, MessageEvent, Param, Patch, Post, Query, Res, Sse, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Observable } from 'rxjs';
import { Audited } from '../audit/audited.decorator';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { headerRefs } from '../common/openapi/header-components';
import { ProblemResponses } from '../common/problem/problem-responses.decorator';
import { ProblemException } from '../common/problem/problem.exception';
import { RateLimit, RateLimitPolicy } from '../common/rate-limit/rate-limit.decorator';
import { UuidParamPipe } from '../common/validation/id-param.pipes';
import { CompleteJobDto, CreateJobDto, FailJobDto, JobDto, JobListQueryDto, JobPageDto, JobProgressUpdateDto } from './dto/job.dto';
import { StartsJob } from './starts-job.decorator';
import { JobVisibilityGuard } from './job-visibility.guard';
import { JobsService } from './jobs.service';
import { AuditJobCreateDetails } from '../audit/dto/audit-details.dto';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw ProblemException.validation([{ field: 'Idempotency-Key', code: 'invalid_header', message: 'Idempotency-Key must be 1..255 visible ASCII characters' }]);
  }
  return header;
}

@ApiTags('jobs')
@Controller('jobs')
@Authenticated()
@RateLimit(RateLimitPolicy.PerUser)
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @HttpCode(202)
  @Audited<JobDto>({ action: AuditAction.Create, resource: AuditResource.Job, details: (_request, job) => job && ({ type: job.type } satisfies AuditJobCreateDetails) })
  @ApiOperation({
    summary: 'Register a tracked job that a script runs and reports through the PATCH endpoints',
    description: 'A repeated Idempotency-Key with the same body returns the job it created (with `Idempotency-Replayed: true`).',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Any 1..255 visible ASCII characters, unique per intended job.' })
  @StartsJob(headerRefs('Idempotency-Replayed'))
  @ProblemResponses(400, 422)
  async createJob(
    @Body() body: CreateJobDto,
    @CurrentUser() user: AuthenticatedUser,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobDto> {
    const { job, replayed } = await this.jobs.registerTracked(body, user, idempotencyKeyOf(idempotencyKey));
    if (replayed) reply.header('Idempotency-Replayed', 'true');
    return job;
  }

  @Get()
  @ApiOperation({ summary: 'List jobs, newest first', description: 'Users see their own jobs; admins see all and may filter by userId.' })
  @ApiOkResponse({ type: JobPageDto })
  @ProblemResponses(400, 403)
  listJobs(@Query() query: JobListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.jobs.list(query, user);
  }

  @Get(':id')
  @ApiOperation({ summary: "A job's state, progress and result", description: "Users see their own jobs, admins every job; another user's job answers 404." })
  @ApiParam({ name: 'id', format: 'uuid', description: "The job's id." })
  @ApiOkResponse({ type: JobDto })
  @ProblemResponses(400, 404)
  getJob(@Param('id', UuidParamPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<JobDto> {
    return this.jobs.get(id, user);
  }

  @Sse(':id/events')
  @UseGuards(JobVisibilityGuard)
  @ApiOperation({
    summary: 'Server-sent events: the job after every change, ending after the final one',
    description: 'Each event has an `id`; reconnect with `Last-Event-ID` to receive only what came after it.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: "The job's id." })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received.' })
  @ApiProduces('text/event-stream')
  // OpenAPI 3.0 cannot say "a stream of" (3.2's itemSchema can): the schema is each event's data, as SSE-aware generators read it.
  @ApiOkResponse({
    description: 'A `text/event-stream` of events `id: <id>` / `data: <JobEvent as JSON>`, the job after each change; the stream ends after the final state.',
    content: { 'text/event-stream': { schema: { $ref: getSchemaPath('JobEvent') } } },
  })
  @ProblemResponses(400, 404)
  streamJobEvents(@Param('id', UuidParamPipe) id: string, @Headers('last-event-id') lastEventId: string | undefined): Observable<MessageEvent> {
    const validLastEventId = lastEventId !== undefined && /^\d+-\d+$/.test(lastEventId) ? lastEventId : undefined;
    return this.jobs.eventStream(id, validLastEventId);
  }

  @Patch(':id/progress')
  @ApiOperation({ summary: 'Report progress of a tracked job (moves a pending job to processing)', description: 'Only for jobs registered with `POST /jobs`; a finished job answers 409.' })
  @ApiParam({ name: 'id', format: 'uuid', description: "The job's id." })
  @ApiOkResponse({ type: JobDto })
  @ProblemResponses(400, 404, 409)
  reportJobProgress(@Param('id', UuidParamPipe) id: string, @Body() body: JobProgressUpdateDto, @CurrentUser() user: AuthenticatedUser): Promise<JobDto> {
    return this.jobs.reportProgress(id, user, body);
  }

  @Patch(':id/complete')
  @ApiOperation({ summary: 'Finish a tracked job with its result', description: 'Only for jobs registered with `POST /jobs`; a finished job answers 409.' })
  @ApiParam({ name: 'id', format: 'uuid', description: "The job's id." })
  @ApiOkResponse({ type: JobDto })
  @ProblemResponses(400, 404, 409)
  completeJob(@Param('id', UuidParamPipe) id: string, @Body() body: CompleteJobDto, @CurrentUser() user: AuthenticatedUser): Promise<JobDto> {
    return this.jobs.complete(id, user, body);
  }

  @Patch(':id/fail')
  @ApiOperation({ summary: 'End a tracked job as failed', description: 'Only for jobs registered with `POST /jobs`; a finished job answers 409.' })
  @ApiParam({ name: 'id', format: 'uuid', description: "The job's id." })
  @ApiOkResponse({ type: JobDto })
  @ProblemResponses(400, 404, 409)
  failJob(@Param('id', UuidParamPipe) id: string, @Body() body: FailJobDto, @CurrentUser() user: AuthenticatedUser): Promise<JobDto> {
    return this.jobs.fail(id, user, body);
  }

  @Delete(':id')
  @Audited({ action: AuditAction.Cancel, resource: AuditResource.Job })
  @ApiOperation({
    summary: 'Cancel a job',
    description:
      'A pending job is taken off the queue and answered 200 `cancelled`. A running server job answers 202: it stops at its next batch boundary, rolls back what it has not committed, and ends `cancelled`.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: "The job's id." })
  @ApiOkResponse({ type: JobDto, description: 'Cancelled.' })
  @ApiAcceptedResponse({ type: JobDto, description: 'Asked to stop; `cancelRequestedAt` is set.' })
  @ProblemResponses(400, 404, 409)
  async cancelJob(
    @Param('id', UuidParamPipe) id: string,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobDto> {
    const { job, pendingStop } = await this.jobs.cancel(id, user);
    reply.status(pendingStop ? 202 : 200);
    return job;
  }
}
