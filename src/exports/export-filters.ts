import { ExportEntity } from './export.enums';

/** Every filter any export takes; each entity reads the ones that apply to it (the DTOs refuse the rest). */
export interface ExportFilters {
  includeDeleted?: boolean;
  isActive?: boolean;
  academicYear?: string;
  classDivision?: string;
  studyYear?: number;
  enrollmentDateFrom?: string;
  enrollmentDateTo?: string;
  semester?: string;
  studentId?: string;
  courseCode?: string;
  status?: string;
  enrolledAtFrom?: string;
  enrolledAtTo?: string;
}

export interface WhereClause {
  /** `true` when nothing filters, so that the batch condition can always be appended with `and`. */
  sql: string;
  params: unknown[];
}

type Condition = [filter: keyof ExportFilters, sql: (parameter: string) => string];

const CONDITIONS: Record<ExportEntity, { hidden: string; conditions: Condition[] }> = {
  [ExportEntity.Students]: {
    hidden: 's.deleted_at is null',
    conditions: [
      ['isActive', (p) => `s.is_active = ${p}`],
      ['academicYear', (p) => `s.academic_year = ${p}`],
      ['classDivision', (p) => `s.class_division = ${p}`],
      ['studyYear', (p) => `s.study_year = ${p}`],
      ['enrollmentDateFrom', (p) => `s.enrollment_date >= ${p}::date`],
      ['enrollmentDateTo', (p) => `s.enrollment_date <= ${p}::date`],
    ],
  },
  [ExportEntity.Courses]: {
    hidden: 'c.deleted_at is null',
    conditions: [
      ['isActive', (p) => `c.is_active = ${p}`],
      ['semester', (p) => `c.semester = ${p}`],
    ],
  },
  [ExportEntity.Enrollments]: {
    // An enrollment is hidden when it, its student or its course is deleted, as in the enrollments API.
    hidden: 'e.deleted_at is null and s.deleted_at is null and c.deleted_at is null',
    conditions: [
      ['studentId', (p) => `s.student_id = ${p}`],
      ['courseCode', (p) => `c.course_code = ${p}`],
      ['status', (p) => `e.status = ${p}`],
      ['semester', (p) => `c.semester = ${p}`],
      ['academicYear', (p) => `s.academic_year = ${p}`],
      ['classDivision', (p) => `s.class_division = ${p}`],
      ['enrolledAtFrom', (p) => `e.enrolled_at >= ${p}::date`],
      ['enrolledAtTo', (p) => `e.enrolled_at <= ${p}::date`],
    ],
  },
};

/** The WHERE clause of an export, with numbered parameters ($1, $2…) starting at 1. */
export function whereOf(entity: ExportEntity, filters: ExportFilters): WhereClause {
  const { hidden, conditions } = CONDITIONS[entity];
  const parts: string[] = filters.includeDeleted === true ? [] : [hidden];
  const params: unknown[] = [];
  for (const [filter, condition] of conditions) {
    const value = filters[filter];
    if (value === undefined || value === null) continue;
    params.push(value);
    parts.push(condition(`$${params.length}`));
  }
  return { sql: parts.length === 0 ? 'true' : parts.join(' and '), params };
}
