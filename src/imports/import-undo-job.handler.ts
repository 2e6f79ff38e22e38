import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { withRawTransaction } from '../database/raw-transaction';
import { JobExecution, JobFailedError, JobHandlerRegistry, JobOutcome } from '../jobs/job-handler.registry';
import { JobType, ProgressUnit } from '../jobs/job.enums';
import { useBulkWorkMemory } from './bulk-work-memory';
import { UndoConflictPolicy } from './dto/import-undo.dto';
import { ImportEntity } from './import.types';
import { tableOf, undoCountsOf, undoSql, WRITTEN_TABLE_COUNTS_SQL, WrittenCount, writtenRecordsTableSql } from './import-undo';
import { conflictsUrlOf } from './import-undo.service';

/**
 * Runs `bulk_import_undo` jobs: in one transaction, with the import's table locked against writes,
 * it finds what the import wrote, refuses (or, with skip, leaves out) the records changed since,
 * and puts the rest back. A cancelled or killed run leaves the data as it was, so a retry is safe.
 */
@Injectable()
export class ImportUndoJobHandler implements OnModuleInit {
  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly em: EntityManager,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JobType.BulkImportUndo, (execution) => this.run(execution), { attempts: 2, backoffMs: 1_000 });
  }

  private async run(execution: JobExecution<JobType.BulkImportUndo>): Promise<JobOutcome<JobType.BulkImportUndo>> {
    const { importJobId, onConflict } = execution.payload;
    const refusal = (message: string, code: string, counts?: Record<string, number>) =>
      new JobFailedError(message, { errors: [message], counts, data: { importJobId, entity: execution.payload.entity, conflictsUrl: conflictsUrlOf(importJobId), code } });
    return withRawTransaction(this.em, async (client) => {
      // Row-locked, so that of two undo jobs of one import the second sees the first one's verdict.
      const {
        rows: [commit],
      } = await client.query<{ entity: ImportEntity; undone_at: Date | null; expired: boolean }>(
        'select entity, undone_at, befores_removed_at is not null or undo_until <= now() as expired from import_commits where job_id = $1 for update',
        [importJobId],
      );
      if (commit === undefined) throw refusal(`No committed import has job id ${importJobId}.`, 'import_not_found');
      if (commit.undone_at !== null) throw refusal(`Import ${importJobId} was already undone; an import is undone once.`, 'already_undone');
      if (commit.expired) throw refusal(`Import ${importJobId} can no longer be undone (IMPORT_UNDO_DAYS); its prior values are gone.`, 'undo_expired');
      await client.query(`lock table ${tableOf(commit.entity)} in share row exclusive mode`);
      await useBulkWorkMemory(client);
      await execution.reportProgress({ message: 'Finding the records the import wrote' });
      await client.query(writtenRecordsTableSql(commit.entity), [importJobId]);
      await client.query('analyze import_written');
      const counts = undoCountsOf((await client.query<WrittenCount>(WRITTEN_TABLE_COUNTS_SQL)).rows);
      await execution.throwIfCancelled();
      if (counts.conflicts > 0 && onConflict === UndoConflictPolicy.Refuse) {
        throw refusal(`${counts.conflicts} records were changed after the import; nothing was undone. Undo the rest with onConflict=skip.`, 'undo_conflict', counts);
      }
      await execution.reportProgress({ message: 'Undoing', unit: ProgressUnit.Rows, total: counts.created + counts.updated + counts.restored + counts.deleted });
      const { deleteCreated, restoreBefores } = undoSql(commit.entity);
      await client.query(deleteCreated);
      await client.query(restoreBefores, [importJobId]);
      await client.query('update import_commits set undone_at = now(), undo_job_id = $2, undo_counts = $3 where job_id = $1', [importJobId, execution.job.id, counts]);
      await execution.throwIfCancelled();
      return {
        message: `Deleted ${counts.created} created, put back ${counts.updated} updated, deleted again ${counts.restored} restored and restored ${counts.deleted} deleted records; left ${counts.conflicts} changed ones alone`,
        counts,
        data: { importJobId, entity: commit.entity, conflictsUrl: conflictsUrlOf(importJobId) },
      };
    });
  }
}
