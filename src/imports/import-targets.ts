import { ImportEntity } from './import.types';

/** One field of an import as PostgreSQL stages and stores it. */
export interface TargetColumn {
  field: string;
  /** Column of the staging table; also of the target table, except for enrollment references. */
  column: string;
  type: 'text' | 'date' | 'smallint' | 'boolean' | 'jsonb';
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

const STUDENTS: ImportTarget = {
  entity: ImportEntity.Students,
  table: 'students',
  keyFields: ['studentId'],
  uniqueField: 'email',
  columns: [
    { field: 'studentId', column: 'student_id', type: 'text' },
    { field: 'email', column: 'email', type: 'text' },
    { field: 'firstName', column: 'first_name', type: 'text' },
    { field: 'lastName', column: 'last_name', type: 'text' },
    { field: 'fatherName', column: 'father_name', type: 'text' },
    { field: 'mobilePhone', column: 'mobile_phone', type: 'text' },
    { field: 'phone', column: 'phone', type: 'text' },
    { field: 'enrollmentDate', column: 'enrollment_date', type: 'date' },
    { field: 'studyYear', column: 'study_year', type: 'smallint' },
    { field: 'isActive', column: 'is_active', type: 'boolean', defaultWhenEmpty: 'true' },
    { field: 'healthIssue', column: 'health_issue', type: 'text' },
    { field: 'note', column: 'note', type: 'text' },
    { field: 'academicYear', column: 'academic_year', type: 'text' },
    { field: 'classDivision', column: 'class_division', type: 'text' },
  ],
};

const COURSES: ImportTarget = {
  entity: ImportEntity.Courses,
  table: 'courses',
  keyFields: ['courseCode'],
  columns: [
    { field: 'courseCode', column: 'course_code', type: 'text' },
    { field: 'courseName', column: 'course_name', type: 'text' },
    { field: 'semester', column: 'semester', type: 'text' },
    { field: 'credits', column: 'credits', type: 'smallint', defaultWhenEmpty: '3' },
    { field: 'description', column: 'description', type: 'text' },
    { field: 'hoursPerWeek', column: 'hours_per_week', type: 'smallint' },
    { field: 'periodsPerWeek', column: 'periods_per_week', type: 'smallint' },
    { field: 'evaluationRules', column: 'evaluation_rules', type: 'jsonb' },
    { field: 'isActive', column: 'is_active', type: 'boolean', defaultWhenEmpty: 'true' },
  ],
};

const ENROLLMENTS: ImportTarget = {
  entity: ImportEntity.Enrollments,
  table: 'enrollments',
  keyFields: ['studentId', 'courseCode'],
  columns: [
    // The natural keys of the student and the course; the plan resolves them to the records' ids.
    { field: 'studentId', column: 'student_key', type: 'text' },
    { field: 'courseCode', column: 'course_key', type: 'text' },
    { field: 'enrolledAt', column: 'enrolled_at', type: 'date', defaultWhenEmpty: 'current_date' },
    { field: 'status', column: 'status', type: 'text', defaultWhenEmpty: "'active'" },
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
