import { EntityName, FilterQuery, FindOneOptions, Populate, QueryOrderMap } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Page } from './pagination/page.dto';
import { toOrderBy } from './pagination/sort';
import { violatedUniqueConstraint } from './database-errors';
import { ProblemCode } from './problem/problem-codes';
import { ProblemException } from './problem/problem.exception';

/** What every list query of a soft-deletable record carries besides its filters. */
export interface ListQuery {
  sort: string;
  limit: number;
  offset: number;
}

/** A natural key of a soft-deletable table: the unique constraint that guards it and how its 409 reads. */
export interface NaturalKey<T> {
  constraint: string;
  code: ProblemCode;
  /** Finds the row that holds the key, deleted or not. */
  holder: FilterQuery<T>;
  /** The key as the message names it, e.g. "The email a@b.gr". */
  what: string;
}

export interface SoftDeletable {
  id: number;
  deletedAt?: Date | null;
}

/**
 * Soft deletion as every domain module does it: a deleted row stays (enrollments and the audit
 * trail still point at it) but is hidden; only an admin's restore brings it back.
 */
export class SoftDeletion<T extends SoftDeletable> {
  constructor(
    private readonly em: EntityManager,
    private readonly entity: EntityName<T>,
    /** How the entity is named in messages, e.g. "Student". */
    private readonly label: string,
    /** Conditions besides its own deletedAt that hide a row (an enrollment of a deleted student). */
    private readonly visibleWhere: FilterQuery<T> = { deletedAt: null } as FilterQuery<T>,
    private readonly findOptions: FindOneOptions<T, never> = {},
  ) {}

  /** The 403 for a non-admin who asks to see deleted rows. */
  deletedRowsForbidden(): ProblemException {
    return ProblemException.insufficientRole(`Only admins may see deleted ${this.label.toLowerCase()}s.`);
  }

  /** One page of the rows that match, in the query's order, with the total of all that match. */
  async page<Dto, Hint extends string = never>(where: FilterQuery<T>, query: ListQuery, toDto: (row: T) => Dto, populate?: Populate<T, Hint>): Promise<Page<Dto>> {
    const [rows, total] = await this.em.findAndCount(this.entity, where, {
      populate,
      // The DTO's sort values name only the entity's own properties (see sortValues).
      orderBy: toOrderBy(query.sort) as QueryOrderMap<T>,
      limit: query.limit,
      offset: query.offset,
    });
    return { items: rows.map(toDto), total, limit: query.limit, offset: query.offset };
  }

  async find(id: number, includeDeleted: boolean): Promise<T> {
    const where = (includeDeleted ? { id } : { $and: [{ id }, this.visibleWhere] }) as FilterQuery<T>;
    const row = await this.em.findOne(this.entity, where, this.findOptions);
    if (row === null) throw ProblemException.notFound(`${this.label} ${id}`);
    return row;
  }

  async remove(id: number): Promise<void> {
    const row = await this.find(id, false);
    row.deletedAt = new Date();
    await this.em.flush();
  }

  async restore(id: number): Promise<T> {
    const row = await this.find(id, true);
    if (row.deletedAt == null) throw ProblemException.conflict('not_deleted', `${this.label} ${id} is not deleted.`);
    row.deletedAt = null;
    await this.em.flush();
    return row;
  }

  /** The 409 detail for a natural key in use: who holds it, and whether restoring it is the way back. */
  async describeHolder(where: FilterQuery<T>, what: string): Promise<string> {
    const holder = await this.em.findOne(this.entity, where, { fields: ['id', 'deletedAt'] as never });
    const noun = this.label.toLowerCase();
    if (holder === null) return `${what} is already in use.`;
    return holder.deletedAt == null
      ? `${what} is taken by ${noun} ${holder.id}.`
      : `${what} is taken by deleted ${noun} ${holder.id}; restore that ${noun} instead.`;
  }

  /**
   * Flushes the unit of work; a unique violation of one of the keys becomes its 409, naming the row
   * that holds the key (a deleted one included, since its key still blocks a new row).
   */
  async flushOrConflict(keys: readonly NaturalKey<T>[]): Promise<void> {
    try {
      await this.em.flush();
    } catch (error) {
      const key = keys.find((candidate) => candidate.constraint === violatedUniqueConstraint(error));
      if (key === undefined) throw error;
      this.em.clear();
      throw ProblemException.conflict(key.code, await this.describeHolder(key.holder, key.what));
    }
  }
}
