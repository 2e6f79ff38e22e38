import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CleanupJobHandler } from './cleanup-job.handler';
import { JobEventsService } from './job-events.service';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobQueue } from './job-queue.service';
import { JobStore } from './job-store.service';
import { JobWorker } from './job-worker.service';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

@Module({
  imports: [AuditModule],
  controllers: [JobsController],
  providers: [JobStore, JobQueue, JobHandlerRegistry, JobEventsService, JobsService, JobWorker, CleanupJobHandler],
  exports: [JobsService, JobHandlerRegistry],
})
export class JobsModule {}
