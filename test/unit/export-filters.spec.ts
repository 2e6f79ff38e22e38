import { literalWhereOf, whereOf } from '../../src/exports/export-filters';
import { ExportEntity } from '../../src/exports/export.enums';

describe('whereOf', () => {
  it('hides deleted rows unless asked, and numbers the parameters', () => {
    expect(whereOf(ExportEntity.Students, {})).toEqual({ sql: 's.deleted_at is null', params: [] });
    expect(whereOf(ExportEntity.Students, { includeDeleted: true })).toEqual({ sql: 'true', params: [] });
    expect(whereOf(ExportEntity.Students, { isActive: false, enrollmentDateFrom: '2026-01-01', enrollmentDateTo: '2026-01-31' })).toEqual({
      sql: 's.deleted_at is null and s.is_active = $1 and s.enrollment_date >= $2::date and s.enrollment_date <= $3::date',
      params: [false, '2026-01-01', '2026-01-31'],
    });
  });

  it('hides an enrollment whose student or course is deleted, and filters through both', () => {
    expect(whereOf(ExportEntity.Enrollments, { courseCode: 'MATH101', status: 'dropped', semester: 'A' })).toEqual({
      sql: 'e.deleted_at is null and s.deleted_at is null and c.deleted_at is null and c.course_code = $1 and e.status = $2 and c.semester = $3',
      params: ['MATH101', 'dropped', 'A'],
    });
  });

  it('ignores filters that do not apply to the entity', () => {
    expect(whereOf(ExportEntity.Courses, { studyYear: 2, semester: 'B' })).toEqual({ sql: 'c.deleted_at is null and c.semester = $1', params: ['B'] });
  });
});

describe('literalWhereOf', () => {
  it('writes the same conditions with escaped literals instead of parameters (for COPY)', () => {
    expect(literalWhereOf(ExportEntity.Students, {})).toBe('s.deleted_at is null');
    expect(literalWhereOf(ExportEntity.Students, { includeDeleted: true })).toBe('true');
    expect(literalWhereOf(ExportEntity.Students, { isActive: false, studyYear: 2, enrollmentDateFrom: '2026-01-01' })).toBe(
      "s.deleted_at is null and s.is_active = 'false' and s.study_year = '2' and s.enrollment_date >= '2026-01-01'::date",
    );
  });

  it('escapes quotes and backslashes, so a value stays one literal', () => {
    expect(literalWhereOf(ExportEntity.Courses, { semester: "A' or '1'='1" })).toBe("c.deleted_at is null and c.semester = 'A'' or ''1''=''1'");
    expect(literalWhereOf(ExportEntity.Enrollments, { courseCode: "X\\'; --" })).toBe(
      "e.deleted_at is null and s.deleted_at is null and c.deleted_at is null and c.course_code =  E'X\\\\''; --'",
    );
  });
});
