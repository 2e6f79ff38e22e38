import { EnrollmentStatus } from '../enrollments/enrollment-status.enum';
import { ExportEntity, ExportLanguage } from './export.enums';

/** How a column's database text is turned into a cell: it decides quoting, labels and XLSX cell types. */
export type ColumnKind = 'text' | 'integer' | 'boolean' | 'date' | 'timestamp' | 'json' | 'status';

export type Translated = Record<ExportLanguage, string>;

export interface ExportColumn {
  /** The API's camelCase field name: the `fields=` value and the JSON key. */
  name: string;
  /** The select expression; it yields text that the formatters parse (dates and instants in ISO 8601, UTC). */
  sql: string;
  kind: ColumnKind;
  label: Translated;
  /** Labels of the column's values in CSV and XLSX (`true` → Active, `dropped` → Αποχώρησε). */
  valueLabels?: Record<string, Translated>;
  /** Left out unless asked for with `fields=`. */
  optional?: boolean;
}

export interface ExportSource {
  /** The FROM clause, joins included. */
  from: string;
  /** The unique, indexed key that batches are read in order of. */
  key: string;
  columns: readonly ExportColumn[];
}

const date = (column: string): string => `to_char(${column}, 'YYYY-MM-DD')`;
const instant = (column: string): string => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const active = (en: [string, string], el: [string, string]): Record<string, Translated> => ({
  true: { en: en[0], el: el[0] },
  false: { en: en[1], el: el[1] },
});

const STATUS_LABELS: Record<EnrollmentStatus, Translated> = {
  [EnrollmentStatus.Active]: { en: 'Active', el: 'Ενεργή' },
  [EnrollmentStatus.Completed]: { en: 'Completed', el: 'Ολοκληρώθηκε' },
  [EnrollmentStatus.Dropped]: { en: 'Dropped', el: 'Αποχώρησε' },
};

const timestamps = (alias: string): ExportColumn[] => [
  { name: 'deletedAt', sql: instant(`${alias}.deleted_at`), kind: 'timestamp', label: { en: 'Deleted at', el: 'Διαγραφή' }, optional: true },
  { name: 'createdAt', sql: instant(`${alias}.created_at`), kind: 'timestamp', label: { en: 'Created at', el: 'Δημιουργία' } },
  { name: 'updatedAt', sql: instant(`${alias}.updated_at`), kind: 'timestamp', label: { en: 'Updated at', el: 'Τελευταία αλλαγή' } },
];

/**
 * Greek labels of students follow the registration spreadsheet the secretariats use, so that a
 * Greek export can be imported again as it is.
 */
const STUDENTS: ExportSource = {
  from: 'students s',
  key: 's.id',
  columns: [
    { name: 'id', sql: 's.id', kind: 'integer', label: { en: 'ID', el: 'Α/Α' } },
    { name: 'studentId', sql: 's.student_id', kind: 'text', label: { en: 'Student ID', el: 'Αριθμός Δελτίου Ταυτότητας:' } },
    { name: 'lastName', sql: 's.last_name', kind: 'text', label: { en: 'Last name', el: 'Επώνυμο:' } },
    { name: 'firstName', sql: 's.first_name', kind: 'text', label: { en: 'First name', el: 'Όνομα:' } },
    { name: 'fatherName', sql: 's.father_name', kind: 'text', label: { en: "Father's name", el: 'Όνομα Πατέρα:' } },
    { name: 'email', sql: 's.email', kind: 'text', label: { en: 'Email', el: 'Ηλ. Ταχυδρομείο:' } },
    { name: 'mobilePhone', sql: 's.mobile_phone', kind: 'text', label: { en: 'Mobile phone', el: 'Αρ. Κινητού Τηλεφώνου:' } },
    { name: 'phone', sql: 's.phone', kind: 'text', label: { en: 'Phone', el: 'Αρ. Σταθερού Τηλεφώνου:' } },
    { name: 'enrollmentDate', sql: date('s.enrollment_date'), kind: 'date', label: { en: 'Enrollment date', el: 'Ημερομηνία Εγγραφής' } },
    { name: 'studyYear', sql: 's.study_year', kind: 'integer', label: { en: 'Study year', el: 'Έτος Σπουδών:' } },
    { name: 'academicYear', sql: 's.academic_year', kind: 'text', label: { en: 'Academic year', el: 'Ακαδημαϊκό Έτος' } },
    { name: 'classDivision', sql: 's.class_division', kind: 'text', label: { en: 'Class division', el: 'Τμήμα' } },
    {
      name: 'isActive',
      sql: 's.is_active',
      kind: 'boolean',
      label: { en: 'Status', el: 'Κατάσταση' },
      valueLabels: active(['Active', 'Inactive'], ['Ενεργός', 'Ανενεργός']),
    },
    { name: 'healthIssue', sql: 's.health_issue', kind: 'text', label: { en: 'Health issue', el: 'Θέματα Υγείας' } },
    { name: 'note', sql: 's.note', kind: 'text', label: { en: 'Note', el: 'Σημείωση' } },
    ...timestamps('s'),
  ],
};

const COURSES: ExportSource = {
  from: 'courses c',
  key: 'c.id',
  columns: [
    { name: 'id', sql: 'c.id', kind: 'integer', label: { en: 'ID', el: 'Α/Α' } },
    { name: 'courseCode', sql: 'c.course_code', kind: 'text', label: { en: 'Course code', el: 'Κωδικός Μαθήματος' } },
    { name: 'courseName', sql: 'c.course_name', kind: 'text', label: { en: 'Course name', el: 'Τίτλος Μαθήματος' } },
    { name: 'semester', sql: 'c.semester', kind: 'text', label: { en: 'Semester', el: 'Εξάμηνο' } },
    { name: 'credits', sql: 'c.credits', kind: 'integer', label: { en: 'Credits', el: 'Διδακτικές Μονάδες' } },
    { name: 'hoursPerWeek', sql: 'c.hours_per_week', kind: 'integer', label: { en: 'Hours per week', el: 'Ώρες ανά Εβδομάδα' } },
    { name: 'periodsPerWeek', sql: 'c.periods_per_week', kind: 'integer', label: { en: 'Periods per week', el: 'Διδακτικές Περίοδοι ανά Εβδομάδα' } },
    { name: 'description', sql: 'c.description', kind: 'text', label: { en: 'Description', el: 'Περιγραφή' } },
    { name: 'evaluationRules', sql: 'c.evaluation_rules', kind: 'json', label: { en: 'Evaluation rules', el: 'Κανόνες Αξιολόγησης' } },
    {
      name: 'isActive',
      sql: 'c.is_active',
      kind: 'boolean',
      label: { en: 'Status', el: 'Κατάσταση' },
      valueLabels: active(['Active', 'Inactive'], ['Ενεργό', 'Ανενεργό']),
    },
    ...timestamps('c'),
  ],
};

/**
 * Columns of another source, in the order named, for a source that joins its table under the
 * same alias (`s`, `c`), so that their select expressions read the same there.
 */
function columnsOf(source: ExportSource, ...names: string[]): ExportColumn[] {
  return names.map((name) => {
    const column = source.columns.find((candidate) => candidate.name === name);
    if (column === undefined) throw new Error(`${source.from} has no export column ${name}`);
    return column;
  });
}

const ENROLLMENTS: ExportSource = {
  from: 'enrollments e join students s on s.id = e.student_id join courses c on c.id = e.course_id',
  key: 'e.id',
  columns: [
    { name: 'id', sql: 'e.id', kind: 'integer', label: { en: 'ID', el: 'Α/Α' } },
    ...columnsOf(STUDENTS, 'studentId', 'lastName', 'firstName'),
    ...columnsOf(COURSES, 'courseCode', 'courseName', 'semester'),
    { name: 'enrolledAt', sql: date('e.enrolled_at'), kind: 'date', label: { en: 'Enrolled at', el: 'Ημερομηνία Εγγραφής' } },
    { name: 'status', sql: 'e.status', kind: 'status', label: { en: 'Status', el: 'Κατάσταση' }, valueLabels: STATUS_LABELS },
    ...timestamps('e'),
  ],
};

export const EXPORT_SOURCES: Record<ExportEntity, ExportSource> = {
  [ExportEntity.Students]: STUDENTS,
  [ExportEntity.Courses]: COURSES,
  [ExportEntity.Enrollments]: ENROLLMENTS,
};

/** Every field name an entity's export knows, for the spec and error messages. */
export function fieldNamesOf(entity: ExportEntity): string[] {
  return EXPORT_SOURCES[entity].columns.map((column) => column.name);
}

export type FieldSelection = { columns: ExportColumn[] } | { unknown: string[] };

/**
 * The columns `fields` names, in the order given (duplicates once); none given means every
 * column that is not optional.
 */
export function selectColumns(entity: ExportEntity, fields: readonly string[] | undefined): FieldSelection {
  const { columns } = EXPORT_SOURCES[entity];
  if (fields === undefined || fields.length === 0) return { columns: columns.filter((column) => column.optional !== true) };
  const byName = new Map(columns.map((column) => [column.name, column]));
  const unknown = fields.filter((field) => !byName.has(field));
  if (unknown.length > 0) return { unknown };
  return { columns: [...new Set(fields)].map((field) => byName.get(field)!) };
}
