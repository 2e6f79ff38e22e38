import { enumValueLabels, fieldCatalogue } from '../common/fields/field-spec';
import { COURSE_FIELDS } from '../courses/course-fields.catalogue';
import { STUDENT_FIELDS } from '../students/student-fields.catalogue';
import { EnrollmentStatus } from './enrollment-status.enum';

/** Everything the API, imports and exports know of an enrollment's fields; its keys are the student's and the course's. */
export const ENROLLMENT_FIELDS = fieldCatalogue({
  studentId: STUDENT_FIELDS.studentId,
  courseCode: COURSE_FIELDS.courseCode,
  enrolledAt: {
    column: 'enrolled_at',
    kind: 'date',
    // Imports leave it to the day of loading; the API asks for it (CreateEnrollmentDto).
    presence: 'defaulted',
    label: { en: 'Enrolled at', el: 'Ημερομηνία Εγγραφής' },
    aliases: ['Enrollment date', 'Enrolment date', 'Date', 'Ημ. Εγγραφής', 'Ημερομηνία'],
    example: '2026-09-11',
    examples: { valid: ['2025-09-11'], invalid: ['2025-13-01', '2999-01-01'] },
  },
  status: {
    column: 'status',
    kind: 'status',
    enumName: 'EnrollmentStatus',
    valueLabels: enumValueLabels<EnrollmentStatus>({
      [EnrollmentStatus.Active]: { en: 'Active', el: 'Ενεργή' },
      [EnrollmentStatus.Completed]: { en: 'Completed', el: 'Ολοκληρώθηκε' },
      [EnrollmentStatus.Dropped]: { en: 'Dropped', el: 'Αποχώρησε' },
    }),
    presence: 'defaulted',
    label: { en: 'Status', el: 'Κατάσταση' },
    aliases: ['Enrollment status', 'Κατάσταση Εγγραφής'],
    default: EnrollmentStatus.Active,
    examples: { valid: ['active', 'completed', 'dropped'], invalid: ['paused'] },
  },
});
