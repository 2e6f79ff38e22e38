export const COURSE_CODE_MAX_LENGTH = 20;
export const COURSE_CODE_PATTERN = /^[\p{L}\p{N}_.-]+$/u;

/** The stored form of a course code: trimmed and uppercase, so `math101` and `MATH101` are one course. */
export function normalizeCourseCode(value: string): string {
  return value.trim().toUpperCase();
}
