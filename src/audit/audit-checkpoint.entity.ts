import { BigIntType, Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/core';

export enum AuditCheckpointKind {
  /** Every AUDIT_CHECKPOINT_ROWS rows or AUDIT_CHECKPOINT_MINUTES minutes: the chain up to `seq`. */
  Periodic = 'periodic',
  /** Written by the retention purge before it deletes `fromSeq`..`seq`: the hash the first kept row chains onto. */
  Retention = 'retention',
}

/**
 * A signed statement that the chain reached `seq` with `hash`. Append-only like the trail (a
 * trigger refuses UPDATE, DELETE and TRUNCATE); copies kept outside the database are what make
 * a rewrite of the chain detectable.
 */
@Entity({ tableName: 'audit_checkpoints' })
@Unique({ name: 'audit_checkpoints_kind_seq_unique', properties: ['kind', 'seq'] })
export class AuditCheckpoint {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  /** Signed, so set by the service rather than by the database. */
  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  createdAt!: Date;

  @Enum({ items: () => AuditCheckpointKind, type: 'string', length: 20 })
  kind!: AuditCheckpointKind;

  /** Retention checkpoints: the first seq the purge deleted. */
  @Property({ type: new BigIntType('number'), nullable: true })
  fromSeq?: number | null;

  @Property({ type: new BigIntType('number') })
  seq!: number;

  /** The id of the row at `seq`. */
  @Property({ type: new BigIntType('number') })
  rowId!: number;

  @Property({ type: 'string', length: 64 })
  hash!: string;

  /** Ed25519 public key (hex of the raw 32 bytes) that made the signature. */
  @Property({ type: 'string', length: 64 })
  publicKey!: string;

  /** Ed25519 signature (hex) of the checkpoint's canonical encoding. */
  @Property({ type: 'string', length: 128 })
  signature!: string;
}
