import type { ActorDto } from '../auth/dto/actor.dto';

/** The archive format this build writes and reads; a later layout gets a new value. */
export const BACKUP_FORMAT = 'sms-backup/1';

/** The tables a backup holds, in the order they are written and restored (referenced tables first). */
export const BACKUP_TABLES = ['users', 'courses', 'students', 'enrollments'] as const;
export type BackupTable = (typeof BACKUP_TABLES)[number];

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
  createdBy: ActorDto;
  includesPasswordHashes: boolean;
  parts: BackupPart[];
}

/** The manifest kept beside the archive: the one inside it plus the archive's own size and sha256. */
export interface BackupRecord extends BackupManifest {
  archive: { fileName: string; sizeBytes: number; sha256: string };
}

/** Rows per table of a backup's parts. */
export function countsOf(parts: readonly BackupPart[]): Record<BackupTable, number> {
  return Object.fromEntries(parts.map((part) => [part.table, part.rowCount])) as Record<BackupTable, number>;
}
