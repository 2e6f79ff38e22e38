import { fieldCatalogue, textLongerThan, yesNoLabels } from '../common/fields/field-spec';

const LONG_TEXT_MAX_LENGTH = 2000;
const COURSE_NAME_MAX_LENGTH = 200;
const SEMESTER_MAX_LENGTH = 50;
const MAX_PER_WEEK = 60;

const perWeekExamples = { valid: [0, 60], invalid: [-1, 61, 2.5] };

/** Everything the API, imports and exports know of a course's fields. */
export const COURSE_FIELDS = fieldCatalogue({
  courseCode: {
    column: 'course_code',
    kind: 'courseCode',
    presence: 'required',
    bulkSettable: false,
    label: { en: 'Course code', el: 'Κωδικός Μαθήματος' },
    aliases: ['Code', 'Κωδικός'],
    example: 'math101',
    examples: { valid: ['MATH101', 'ιστ.2-α_1'], invalid: ['GLO 101', 'x'.repeat(21)] },
  },
  courseName: {
    column: 'course_name',
    kind: 'text',
    maxLength: COURSE_NAME_MAX_LENGTH,
    presence: 'required',
    label: { en: 'Course name', el: 'Τίτλος Μαθήματος' },
    aliases: ['Course title', 'Course', 'Name', 'Title', 'Όνομα Μαθήματος', 'Μάθημα', 'Τίτλος'],
    example: 'Άλγεβρα Α΄ Λυκείου',
    examples: { valid: ['Άλγεβρα Α΄ Λυκείου'], invalid: [textLongerThan(COURSE_NAME_MAX_LENGTH)] },
  },
  semester: {
    column: 'semester',
    kind: 'text',
    maxLength: SEMESTER_MAX_LENGTH,
    presence: 'required',
    label: { en: 'Semester', el: 'Εξάμηνο' },
    aliases: ['Term', 'Τετράμηνο', 'Περίοδος'],
    example: 'Α΄ Τετράμηνο 2026-2027',
    examples: { valid: ['Α΄ Τετράμηνο 2026-2027'], invalid: [textLongerThan(SEMESTER_MAX_LENGTH)] },
  },
  credits: {
    column: 'credits',
    kind: 'integer',
    minimum: 0,
    maximum: 60,
    presence: 'defaulted',
    default: 3,
    label: { en: 'Credits', el: 'Διδακτικές Μονάδες' },
    aliases: ['Credit units', 'ECTS', 'Δ.Μ.', 'Μονάδες'],
    example: 3,
    examples: { valid: [0, 5, 60], invalid: [-1, 61, 2.5] },
  },
  description: {
    column: 'description',
    kind: 'text',
    maxLength: LONG_TEXT_MAX_LENGTH,
    presence: 'nullable',
    label: { en: 'Description', el: 'Περιγραφή' },
    aliases: ['Course description'],
    example: 'Εξισώσεις, ανισώσεις και συναρτήσεις.',
    examples: { valid: ['Εξισώσεις, ανισώσεις και συναρτήσεις.'], invalid: [textLongerThan(LONG_TEXT_MAX_LENGTH)] },
  },
  hoursPerWeek: {
    column: 'hours_per_week',
    kind: 'integer',
    minimum: 0,
    maximum: MAX_PER_WEEK,
    presence: 'nullable',
    label: { en: 'Hours per week', el: 'Ώρες ανά Εβδομάδα' },
    aliases: ['Weekly hours', 'Ώρες/Εβδομάδα', 'Εβδομαδιαίες Ώρες'],
    example: 4,
    examples: perWeekExamples,
  },
  periodsPerWeek: {
    column: 'periods_per_week',
    kind: 'integer',
    minimum: 0,
    maximum: MAX_PER_WEEK,
    presence: 'nullable',
    label: { en: 'Periods per week', el: 'Διδακτικές Περίοδοι ανά Εβδομάδα' },
    aliases: ['Weekly periods', 'Περίοδοι ανά Εβδομάδα', 'Διδακτικές Ώρες ανά Εβδομάδα'],
    example: 5,
    examples: perWeekExamples,
  },
  evaluationRules: {
    column: 'evaluation_rules',
    kind: 'evaluationRules',
    presence: 'nullable',
    label: { en: 'Evaluation rules', el: 'Κανόνες Αξιολόγησης' },
    aliases: ['Evaluation', 'Grading', 'Αξιολόγηση'],
    examples: {
      valid: [[{ category: 'Γραπτές εξετάσεις', weight: 70 }, { category: 'Προφορική εξέταση', weight: 30 }]],
      invalid: [[{ category: 'Exam', weight: 90 }], [{ category: 'Exam', weight: 50 }, { category: 'exam', weight: 50 }], 'exam'],
    },
  },
  isActive: {
    column: 'is_active',
    kind: 'boolean',
    valueLabels: yesNoLabels({ en: 'Active', el: 'Ενεργό' }, { en: 'Inactive', el: 'Ανενεργό' }),
    presence: 'defaulted',
    default: true,
    label: { en: 'Status', el: 'Κατάσταση' },
    aliases: ['Active', 'Ενεργό', 'Ενεργός'],
    examples: { valid: [true, false], invalid: ['maybe'] },
  },
});
