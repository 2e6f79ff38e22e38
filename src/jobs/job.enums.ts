export enum JobType {
  BulkImport = 'bulk_import',
  BulkImportUndo = 'bulk_import_undo',
  BulkUpdate = 'bulk_update',
  BulkDelete = 'bulk_delete',
  ExportLarge = 'export_large',
  Backup = 'backup',
  BackupRestore = 'backup_restore',
  Migration = 'migration',
  Cleanup = 'cleanup',
  Custom = 'custom',
  AuditVerify = 'audit_verify',
}

export enum JobStatus {
  Pending = 'pending',
  Processing = 'processing',
  Completed = 'completed',
  Failed = 'failed',
  Cancelled = 'cancelled',
}

/** Final: a job in one of these never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set([JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled]);

/** Who drives a job: the service's own workers, or an outside script through the PATCH endpoints. */
export enum JobRunner {
  Server = 'server',
  External = 'external',
}

/** What a job's progress counts: `processed` and `total` are in this unit. */
export enum ProgressUnit {
  /** Rows of a file or records of a table. */
  Rows = 'rows',
  /** Bytes of the files a job reads for the first time; `total` is their size. */
  Bytes = 'bytes',
  /** Steps of a job made of a few different tasks. */
  Steps = 'steps',
}
