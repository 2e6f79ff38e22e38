import { ApiProperty, ApiPropertyOptional, ApiSchema, PartialType, PickType } from '@nestjs/swagger';
import { Role } from '../../auth/role.enum';
import { BackupJobOutput } from '../../backups/dto/backup-job.dto';
import { ExportJobParameters } from '../../exports/dto/export-job.dto';
import { ImportJobParameters } from '../../imports/dto/import-job.dto';
import { ImportPreviewDto, ImportSummaryDto } from '../../imports/dto/import-preview.dto';
import { UndoConflictPolicy } from '../../imports/dto/import-undo.dto';
import { JobType } from '../../jobs/job.enums';

// The shapes of AuditLogDto.details that the writers build: each writer's literal `satisfies` its
// class, so the spec and what is stored cannot drift apart.

@ApiSchema({ name: 'AuditFieldsDetails', description: 'What most writes record (`create`, `update`, `delete`, `restore`… of records): the names of the body fields sent, never their values.' })
export class AuditFieldsDetails {
  @ApiProperty({ type: [String], example: ['email', 'studyYear'] })
  fields!: string[];
}

@ApiSchema({ name: 'AuditUserCreateDetails', description: '`create` of a `user`: the account made.' })
export class AuditUserCreateDetails {
  @ApiProperty({ example: 'secretary@school.example' })
  email!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  role!: Role;
}

@ApiSchema({ name: 'AuditRoleChangeDetails', description: "`role_change`: the user's role before and after." })
export class AuditRoleChangeDetails {
  @ApiProperty({ example: 'secretary@school.example' })
  email!: string;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  previousRole!: Role;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  newRole!: Role;
}

@ApiSchema({ name: 'AuditJobCreateDetails', description: '`create` of a `job` (a tracked job registered through `POST /jobs`).' })
export class AuditJobCreateDetails {
  @ApiProperty({ enum: JobType, enumName: 'JobType' })
  type!: JobType;
}

@ApiSchema({ name: 'AuditExportDetails', description: '`bulk_export` of students, courses or enrollments, as a download or the file of an export job: what was written.' })
export class AuditExportDetails extends PickType(ExportJobParameters, ['entity', 'format', 'language', 'filters', 'fields'] as const) {}

@ApiSchema({ name: 'AuditImportPreviewDetails', description: '`bulk_import` of a preview (an upload checked, nothing written): the file and what the check found.' })
export class AuditImportPreviewDetails extends PickType(ImportPreviewDto, ['entity', 'fileName', 'sha256', 'mode', 'onInvalid'] as const) {
  @ApiProperty({ type: ImportSummaryDto, nullable: true, description: "The preview's summary." })
  counts!: ImportSummaryDto | null;
}

@ApiSchema({ name: 'AuditImportJobDetails', description: '`bulk_import` that starts a job (a commit, an upload or a directory import): the job and its files.' })
export class AuditImportJobDetails extends PickType(ImportJobParameters, ['previewIds', 'entity', 'mode', 'onInvalid', 'files'] as const) {
  @ApiProperty({ format: 'uuid' })
  jobId!: string;
}

@ApiSchema({ name: 'AuditImportUndoDetails', description: '`bulk_import_undo`: a dry run or the undo job it started.' })
export class AuditImportUndoDetails {
  @ApiProperty()
  dryRun!: boolean;

  @ApiProperty({ enum: UndoConflictPolicy, enumName: 'UndoConflictPolicy' })
  onConflict!: UndoConflictPolicy;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'integer' }, description: 'Created, updated, restored and conflicting records (ImportUndoCountsDto).' })
  counts?: object;

  @ApiPropertyOptional({ format: 'uuid', description: 'The undo job, when one was started.' })
  undoJobId?: string;
}

@ApiSchema({
  name: 'AuditBackupDetails',
  description:
    '`backup_create` and `backup_restore`. The request row has `includePasswordHashes` (create) and `jobId`; the row of the finished job adds the backup id, file, size, sha256, schema version and rows per table; a failed job has `error`.',
})
export class AuditBackupDetails extends PartialType(BackupJobOutput) {
  @ApiPropertyOptional({ format: 'uuid' })
  jobId?: string;

  @ApiPropertyOptional()
  includePasswordHashes?: boolean;

  @ApiPropertyOptional({ description: 'Why the job failed.' })
  error?: string;
}

@ApiSchema({ name: 'AuditVerifyDetails', description: '`verify`: the part of the chain asked for, and the seq of the checkpoint supplied as witness.' })
export class AuditVerifyDetails {
  @ApiPropertyOptional({ type: 'integer' })
  fromSeq?: number;

  @ApiPropertyOptional({ type: 'integer' })
  toSeq?: number;

  @ApiPropertyOptional({ type: 'integer' })
  checkpointSeq?: number;
}

@ApiSchema({ name: 'AuditRetentionDetails', description: '`retention_purge`: the retention in force and, when it succeeded, the rows removed.' })
export class AuditRetentionDetails {
  @ApiProperty({ type: 'integer', example: 365 })
  retentionDays!: number;

  @ApiPropertyOptional({ type: 'integer', example: 1200 })
  deletedRows?: number;
}

/** Every named shape; anything else (an audit export's query, a refused export's query) is a plain object. */
export const AUDIT_DETAILS_MODELS = [
  AuditFieldsDetails,
  AuditUserCreateDetails,
  AuditRoleChangeDetails,
  AuditJobCreateDetails,
  AuditExportDetails,
  AuditImportPreviewDetails,
  AuditImportJobDetails,
  AuditImportUndoDetails,
  AuditBackupDetails,
  AuditVerifyDetails,
  AuditRetentionDetails,
];
