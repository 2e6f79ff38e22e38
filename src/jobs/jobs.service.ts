import { Injectable, MessageEvent } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Observable } from 'rxjs';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { Page } from '../common/pagination/page.dto';
import { ProblemException } from '../common/problem/problem.exception';
import { CompleteJobDto, CreateJobDto, FailJobDto, JobDto, JobListQueryDto, JobProgressUpdateDto } from './dto/job.dto';
import { JobEventsService } from './job-events.service';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobPayloadMap } from './job-payloads';
import { JobQueue } from './job-queue.service';
import { ChangeOutcome, JobChange, JobRecord } from './job-record';
import { JobNotFoundError, JobStore } from './job-store.service';
import { JobRunner, JobStatus, JobType } from './job.enums';

/** JSON with object keys sorted, so that two bodies meaning the same thing hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, inner]) => inner !== undefined);
  return `{${entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`)
    .join(',')}}`;
}

const jobNotFound = (id: string): ProblemException => ProblemException.notFound(`Job ${id}`, 'job_not_found');
const jobFinished = (status: JobStatus): ProblemException =>
  ProblemException.conflict('job_finished', `The job is ${status}; a finished job never changes again.`);

export interface CancelOutcome {
  job: JobDto;
  /** True when the job was running: it stops at its next batch boundary. */
  pendingStop: boolean;
}

/** The jobs API: who may see and drive which job, on top of the store, the queue and the event streams. */
@Injectable()
export class JobsService {
  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue,
    private readonly handlers: JobHandlerRegistry,
    private readonly events: JobEventsService,
  ) {}

  /** Registers a job that an outside script runs and reports through the PATCH endpoints. */
  async registerTracked(input: CreateJobDto, user: AuthenticatedUser, idempotencyKey?: string): Promise<{ job: JobDto; replayed: boolean }> {
    if (this.handlers.runsOnServer(input.type)) {
      throw new ProblemException({
        status: 422,
        code: 'job_type_runs_on_server',
        title: 'Unprocessable Content',
        detail: `${input.type} jobs are run by the service; start them from their own endpoint (imports, exports).`,
        errors: [{ field: 'type', code: 'job_type_runs_on_server', message: `type ${input.type} cannot be registered as a tracked job` }],
      });
    }
    const id = randomUUID();
    if (idempotencyKey !== undefined) {
      const requestHash = createHash('sha256').update(canonicalJson({ ...input, parameters: input.parameters ?? {}, priority: input.priority ?? 5 })).digest('hex');
      const bound = await this.store.bindIdempotencyKey(user.id, idempotencyKey, requestHash, id);
      if (bound !== null) {
        if (!bound.sameRequest) {
          throw new ProblemException({
            status: 422,
            code: 'idempotency_key_reused',
            title: 'Unprocessable Content',
            detail: 'This Idempotency-Key was already used with a different request body.',
          });
        }
        const existing = await this.boundJob(bound.jobId);
        if (existing !== null) return { job: JobDto.from(existing), replayed: true };
      }
    }
    const record = await this.store.create({
      id,
      type: input.type,
      runner: JobRunner.External,
      parameters: input.parameters,
      priority: input.priority,
      createdBy: user.id,
    });
    return { job: JobDto.from(record), replayed: false };
  }

  /** Starts a job that the workers run with the handler registered for its type. For other modules. */
  async startServerJob<T extends JobType>(type: T, payload: JobPayloadMap[T], createdBy: string | null, priority?: number): Promise<JobDto> {
    const handler = this.handlers.get(type);
    if (handler === undefined) throw new Error(`No handler is registered for ${type} jobs`);
    const record = await this.store.create({ type, runner: JobRunner.Server, parameters: { ...payload }, priority, createdBy });
    await this.queue.enqueue(record, handler);
    return JobDto.from(record);
  }

  /** Whether the job still exists (it has not expired), for modules that keep something per job, like an export's file. */
  async exists(id: string): Promise<boolean> {
    return (await this.store.get(id)) !== null;
  }

  /**
   * Whether the job completed or still may: false once it failed, was cancelled or has expired. For
   * modules whose records wait on a job they started (a preview being committed).
   */
  async mayComplete(id: string): Promise<boolean> {
    const job = await this.store.get(id);
    return job !== null && [JobStatus.Pending, JobStatus.Processing, JobStatus.Completed].includes(job.status);
  }

  async get(id: string, user: AuthenticatedUser): Promise<JobDto> {
    return JobDto.from(await this.visible(id, user));
  }

  async list(query: JobListQueryDto, user: AuthenticatedUser): Promise<Page<JobDto>> {
    if (query.userId !== undefined && user.role !== Role.Admin && query.userId.toLowerCase() !== user.id) {
      throw ProblemException.insufficientRole("Only admins may list other users' jobs.");
    }
    const userId = user.role === Role.Admin ? query.userId?.toLowerCase() : user.id;
    const { items, total } = await this.store.list({ userId, status: query.status, type: query.type, limit: query.limit, offset: query.offset });
    return { items: items.map(JobDto.from), total, limit: query.limit, offset: query.offset };
  }

  reportProgress(id: string, user: AuthenticatedUser, progress: JobProgressUpdateDto): Promise<JobDto> {
    return this.driveExternal(id, user, { kind: 'progress', progress });
  }

  complete(id: string, user: AuthenticatedUser, body: CompleteJobDto): Promise<JobDto> {
    return this.driveExternal(id, user, { kind: 'complete', result: body.result ?? {} });
  }

  fail(id: string, user: AuthenticatedUser, body: FailJobDto): Promise<JobDto> {
    return this.driveExternal(id, user, { kind: 'fail', error: body.error, result: body.result });
  }

  /**
   * A pending job leaves the queue and ends cancelled at once; a running server job is asked to
   * stop and ends cancelled at its next batch boundary, with its uncommitted work rolled back.
   */
  async cancel(id: string, user: AuthenticatedUser): Promise<CancelOutcome> {
    const record = await this.visible(id, user);
    const stopsNow =
      record.runner === JobRunner.External || (record.status === JobStatus.Pending && (await this.queue.removeIfWaiting(record.id)));
    const outcome = await this.apply(id, stopsNow ? { kind: 'cancel', message: 'Cancelled' } : { kind: 'requestCancel' });
    return { job: JobDto.from(outcome), pendingStop: !stopsNow };
  }

  /** The job's events; callers check visibility first (JobVisibilityGuard). */
  eventStream(id: string, lastEventId?: string): Observable<MessageEvent> {
    return this.events.stream(id, (job) => JobDto.from(job), lastEventId);
  }

  /**
   * The job an Idempotency-Key is bound to. The key is claimed just before its job is written, so a
   * request racing the first one may find the key before the job: it waits for it briefly.
   */
  private async boundJob(id: string): Promise<JobRecord | null> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const record = await this.store.get(id);
      if (record !== null) return record;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  }

  /** The job if this user may see it: their own, or any for admins. Anything else is "not found". */
  private async visible(id: string, user: AuthenticatedUser): Promise<JobRecord> {
    const record = await this.store.get(id);
    if (record === null || (user.role !== Role.Admin && record.createdBy !== user.id)) throw jobNotFound(id);
    return record;
  }

  private async driveExternal(id: string, user: AuthenticatedUser, change: JobChange): Promise<JobDto> {
    const record = await this.visible(id, user);
    if (record.runner === JobRunner.Server) {
      throw ProblemException.conflict('job_managed_by_server', `${record.type} jobs are driven by the service's workers, not through this endpoint.`);
    }
    return JobDto.from(await this.apply(id, change));
  }

  private async apply(id: string, change: JobChange): Promise<JobRecord> {
    let outcome: ChangeOutcome;
    try {
      outcome = await this.store.change(id, change);
    } catch (error) {
      if (error instanceof JobNotFoundError) throw jobNotFound(id);
      throw error;
    }
    if ('refused' in outcome) throw jobFinished(outcome.status);
    return outcome.record;
  }
}
