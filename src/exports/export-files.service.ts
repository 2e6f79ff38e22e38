import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { JobsService } from '../jobs/jobs.service';
import { ExportFormat } from './export.enums';

/** How often files of expired jobs are looked for; jobs live hours, so minutes late is fine. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/** `<job id>.<format>`, or `<job id>.<format>.partial` while it is being written. */
const EXPORT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(csv|xlsx|json|ndjson)(\.partial)?$/;

/**
 * Removes the export files whose job no longer exists (it expired, or was swept). Files that
 * are not export files are left alone. Returns the names removed.
 */
export async function sweepExportFiles(directory: string, jobExists: (jobId: string) => Promise<boolean>): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = EXPORT_FILE.exec(name);
    if (match === null || (await jobExists(match[1]))) continue;
    await rm(join(directory, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * The files of job exports, under EXPORT_DIR, named by job id (never by anything a request
 * says). A file lives as long as its job: every process sweeps the files of expired jobs, so that
 * the directory may be shared by API and worker processes.
 */
@Injectable()
export class ExportFilesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExportFilesService.name);
  readonly directory: string;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly jobs: JobsService,
  ) {
    this.directory = resolve(config.exportDirectory);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.error({ err: error }, 'Could not sweep the files of expired exports'));
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  pathOf(jobId: string, format: ExportFormat): string {
    return join(this.directory, `${jobId}.${format}`);
  }

  partialPathOf(jobId: string, format: ExportFormat): string {
    return `${this.pathOf(jobId, format)}.partial`;
  }

  async sweep(): Promise<number> {
    const removed = await sweepExportFiles(this.directory, (jobId) => this.jobs.exists(jobId));
    if (removed.length > 0) this.logger.log({ files: removed.length }, 'Removed the files of expired exports');
    return removed.length;
  }
}
