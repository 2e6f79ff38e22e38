import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { JobType } from '../jobs/job.enums';
import type { UndoableJobType } from './change-journal.service';
import { ImportEntity } from './import.types';


/**
 * One committed import (or bulk update or delete, see ChangeJournal), written in its commit's transaction: what an undo needs besides the
 * before-images in `import_changes` (rows written by raw SQL only, see the imports migration).
 */
@Entity({ tableName: 'import_commits' })
export class ImportCommit {
  /** The bulk_import job that committed it. */
  @PrimaryKey({ type: 'uuid' })
  jobId!: string;

  /** The type of the job: what wrote the records. */
  @Enum({ items: [JobType.BulkImport, JobType.BulkUpdate, JobType.BulkDelete], type: 'string', default: JobType.BulkImport })
  kind: UndoableJobType = JobType.BulkImport;

  @Enum({ items: () => ImportEntity, type: 'string', length: 20 })
  entity!: ImportEntity;

  @Property({ type: 'uuid' })
  createdBy!: string;

  /** By source index, as rows' `source` counts them. */
  @Property({ type: 'text[]' })
  fileNames!: string[];

  /**
   * The commit transaction's timestamp: every record it created or updated has it as updated_at,
   * so a record whose updated_at differs was changed after the import.
   */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  writtenAt!: Date;

  /** The records it created are those with ids in this range and created_at = writtenAt. */
  @Property({ type: 'integer', nullable: true })
  firstCreatedId?: number | null;

  @Property({ type: 'integer', nullable: true })
  lastCreatedId?: number | null;

  @Property({ type: 'integer' })
  created!: number;

  @Property({ type: 'integer' })
  updated!: number;

  @Property({ type: 'integer' })
  restored!: number;

  /** Records a bulk_delete job soft-deleted. */
  @Property({ type: 'integer', default: 0 })
  deleted: number = 0;

  @Index()
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  undoUntil!: Date;

  /** Set by the cleanup once undoUntil has passed and the before-images are gone. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  beforesRemovedAt?: Date | null;

  @Property({ type: 'uuid', nullable: true })
  undoJobId?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  undoneAt?: Date | null;

  @Property({ type: 'json', nullable: true })
  undoCounts?: Record<string, number> | null;
}
