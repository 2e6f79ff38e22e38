import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { csvLine, UTF8_BOM } from '../common/csv';
import { API_PREFIX } from '../common/http/api-prefix';
import { Page } from '../common/pagination/page.dto';
import { ProblemException } from '../common/problem/problem.exception';
import { withRawTransaction } from '../database/raw-transaction';
import { CleanupTasks } from '../jobs/cleanup-tasks';
import { JobDto } from '../jobs/dto/job.dto';
import { JobType } from '../jobs/job.enums';
import { JobsService } from '../jobs/jobs.service';
import { ImportRecordDto, ImportRecordQueryDto, ImportUndoCountsDto, ImportUndoPreviewDto, ImportUndoQueryDto, UndoConflictPolicy } from './dto/import-undo.dto';
import { ImportCommit } from './import-commit.entity';
import { undoCountsOf, WrittenCount, writtenCountSql, writtenCountsSql, writtenPageSql } from './import-undo';
import { ImportRecordOutcome } from './import.types';

/** Conflicts shown with a dry run or a refusal; the rest are paged or downloaded. */
const CONFLICTS_SHOWN = 100;
const CSV_PAGE_SIZE = 5_000;

export const conflictsUrlOf = (jobId: string): string => `/${API_PREFIX}/imports/jobs/${jobId}/conflicts`;

interface PageFilter {
  outcome?: ImportRecordOutcome;
  changedOnly: boolean;
  limit: number;
  offset: number;
}

/**
 * What a committed import wrote, and its undo: the provenance list, the conflicts, the dry run,
 * and the start of the `bulk_import_undo` job (ImportUndoJobHandler does the writing).
 */
@Injectable()
export class ImportUndoService implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly jobs: JobsService,
    private readonly cleanup: CleanupTasks,
  ) {}

  onModuleInit(): void {
    this.cleanup.add({ key: 'importsPastUndo', description: 'the before-images of imports past IMPORT_UNDO_DAYS', run: () => this.removeExpiredBefores() });
  }

  async records(jobId: string, query: ImportRecordQueryDto, user: AuthenticatedUser): Promise<Page<ImportRecordDto>> {
    const commit = await this.visibleCommit(jobId, user);
    return this.page(commit, { outcome: query.outcome, changedOnly: false, limit: query.limit, offset: query.offset });
  }

  async conflicts(jobId: string, query: { limit: number; offset: number }, user: AuthenticatedUser): Promise<Page<ImportRecordDto>> {
    const commit = await this.visibleCommit(jobId, user);
    return this.page(commit, { changedOnly: true, limit: query.limit, offset: query.offset });
  }

  /** Every conflict as CSV, read a page at a time. */
  async conflictsCsv(jobId: string, user: AuthenticatedUser): Promise<Readable> {
    const commit = await this.visibleCommit(jobId, user);
    const page = (offset: number) => this.page(commit, { changedOnly: true, limit: CSV_PAGE_SIZE, offset });
    async function* lines(): AsyncGenerator<string> {
      yield UTF8_BOM + csvLine(['recordId', 'key', 'outcome', 'fileName', 'row', 'updatedAt']);
      for (let offset = 0; ; offset += CSV_PAGE_SIZE) {
        const { items } = await page(offset);
        yield items.map((item) => csvLine([item.recordId, item.key, item.outcome, item.fileName, item.row, item.updatedAt])).join('');
        if (items.length < CSV_PAGE_SIZE) return;
      }
    }
    return Readable.from(lines());
  }

  /**
   * A dry run answers what the undo would do; otherwise the checks that can be made now (undone,
   * expired, conflicts) refuse at once, and the job makes them again in its transaction.
   */
  async undo(jobId: string, query: ImportUndoQueryDto, user: AuthenticatedUser): Promise<{ preview: ImportUndoPreviewDto } | { job: JobDto }> {
    const commit = await this.visibleCommit(jobId, user);
    if (commit.undoneAt != null) throw ProblemException.conflict('already_undone', `Import ${jobId} was undone at ${commit.undoneAt.toISOString()} (job ${commit.undoJobId}); an import is undone once.`);
    if (commit.beforesRemovedAt != null || commit.undoUntil.getTime() <= Date.now()) {
      throw ProblemException.conflict('undo_expired', `Import ${jobId} could be undone until ${commit.undoUntil.toISOString()} (IMPORT_UNDO_DAYS); its prior values are gone.`);
    }
    const counts = await this.counts(commit);
    const conflicts = await this.page(commit, { changedOnly: true, limit: CONFLICTS_SHOWN, offset: 0 });
    if (query.dryRun) return { preview: { importJobId: jobId, counts, conflicts } };
    if (counts.conflicts > 0 && query.onConflict === UndoConflictPolicy.Refuse) {
      throw new ProblemException({
        status: 409,
        code: 'undo_conflict',
        title: 'Conflict',
        detail: `${counts.conflicts} records were changed after the import; nothing was undone. Undo the rest with onConflict=skip, or review them first.`,
        extensions: { counts, conflicts, conflictsUrl: conflictsUrlOf(jobId) },
      });
    }
    const job = await this.jobs.startServerJob(JobType.BulkImportUndo, { importJobId: jobId, entity: commit.entity, onConflict: query.onConflict, counts: { ...counts } }, user.id);
    return { job };
  }

  /** Removes the before-images of imports past IMPORT_UNDO_DAYS; answers how many imports lost theirs. */
  async removeExpiredBefores(): Promise<number> {
    return withRawTransaction(this.em, async (client) => {
      const { rows } = await client.query<{ job_id: string }>(
        'update import_commits set befores_removed_at = now() where undo_until <= now() and befores_removed_at is null returning job_id',
      );
      if (rows.length > 0) await client.query('delete from import_changes where job_id = any($1::uuid[])', [rows.map((row) => row.job_id)]);
      return rows.length;
    });
  }

  private async counts(commit: ImportCommit): Promise<ImportUndoCountsDto> {
    return withRawTransaction(this.em, async (client) => undoCountsOf((await client.query<WrittenCount>(writtenCountsSql(commit.entity), [commit.jobId])).rows));
  }

  private async count(client: PoolClient, commit: ImportCommit, filter: Pick<PageFilter, 'outcome' | 'changedOnly'>): Promise<number> {
    const { rows } = await client.query<{ total: number }>(writtenCountSql(commit.entity), [commit.jobId, filter.outcome ?? null, filter.changedOnly]);
    return rows[0].total;
  }

  private async page(commit: ImportCommit, filter: PageFilter): Promise<Page<ImportRecordDto>> {
    return withRawTransaction(this.em, async (client) => {
      const total = await this.count(client, commit, filter);
      const { rows } = await client.query<ImportRecordDto>(writtenPageSql(commit.entity), [commit.jobId, filter.outcome ?? null, filter.changedOnly, filter.limit, filter.offset]);
      return { items: rows, total, limit: filter.limit, offset: filter.offset };
    });
  }

  /** The commit of an import job, for its creator and admins; anyone else is told it does not exist. */
  private async visibleCommit(jobId: string, user: AuthenticatedUser): Promise<ImportCommit> {
    const commit = await this.em.fork().findOne(ImportCommit, { jobId });
    if (commit === null || (user.role !== Role.Admin && commit.createdBy !== user.id)) {
      throw ProblemException.notFound(`A committed import with job id ${jobId}`, 'import_not_found');
    }
    return commit;
  }
}
