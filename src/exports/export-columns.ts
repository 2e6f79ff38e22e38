import { Catalogue, FieldSpec, STORED_TYPES, StoredType, Translated, valueLabelsOf, ValueLabels } from '../common/fields/field-spec';
import { COURSE_FIELDS } from '../courses/course-fields.catalogue';
import { ENROLLMENT_FIELDS } from '../enrollments/enrollment-fields.catalogue';
import { STUDENT_FIELDS } from '../students/student-fields.catalogue';
import { ExportEntity } from './export.enums';

/** How a column's database text is turned into a cell: it decides quoting, labels and XLSX cell types. */
export type ColumnKind = 'text' | 'integer' | 'boolean' | 'date' | 'timestamp' | 'json' | 'status';

export interface ExportColumn {
  /** The API's camelCase field name: the `fields=` value and the JSON key. */
  name: string;
  /** The select expression; it yields text that the formatters parse (dates and instants in ISO 8601, UTC). */
  sql: string;
  /** Dates and instants: the stored value that `sql` formats, from which XLSX computes its serial days (see export-xlsx-sql.ts). */
  stored?: string;
  kind: ColumnKind;
  label: Translated;
  /** Labels of the column's values in CSV and XLSX (`true` → Active, `dropped` → Αποχώρησε). */
  valueLabels?: ValueLabels;
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

const KINDS: Record<StoredType, ColumnKind> = { text: 'text', date: 'date', smallint: 'integer', boolean: 'boolean', jsonb: 'json' };

/** The column of a catalogue field in the table under `alias`: its name, labels and value labels are the catalogue's, which imports read back. */
function fieldColumn(alias: string, field: FieldSpec): ExportColumn {
  // A status is stored as text but written through its labels.
  const kind = field.kind === 'status' ? 'status' : KINDS[STORED_TYPES[field.kind]];
  const column = `${alias}.${field.column}`;
  const valueLabels = valueLabelsOf(field);
  return { name: field.name, ...(kind === 'date' ? { sql: date(column), stored: column } : { sql: column }), kind, label: field.label, ...(valueLabels === undefined ? {} : { valueLabels }) };
}

/**
 * The catalogue's fields as columns: those the layout names in its order, then any other field in
 * the catalogue's order, so that a field added to the catalogue is exported without an edit here.
 */
function fieldColumns<C extends Catalogue>(alias: string, catalogue: C, layout: readonly (keyof C & string)[]): ExportColumn[] {
  const rest = Object.keys(catalogue).filter((name) => !layout.includes(name));
  return [...layout, ...rest].map((name) => fieldColumn(alias, catalogue[name]));
}

// Not a field of the catalogue: imports find records by their natural key, and ignore this column.
const RECORD_NUMBER_LABEL: Translated = { en: 'ID', el: 'Α/Α' };
const recordNumber = (alias: string): ExportColumn => ({ name: 'id', sql: `${alias}.id`, kind: 'integer', label: RECORD_NUMBER_LABEL });

const timestamps = (alias: string): ExportColumn[] => [
  { name: 'deletedAt', sql: instant(`${alias}.deleted_at`), stored: `${alias}.deleted_at`, kind: 'timestamp', label: { en: 'Deleted at', el: 'Διαγραφή' }, optional: true },
  { name: 'createdAt', sql: instant(`${alias}.created_at`), stored: `${alias}.created_at`, kind: 'timestamp', label: { en: 'Created at', el: 'Δημιουργία' } },
  { name: 'updatedAt', sql: instant(`${alias}.updated_at`), stored: `${alias}.updated_at`, kind: 'timestamp', label: { en: 'Updated at', el: 'Τελευταία αλλαγή' } },
];

const STUDENTS: ExportSource = {
  from: 'students s',
  key: 's.id',
  columns: [
    recordNumber('s'),
    ...fieldColumns('s', STUDENT_FIELDS, [
      'studentId',
      'lastName',
      'firstName',
      'fatherName',
      'email',
      'mobilePhone',
      'phone',
      'enrollmentDate',
      'studyYear',
      'academicYear',
      'classDivision',
      'isActive',
      'healthIssue',
      'note',
    ]),
    ...timestamps('s'),
  ],
};

const COURSES: ExportSource = {
  from: 'courses c',
  key: 'c.id',
  columns: [
    recordNumber('c'),
    ...fieldColumns('c', COURSE_FIELDS, [
      'courseCode',
      'courseName',
      'semester',
      'credits',
      'hoursPerWeek',
      'periodsPerWeek',
      'description',
      'evaluationRules',
      'isActive',
    ]),
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
    recordNumber('e'),
    ...columnsOf(STUDENTS, 'studentId', 'lastName', 'firstName'),
    ...columnsOf(COURSES, 'courseCode', 'courseName', 'semester'),
    fieldColumn('e', ENROLLMENT_FIELDS.enrolledAt),
    fieldColumn('e', ENROLLMENT_FIELDS.status),
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
