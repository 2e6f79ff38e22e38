import { fieldCatalogue, yesNoLabels } from '../common/fields/field-spec';

const NAME_MAX_LENGTH = 100;
const LONG_TEXT_MAX_LENGTH = 2000;
const SHORT_TEXT_MAX_LENGTH = 20;

const tooLong = (maxLength: number): string => 'x'.repeat(maxLength + 1);

/**
 * Everything the API, imports and exports know of a student's fields. Greek labels follow the
 * registration spreadsheet the secretariats use, so that a Greek export imports again as it is.
 */
export const STUDENT_FIELDS = fieldCatalogue({
  studentId: {
    column: 'student_id',
    kind: 'studentId',
    presence: 'required',
    label: { en: 'Student ID', el: 'Αριθμός Δελτίου Ταυτότητας:' },
    aliases: ['Student number', 'Αριθμός Μητρώου', 'Α.Μ.', 'Α.Δ.Τ.', 'Αριθμός Ταυτότητας'],
    example: 'ΑΒ123456',
    examples: { valid: ['AB123456', 'αβ-12_3'], invalid: ['bad id!', 'x'.repeat(51)] },
  },
  email: {
    column: 'email',
    kind: 'email',
    presence: 'required',
    label: { en: 'Email', el: 'Ηλ. Ταχυδρομείο:' },
    aliases: ['E-mail', 'Email address', 'Mail', 'Ηλεκτρονικό Ταχυδρομείο', 'Ηλεκτρονική Διεύθυνση'],
    example: 'maria.papadopoulou@school.example',
    examples: {
      valid: ['Maria@School.example', `${'a'.repeat(64)}@${'b'.repeat(185)}.com`],
      invalid: ['not-an-email', 'a@b', 'a b@school.example', `${'a'.repeat(64)}@${'b'.repeat(186)}.com`],
    },
  },
  firstName: {
    column: 'first_name',
    kind: 'text',
    maxLength: NAME_MAX_LENGTH,
    presence: 'required',
    label: { en: 'First name', el: 'Όνομα:' },
    aliases: ['Given name', 'Forename'],
    example: 'Μαρία',
    examples: { valid: ['Μαρία'], invalid: [tooLong(NAME_MAX_LENGTH)] },
  },
  lastName: {
    column: 'last_name',
    kind: 'text',
    maxLength: NAME_MAX_LENGTH,
    presence: 'required',
    label: { en: 'Last name', el: 'Επώνυμο:' },
    aliases: ['Surname', 'Family name'],
    example: 'Παπαδοπούλου',
    examples: { valid: ["O'Brien"], invalid: [tooLong(NAME_MAX_LENGTH)] },
  },
  fatherName: {
    column: 'father_name',
    kind: 'text',
    maxLength: NAME_MAX_LENGTH,
    presence: 'nullable',
    label: { en: "Father's name", el: 'Όνομα Πατέρα:' },
    aliases: ['Father name', 'Πατρώνυμο'],
    example: 'Γεώργιος',
    examples: { valid: ['Γεώργιος'], invalid: [tooLong(NAME_MAX_LENGTH)] },
  },
  mobilePhone: {
    column: 'mobile_phone',
    kind: 'phone',
    presence: 'nullable',
    label: { en: 'Mobile phone', el: 'Αρ. Κινητού Τηλεφώνου:' },
    aliases: ['Mobile', 'Mobile number', 'Cell phone', 'Κινητό', 'Κινητό Τηλέφωνο'],
    example: '+30 690 1234567',
    examples: { valid: ['+30 690 1234567', '(210) 123.45/67'], invalid: ['call me', '---', '1'.repeat(31)] },
  },
  phone: {
    column: 'phone',
    kind: 'phone',
    presence: 'nullable',
    label: { en: 'Phone', el: 'Αρ. Σταθερού Τηλεφώνου:' },
    aliases: ['Phone number', 'Telephone', 'Landline', 'Home phone', 'Σταθερό', 'Σταθερό Τηλέφωνο', 'Τηλέφωνο'],
    example: '+30 210 1234567',
    examples: { valid: ['210-1234567'], invalid: ['210 123 4567 ext. 5'] },
  },
  enrollmentDate: {
    column: 'enrollment_date',
    kind: 'date',
    presence: 'nullable',
    label: { en: 'Enrollment date', el: 'Ημερομηνία Εγγραφής' },
    aliases: ['Enrolment date', 'Registration date', 'Ημ. Εγγραφής'],
    example: '2026-09-01',
    examples: { valid: ['2025-09-01'], invalid: ['2025-02-30', '2999-01-01'] },
  },
  studyYear: {
    column: 'study_year',
    kind: 'studyYear',
    presence: 'nullable',
    label: { en: 'Study year', el: 'Έτος Σπουδών:' },
    aliases: ['Year of study', 'Τάξη'],
    example: 1,
    examples: { valid: [1, 6], invalid: [0, 7, 2.5, true] },
  },
  isActive: {
    column: 'is_active',
    kind: 'boolean',
    valueLabels: yesNoLabels({ en: 'Active', el: 'Ενεργός' }, { en: 'Inactive', el: 'Ανενεργός' }),
    presence: 'defaulted',
    default: true,
    label: { en: 'Status', el: 'Κατάσταση' },
    aliases: ['Active', 'Ενεργός', 'Ενεργή', 'Ενεργός/ή'],
    examples: { valid: [true, false], invalid: ['maybe'] },
  },
  healthIssue: {
    column: 'health_issue',
    kind: 'text',
    maxLength: LONG_TEXT_MAX_LENGTH,
    presence: 'nullable',
    label: { en: 'Health issue', el: 'Θέματα Υγείας' },
    aliases: ['Health issues', 'Health', 'Θέμα Υγείας', 'Πρόβλημα Υγείας', 'Προβλήματα Υγείας'],
    examples: { valid: ['Αλλεργία στη γύρη'], invalid: [tooLong(LONG_TEXT_MAX_LENGTH)] },
  },
  note: {
    column: 'note',
    kind: 'text',
    maxLength: LONG_TEXT_MAX_LENGTH,
    presence: 'nullable',
    label: { en: 'Note', el: 'Σημείωση' },
    aliases: ['Notes', 'Remarks', 'Comments', 'Σημειώσεις', 'Παρατηρήσεις', 'Σχόλια'],
    examples: { valid: ['Γραμμή πρώτη\nγραμμή δεύτερη'], invalid: [tooLong(LONG_TEXT_MAX_LENGTH)] },
  },
  academicYear: {
    column: 'academic_year',
    kind: 'text',
    maxLength: SHORT_TEXT_MAX_LENGTH,
    presence: 'nullable',
    label: { en: 'Academic year', el: 'Ακαδημαϊκό Έτος' },
    aliases: ['School year', 'Σχολικό Έτος'],
    example: '2026-2027',
    examples: { valid: ['2026-2027'], invalid: [tooLong(SHORT_TEXT_MAX_LENGTH)] },
  },
  classDivision: {
    column: 'class_division',
    kind: 'text',
    maxLength: SHORT_TEXT_MAX_LENGTH,
    presence: 'nullable',
    label: { en: 'Class division', el: 'Τμήμα' },
    aliases: ['Class', 'Division', 'Section'],
    example: 'A1',
    examples: { valid: ['Β2'], invalid: [tooLong(SHORT_TEXT_MAX_LENGTH)] },
  },
});
