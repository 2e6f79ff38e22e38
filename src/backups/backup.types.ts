/** The archive format this build writes and reads; a later layout gets a new value. */
export const BACKUP_FORMAT = 'sms-backup/1';

/** The tables a backup holds, in the order they are written and restored (referenced tables first). */
export const BACKUP_TABLES = ['users', 'courses', 'students', 'enrollments'] as const;
export type BackupTable = (typeof BACKUP_TABLES)[number];

/** Who asked for a backup or a restore, as the manifest and the audit rows name them. */
export interface BackupActor {
  id: string;
  email: string;
}

/** One table's rows in the archive: the text of `COPY <table> (<columns>) TO STDOUT`. */
export interface BackupPart {
  table: BackupTable;
  /** The entry's name inside the archive. */
  file: string;
  columns: string[];
  rowCount: number;
  /** Size and sha256 of the entry's uncompressed bytes. */
  sizeBytes: number;
  sha256: string;
}

/** `manifest.json`, the archive's first entry. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  id: string;
  /** The last migration applied to the database the backup was taken from. */
  schemaVersion: string;
  createdAt: string;
  createdBy: BackupActor;
  includesPasswordHashes: boolean;
  parts: BackupPart[];
}

/** The manifest kept beside the archive: the one inside it plus the archive's own size and sha256. */
export interface BackupRecord extends BackupManifest {
  archive: { fileName: string; sizeBytes: number; sha256: string };
}

/** What a `backup` job is started with. */
export interface BackupJobParameters {
  includePasswordHashes: boolean;
  requestedBy: BackupActor;
  /** The id of the request that started it, so the job's audit row links to the request's. */
  requestId: string | null;
}

/** What a `backup_restore` job is started with. */
export interface RestoreJobParameters {
  backupId: string;
  requestedBy: BackupActor;
  requestId: string | null;
}

/** The `result.data` of a finished `backup` job. */
export type BackupJobOutput = {
  backupId: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  schemaVersion: string;
  counts: Record<BackupTable, number>;
};

/** The `result.data` of a finished `backup_restore` job. */
export type RestoreJobOutput = {
  backupId: string;
  counts: Record<BackupTable, number>;
};

/** Rows per table of a backup's parts. */
export function countsOf(parts: readonly BackupPart[]): Record<BackupTable, number> {
  return Object.fromEntries(parts.map((part) => [part.table, part.rowCount])) as Record<BackupTable, number>;
}
