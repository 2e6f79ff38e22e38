import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { mkdir, rename, rm } from 'node:fs/promises';
import { AuditRequestContext } from '../audit/audit-context';
import { AuditAction, AuditResource } from '../audit/audit.enums';
import { AuditService } from '../audit/audit.service';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { ActorDto } from '../auth/dto/actor.dto';
import { SessionCache } from '../auth/session-cache.service';
import { Page } from '../common/pagination/page.dto';
import { ProblemException } from '../common/problem/problem.exception';
import { RawTransaction } from '../database/raw-transaction';
import { AttachmentFile } from '../common/http/attachment-file';
import { JobDto } from '../jobs/dto/job.dto';
import { JobCancelledError, JobExecution, JobFailedError, JobOutcome } from '../jobs/job-handler.registry';
import { JobType, ProgressUnit } from '../jobs/job.enums';
import { JobsService } from '../jobs/jobs.service';
import { BackupRefusedError } from './backup-archive';
import { restoreInto } from './backup-restorer';
import { BackupStore, UnreadableManifestError } from './backup-store';
import { CancellableWork, copyTablesOut, schemaVersionOf, writeArchive } from './backup-writer';
import { BACKUP_FORMAT, BACKUP_TABLES, BackupManifest, BackupPart, BackupRecord, countsOf } from './backup.types';
import type { BackupJobOutput, RestoreJobOutput } from './dto/backup-job.dto';
import { BackupDto, BackupListQueryDto } from './dto/backup.dto';

/** How often a running backup or restore looks for its cancellation while a COPY streams. */
const CANCELLATION_POLL_MS = 500;

/** `sms-backup-20261130T101500Z.tar.gz`: the UTC time of the snapshot. */
function downloadNameOf(createdAt: Date): string {
  return `sms-backup-${createdAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.tar.gz`;
}

/**
 * Runs stream work while looking for the job's cancellation every half second: a cancellation
 * aborts the work's streams through the signal, and the JobCancelledError is what comes out.
 */
function cancellableBy(execution: JobExecution): CancellableWork {
  return async (work) => {
    const controller = new AbortController();
    let stopReason: unknown;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let looking: Promise<void> = Promise.resolve();
    const watch = (): void => {
      timer = setTimeout(() => {
        looking = execution.throwIfCancelled().then(
          () => {
            if (!stopped) watch();
          },
          (error: unknown) => {
            stopReason = error;
            controller.abort(error);
          },
        );
      }, CANCELLATION_POLL_MS);
    };
    watch();
    try {
      return await work(controller.signal);
    } catch (error) {
      throw stopReason ?? error;
    } finally {
      stopped = true;
      clearTimeout(timer);
      await looking;
    }
  };
}

/** The problem a request is refused with when a backup may not be restored. */
function problemOf(refusal: BackupRefusedError): ProblemException {
  return refusal.code === 'backup_schema_mismatch'
    ? ProblemException.conflict(refusal.code, refusal.message)
    : new ProblemException({ status: 422, code: refusal.code, title: 'Unprocessable Content', detail: refusal.message });
}

/** The audit error code of a job that did not complete. */
function errorCodeOf(error: unknown): string {
  if (error instanceof JobCancelledError) return 'cancelled';
  if (error instanceof BackupRefusedError) return error.code;
  return 'job_failed';
}

@Injectable()
export class BackupsService {
  private readonly logger = new Logger(BackupsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly jobs: JobsService,
    private readonly store: BackupStore,
    private readonly audit: AuditService,
    private readonly sessions: SessionCache,
  ) {}

  start(includePasswordHashes: boolean, user: AuthenticatedUser, context: AuditRequestContext): Promise<JobDto> {
    return this.jobs.startServerJob(JobType.Backup, { includePasswordHashes, requestedBy: ActorDto.of(user), requestId: context.requestId }, user.id);
  }

  /** Newest first. A manifest that cannot be read is logged and left out (GET by its id answers 422). */
  async list(query: BackupListQueryDto): Promise<Page<BackupDto>> {
    const records: BackupRecord[] = [];
    for (const id of await this.store.ids()) {
      try {
        const record = await this.store.read(id);
        if (record !== undefined) records.push(record);
      } catch (error) {
        if (!(error instanceof UnreadableManifestError)) throw error;
        this.logger.error({ err: error, backupId: id }, 'A backup manifest cannot be read; the backup is left out of the list');
      }
    }
    records.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    const schemaVersion = await this.currentSchemaVersion();
    return {
      items: records.slice(query.offset, query.offset + query.limit).map((record) => BackupDto.from(record, schemaVersion)),
      total: records.length,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async get(id: string): Promise<BackupDto> {
    return BackupDto.from(await this.recordOf(id), await this.currentSchemaVersion());
  }

  /** The archive, streamed; its facts go to the audit row of the download. */
  async download(id: string): Promise<AttachmentFile> {
    const record = await this.recordOf(id);
    return AttachmentFile.fromPath(
      this.store.archivePathOf(id),
      { fileName: record.archive.fileName, contentType: 'application/gzip', length: record.archive.sizeBytes },
      { backupId: id, counts: countsOf(record.parts), sizeBytes: record.archive.sizeBytes, sha256: record.archive.sha256 },
      () => ProblemException.notFound(`The archive of backup ${id}`, 'backup_file_missing'),
    );
  }

  /**
   * Checks the schema version and the archive's sha256 before the job is queued, so that a
   * request for a backup that cannot be restored is refused at once; the job checks both again.
   */
  async startRestore(id: string, user: AuthenticatedUser, context: AuditRequestContext): Promise<JobDto> {
    const record = await this.recordOf(id);
    try {
      this.checkSchemaVersion(record, await this.currentSchemaVersion());
      await this.store.verifyArchive(record);
    } catch (error) {
      if (error instanceof BackupRefusedError) throw problemOf(error);
      throw error;
    }
    return this.jobs.startServerJob(JobType.BackupRestore, { backupId: id, requestedBy: ActorDto.of(user), requestId: context.requestId }, user.id);
  }

  /** The `backup` handler; every run, whatever its end, leaves a `backup_create` audit row. */
  async runBackup(execution: JobExecution<JobType.Backup>): Promise<JobOutcome<JobType.Backup>> {
    const { requestedBy, requestId } = execution.payload;
    const audit = { action: AuditAction.BackupCreate, userId: requestedBy.id, email: requestedBy.email, requestId, jobId: execution.job.id };
    try {
      const output = await this.takeBackup(execution);
      await this.auditJob({ ...audit, resourceId: output.backupId, success: true, details: { ...output, includePasswordHashes: execution.payload.includePasswordHashes } });
      const total = Object.values(output.counts).reduce((sum, count) => sum + count, 0);
      return { message: `Backed up ${total} rows`, counts: output.counts, data: output };
    } catch (error) {
      await this.auditJob({ ...audit, resourceId: execution.job.id, success: false, errorCode: errorCodeOf(error), details: { error: String(error) } });
      throw error;
    }
  }

  /** The `backup_restore` handler; every run, whatever its end, leaves a `backup_restore` audit row. */
  async runRestore(execution: JobExecution<JobType.BackupRestore>): Promise<JobOutcome<JobType.BackupRestore>> {
    const { backupId, requestedBy, requestId } = execution.payload;
    const audit = { action: AuditAction.BackupRestore, resourceId: backupId, userId: requestedBy.id, email: requestedBy.email, requestId, jobId: execution.job.id };
    try {
      const output = await this.restore(execution);
      await this.auditJob({ ...audit, success: true, details: { ...output } });
      const total = Object.values(output.counts).reduce((sum, count) => sum + count, 0);
      return { message: `Restored ${total} rows`, counts: output.counts, data: output };
    } catch (error) {
      await this.auditJob({ ...audit, success: false, errorCode: errorCodeOf(error), details: { error: String(error) } });
      // A backup that cannot be restored will not become restorable on a second attempt.
      if (error instanceof BackupRefusedError) throw new JobFailedError(error.message, { success: false, message: error.message, errors: [error.code] });
      throw error;
    }
  }

  /**
   * One REPEATABLE READ, READ ONLY transaction: every table is copied from the same snapshot.
   * The parts are compressed to files of their own, then put into the archive; the manifest
   * file is written last, so a backup is listed only once it is whole. A cancelled or failed run
   * leaves no file.
   */
  private async takeBackup(execution: JobExecution<JobType.Backup>): Promise<BackupJobOutput> {
    const id = execution.job.id;
    const { includePasswordHashes, requestedBy } = execution.payload;
    await mkdir(this.store.directory, { recursive: true });
    const transaction = await RawTransaction.begin(this.em, 'begin isolation level repeatable read read only');
    const createdAt = new Date();
    let archivePath: string | undefined;
    try {
      const schemaVersion = await schemaVersionOf(transaction.client);
      let processed = 0;
      const parts = await copyTablesOut(transaction.client, this.store, id, includePasswordHashes, cancellableBy(execution), async (part) => {
        processed += part.rowCount;
        await execution.reportProgress({ processed, unit: ProgressUnit.Rows, message: `Copied ${part.table} (${part.rowCount} rows)` });
        await execution.throwIfCancelled();
      });
      await transaction.commit();
      const manifest: BackupManifest = {
        format: BACKUP_FORMAT,
        id,
        schemaVersion,
        createdAt: createdAt.toISOString(),
        createdBy: requestedBy,
        includesPasswordHashes: includePasswordHashes,
        parts,
      };
      const archive = await writeArchive(this.store, manifest);
      archivePath = archive.path;
      await execution.throwIfCancelled();
      const fileName = downloadNameOf(createdAt);
      await rename(archive.path, this.store.archivePathOf(id));
      await this.store.writeRecord({ ...manifest, archive: { fileName, sizeBytes: archive.sizeBytes, sha256: archive.sha256 } });
      await execution.reportProgress({ processed, message: 'Written' });
      return { backupId: id, fileName, sizeBytes: archive.sizeBytes, sha256: archive.sha256, schemaVersion, counts: countsOf(parts) };
    } catch (error) {
      await transaction.discard();
      await rm(archivePath ?? `${this.store.archivePathOf(id)}.partial`, { force: true });
      throw error;
    } finally {
      await Promise.all(BACKUP_TABLES.map((table) => rm(this.store.partPathOf(id, `${table}.copy`), { force: true })));
    }
  }

  /**
   * Verifies, then restores in one transaction on a connection of its own. Anything that goes
   * wrong, a cancellation included, drops the connection before the COMMIT: PostgreSQL rolls
   * everything back, so a refused, failed or cancelled restore changes nothing.
   */
  private async restore(execution: JobExecution<JobType.BackupRestore>): Promise<RestoreJobOutput> {
    const { backupId } = execution.payload;
    const record = await this.store.read(backupId);
    if (record === undefined) throw new BackupRefusedError('backup_corrupt', `Backup ${backupId} no longer exists`);
    await this.store.verifyArchive(record);
    const total = record.parts.reduce((sum, part) => sum + part.rowCount, 0);
    await execution.reportProgress({ processed: 0, total, unit: ProgressUnit.Rows, message: 'Verified' });
    const transaction = await RawTransaction.begin(this.em);
    let usersBefore: string[];
    try {
      this.checkSchemaVersion(record, await schemaVersionOf(transaction.client));
      usersBefore = (await transaction.client.query<{ id: string }>('select id from users')).rows.map((row) => row.id);
      let processed = 0;
      await restoreInto(transaction.client, this.store, record, cancellableBy(execution), async (part: BackupPart) => {
        processed += part.rowCount;
        await execution.reportProgress({ processed, total, message: `Restored ${part.table}` });
      });
      await execution.throwIfCancelled();
      await transaction.commit();
    } catch (error) {
      await transaction.discard();
      throw error;
    }
    await this.forgetSessions(usersBefore);
    return { backupId, counts: countsOf(record.parts) };
  }

  /**
   * Verified sessions are cached for a few seconds with the user's role and status; a restore may
   * have changed both, or removed the user. A failure here is logged, not thrown: the restore is
   * committed, and the cache forgets by itself within its TTL.
   */
  private async forgetSessions(userIds: readonly string[]): Promise<void> {
    try {
      for (const userId of userIds) await this.sessions.forgetUser(userId);
    } catch (error) {
      this.logger.error({ err: error }, 'Could not tell every process to forget the sessions of restored users; cached sessions expire within 30 seconds');
    }
  }

  private checkSchemaVersion(record: BackupRecord, current: string): void {
    if (record.schemaVersion !== current) {
      throw new BackupRefusedError(
        'backup_schema_mismatch',
        `Backup ${record.id} was taken at schema version ${record.schemaVersion}; the database is at ${current}`,
      );
    }
  }

  private async recordOf(id: string): Promise<BackupRecord> {
    let record: BackupRecord | undefined;
    try {
      record = await this.store.read(id);
    } catch (error) {
      if (error instanceof UnreadableManifestError) throw problemOf(error);
      throw error;
    }
    if (record === undefined) throw ProblemException.notFound(`Backup ${id}`, 'backup_not_found');
    return record;
  }

  private async currentSchemaVersion(): Promise<string> {
    const rows = await this.em.getConnection().execute<{ name: string }[]>('select name from schema_migrations order by id desc limit 1');
    return rows[0]?.name ?? '';
  }

  private async auditJob(entry: {
    action: AuditAction;
    resourceId: string;
    userId: string;
    email: string;
    requestId: string | null;
    jobId: string;
    success: boolean;
    errorCode?: string;
    details: Record<string, unknown>;
  }): Promise<void> {
    const { jobId, details, ...row } = entry;
    await this.audit.log({ ...row, resource: AuditResource.System, details: { ...details, jobId } });
  }
}
