import { Check, Embedded, Entity, Index, PrimaryKey, Property, Unique, Opt } from '@mikro-orm/core';
import { LastImport } from '../common/last-import.embeddable';
import { SoftDeletableEntity } from '../common/soft-deletable.entity';

@Entity({ tableName: 'students' })
@Check({ name: 'students_study_year_check', expression: 'study_year >= 1 and study_year <= 6' })
@Index({ properties: ['lastName', 'firstName'] })
export class Student extends SoftDeletableEntity {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Embedded(() => LastImport, { prefix: 'last_import_', nullable: true })
  lastImport?: LastImport | null;

  /** Natural key, stored normalised (see normalizeStudentId). */
  @Property({ type: 'string', length: 50 })
  @Unique()
  studentId!: string;

  /** Stored lowercase. */
  @Property({ type: 'string', length: 254 })
  @Unique()
  email!: string;

  @Property({ type: 'string', length: 100 })
  firstName!: string;

  @Property({ type: 'string', length: 100 })
  lastName!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  fatherName?: string | null;

  @Property({ type: 'string', length: 30, nullable: true })
  mobilePhone?: string | null;

  @Property({ type: 'string', length: 30, nullable: true })
  phone?: string | null;

  @Property({ type: 'date', nullable: true })
  enrollmentDate?: string | null;

  @Property({ type: 'smallint', nullable: true })
  studyYear?: number | null;

  @Property({ type: 'boolean', default: true })
  isActive: Opt<boolean> = true;

  @Property({ type: 'text', nullable: true })
  healthIssue?: string | null;

  @Property({ type: 'text', nullable: true })
  note?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  academicYear?: string | null;

  @Property({ type: 'string', length: 20, nullable: true })
  classDivision?: string | null;
}
