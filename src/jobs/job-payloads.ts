import type { BackupJobOutput, BackupJobParameters, RestoreJobOutput, RestoreJobParameters } from '../backups/backup.types';
import type { BulkJobOutput, BulkJobParameters } from '../bulk/bulk.types';
import type { AuditVerifyJobOutput, AuditVerifyJobParameters } from '../audit/audit-verify-job.handler';
import type { ExportJobOutput, ExportJobParameters } from '../exports/export-request';
import type { ImportJobParameters } from '../imports/import-job.handler';
import type { ImportUndoJobOutput, ImportUndoJobParameters } from '../imports/import-undo-job.handler';
import { JobType } from './job.enums';

/** The parameters of a job whose type has no contract of its own: whatever JSON object its starter chose. */
export type JobParameters = Record<string, unknown>;

/** What the daily cleanup is started with: `{ scheduled: true }` from the scheduler, nothing by hand. */
export interface CleanupJobParameters {
  scheduled?: true;
}

/** The payload (the job's `parameters`) of each job type, as its handler reads it. */
export interface JobPayloadMap {
  [JobType.BulkImport]: ImportJobParameters;
  [JobType.BulkImportUndo]: ImportUndoJobParameters;
  [JobType.ExportLarge]: ExportJobParameters;
  [JobType.Cleanup]: CleanupJobParameters;
  [JobType.BulkUpdate]: BulkJobParameters;
  [JobType.BulkDelete]: BulkJobParameters;
  [JobType.Backup]: BackupJobParameters;
  [JobType.BackupRestore]: RestoreJobParameters;
  [JobType.Migration]: JobParameters;
  [JobType.Custom]: JobParameters;
  [JobType.AuditVerify]: AuditVerifyJobParameters;
}

/** The `result.data` a job of each type ends with. */
export interface JobResultMap {
  [JobType.BulkImport]: JobParameters;
  [JobType.BulkImportUndo]: ImportUndoJobOutput;
  [JobType.ExportLarge]: ExportJobOutput;
  [JobType.Cleanup]: null;
  [JobType.BulkUpdate]: BulkJobOutput;
  [JobType.BulkDelete]: BulkJobOutput;
  [JobType.Backup]: BackupJobOutput;
  [JobType.BackupRestore]: RestoreJobOutput;
  [JobType.Migration]: JobParameters;
  [JobType.Custom]: JobParameters;
  [JobType.AuditVerify]: AuditVerifyJobOutput;
}

/**
 * The types the service always runs itself: every process must have their handlers, so a build
 * that lost one fails at start rather than at the first job of that type.
 */
export const SERVER_JOB_TYPES = [JobType.BulkImport, JobType.BulkImportUndo, JobType.BulkUpdate, JobType.BulkDelete, JobType.ExportLarge, JobType.Cleanup, JobType.Backup, JobType.BackupRestore, JobType.AuditVerify] as const;
export type ServerJobType = (typeof SERVER_JOB_TYPES)[number];

/**
 * A stored job's parameters and result data as its type declares them. The store keeps JSON; what
 * it holds for a type is what startServerJob and that type's handler wrote, both checked against
 * the maps above, so this is the one place that trusts it.
 */
export function payloadOf<T extends JobType>(job: { type: JobType; parameters: JobParameters }, type: T): JobPayloadMap[T] {
  if (job.type !== type) throw new Error(`Job of type ${job.type} read as ${type}`);
  return job.parameters as JobPayloadMap[T];
}

export function resultDataOf<T extends JobType>(job: { type: JobType; result: { data: JobParameters | null } | null }, type: T): JobResultMap[T] | null {
  if (job.type !== type) throw new Error(`Job of type ${job.type} read as ${type}`);
  return (job.result?.data ?? null) as JobResultMap[T] | null;
}
