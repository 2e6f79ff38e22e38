import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { ImportEntity } from '../imports/import.types';
import type { BulkChangeSet, BulkFindings } from './bulk-change';
import { BulkOperation, BulkPreviewStatus } from './bulk.enums';

/** A filter and a change set as previewed, with what the preview found: committed at most once, by its owner. */
@Entity({ tableName: 'bulk_previews' })
@Index({ properties: ['createdBy', 'createdAt'] })
export class BulkPreview {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  createdBy!: string;

  @Enum({ items: () => ImportEntity, type: 'string', length: 20 })
  entity!: ImportEntity;

  @Enum({ items: () => BulkOperation, type: 'string', length: 10 })
  operation!: BulkOperation;

  /** The checked filters, as the list and export of the entity take them. */
  @Property({ type: 'json' })
  filter!: Record<string, unknown>;

  /** The checked change set; empty for a delete. */
  @Property({ type: 'json' })
  change!: BulkChangeSet;

  @Property({ type: 'json' })
  findings!: BulkFindings;

  /**
   * md5 of the ids and updated_at of the matching records: a commit whose matching set differs
   * (a record added, removed or changed) refuses with preview_outdated.
   */
  @Property({ type: 'string', length: 32 })
  matchDigest!: string;

  @Enum({ items: () => BulkPreviewStatus, type: 'string', length: 20 })
  status!: BulkPreviewStatus;

  @Property({ type: 'uuid', nullable: true })
  jobId?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Index()
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}
