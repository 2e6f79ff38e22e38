import { TransformFnParams } from 'class-transformer';

export const COURSE_CODE_MAX_LENGTH = 20;
export const COURSE_CODE_PATTERN = /^[\p{L}\p{N}_.-]+$/u;

/** The stored form of a course code: trimmed and uppercase, so `math101` and `MATH101` are one course. */
export function normalizeCourseCode(value: string): string {
  return value.trim().toUpperCase();
}

/** A course code in its stored form, for `@Transform`; anything but text is left for the validators. */
export function toCourseCode({ value }: TransformFnParams): unknown {
  return typeof value === 'string' ? normalizeCourseCode(value) : value;
}
