import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { CleanupJobHandler } from './cleanup-job.handler';
import { CleanupTasks } from './cleanup-tasks';
import { JobEventsService } from './job-events.service';
import { JobHandlerRegistry } from './job-handler.registry';
import { bullPrefix, JOB_QUEUE_NAME, JobQueue, producerConnection } from './job-queue.service';
import { JobStore } from './job-store.service';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

@Module({
  imports: [
    AuditModule,
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ connection: producerConnection(config), prefix: bullPrefix(config) }),
      // Workers start once Redis answers (JobProcessor), not when the module initialises.
      extraOptions: { manualRegistration: true },
    }),
    BullModule.registerQueue({ name: JOB_QUEUE_NAME }),
  ],
  controllers: [JobsController],
  providers: [JobStore, JobQueue, JobHandlerRegistry, JobEventsService, JobsService, CleanupJobHandler, CleanupTasks],
  exports: [JobsService, JobHandlerRegistry, JobStore, JobQueue, CleanupTasks],
})
export class JobsModule {}
