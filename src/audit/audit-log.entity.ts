import { BigIntType, Check, Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { AuditAction, AuditResource } from './audit.enums';

/**
 * One audit row. Append-only: a database trigger refuses UPDATE and DELETE, except the retention
 * purge (see the migration that creates the table). Rows are written by AuditService only.
 * A trigger chains every row as it is inserted (seq, prevHash, hash: see audit-chain.ts).
 */
@Entity({ tableName: 'audit_logs' })
@Unique({ name: 'audit_logs_seq_unique', properties: ['seq'] })
@Index({ name: 'audit_logs_user_action_timestamp_index', properties: ['userId', 'action', 'timestamp'] })
@Index({ name: 'audit_logs_resource_action_timestamp_index', properties: ['resource', 'action', 'timestamp'] })
@Index({ name: 'audit_logs_timestamp_action_index', properties: ['timestamp', 'action'] })
@Index({ name: 'audit_logs_request_id_index', properties: ['requestId'] })
@Index({ name: 'audit_logs_resource_resource_id_timestamp_index', properties: ['resource', 'resourceId', 'timestamp'] })
// Failures are few and looked for often (failed sign-ins): a partial index keeps them a lookup away.
@Index({
  name: 'audit_logs_failures_action_timestamp_index',
  expression: 'create index "audit_logs_failures_action_timestamp_index" on "audit_logs" ("action", "timestamp") where success = false',
})
export class AuditLog {
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  /** Millisecond precision, as the API shows it, so a timestamp copied from a row works as a filter bound. */
  @Property({ type: 'datetime', columnType: 'timestamptz(3)', defaultRaw: 'now()' })
  timestamp!: Date;

  /** No foreign key: the trail must outlive anything it mentions. */
  @Property({ type: 'uuid', nullable: true })
  userId?: string | null;

  @Property({ type: 'string', length: 254, nullable: true })
  email?: string | null;

  @Enum({ items: () => AuditAction, type: 'string', length: 40 })
  action!: AuditAction;

  @Enum({ items: () => AuditResource, type: 'string', length: 40 })
  resource!: AuditResource;

  @Property({ type: 'string', length: 100, nullable: true })
  resourceId?: string | null;

  /** The client address: X-Forwarded-For only when the peer is a trusted proxy. */
  @Property({ type: 'string', length: 45, nullable: true })
  ipAddress?: string | null;

  /** The address of the socket peer (the proxy, when there is one). */
  @Property({ type: 'string', length: 45, nullable: true })
  peerAddress?: string | null;

  @Property({ type: 'string', length: 512, nullable: true })
  userAgent?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  requestId?: string | null;

  @Property({ type: 'boolean' })
  success!: boolean;

  @Property({ type: 'smallint', nullable: true })
  statusCode?: number | null;

  @Property({ type: 'string', length: 64, nullable: true })
  errorCode?: string | null;

  @Property({ type: 'json', nullable: true })
  details?: Record<string, unknown> | null;

  /** The row's place in the hash chain: 1, 2, 3… in commit order, without gaps. Set by the insert trigger. */
  @Property({ type: new BigIntType('number') })
  seq!: number;

  /** The hash of the row at seq - 1 (64 zeros for the first row). Set by the insert trigger. */
  @Property({ type: 'string', length: 64 })
  prevHash!: string;

  /** SHA-256 (hex) of the row's canonical encoding, prevHash included. Set by the insert trigger. */
  @Property({ type: 'string', length: 64 })
  hash!: string;
}

/**
 * The exact number of audit rows, kept by statement triggers on audit_logs, so that an unfiltered
 * query's `total` is one row read instead of a count over millions.
 */
@Entity({ tableName: 'audit_log_total' })
@Check({ name: 'audit_log_total_single_row', expression: 'id = true' })
export class AuditLogTotal {
  /** A single row: the primary key can only be true. */
  @PrimaryKey({ type: 'boolean', default: true })
  id!: boolean;

  @Property({ type: new BigIntType('number') })
  total!: number;
}

/**
 * Where the hash chain ends: the seq and hash the next row chains onto. One row, locked by the
 * insert trigger until the inserting transaction commits, so rows are chained in commit order.
 */
@Entity({ tableName: 'audit_chain_head' })
@Check({ name: 'audit_chain_head_single_row', expression: 'id = true' })
export class AuditChainHead {
  @PrimaryKey({ type: 'boolean', default: true })
  id!: boolean;

  @Property({ type: new BigIntType('number') })
  seq!: number;

  @Property({ type: 'string', length: 64 })
  hash!: string;
}
