import { Injectable } from '@nestjs/common';
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
export interface JobExecution {
  job: JobRecord;
  /** 1 on the first run, 2 on the first retry... */
  attempt: number;
  reportProgress(progress: Partial<JobProgress>): Promise<void>;
  /** Call at every batch boundary: throws JobCancelledError once someone cancelled the job. */
  throwIfCancelled(): Promise<void>;
}

export type JobHandler = (execution: JobExecution) => Promise<Partial<JobResult>>;

export interface JobHandlerOptions {
  /** Runs in total, counting the first; more than 1 only where running again is safe (idempotent work). */
  attempts?: number;
  /** Milliseconds before the first retry; doubles on each further one. */
  backoffMs?: number;
}

export interface RegisteredHandler extends Required<JobHandlerOptions> {
  run: JobHandler;
}

/**
 * The job types the service runs itself. Modules register their handler at start-up; a type
 * with a handler is driven by the workers and refuses the PATCH endpoints.
 */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<JobType, RegisteredHandler>();

  register(type: JobType, run: JobHandler, options: JobHandlerOptions = {}): void {
    if (this.handlers.has(type)) throw new Error(`A handler for ${type} jobs is already registered`);
    this.handlers.set(type, { run, attempts: options.attempts ?? 1, backoffMs: options.backoffMs ?? 5_000 });
  }

  get(type: JobType): RegisteredHandler | undefined {
    return this.handlers.get(type);
  }

  runsOnServer(type: JobType): boolean {
    return this.handlers.has(type);
  }
}
