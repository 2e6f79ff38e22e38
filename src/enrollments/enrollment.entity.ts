import { Embedded, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, Opt } from '@mikro-orm/core';
import { LastImport } from '../common/last-import.embeddable';
import { Course } from '../courses/course.entity';
import { Student } from '../students/student.entity';
import { EnrollmentStatus } from './enrollment-status.enum';
import { SoftDeletableEntity } from '../common/soft-deletable.entity';

@Entity({ tableName: 'enrollments' })
@Unique({ properties: ['student', 'course'] })
export class Enrollment extends SoftDeletableEntity {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Embedded(() => LastImport, { prefix: 'last_import_', nullable: true })
  lastImport?: LastImport | null;

  @ManyToOne(() => Student, { deleteRule: 'restrict' })
  student!: Student;

  @ManyToOne(() => Course, { deleteRule: 'restrict' })
  @Index()
  course!: Course;

  @Property({ type: 'date' })
  enrolledAt!: string;

  @Enum({ items: () => EnrollmentStatus, type: 'string', length: 20, default: EnrollmentStatus.Active })
  status: Opt<EnrollmentStatus> = EnrollmentStatus.Active;
}
