import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobHandlerRegistry } from '../jobs/job-handler.registry';
import { JobType } from '../jobs/job.enums';
import { BulkService } from './bulk.service';

/**
 * Runs `bulk_update` and `bulk_delete` jobs (BulkService.run). One attempt: a run that fails has
 * written nothing, and a preview whose job failed is not committed again.
 */
@Injectable()
export class BulkJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly bulk: BulkService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JobType.BulkUpdate, (execution) => this.bulk.run(execution));
    this.handlers.register(JobType.BulkDelete, (execution) => this.bulk.run(execution));
  }
}
