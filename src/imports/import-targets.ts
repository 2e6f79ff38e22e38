import { FieldSpec, STORED_TYPES, StoredType } from '../common/fields/field-spec';
import { COURSE_FIELDS } from '../courses/course-fields.catalogue';
import { ENROLLMENT_FIELDS } from '../enrollments/enrollment-fields.catalogue';
import { STUDENT_FIELDS } from '../students/student-fields.catalogue';
import { ImportEntity } from './import.types';

/** One field of an import as PostgreSQL stages and stores it. */
export interface TargetColumn {
  field: string;
  /** Column of the staging table; also of the target table, except for enrollment references. */
  column: string;
  type: StoredType;
  /**
   * SQL value a NOT NULL column takes when the file leaves it empty on a new row. On an existing
   * row an empty cell of such a column keeps the stored value: it cannot be cleared.
   */
  defaultWhenEmpty?: string;
}

/** Where the rows of one entity go, and how a staged row finds the record it would change. */
export interface ImportTarget {
  entity: ImportEntity;
  table: string;
  /** In the order of importFields(entity). */
  columns: readonly TargetColumn[];
  /** Fields that identify a record; a second row with the same ones in a file is a duplicate. */
  keyFields: readonly string[];
  /** Students only: a unique column other than the key, owned by at most one record. */
  uniqueField?: string;
}

/**
 * A catalogue field as staged and stored; `defaultWhenEmpty` for the fields the catalogue marks
 * `defaulted`, which a new row takes when the file leaves them empty.
 */
function targetColumn(field: FieldSpec, defaults: Readonly<Record<string, string>>, column = field.column): TargetColumn {
  const defaultWhenEmpty = defaults[field.name];
  if ((field.presence === 'defaulted') !== (defaultWhenEmpty !== undefined)) throw new Error(`${field.name}: a default is needed exactly when the field is defaulted`);
  return { field: field.name, column, type: STORED_TYPES[field.kind], ...(defaultWhenEmpty === undefined ? {} : { defaultWhenEmpty }) };
}

const STUDENTS: ImportTarget = {
  entity: ImportEntity.Students,
  table: 'students',
  keyFields: ['studentId'],
  uniqueField: 'email',
  columns: Object.values(STUDENT_FIELDS).map((field) => targetColumn(field, { isActive: 'true' })),
};

const COURSES: ImportTarget = {
  entity: ImportEntity.Courses,
  table: 'courses',
  keyFields: ['courseCode'],
  columns: Object.values(COURSE_FIELDS).map((field) => targetColumn(field, { credits: '3', isActive: 'true' })),
};

const ENROLLMENT_DEFAULTS = { enrolledAt: 'current_date', status: "'active'" };

const ENROLLMENTS: ImportTarget = {
  entity: ImportEntity.Enrollments,
  table: 'enrollments',
  keyFields: ['studentId', 'courseCode'],
  columns: [
    // The natural keys of the student and the course; the plan resolves them to the records' ids.
    targetColumn(ENROLLMENT_FIELDS.studentId, ENROLLMENT_DEFAULTS, 'student_key'),
    targetColumn(ENROLLMENT_FIELDS.courseCode, ENROLLMENT_DEFAULTS, 'course_key'),
    targetColumn(ENROLLMENT_FIELDS.enrolledAt, ENROLLMENT_DEFAULTS),
    targetColumn(ENROLLMENT_FIELDS.status, ENROLLMENT_DEFAULTS),
  ],
};

const TARGETS: Record<ImportEntity, ImportTarget> = {
  [ImportEntity.Students]: STUDENTS,
  [ImportEntity.Courses]: COURSES,
  [ImportEntity.Enrollments]: ENROLLMENTS,
};

export function importTarget(entity: ImportEntity): ImportTarget {
  return TARGETS[entity];
}

export function columnOf(target: ImportTarget, field: string): TargetColumn {
  const column = target.columns.find((candidate) => candidate.field === field);
  if (column === undefined) throw new Error(`${target.entity} imports have no field ${field}`);
  return column;
}
