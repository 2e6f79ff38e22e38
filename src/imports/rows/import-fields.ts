import { FieldSpec } from '../../common/fields/field-spec';
import { COURSE_FIELDS } from '../../courses/course-fields.catalogue';
import { ENROLLMENT_FIELDS } from '../../enrollments/enrollment-fields.catalogue';
import { EXPORT_SOURCES } from '../../exports/export-columns';
import { ExportEntity } from '../../exports/export.enums';
import { STUDENT_FIELDS } from '../../students/student-fields.catalogue';
import { ImportEntity } from '../import.types';
import { foldWord } from './cell-rule';

export interface ImportField {
  name: string;
  /** Must have a column when rows may create records (modes create and upsert). */
  requiredOnCreate: boolean;
  /** Headers that name this field, in readable form; they are compared through normalizeHeader. */
  aliases: readonly string[];
}

/** An import reads a field under its name, its aliases and the export's labels of it, so that an export imports again. */
function importField({ name, presence, aliases, label }: FieldSpec): ImportField {
  return { name, requiredOnCreate: presence === 'required', aliases: [...aliases, label.en, label.el] };
}

const CATALOGUES: Readonly<Record<ImportEntity, Readonly<Record<string, FieldSpec>>>> = {
  [ImportEntity.Students]: STUDENT_FIELDS,
  [ImportEntity.Courses]: COURSE_FIELDS,
  [ImportEntity.Enrollments]: ENROLLMENT_FIELDS,
};

const FIELDS: Readonly<Record<ImportEntity, readonly ImportField[]>> = {
  [ImportEntity.Students]: Object.values(STUDENT_FIELDS).map(importField),
  [ImportEntity.Courses]: Object.values(COURSE_FIELDS).map(importField),
  [ImportEntity.Enrollments]: Object.values(ENROLLMENT_FIELDS).map(importField),
};

/** Normalised headers of the columns our exports write besides the fields: record number, timestamps, joined names. */
function exportOnlyHeaders(entity: ImportEntity, source: ExportEntity): ReadonlySet<string> {
  const fields = new Set(Object.keys(CATALOGUES[entity]));
  return new Set(
    EXPORT_SOURCES[source].columns
      .filter((column) => !fields.has(column.name))
      .flatMap((column) => Object.values(column.label).map(normalizeHeader)),
  );
}

const NATURAL_KEYS: Readonly<Record<ImportEntity, readonly string[]>> = {
  [ImportEntity.Students]: ['studentId'],
  [ImportEntity.Courses]: ['courseCode'],
  [ImportEntity.Enrollments]: ['studentId', 'courseCode'],
};

/** The fields of an entity in a fixed order, the natural key first; validated rows are aligned with it. */
export function importFields(entity: ImportEntity): readonly ImportField[] {
  return FIELDS[entity];
}

/** The catalogue entries of an entity's fields, by name. */
export function fieldSpecs(entity: ImportEntity): Readonly<Record<string, FieldSpec>> {
  return CATALOGUES[entity];
}

/**
 * Whether a header that names no field is one of the columns our own export adds, which an
 * import of that export expects to ignore without a warning.
 */
export function isExportOnlyHeader(entity: ImportEntity, normalizedHeader: string): boolean {
  return EXPORT_ONLY_HEADERS[entity].has(normalizedHeader);
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

// After normalizeHeader's patterns, which it needs.
const EXPORT_ONLY_HEADERS: Readonly<Record<ImportEntity, ReadonlySet<string>>> = {
  [ImportEntity.Students]: exportOnlyHeaders(ImportEntity.Students, ExportEntity.Students),
  [ImportEntity.Courses]: exportOnlyHeaders(ImportEntity.Courses, ExportEntity.Courses),
  [ImportEntity.Enrollments]: exportOnlyHeaders(ImportEntity.Enrollments, ExportEntity.Enrollments),
};
