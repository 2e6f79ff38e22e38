import { ImportEntity } from '../import.types';
import { foldWord } from './cell-rule';

export interface ImportField {
  name: string;
  /** Must have a column when rows may create records (modes create and upsert). */
  requiredOnCreate: boolean;
  /** Headers that name this field, in readable form; they are compared through normalizeHeader. */
  aliases: readonly string[];
}

const field = (name: string, requiredOnCreate: boolean, aliases: readonly string[]): ImportField => ({ name, requiredOnCreate, aliases });

const STUDENT_ID_ALIASES = [
  'studentId',
  'student_id',
  'Student ID',
  'Student number',
  'Αριθμός Μητρώου',
  'Α.Μ.',
  'Αριθμός Δελτίου Ταυτότητας:',
  'Α.Δ.Τ.',
  'Αριθμός Ταυτότητας',
] as const;

const COURSE_CODE_ALIASES = ['courseCode', 'course_code', 'Course code', 'Code', 'Κωδικός Μαθήματος:', 'Κωδικός'] as const;

const STUDENT_FIELDS: readonly ImportField[] = [
  field('studentId', true, STUDENT_ID_ALIASES),
  field('email', true, ['email', 'E-mail', 'Email address', 'Mail', 'Ηλ. Ταχυδρομείο:', 'Ηλεκτρονικό Ταχυδρομείο', 'Ηλεκτρονική Διεύθυνση']),
  field('firstName', true, ['firstName', 'first_name', 'First name', 'Given name', 'Forename', 'Όνομα:']),
  field('lastName', true, ['lastName', 'last_name', 'Last name', 'Surname', 'Family name', 'Επώνυμο:']),
  field('fatherName', false, ['fatherName', 'father_name', "Father's name", 'Father name', 'Όνομα Πατέρα:', 'Πατρώνυμο']),
  field('mobilePhone', false, [
    'mobilePhone',
    'mobile_phone',
    'Mobile',
    'Mobile phone',
    'Mobile number',
    'Cell phone',
    'Αρ. Κινητού Τηλεφώνου:',
    'Κινητό',
    'Κινητό Τηλέφωνο',
  ]),
  field('phone', false, [
    'phone',
    'Phone number',
    'Telephone',
    'Landline',
    'Home phone',
    'Αρ. Σταθερού Τηλεφώνου:',
    'Σταθερό',
    'Σταθερό Τηλέφωνο',
    'Τηλέφωνο',
  ]),
  field('enrollmentDate', false, [
    'enrollmentDate',
    'enrollment_date',
    'Enrollment date',
    'Enrolment date',
    'Registration date',
    'Ημερομηνία Εγγραφής:',
    'Ημ. Εγγραφής',
  ]),
  field('studyYear', false, ['studyYear', 'study_year', 'Study year', 'Year of study', 'Έτος Σπουδών:', 'Τάξη']),
  field('isActive', false, ['isActive', 'is_active', 'Active', 'Status', 'Ενεργός', 'Ενεργή', 'Ενεργός/ή', 'Κατάσταση']),
  field('healthIssue', false, [
    'healthIssue',
    'health_issue',
    'Health issue',
    'Health issues',
    'Health',
    'Θέματα Υγείας',
    'Θέμα Υγείας',
    'Πρόβλημα Υγείας',
    'Προβλήματα Υγείας',
  ]),
  field('note', false, ['note', 'Notes', 'Remarks', 'Comments', 'Σημείωση', 'Σημειώσεις', 'Παρατηρήσεις', 'Σχόλια']),
  field('academicYear', false, [
    'academicYear',
    'academic_year',
    'Academic year',
    'School year',
    'Ακαδημαϊκό Έτος',
    'Σχολικό Έτος',
  ]),
  field('classDivision', false, ['classDivision', 'class_division', 'Class', 'Class division', 'Division', 'Section', 'Τμήμα']),
];

const COURSE_FIELDS: readonly ImportField[] = [
  field('courseCode', true, COURSE_CODE_ALIASES),
  field('courseName', true, [
    'courseName',
    'course_name',
    'Course name',
    'Course title',
    'Course',
    'Name',
    'Title',
    'Τίτλος Μαθήματος',
    'Όνομα Μαθήματος',
    'Μάθημα',
    'Τίτλος',
  ]),
  field('semester', true, ['semester', 'Term', 'Εξάμηνο', 'Τετράμηνο', 'Περίοδος']),
  field('credits', false, ['credits', 'Credit units', 'ECTS', 'Διδακτικές Μονάδες', 'Δ.Μ.', 'Μονάδες']),
  field('description', false, ['description', 'Course description', 'Περιγραφή']),
  field('hoursPerWeek', false, [
    'hoursPerWeek',
    'hours_per_week',
    'Hours per week',
    'Weekly hours',
    'Ώρες ανά Εβδομάδα',
    'Ώρες/Εβδομάδα',
    'Εβδομαδιαίες Ώρες',
  ]),
  field('periodsPerWeek', false, [
    'periodsPerWeek',
    'periods_per_week',
    'Periods per week',
    'Weekly periods',
    'Περίοδοι ανά Εβδομάδα',
    'Διδακτικές Περίοδοι ανά Εβδομάδα',
    'Διδακτικές Ώρες ανά Εβδομάδα',
  ]),
  field('evaluationRules', false, [
    'evaluationRules',
    'evaluation_rules',
    'Evaluation rules',
    'Evaluation',
    'Grading',
    'Κανόνες Αξιολόγησης',
    'Αξιολόγηση',
  ]),
  field('isActive', false, ['isActive', 'is_active', 'Active', 'Status', 'Ενεργό', 'Ενεργός', 'Κατάσταση']),
];

const ENROLLMENT_FIELDS: readonly ImportField[] = [
  field('studentId', true, STUDENT_ID_ALIASES),
  field('courseCode', true, COURSE_CODE_ALIASES),
  field('enrolledAt', false, [
    'enrolledAt',
    'enrolled_at',
    'Enrolled at',
    'Enrollment date',
    'Enrolment date',
    'Date',
    'Ημερομηνία Εγγραφής:',
    'Ημ. Εγγραφής',
    'Ημερομηνία',
  ]),
  field('status', false, ['status', 'Enrollment status', 'Κατάσταση', 'Κατάσταση Εγγραφής']),
];

const FIELDS: Readonly<Record<ImportEntity, readonly ImportField[]>> = {
  [ImportEntity.Students]: STUDENT_FIELDS,
  [ImportEntity.Courses]: COURSE_FIELDS,
  [ImportEntity.Enrollments]: ENROLLMENT_FIELDS,
};

const NATURAL_KEYS: Readonly<Record<ImportEntity, readonly string[]>> = {
  [ImportEntity.Students]: ['studentId'],
  [ImportEntity.Courses]: ['courseCode'],
  [ImportEntity.Enrollments]: ['studentId', 'courseCode'],
};

/** The fields of an entity in a fixed order, the natural key first; validated rows are aligned with it. */
export function importFields(entity: ImportEntity): readonly ImportField[] {
  return FIELDS[entity];
}

/** The fields that identify a record; an enrollment is identified by its student and course together. */
export function naturalKeyFields(entity: ImportEntity): readonly string[] {
  return NATURAL_KEYS[entity];
}

/** The natural key as one label: `studentId`, `courseCode`, or `studentId+courseCode` for enrollments. */
export function naturalKeyField(entity: ImportEntity): string {
  return NATURAL_KEYS[entity].join('+');
}

const TRAILING_MARKERS = /[\s:*]+$/u;
// Apostrophes go too, so that `Father's name` typed with a curly quote by a spreadsheet still matches.
const SEPARATORS = /[\s_\-./'’΄]/gu;

/**
 * The form in which headers and aliases are compared: `Επώνυμο:` → `επωνυμο`, and `first_name`,
 * `First Name` and `firstName` → `firstname`. Final sigma is folded to σ so that `ΕΤΟΣ ΣΠΟΥΔΩΝ`
 * and `ΕΤΟΣΣΠΟΥΔΩΝ` (whose lowercase differs only in the sigma) match alike.
 */
export function normalizeHeader(header: string): string {
  return foldWord(header.trim().replace(TRAILING_MARKERS, ''))
    .replace(SEPARATORS, '')
    .replace(/ς/gu, 'σ');
}
