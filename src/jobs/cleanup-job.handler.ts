import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditRetentionService } from '../audit/audit-retention.service';
import { CleanupTasks } from './cleanup-tasks';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobStore } from './job-store.service';
import { JobType, ProgressUnit } from './job.enums';

/**
 * The daily `cleanup` job: the audit retention purge, the removal of expired jobs with their
 * events, then the tasks other modules added. All are idempotent, so a failed run is retried.
 */
@Injectable()
export class CleanupJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly retention: AuditRetentionService,
    private readonly store: JobStore,
    private readonly tasks: CleanupTasks,
  ) {}

  onModuleInit(): void {
    this.handlers.register(
      JobType.Cleanup,
      async (execution) => {
        const tasks = this.tasks.all();
        const total = 2 + tasks.length;
        await execution.reportProgress({ processed: 0, total, unit: ProgressUnit.Steps, message: 'Purging audit rows past retention' });
        const auditRows = await this.retention.purgeExpired({ userAgent: 'cleanup job' });
        await execution.throwIfCancelled();
        await execution.reportProgress({ processed: 1, total, message: 'Removing expired jobs' });
        const jobs = await this.store.sweepExpired();
        const counts: Record<string, number> = { auditRows, jobs };
        for (const [index, task] of tasks.entries()) {
          await execution.throwIfCancelled();
          await execution.reportProgress({ processed: 2 + index, total, message: `Removing ${task.description}` });
          counts[task.key] = await task.run();
        }
        const others = tasks.map((task) => `, ${counts[task.key]} ${task.description}`).join('');
        return { message: `Removed ${auditRows} audit rows and ${jobs} expired jobs${others}`, counts };
      },
      { attempts: 3, backoffMs: 60_000 },
    );
  }
}
