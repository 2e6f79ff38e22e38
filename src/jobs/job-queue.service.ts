import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConnectionOptions, Queue } from 'bullmq';
import { logDistinctErrors } from '../common/redis/log-distinct-errors';
import { FAIL_FAST_REDIS_OPTIONS } from '../common/redis/redis.module';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { RegisteredHandler } from './job-handler.registry';
import { JobRecord } from './job-record';

export const JOB_QUEUE_NAME = 'jobs';
export const CLEANUP_SCHEDULER_ID = 'daily-cleanup';

export interface QueuedJobData {
  /** The job-store id; absent for runs started by the scheduler, which get a record when they start. */
  jobId?: string;
}

/** The queue is used inside requests (adding, cancelling, the dashboard), which must fail fast while Redis is away. */
export function producerConnection(config: AppConfig): ConnectionOptions {
  // ioredis's type admits a null retry strategy, BullMQ's does not; ours is a function.
  const { retryStrategy, ...options } = FAIL_FAST_REDIS_OPTIONS;
  return { url: config.redisUrl, ...options, retryStrategy: retryStrategy ?? undefined };
}

/**
 * BullMQ's Worker and QueueEvents block on Redis and need unlimited retries per request; they run
 * in the background, so waiting for Redis to return is right there.
 */
export function blockingConnection(config: AppConfig): ConnectionOptions {
  // ioredis's own reconnection pace: BullMQ's default waits up to 20 s between tries, which
  // holds a worker's shutdown that long after an outage.
  return { url: config.redisUrl, maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 50, 2_000) };
}

/** BullMQ's keys live under the service's Redis prefix, like everything else it stores. */
export function bullPrefix(config: AppConfig): string {
  return `${config.redisKeyPrefix}bull`;
}

/** Puts server-run jobs on the BullMQ queue that the workers consume. */
@Injectable()
export class JobQueue {
  constructor(
    @InjectQueue(JOB_QUEUE_NAME) readonly queue: Queue<QueuedJobData>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    logDistinctErrors(queue, new Logger(JobQueue.name), 'Job queue');
  }

  async enqueue(record: JobRecord, handler: RegisteredHandler): Promise<void> {
    await this.queue.add(
      record.type,
      { jobId: record.id },
      {
        jobId: record.id,
        // BullMQ runs lower numbers first; ours run 10 (most urgent) down to 1.
        priority: 11 - record.priority,
        attempts: handler.attempts,
        backoff: { type: 'exponential', delay: handler.backoffMs },
        removeOnComplete: { age: this.config.jobTtlHours * 3600 },
        removeOnFail: { age: this.config.jobTtlHours * 3600 },
      },
    );
  }

  /** Takes a job off the queue if no worker has started it; false when one has. */
  async removeIfWaiting(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (job === undefined) return true;
    const state = await job.getState();
    if (state === 'active' || state === 'completed' || state === 'failed') return false;
    return (await this.queue.remove(jobId)) === 1;
  }

  async scheduleDailyCleanup(handler: RegisteredHandler): Promise<void> {
    await this.queue.upsertJobScheduler(
      CLEANUP_SCHEDULER_ID,
      { pattern: this.config.cleanupCron },
      { name: 'cleanup', data: {}, opts: { attempts: handler.attempts, backoff: { type: 'exponential', delay: handler.backoffMs } } },
    );
  }
}
