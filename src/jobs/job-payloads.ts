import type { Type } from '@nestjs/common';
import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { AuditVerifyRequestDto } from '../audit/dto/audit-checkpoint.dto';
import { AuditVerifyJobOutput } from '../audit/dto/audit-verify-job.dto';
import { BackupJobOutput, BackupJobParameters, RestoreJobOutput, RestoreJobParameters } from '../backups/dto/backup-job.dto';
import { BulkJobOutput, BulkJobParameters } from '../bulk/dto/bulk-job.dto';
import { ExportJobOutput, ExportJobParameters } from '../exports/dto/export-job.dto';
import { ImportJobParameters, ImportUndoJobOutput, ImportUndoJobParameters } from '../imports/dto/import-job.dto';
import { JobType } from './job.enums';

/** The parameters of a job whose type has no contract of its own: whatever JSON object its starter chose. */
export type JobParameters = Record<string, unknown>;

/**
 * The parameters or result data of a job type with no contract of its own: any JSON object. The
 * spec names it once (FreeFormJobData) rather than as a class's (empty) properties.
 */
export class FreeFormJobData {
  [key: string]: unknown;
}

@ApiSchema({ name: 'CleanupJobParameters', description: 'The `parameters` of a `cleanup` job.' })
export class CleanupJobParameters {
  /** `true` when the daily scheduler started it; absent when started by hand. */
  @ApiPropertyOptional({ type: Boolean, enum: [true], description: '`true` when the daily scheduler started it; absent when started by hand.' })
  scheduled?: true;
}

/** What a job type is started with and what it ends with: a class each, whose schema the spec names. */
export interface JobContract {
  parameters: Type<object>;
  /** The class of `result.data`; null for a type that ends with none. */
  result: Type<object> | null;
}

/**
 * Every job type's contract, in one table: the handlers' payload and result types (the maps below)
 * and the spec's per-type JobDto variants (job-schemas.ts) are both read from it. A new type is
 * one entry here (the compiler asks for it) with a class for each shape it knows.
 */
export const JOB_CONTRACTS = {
  [JobType.BulkImport]: { parameters: ImportJobParameters, result: FreeFormJobData },
  [JobType.BulkImportUndo]: { parameters: ImportUndoJobParameters, result: ImportUndoJobOutput },
  [JobType.BulkUpdate]: { parameters: BulkJobParameters, result: BulkJobOutput },
  [JobType.BulkDelete]: { parameters: BulkJobParameters, result: BulkJobOutput },
  [JobType.ExportLarge]: { parameters: ExportJobParameters, result: ExportJobOutput },
  [JobType.Backup]: { parameters: BackupJobParameters, result: BackupJobOutput },
  [JobType.BackupRestore]: { parameters: RestoreJobParameters, result: RestoreJobOutput },
  [JobType.Migration]: { parameters: FreeFormJobData, result: FreeFormJobData },
  [JobType.Cleanup]: { parameters: CleanupJobParameters, result: null },
  [JobType.Custom]: { parameters: FreeFormJobData, result: FreeFormJobData },
  [JobType.AuditVerify]: { parameters: AuditVerifyRequestDto, result: AuditVerifyJobOutput },
} as const satisfies Record<JobType, JobContract>;

type InstanceOrNull<Class> = Class extends Type<infer Instance> ? Instance : null;

/** The payload (the job's `parameters`) of each job type, as its handler reads it. */
export type JobPayloadMap = { [T in JobType]: InstanceType<(typeof JOB_CONTRACTS)[T]['parameters']> };

/** The `result.data` a job of each type ends with. */
export type JobResultMap = { [T in JobType]: InstanceOrNull<(typeof JOB_CONTRACTS)[T]['result']> };

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
