import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { APP_CONFIG } from '../config/app-config.module';
import type { AppConfig } from '../config/environment';
import { JobType } from '../jobs/job.enums';
import { beforeImageColumns, MassChange, massChangeOf, PROVENANCE_COLUMNS } from './import-plan';
import { massChangeMessage } from './import-runner.service';
import { ImportRecordOutcome, tableOf } from './import-undo';
import { importTarget } from './import-targets';
import { ImportEntity } from './import.types';

/** The jobs whose writes import_commits records, and so the ones `POST /imports/jobs/{jobId}/undo` undoes. */
export type UndoableJobType = JobType.BulkImport | JobType.BulkUpdate | JobType.BulkDelete;

/** What a set-based change other than an import wrote, for its row of import_commits. */
export interface RecordedChange {
  jobId: string;
  kind: JobType.BulkUpdate | JobType.BulkDelete;
  entity: ImportEntity;
  createdBy: string;
  updated: number;
  deleted: number;
}

/**
 * The part of imports' undo machinery that other set-based changes share: the mass-change guard,
 * the provenance stamp, the before-images in import_changes and the row of import_commits that
 * the undo job reads. A change that records itself here is undone exactly as an import is.
 */
@Injectable()
export class ChangeJournal {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The guard's verdict on changing `changed` records of the entity, `deactivated` of them active students made inactive. */
  async massChange(client: PoolClient, entity: ImportEntity, changed: number, deactivated: number): Promise<MassChange> {
    const { rows } = await client.query<{ existing: number }>(`select count(*)::integer as existing from ${tableOf(entity)}`);
    return massChangeOf(rows[0].existing, changed, deactivated, this.config.importMassChangePercent);
  }

  massChangeMessage(massChange: MassChange): string {
    return massChangeMessage(massChange);
  }

  /**
   * `column = value` for each provenance column, naming the job as the writer. A job that is not
   * an import has no file: it stands as its job type (`bulk_update`), and row 0 is the change as a
   * whole, as row 0 is the file as a whole in an import's issues. The arguments are the
   * statement's placeholders of the job id and of the job type, e.g. `$1`, `$2`.
   */
  provenanceAssignments(jobIdPlaceholder: string, kindPlaceholder: string): string {
    const values = [`${jobIdPlaceholder}::uuid`, `${kindPlaceholder}::text`, '0'];
    return PROVENANCE_COLUMNS.map((column, index) => `"${column}" = ${values[index]}`).join(', ');
  }

  /**
   * Keeps the prior values of the records whose ids `idsSql` selects (a query of one `id` column),
   * before they are written, as an import keeps those it updates. Runs in the writer's transaction.
   */
  async keepBeforeImages(client: PoolClient, jobId: string, entity: ImportEntity, outcome: ImportRecordOutcome.Updated | ImportRecordOutcome.Deleted, idsSql: string, parameters: unknown[] = []): Promise<number> {
    const columns = beforeImageColumns(importTarget(entity)).map((column) => `"${column}"`);
    const jobParameter = parameters.length + 1;
    const { rowCount } = await client.query(
      `insert into import_changes (job_id, record_id, outcome, source, row, ${columns.join(', ')})
       select $${jobParameter}::uuid, t.id, '${outcome}', 0, 0, ${columns.map((column) => `t.${column}`).join(', ')}
       from ${tableOf(entity)} t where t.id in (${idsSql})`,
      [...parameters, jobId],
    );
    return rowCount ?? 0;
  }

  /** The row an undo starts from; written in the change's transaction, after the records (now() is their updated_at). */
  async recordCommit(client: PoolClient, change: RecordedChange): Promise<void> {
    await client.query(
      `insert into import_commits (job_id, kind, entity, created_by, file_names, written_at, created, updated, restored, deleted, undo_until)
       values ($1, $2, $3, $4, array[$2], now(), 0, $5, 0, $6, now() + make_interval(days => $7))`,
      [change.jobId, change.kind, change.entity, change.createdBy, change.updated, change.deleted, this.config.importUndoDays],
    );
  }
}
