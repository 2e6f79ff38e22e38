import { Check, Embedded, Entity, PrimaryKey, Property, Unique, Opt } from '@mikro-orm/core';
import { LastImport } from '../common/last-import.embeddable';
import { SoftDeletableEntity } from '../common/soft-deletable.entity';

export interface EvaluationRule {
  category: string;
  weight: number;
}

@Entity({ tableName: 'courses' })
@Check({ name: 'courses_credits_check', expression: 'credits >= 0 and credits <= 60' })
@Check({ name: 'courses_hours_per_week_check', expression: 'hours_per_week >= 0 and hours_per_week <= 60' })
@Check({ name: 'courses_periods_per_week_check', expression: 'periods_per_week >= 0 and periods_per_week <= 60' })
export class Course extends SoftDeletableEntity {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Embedded(() => LastImport, { prefix: 'last_import_', nullable: true })
  lastImport?: LastImport | null;

  /** Natural key, stored uppercase. */
  @Property({ type: 'string', length: 20 })
  @Unique()
  courseCode!: string;

  @Property({ type: 'string', length: 200 })
  courseName!: string;

  @Property({ type: 'string', length: 50 })
  semester!: string;

  @Property({ type: 'smallint', default: 3 })
  credits: Opt<number> = 3;

  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Property({ type: 'smallint', nullable: true })
  hoursPerWeek?: number | null;

  @Property({ type: 'smallint', nullable: true })
  periodsPerWeek?: number | null;

  @Property({ type: 'json', nullable: true })
  evaluationRules?: EvaluationRule[] | null;

  @Property({ type: 'boolean', default: true })
  isActive: Opt<boolean> = true;
}
