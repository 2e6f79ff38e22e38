import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { AuditService } from '../audit/audit.service';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { ActorDto } from '../auth/dto/actor.dto';
import { Role } from '../auth/role.enum';
import { API_PREFIX } from '../common/http/api-prefix';
import { ProblemException } from '../common/problem/problem.exception';
import { APP_CONFIG } from '../config/app-config.module';
import { AppConfig } from '../config/environment';
import { withRawTransaction } from '../database/raw-transaction';
import { ExportFilters } from '../exports/export-filters';
import { ChangeJournal } from '../imports/change-journal.service';
import { ImportEntity, ImportRecordOutcome } from '../imports/import.types';
import { CleanupTasks } from '../jobs/cleanup-tasks';
import { JobDto } from '../jobs/dto/job.dto';
import { JobCancelledError, JobExecution, JobFailedError, JobOutcome } from '../jobs/job-handler.registry';
import { JobType, ProgressUnit } from '../jobs/job.enums';
import { JobsService } from '../jobs/jobs.service';
import {
  BulkChangeSet,
  BulkFindings,
  BulkInvalidRecord,
  BulkSampleRecord,
  countsSql,
  enrollmentConsequenceSql,
  invalidRecordsSql,
  MatchedCounts,
  matchedTableSql,
  sampleSql,
  tableOfTarget,
  WRITTEN_IDS_SQL,
  writeSql,
} from './bulk-change';
import { BulkPreview } from './bulk-preview.entity';
import { checkedFilter, checkedUpdate } from './bulk-request';
import { BulkInvalidPolicy, BulkOperation, BulkPreviewStatus } from './bulk.enums';
import { BulkCommitDto, BulkPreviewDto } from './dto/bulk.dto';

const SAMPLE_SIZE = 20;
const INVALID_RECORDS_SHOWN = 100;

const JOB_TYPES: Record<BulkOperation, JobType.BulkUpdate | JobType.BulkDelete> = {
  [BulkOperation.Update]: JobType.BulkUpdate,
  [BulkOperation.Delete]: JobType.BulkDelete,
};

const AUDIT_ACTIONS: Record<BulkOperation, AuditAction.BulkUpdate | AuditAction.BulkDelete> = {
  [BulkOperation.Update]: AuditAction.BulkUpdate,
  [BulkOperation.Delete]: AuditAction.BulkDelete,
};

const NO_CHANGE: BulkChangeSet = { set: {}, increment: {} };

/** The problem a request gets for a preview whose matching set moved since it was made. */
function outdated(detail: string): ProblemException {
  return ProblemException.conflict('preview_outdated', `${detail} Nothing was written; preview the change again.`);
}

/** The audit error code of a bulk job that did not complete. */
function errorCodeOf(error: unknown): string {
  if (error instanceof JobCancelledError) return 'cancelled';
  if (error instanceof JobFailedError) return String((error.result.data as { code?: string } | undefined)?.code ?? 'job_failed');
  return 'job_failed';
}

/**
 * Filter-based bulk updates and deletes: the preview, kept for its owner like an import preview,
 * and the job that commits it in one transaction. What a job writes is recorded through the
 * imports' ChangeJournal, so `POST /imports/jobs/{jobId}/undo` undoes it as it undoes an import.
 */
@Injectable()
export class BulkService implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly jobs: JobsService,
    private readonly journal: ChangeJournal,
    private readonly audit: AuditService,
    private readonly cleanup: CleanupTasks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.cleanup.add({ key: 'bulkPreviews', description: 'bulk previews past their expiry', run: () => this.removeExpired() });
  }

  async previewUpdate(entity: ImportEntity, body: { filter: Record<string, unknown>; set?: Record<string, unknown>; increment?: Record<string, unknown> }, user: AuthenticatedUser): Promise<BulkPreviewDto> {
    const { filter, change } = await checkedUpdate(entity, body);
    return this.preview(entity, BulkOperation.Update, filter, change, user);
  }

  async previewDelete(entity: ImportEntity, body: { filter: Record<string, unknown> }, user: AuthenticatedUser): Promise<BulkPreviewDto> {
    return this.preview(entity, BulkOperation.Delete, await checkedFilter(entity, body.filter), NO_CHANGE, user);
  }

  async get(id: string, user: AuthenticatedUser): Promise<BulkPreviewDto> {
    return this.toDto(await this.settled(await this.visible(id, user, true)));
  }

  /**
   * Checks what can be checked now (state, invalid records, the guard, and that the matching set
   * is still the previewed one), claims the preview and starts its job, which checks it all again.
   * The request is audited here, under the action of the preview's operation, success or refusal.
   */
  async commit(id: string, options: BulkCommitDto, user: AuthenticatedUser, context: AuditRequestContext): Promise<JobDto> {
    const preview = await this.visible(id, user, false);
    const audit = { ...context, action: AUDIT_ACTIONS[preview.operation], resource: AuditResource.System, resourceId: id };
    const facts = { previewId: id, entity: preview.entity, onInvalid: options.onInvalid, confirmMassChange: options.confirmMassChange };
    try {
      const job = await this.startCommit(preview, options, user, context);
      const { matched, changing, invalid } = preview.findings;
      await this.audit.log({ ...audit, success: true, statusCode: 202, details: { ...facts, jobId: job.id, counts: { matched, changing, invalid } } });
      return job;
    } catch (error) {
      const problem = error instanceof ProblemException ? error.problem : undefined;
      await this.audit.log({ ...audit, success: false, statusCode: problem?.status ?? 500, errorCode: problem?.code ?? 'internal_error', details: facts });
      throw error;
    }
  }

  /**
   * The body of `bulk_update` and `bulk_delete` jobs: in one transaction, with the table locked
   * against writes, finds the matching set again, refuses if it moved since the preview, keeps
   * the before-images, writes, and records the change for its undo. A cancelled or failed run
   * writes nothing; every run that ends leaves an audit row with its counts or its error.
   */
  async run(execution: JobExecution<JobType.BulkUpdate | JobType.BulkDelete>): Promise<JobOutcome<JobType.BulkUpdate | JobType.BulkDelete>> {
    const { previewId, entity, operation, requestedBy, requestId } = execution.payload;
    const audit = { action: AUDIT_ACTIONS[operation], resource: AuditResource.System, userId: requestedBy.id, email: requestedBy.email, requestId, resourceId: execution.job.id };
    try {
      const outcome = await this.write(execution);
      await this.audit.log({ ...audit, success: true, details: { jobId: execution.job.id, previewId, entity, counts: outcome.counts } });
      return outcome;
    } catch (error) {
      await this.em.fork().nativeUpdate(BulkPreview, { id: previewId, status: BulkPreviewStatus.Committing }, { status: BulkPreviewStatus.Failed });
      const counts = error instanceof JobFailedError ? error.result.counts : undefined;
      await this.audit.log({ ...audit, success: false, errorCode: errorCodeOf(error), details: { jobId: execution.job.id, previewId, entity, counts, error: String(error) } });
      throw error;
    }
  }

  /** Removes previews past their expiry; one a job may still be committing is kept a day longer. */
  async removeExpired(): Promise<number> {
    const removed = await this.em
      .getConnection()
      .execute<{ id: string }[]>(`delete from bulk_previews where expires_at < now() and (status <> ? or expires_at < now() - interval '1 day') returning id`, [BulkPreviewStatus.Committing]);
    return removed.length;
  }

  private async write(execution: JobExecution<JobType.BulkUpdate | JobType.BulkDelete>): Promise<JobOutcome<JobType.BulkUpdate | JobType.BulkDelete>> {
    const { previewId, onInvalid, confirmMassChange } = execution.payload;
    const preview = await this.em.fork().findOne(BulkPreview, { id: previewId });
    if (preview === null) throw new JobFailedError('The preview of this change expired or was removed before the job ran; nothing was written.', { data: { code: 'preview_missing' } });
    const { entity, operation, change } = preview;
    const kind = JOB_TYPES[operation];
    const failure = (message: string, code: string, counts?: Record<string, number>) => new JobFailedError(message, { errors: [message], counts, data: { previewId, entity, code } });
    return withRawTransaction(this.em, async (client) => {
      // Blocks every other writer of the table until the commit, so the set checked is the set written.
      await client.query(`lock table ${tableOfTarget(entity)} in share row exclusive mode`);
      await execution.reportProgress({ message: 'Finding the matching records' });
      const counts = await this.match(client, preview);
      const { matched, changing, invalid, deactivated } = counts;
      const found = { matched, changing, invalid };
      await execution.throwIfCancelled();
      if (counts.digest !== preview.matchDigest) {
        throw failure('Records matching the filter were added, removed or changed since the preview; nothing was written. Preview the change again.', 'preview_outdated', found);
      }
      if (invalid > 0 && onInvalid === BulkInvalidPolicy.Refuse) throw failure(`The change would make ${invalid} records invalid; nothing was written.`, 'preview_not_committable', found);
      const massChange = await this.journal.massChange(client, entity, changing, deactivated);
      if (massChange.confirmationNeeded && !confirmMassChange) throw failure(this.journal.massChangeMessage(massChange), 'mass_change_unconfirmed', found);
      await execution.reportProgress({ message: 'Writing', total: changing, unit: ProgressUnit.Rows });
      const jobId = execution.job.id;
      const outcome = operation === BulkOperation.Update ? ImportRecordOutcome.Updated : ImportRecordOutcome.Deleted;
      await this.journal.keepBeforeImages(client, jobId, entity, outcome, WRITTEN_IDS_SQL);
      const written = (await client.query(writeSql(entity, operation, change, this.journal.provenanceAssignments('$1', '$2')), [jobId, kind])).rowCount ?? 0;
      await this.journal.recordCommit(client, {
        jobId,
        kind,
        entity,
        createdBy: preview.createdBy,
        updated: operation === BulkOperation.Update ? written : 0,
        deleted: operation === BulkOperation.Delete ? written : 0,
      });
      await client.query('update bulk_previews set status = $2 where id = $1', [previewId, BulkPreviewStatus.Committed]);
      await execution.reportProgress({ processed: written });
      await execution.throwIfCancelled();
      const verb = operation === BulkOperation.Update ? 'Updated' : 'Deleted';
      return {
        message: `${verb} ${written} of ${matched} matching ${entity}; left out ${onInvalid === BulkInvalidPolicy.Skip ? invalid : 0} the change would have made invalid`,
        counts: { matched, [operation === BulkOperation.Update ? 'updated' : 'deleted']: written, skipped: onInvalid === BulkInvalidPolicy.Skip ? invalid : 0 },
        data: { previewId, entity, recordsUrl: `/${API_PREFIX}/imports/jobs/${jobId}/records`, undoUrl: `/${API_PREFIX}/imports/jobs/${jobId}/undo` },
      };
    });
  }

  private async preview(entity: ImportEntity, operation: BulkOperation, filter: ExportFilters, change: BulkChangeSet, user: AuthenticatedUser): Promise<BulkPreviewDto> {
    const draft = { entity, operation, filter: filter as Record<string, unknown>, change };
    const { findings, digest } = await withRawTransaction(this.em, async (client) => {
      const counts = await this.match(client, draft);
      return { findings: await this.findingsOf(client, draft, counts), digest: counts.digest };
    });
    await this.removeExpired();
    const em = this.em.fork();
    const preview = em.create(BulkPreview, {
      id: randomUUID(),
      createdBy: user.id,
      ...draft,
      findings,
      matchDigest: digest,
      status: BulkPreviewStatus.Ready,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + this.config.importPreviewTtlHours * 3_600_000),
    });
    await em.flush();
    return this.toDto(preview);
  }

  /** Creates bulk_matched for the preview's filter and change, and answers its counts. */
  private async match(client: PoolClient, preview: Pick<BulkPreview, 'entity' | 'operation' | 'filter' | 'change'>): Promise<MatchedCounts> {
    const { entity, operation, change } = preview;
    const matched = matchedTableSql(entity, operation, preview.filter, change);
    await client.query(matched.sql, matched.params);
    return (await client.query<MatchedCounts>(countsSql(entity, operation, change))).rows[0];
  }

  private async findingsOf(client: PoolClient, preview: Pick<BulkPreview, 'entity' | 'operation' | 'change'>, counts: MatchedCounts): Promise<BulkFindings> {
    const { entity, operation, change } = preview;
    const sample = (await client.query<BulkSampleRecord>(sampleSql(entity, operation, change), [SAMPLE_SIZE])).rows;
    const invalidSql = invalidRecordsSql(entity, operation, change);
    const invalidRecords =
      invalidSql === null
        ? { total: 0, items: [] }
        : { total: (await client.query<{ total: number }>(invalidSql.total)).rows[0].total, items: (await client.query<BulkInvalidRecord>(invalidSql.page, [INVALID_RECORDS_SHOWN])).rows };
    const consequence = enrollmentConsequenceSql(entity, operation);
    const affected = consequence === null ? 0 : (await client.query<{ affected: number }>(consequence.sql)).rows[0].affected;
    return {
      matched: counts.matched,
      changing: counts.changing,
      invalid: counts.invalid,
      deactivated: counts.deactivated,
      sample,
      invalidRecords,
      massChange: await this.journal.massChange(client, entity, counts.changing, counts.deactivated),
      enrollments: consequence === null ? null : { affected, consequence: consequence.consequence(affected) },
    };
  }

  /** A preview of this user (any user's, for an admin reading it); anyone else is told it does not exist. */
  private async visible(id: string, user: AuthenticatedUser, adminMayRead: boolean): Promise<BulkPreview> {
    const preview = await this.em.fork().findOne(BulkPreview, { id, expiresAt: { $gt: new Date() } });
    if (preview === null || (preview.createdBy !== user.id && !(adminMayRead && user.role === Role.Admin))) {
      throw ProblemException.notFound(`A bulk preview with id ${id}`, 'preview_not_found');
    }
    return preview;
  }

  /** A preview whose job ended without running (cancelled while queued) was never committed: failed, not committing. */
  private async settled(preview: BulkPreview): Promise<BulkPreview> {
    if (preview.status !== BulkPreviewStatus.Committing || preview.jobId == null || (await this.jobs.mayComplete(preview.jobId))) return preview;
    await this.em.fork().nativeUpdate(BulkPreview, { id: preview.id, status: BulkPreviewStatus.Committing }, { status: BulkPreviewStatus.Failed });
    preview.status = BulkPreviewStatus.Failed;
    return preview;
  }

  private async startCommit(preview: BulkPreview, options: BulkCommitDto, user: AuthenticatedUser, context: AuditRequestContext): Promise<JobDto> {
    const { id } = preview;
    if (preview.status !== BulkPreviewStatus.Ready) {
      throw ProblemException.conflict('preview_already_committed', `This preview is ${preview.status}${preview.jobId ? ` (job ${preview.jobId})` : ''}; a preview commits once.`);
    }
    const { findings } = preview;
    if (findings.invalid > 0 && options.onInvalid === BulkInvalidPolicy.Refuse) {
      throw new ProblemException({
        status: 422,
        code: 'preview_not_committable',
        title: 'Unprocessable Content',
        detail: `The change would make ${findings.invalid} records invalid (listed in the preview's invalidRecords); nothing was written. Commit with onInvalid=skip to leave them as they are.`,
      });
    }
    if (findings.massChange.confirmationNeeded && !options.confirmMassChange) {
      throw new ProblemException({ status: 409, code: 'mass_change_unconfirmed', title: 'Conflict', detail: this.journal.massChangeMessage(findings.massChange), extensions: { massChange: findings.massChange } });
    }
    const digest = await withRawTransaction(this.em, async (client) => (await this.match(client, preview)).digest);
    if (digest !== preview.matchDigest) throw outdated('Records matching the filter were added, removed or changed since the preview.');
    const claimed = await this.em.fork().nativeUpdate(BulkPreview, { id, status: BulkPreviewStatus.Ready }, { status: BulkPreviewStatus.Committing });
    if (claimed !== 1) throw ProblemException.conflict('preview_already_committed', 'This preview is already being committed; a preview commits once.');
    const job = await this.jobs.startServerJob(
      JOB_TYPES[preview.operation],
      {
        previewId: id,
        entity: preview.entity,
        operation: preview.operation,
        filter: preview.filter,
        change: preview.change,
        onInvalid: options.onInvalid,
        confirmMassChange: options.confirmMassChange,
        requestedBy: ActorDto.of(user),
        requestId: context.requestId,
      },
      user.id,
    );
    await this.em.fork().nativeUpdate(BulkPreview, { id }, { jobId: job.id });
    return job;
  }

  private toDto(preview: BulkPreview): BulkPreviewDto {
    const { findings } = preview;
    return {
      id: preview.id,
      createdBy: preview.createdBy,
      entity: preview.entity,
      operation: preview.operation,
      filter: preview.filter,
      change: preview.operation === BulkOperation.Update ? { ...preview.change } : {},
      matched: findings.matched,
      changing: findings.changing,
      invalid: findings.invalid,
      sample: findings.sample,
      invalidRecords: findings.invalidRecords,
      massChange: findings.massChange,
      enrollments: findings.enrollments,
      status: preview.status,
      jobId: preview.jobId ?? null,
      createdAt: preview.createdAt,
      expiresAt: preview.expiresAt,
    };
  }
}
