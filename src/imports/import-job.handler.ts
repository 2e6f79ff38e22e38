import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobExecution, JobFailedError, JobHandlerRegistry, JobOutcome } from '../jobs/job-handler.registry';
import { JobType } from '../jobs/job.enums';
import { ImportPreviewStatus } from './import-options';
import { ImportPreview } from './import-preview.entity';
import { ImportRunner } from './import-runner.service';
import { StageChangedError } from './import-staging';
import { ImportFileError } from './readers/import-file.error';

/**
 * Runs `bulk_import` jobs. Everything is written in one transaction, so a job that is cancelled,
 * fails, or whose worker dies leaves nothing behind; that makes a second attempt safe.
 */
@Injectable()
export class ImportJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly runner: ImportRunner,
    private readonly em: EntityManager,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JobType.BulkImport, (execution) => this.run(execution), { attempts: 2, backoffMs: 1_000 });
  }

  private async run(execution: JobExecution<JobType.BulkImport>): Promise<JobOutcome<JobType.BulkImport>> {
    const { previewIds, recheck, confirmMassChange = false } = execution.payload;
    const found = await this.em.fork().find(ImportPreview, { id: { $in: previewIds } });
    const previews = previewIds.map((id) => found.find((preview) => preview.id === id));
    if (previews.some((preview) => preview === undefined)) {
      throw new JobFailedError('The preview of this import expired or was removed before the job ran; nothing was written.', { data: { code: 'preview_missing' } });
    }
    const present = previews as ImportPreview[];
    if (present.every((preview) => preview.status === ImportPreviewStatus.Committed)) {
      // An earlier attempt committed and its worker died before it could say so.
      return { message: 'Committed by an earlier attempt of this job', data: { previewIds } };
    }
    try {
      return await this.runner.commit(present, { recheck, confirmMassChange }, execution);
    } catch (error) {
      // A file that cannot be read will not read better on a second attempt.
      if (error instanceof ImportFileError) throw new JobFailedError(error.message, { errors: [error.message], data: { previewIds, code: error.code } });
      if (error instanceof StageChangedError) throw new JobFailedError(error.message, { errors: [error.message], data: { previewIds, code: 'stage_changed' } });
      throw error;
    }
  }
}
