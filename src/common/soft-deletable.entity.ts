import { Opt, Property } from '@mikro-orm/core';

/**
 * The columns every soft-deletable table has: a deleted row stays, with its deletion time, so that
 * enrollments and the audit trail still point at it (see SoftDeletion).
 */
export abstract class SoftDeletableEntity {
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deletedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}
