import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobType } from '../jobs/job.enums';
import { ExportsService } from './exports.service';

/**
 * Runs `export_large` jobs. A second attempt is safe: it writes the whole file again from a new
 * snapshot, under the same name.
 */
@Injectable()
export class ExportJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly exports: ExportsService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JobType.ExportLarge, (execution) => this.exports.runJob(execution), { attempts: 2, backoffMs: 10_000 });
  }
}
