import { OnQueueEvent, QueueEventsHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { JobQueue } from './job-queue.service';
import { JobStore } from './job-store.service';
import { TERMINAL_STATUSES } from './job.enums';

/** Injection token of `{ listener }`: the processor starts and closes the listener with its worker. */
export const JOB_FAILURES = Symbol('JOB_FAILURES');

export interface JobFailures {
  listener: JobFailuresListener;
}

/**
 * Jobs failed by BullMQ itself (a second stall) never reach the processor: their verdict comes
 * through the queue's events, and is recorded here.
 */
@Injectable()
export class JobFailuresListener extends QueueEventsHost {
  private readonly logger = new Logger(JobFailuresListener.name);

  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue,
  ) {
    super();
  }

  @OnQueueEvent('failed')
  onFailed({ jobId, failedReason }: { jobId: string; failedReason: string }): void {
    this.failIfUnfinished(jobId, failedReason).catch((error: unknown) => this.logger.error({ err: error }, `Could not record the failure of job ${jobId}`));
  }

  /** JobProcessor closes the events with its worker: it knows whether they ever started and whether Redis still answers. */
  override async onApplicationShutdown(): Promise<void> {}

  private async failIfUnfinished(jobId: string, reason: string): Promise<void> {
    const bullJob = await this.queue.queue.getJob(jobId);
    const storeId = bullJob?.data.jobId ?? jobId;
    const record = await this.store.get(storeId);
    if (record === null || TERMINAL_STATUSES.has(record.status)) return;
    await this.store.change(storeId, { kind: 'fail', error: reason });
  }
}
