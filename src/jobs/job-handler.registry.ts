import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JobPayloadMap, JobResultMap, SERVER_JOB_TYPES } from './job-payloads';
import { JobProgress, JobRecord, JobResult } from './job-record';
import { JobType } from './job.enums';

/** Thrown by throwIfCancelled: the handler rolls back what it has not committed and stops. */
export class JobCancelledError extends Error {
  constructor() {
    super('The job was cancelled');
  }
}

/**
 * Thrown by a handler that ran to a verdict of failure (an import whose file has invalid rows):
 * the job ends failed with this result at once, without retries.
 */
export class JobFailedError extends Error {
  constructor(
    message: string,
    readonly result: Partial<JobResult>,
  ) {
    super(message);
  }
}

/** What a running handler gets: its job, and the two calls that make a job observable and stoppable. */
export interface JobExecution<T extends JobType = JobType> {
  job: JobRecord;
  /** The job's parameters, as its type declares them. */
  payload: JobPayloadMap[T];
  /** 1 on the first run, 2 on the first retry... */
  attempt: number;
  reportProgress(progress: Partial<JobProgress>): Promise<void>;
  /** Call at every batch boundary: throws JobCancelledError once someone cancelled the job. */
  throwIfCancelled(): Promise<void>;
}

/** What a handler returns: a partial result whose `data` is what its type declares. */
export type JobOutcome<T extends JobType = JobType> = Partial<Omit<JobResult, 'data'>> & { data?: JobResultMap[T] | null };

export type JobHandler<T extends JobType = JobType> = (execution: JobExecution<T>) => Promise<JobOutcome<T>>;

export interface JobHandlerOptions {
  /** Runs in total, counting the first; more than 1 only where running again is safe (idempotent work). */
  attempts?: number;
  /** Milliseconds before the first retry; doubles on each further one. */
  backoffMs?: number;
}

export interface RegisteredHandler extends Required<JobHandlerOptions> {
  run(execution: JobExecution): Promise<Partial<JobResult>>;
}

/**
 * The job types the service runs itself. Modules register their handler at start-up; a type
 * with a handler is driven by the workers and refuses the PATCH endpoints.
 */
@Injectable()
export class JobHandlerRegistry implements OnApplicationBootstrap {
  private readonly handlers = new Map<JobType, RegisteredHandler>();

  register<T extends JobType>(type: T, run: JobHandler<T>, options: JobHandlerOptions = {}): void {
    if (this.handlers.has(type)) throw new Error(`A handler for ${type} jobs is already registered`);
    this.handlers.set(type, {
      // The worker gives a handler only jobs of its own type, whose payload startServerJob typed.
      run: async (execution) => {
        const { data, ...outcome } = await run(execution as JobExecution<T>);
        return data === undefined || data === null ? outcome : { ...outcome, data: { ...data } };
      },
      attempts: options.attempts ?? 1,
      backoffMs: options.backoffMs ?? 5_000,
    });
  }

  /** Handlers register in onModuleInit; by bootstrap every module has had its turn. */
  onApplicationBootstrap(): void {
    const missing = SERVER_JOB_TYPES.filter((type) => !this.handlers.has(type));
    if (missing.length > 0) {
      throw new Error(`No handler is registered for ${missing.join(', ')} jobs: load the modules that run them in every process`);
    }
  }

  get(type: JobType): RegisteredHandler | undefined {
    return this.handlers.get(type);
  }

  runsOnServer(type: JobType): boolean {
    return this.handlers.has(type);
  }
}
