import { BigIntType, Entity, EntityRepositoryType, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { ImportEntity, MassChange } from './import.types';
import { ImportPreviewStatus, InvalidRowPolicy } from './import-options';
import { ImportMode } from './rows/import-mode';
import type { ImportSummary } from './import-plan';
import { ImportPreviewRepository } from './import-preview.repository';

/** A file as it was previewed: the stored upload, the options, what was detected and what the plan is. */
@Entity({ tableName: 'import_previews', repository: () => ImportPreviewRepository })
@Index({ properties: ['createdBy', 'createdAt'] })
export class ImportPreview {
  [EntityRepositoryType]?: ImportPreviewRepository;

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  createdBy!: string;

  @Enum({ items: () => ImportEntity, type: 'string', length: 20 })
  entity!: ImportEntity;

  @Enum({ items: () => ImportMode, type: 'string', length: 10 })
  mode!: ImportMode;

  @Enum({ items: () => InvalidRowPolicy, type: 'string', length: 10 })
  onInvalid!: InvalidRowPolicy;

  /** The name the client gave the file (never a server path). */
  @Property({ type: 'string', length: 255 })
  fileName!: string;

  @Property({ type: new BigIntType('number') })
  fileSize!: number;

  @Property({ type: 'string', length: 64 })
  sha256!: string;

  /** The sheet the client asked for (XLSX). */
  @Property({ type: 'string', length: 100, nullable: true })
  sheet?: string | null;

  /**
   * sha256 of the validated rows the preview staged, kept beside the upload: a commit loads them
   * straight into PostgreSQL instead of reading the file again, and refuses them if they changed.
   */
  @Property({ type: 'string', length: 64, nullable: true })
  stageSha256?: string | null;

  /** Format, encoding, delimiter, sheet and column mapping, once the file has been read. */
  @Property({ type: 'json', nullable: true })
  detected?: Record<string, unknown> | null;

  @Property({ type: 'json', nullable: true })
  summary?: ImportSummary | null;

  /**
   * A digest of what the plan does with each row (outcome, record, related row): a commit whose
   * plan differs refuses to write even when every count is the same.
   */
  @Property({ type: 'string', length: 40, nullable: true })
  planDigest?: string | null;

  /** Whether committing needs `confirmMassChange`, and the numbers behind it (see the mass-change guard). */
  @Property({ type: 'json', nullable: true })
  massChange?: MassChange | null;

  @Property({ type: 'boolean', default: false })
  canCommit: boolean = false;

  @Enum({ items: () => ImportPreviewStatus, type: 'string', length: 20 })
  status!: ImportPreviewStatus;

  @Property({ type: 'uuid', nullable: true })
  jobId?: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Index()
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}

/** One problem of a previewed file; row 0 is the header or the file as a whole. */
@Entity({ tableName: 'import_issues' })
@Index({ properties: ['preview', 'row', 'id'] })
export class ImportIssue {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @ManyToOne(() => ImportPreview, { deleteRule: 'cascade' })
  preview!: ImportPreview;

  @Property({ type: 'integer' })
  row!: number;

  @Property({ type: 'text', nullable: true })
  column?: string | null;

  @Property({ type: 'string', length: 50, nullable: true })
  field?: string | null;

  @Property({ type: 'string', length: 10 })
  severity!: string;

  @Property({ type: 'string', length: 50 })
  code!: string;

  @Property({ type: 'text' })
  message!: string;

  @Property({ type: 'text', nullable: true })
  value?: string | null;
}
