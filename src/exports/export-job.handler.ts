import { Injectable, OnModuleInit } from '@nestjs/common';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ContentDigest } from '../common/stream/content-digest';
import { JobExecution, JobHandlerRegistry, JobOutcome } from '../jobs/job-handler.registry';
import { JobType, ProgressUnit } from '../jobs/job.enums';
import { selectColumns } from './export-columns';
import { ExportFilesService } from './export-files.service';
import { CONTENT_TYPES, exportFileName } from './export-formats';
import type { ExportJobOutput } from './dto/export-job.dto';
import { EXPORT_PROGRESS_INTERVAL_MS, ExportRows } from './export-rows.service';

/**
 * Runs `export_large` jobs: writes the file under a temporary name, hashing it on the way, and
 * gives it its final name only once complete, so a cancelled or failed run leaves no file. A
 * second attempt is safe: it writes the whole file again from a new snapshot, under the same name.
 */
@Injectable()
export class ExportJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly rows: ExportRows,
    private readonly files: ExportFilesService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JobType.ExportLarge, (execution) => this.run(execution), { attempts: 2, backoffMs: 10_000 });
  }

  async run(execution: JobExecution<JobType.ExportLarge>): Promise<JobOutcome<JobType.ExportLarge>> {
    const request = execution.payload;
    const selection = selectColumns(request.entity, request.fields);
    if ('unknown' in selection) throw new Error(`Unknown export fields ${selection.unknown.join(', ')}`);
    const { columns } = selection;
    const partialPath = this.files.partialPathOf(execution.job.id, request.format);
    const finalPath = this.files.pathOf(execution.job.id, request.format);
    await mkdir(this.files.directory, { recursive: true });

    // The rows come from a COPY, started once the file is ready for them.
    const snapshot = await this.rows.snapshot(request);
    const hashing = new ContentDigest();
    const written = pipeline(hashing, createWriteStream(partialPath));
    let lastProgressAt = 0;
    const progress = async (rowsWritten: number): Promise<void> => {
      await execution.throwIfCancelled();
      if (Date.now() - lastProgressAt < EXPORT_PROGRESS_INTERVAL_MS) return;
      lastProgressAt = Date.now();
      await execution.reportProgress({ processed: rowsWritten, total: snapshot.rowCount, unit: ProgressUnit.Rows });
    };
    try {
      await execution.reportProgress({ processed: 0, total: snapshot.rowCount, unit: ProgressUnit.Rows, message: `Exporting ${snapshot.rowCount} rows` });
      const rowCount = await this.rows.copyTo(snapshot, request, columns, hashing, progress);
      await written;
      await snapshot.close();
      this.rows.checkRowCount(request, snapshot.rowCount, rowCount);
      await rename(partialPath, finalPath);
      const output: ExportJobOutput = {
        entity: request.entity,
        format: request.format,
        fileName: exportFileName(request.entity, request.format, request.language, new Date()),
        contentType: CONTENT_TYPES[request.format],
        rowCount,
        sizeBytes: hashing.size,
        sha256: hashing.sha256(),
      };
      await execution.reportProgress({ processed: rowCount, total: snapshot.rowCount, unit: ProgressUnit.Rows, message: 'Written' });
      return { message: `Exported ${rowCount} rows`, counts: { rows: rowCount }, data: output };
    } catch (error) {
      hashing.destroy();
      // The file's pipeline fails because of the destroy above; the error that counts is `error`.
      await written.catch(() => undefined);
      await rm(partialPath, { force: true });
      throw error;
    } finally {
      // Committed above when all went well; otherwise a COPY may still be running: drop it.
      await snapshot.abort();
    }
  }
}
