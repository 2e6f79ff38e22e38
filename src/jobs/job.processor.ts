import { BullRegistrar, OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job as BullJob } from 'bullmq';
import type Redis from 'ioredis';
import { logDistinctErrors } from '../common/redis/log-distinct-errors';
import { REDIS_CLIENT } from '../common/redis/redis.module';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { JOB_FAILURES, JobFailures } from './job-failures.listener';
import { JobCancelledError, JobExecution, JobFailedError, JobHandlerRegistry } from './job-handler.registry';
import { JobQueue, QueuedJobData } from './job-queue.service';
import { JobRecord } from './job-record';
import { JobStore } from './job-store.service';
import { JobRunner, JobType, TERMINAL_STATUSES } from './job.enums';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The worker role: runs queued jobs through their registered handlers, reports every step to the
 * job store, and turns BullMQ's verdicts (retry, stalled, failed for good) into job states, so a
 * job never stays `processing` after its worker is gone. JobWorkerModule provides it, decorated
 * with the worker options of the configuration, only in processes whose ROLE runs jobs.
 */
@Injectable()
export class JobProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobProcessor.name);
  private started = false;

  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue,
    private readonly handlers: JobHandlerRegistry,
    @Inject(JOB_FAILURES) private readonly failures: JobFailures,
    private readonly registrar: BullRegistrar,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // BullMQ's blocking clients cannot be closed cleanly while Redis is away, so the worker is
    // created (BullModule's manualRegistration) once Redis answers; until then the service runs
    // and /health/ready names Redis.
    if (this.redis.status === 'ready') this.start();
    else this.redis.once('ready', this.start);
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.off('ready', this.start);
    if (!this.started) return;
    const redisAnswers = this.redis.status === 'ready';
    // Forced when Redis is gone: nothing can be handed back to the queue without it. Otherwise the
    // running jobs finish first. BullModule's own close of the worker joins this one.
    await this.worker.close(!redisAnswers);
    if (redisAnswers) await this.failures.listener.queueEvents.close();
    else await this.failures.listener.queueEvents.disconnect();
  }

  @OnWorkerEvent('stalled')
  onStalled(jobId: string): void {
    this.logger.warn(`Job ${jobId} stalled (its worker stopped answering); it runs again`);
  }

  private readonly start = (): void => {
    this.registrar.register();
    this.started = true;
    logDistinctErrors(this.worker, this.logger, 'Job worker');
    logDistinctErrors(this.failures.listener.queueEvents, this.logger, 'Job queue events');
    const cleanup = this.handlers.get(JobType.Cleanup);
    if (cleanup !== undefined) this.queue.scheduleDailyCleanup(cleanup).catch((error: unknown) => this.logger.error({ err: error }, 'Could not schedule the daily cleanup job'));
    this.logger.log(`Job worker started (concurrency ${this.config.jobConcurrency})`);
  };

  async process(bullJob: BullJob<QueuedJobData>): Promise<void> {
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
      payload: job.parameters,
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
}
