import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobType } from '../jobs/job.enums';
import { BackupsService } from './backups.service';

/**
 * Runs `backup` and `backup_restore` jobs. A second backup attempt is safe: it takes a new
 * snapshot and writes the same files again. A restore runs once; it is all-or-nothing, so a
 * run again after a worker died restores the same rows.
 */
@Injectable()
export class BackupJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly backups: BackupsService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JobType.Backup, (execution) => this.backups.runBackup(execution), { attempts: 2, backoffMs: 10_000 });
    this.handlers.register(JobType.BackupRestore, (execution) => this.backups.runRestore(execution));
  }
}
