import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditRetentionService } from '../audit/audit-retention.service';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobStore } from './job-store.service';
import { JobType } from './job.enums';

/**
 * The daily `cleanup` job: the audit retention purge and the removal of expired jobs with their
 * events. Both are idempotent, so a failed run is retried.
 */
@Injectable()
export class CleanupJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly retention: AuditRetentionService,
    private readonly store: JobStore,
  ) {}

  onModuleInit(): void {
    this.handlers.register(
      JobType.Cleanup,
      async (execution) => {
        await execution.reportProgress({ processed: 0, total: 2, message: 'Purging audit rows past retention' });
        const auditRows = await this.retention.purgeExpired({ userAgent: 'cleanup job' });
        await execution.throwIfCancelled();
        await execution.reportProgress({ processed: 1, total: 2, message: 'Removing expired jobs' });
        const jobs = await this.store.sweepExpired();
        return { message: `Removed ${auditRows} audit rows and ${jobs} expired jobs`, counts: { auditRows, jobs } };
      },
      { attempts: 3, backoffMs: 60_000 },
    );
  }
}
