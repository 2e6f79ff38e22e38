import { Processor, QueueEventsListener } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/environment';
import { JOB_FAILURES, JobFailuresListener } from './job-failures.listener';
import { blockingConnection, JOB_QUEUE_NAME } from './job-queue.service';
import { JobProcessor } from './job.processor';
import { JobsModule } from './jobs.module';

/**
 * The worker role's part of the jobs module: present only where ROLE runs jobs (`all`, `worker`),
 * so an `api` process never consumes the queue.
 */
@Module({})
export class JobWorkerModule {
  static forRole(config: AppConfig): DynamicModule {
    if (config.role === 'api') return { module: JobWorkerModule };
    // BullModule reads worker options from the class decorators, which cannot see the
    // configuration: each application decorates subclasses of its own with it.
    class ConfiguredJobProcessor extends JobProcessor {}
    Processor(JOB_QUEUE_NAME, {
      connection: blockingConnection(config),
      concurrency: config.jobConcurrency,
      lockDuration: config.jobLockSeconds * 1000,
      stalledInterval: config.jobStalledIntervalSeconds * 1000,
      // One stall is recovered (run again); a second means the job itself kills its worker: fail it.
      maxStalledCount: 1,
    })(ConfiguredJobProcessor);
    class ConfiguredFailuresListener extends JobFailuresListener {}
    QueueEventsListener(JOB_QUEUE_NAME, { connection: blockingConnection(config) })(ConfiguredFailuresListener);
    return {
      module: JobWorkerModule,
      imports: [JobsModule],
      providers: [
        ConfiguredFailuresListener,
        // Under a token of its own: an alias of the class would be found, and started, as a second listener.
        { provide: JOB_FAILURES, inject: [ConfiguredFailuresListener], useFactory: (listener: JobFailuresListener) => ({ listener }) },
        ConfiguredJobProcessor,
      ],
    };
  }
}
