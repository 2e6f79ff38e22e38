import { FieldSpec } from '../../common/fields/field-spec';
import { COURSE_FIELDS } from '../../courses/course-fields.catalogue';
import { ENROLLMENT_FIELDS } from '../../enrollments/enrollment-fields.catalogue';
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
