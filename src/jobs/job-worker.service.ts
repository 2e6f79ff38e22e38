import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job as BullJob, QueueEvents, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { logDistinctErrors } from '../common/redis/log-distinct-errors';
import { REDIS_CLIENT } from '../common/redis/redis.module';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { JobCancelledError, JobExecution, JobFailedError, JobHandlerRegistry } from './job-handler.registry';
import { bullConnection, bullPrefix, JOB_QUEUE_NAME, JobQueue, QueuedJobData } from './job-queue.service';
import { JobRecord } from './job-record';
import { JobStore } from './job-store.service';
import { JobRunner, JobType, TERMINAL_STATUSES } from './job.enums';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The worker role: runs queued jobs through their registered handlers, reports every step to the
 * job store, and turns BullMQ's verdicts (retry, stalled, failed for good) into job states, so a
 * job never stays `processing` after its worker is gone.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobWorker.name);
  private worker?: Worker<QueuedJobData>;
  private queueEvents?: QueueEvents;
  private readonly connections: Redis[] = [];

  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue,
    private readonly handlers: JobHandlerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    // BullMQ's blocking clients cannot be closed cleanly while Redis is away, so the worker starts
    // once Redis answers; until then the service runs (and /health/ready names Redis).
    if (this.redis.status === 'ready') this.start();
    else this.redis.once('ready', this.start);
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.off('ready', this.start);
    if (this.worker === undefined) return;
    const redisAnswers = this.connections.every((connection) => connection.status === 'ready');
    // Forced when Redis is gone: nothing can be handed back to the queue without it.
    await this.worker.close(!redisAnswers);
    if (redisAnswers) await this.queueEvents?.close();
    for (const connection of this.connections) connection.disconnect();
  }

  private readonly start = (): void => {
    const [workerConnection, eventsConnection] = [bullConnection(this.config), bullConnection(this.config)];
    this.connections.push(workerConnection, eventsConnection);
    this.worker = new Worker<QueuedJobData>(JOB_QUEUE_NAME, (bullJob) => this.process(bullJob), {
      connection: workerConnection,
      prefix: bullPrefix(this.config),
      concurrency: this.config.jobConcurrency,
      lockDuration: this.config.jobLockSeconds * 1000,
      stalledInterval: this.config.jobStalledIntervalSeconds * 1000,
      // One stall is recovered (run again); a second means the job itself kills its worker: fail it.
      maxStalledCount: 1,
    });
    logDistinctErrors(this.worker, this.logger, 'Job worker');
    this.worker.on('stalled', (jobId) => this.logger.warn(`Job ${jobId} stalled (its worker stopped answering); it runs again`));
    // Jobs failed by BullMQ itself (a second stall) never reach process(): record the verdict here.
    this.queueEvents = new QueueEvents(JOB_QUEUE_NAME, { connection: eventsConnection, prefix: bullPrefix(this.config) });
    logDistinctErrors(this.queueEvents, this.logger, 'Job queue events');
    this.queueEvents.on('failed', ({ jobId, failedReason }) => {
      this.failIfUnfinished(jobId, failedReason).catch((error: unknown) => this.logger.error({ err: error }, `Could not record the failure of job ${jobId}`));
    });
    const cleanup = this.handlers.get(JobType.Cleanup);
    if (cleanup !== undefined) this.queue.scheduleDailyCleanup(cleanup).catch((error: unknown) => this.logger.error({ err: error }, 'Could not schedule the daily cleanup job'));
    this.logger.log(`Job worker started (concurrency ${this.config.jobConcurrency})`);
  };

  private async process(bullJob: BullJob<QueuedJobData>): Promise<void> {
    const record = await this.recordFor(bullJob);
    if (record === null || TERMINAL_STATUSES.has(record.status)) return;
    if (record.cancelRequestedAt !== null) {
      await this.store.change(record.id, { kind: 'cancel', message: 'Cancelled before it started' });
      return;
    }
    const handler = this.handlers.get(record.type);
    if (handler === undefined) {
      await this.store.change(record.id, { kind: 'fail', error: `No handler runs ${record.type} jobs in this worker` });
      return;
    }
    // attemptsStarted also counts runs whose worker died (attemptsMade counts only failures).
    const attempt = Math.max(bullJob.attemptsStarted, bullJob.attemptsMade + 1);
    const started = await this.store.change(record.id, {
      kind: 'start',
      attempt,
      message: attempt > 1 ? `Run ${attempt}` : null,
    });
    if ('refused' in started) return;
    try {
      const result = await handler.run(this.execution(started.record, attempt));
      await this.store.change(record.id, { kind: 'complete', result });
    } catch (error) {
      if (error instanceof JobCancelledError) {
        await this.store.change(record.id, { kind: 'cancel', message: 'Cancelled; uncommitted work was rolled back' });
        return;
      }
      if (error instanceof JobFailedError) {
        await this.store.change(record.id, { kind: 'fail', error: error.message, result: error.result });
        return;
      }
      const final = bullJob.attemptsMade + 1 >= handler.attempts;
      this.logger.error({ err: error, jobId: record.id, attempt }, final ? 'Job failed' : 'Job attempt failed; it will be retried');
      await this.store.change(
        record.id,
        final ? { kind: 'fail', error: messageOf(error) } : { kind: 'progress', progress: { message: `Attempt ${attempt} failed (${messageOf(error)}); retrying` } },
      );
      throw error;
    }
  }

  private execution(job: JobRecord, attempt: number): JobExecution {
    return {
      job,
      attempt,
      reportProgress: async (progress) => {
        await this.store.change(job.id, { kind: 'progress', progress });
      },
      throwIfCancelled: async () => {
        const current = await this.store.get(job.id);
        if (current === null || current.cancelRequestedAt !== null || TERMINAL_STATUSES.has(current.status)) throw new JobCancelledError();
      },
    };
  }

  /** The store's record of a queued job; runs started by the scheduler get one now. */
  private async recordFor(bullJob: BullJob<QueuedJobData>): Promise<JobRecord | null> {
    if (bullJob.data.jobId !== undefined) return this.store.get(bullJob.data.jobId);
    const record = await this.store.create({ type: bullJob.name as JobType, runner: JobRunner.Server, createdBy: null, parameters: { scheduled: true } });
    await bullJob.updateData({ jobId: record.id });
    return record;
  }

  private async failIfUnfinished(jobId: string, reason: string): Promise<void> {
    const bullJob = await this.queue.queue.getJob(jobId);
    const storeId = bullJob?.data.jobId ?? jobId;
    const record = await this.store.get(storeId);
    if (record === null || TERMINAL_STATUSES.has(record.status)) return;
    await this.store.change(storeId, { kind: 'fail', error: reason });
  }
}
