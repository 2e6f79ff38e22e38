import { sqlLiteral } from './export-csv-sql';
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

/** How a filter's value enters the SQL: `value` is the filter's value, `index` its number from 1. */
type Placeholder = (value: unknown, index: number) => string;

function conditionsOf(entity: ExportEntity, filters: ExportFilters, placeholder: Placeholder): string {
  const { hidden, conditions } = CONDITIONS[entity];
  const parts: string[] = filters.includeDeleted === true ? [] : [hidden];
  let index = 0;
  for (const [filter, condition] of conditions) {
    const value = filters[filter];
    if (value === undefined || value === null) continue;
    index += 1;
    parts.push(condition(placeholder(value, index)));
  }
  return parts.length === 0 ? 'true' : parts.join(' and ');
}

/** The WHERE clause of an export, with numbered parameters ($1, $2…) starting at 1. */
export function whereOf(entity: ExportEntity, filters: ExportFilters): WhereClause {
  const params: unknown[] = [];
  const sql = conditionsOf(entity, filters, (value, index) => {
    params.push(value);
    return `$${index}`;
  });
  return { sql, params };
}

/**
 * The same WHERE clause with each value written as an escaped SQL literal, for COPY, which takes
 * no bind parameters. Only the values are literals: the SQL around them is this module's own.
 */
export function literalWhereOf(entity: ExportEntity, filters: ExportFilters): string {
  return conditionsOf(entity, filters, (value) => sqlLiteral(value));
}
