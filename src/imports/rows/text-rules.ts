import { EMAIL_MAX_LENGTH, isEmailAddress, PHONE_MAX_LENGTH, PHONE_MESSAGE, PHONE_PATTERN } from '../../common/fields/field-spec';
import { COURSE_CODE_MAX_LENGTH, COURSE_CODE_PATTERN, normalizeCourseCode } from '../../courses/course-code';
import { isStoredStudentId, isValidStudentId, normalizeStudentId, STUDENT_ID_MAX_LENGTH } from '../../students/student-id';
import { CellFailure, cellRule, CellRule, exceedsLength } from './cell-rule';


const tooLong = (field: string, maxLength: number): CellFailure =>
  new CellFailure('too_long', `${field} must be at most ${maxLength} characters; shorten it`);

export function textRule(field: string, maxLength: number): CellRule {
  const failure = tooLong(field, maxLength);
  return cellRule(field, { text: (value) => (exceedsLength(value, maxLength) ? failure : value) });
}

/** Stored lowercase, like the API stores it, so one address is one student. */
export function emailRule(field: string): CellRule {
  const long = tooLong(field, EMAIL_MAX_LENGTH);
  const invalid = new CellFailure('invalid_email', `${field} must be an email address such as name@school.example`);
  return cellRule(field, {
    text: (value) => {
      if (value.length > EMAIL_MAX_LENGTH) return long;
      return isEmailAddress(value) ? value.toLowerCase() : invalid;
    },
  });
}

/** Kept as typed, so `+30 210 1234567` and `210-1234567` stay readable. */
export function phoneRule(field: string): CellRule {
  const long = tooLong(field, PHONE_MAX_LENGTH);
  const invalid = new CellFailure('invalid_phone', `${field} ${PHONE_MESSAGE}`);
  return cellRule(field, {
    text: (value) => {
      if (value.length > PHONE_MAX_LENGTH) return long;
      return PHONE_PATTERN.test(value) ? value : invalid;
    },
  });
}

export function studentIdRule(field: string): CellRule {
  const invalid = new CellFailure(
    'invalid_student_id',
    `${field} must be at most ${STUDENT_ID_MAX_LENGTH} letters, digits, "_" or "-", such as AB123456`,
  );
  return cellRule(field, {
    text: (value) => {
      if (isStoredStudentId(value)) return value;
      const studentId = normalizeStudentId(value);
      return isValidStudentId(studentId) ? studentId : invalid;
    },
  });
}

export function courseCodeRule(field: string): CellRule {
  const invalid = new CellFailure(
    'invalid_course_code',
    `${field} must be at most ${COURSE_CODE_MAX_LENGTH} letters, digits, "_", "-" or ".", such as MATH101`,
  );
  return cellRule(field, {
    text: (value) => {
      const courseCode = normalizeCourseCode(value);
      return courseCode.length <= COURSE_CODE_MAX_LENGTH && COURSE_CODE_PATTERN.test(courseCode) ? courseCode : invalid;
    },
  });
}
