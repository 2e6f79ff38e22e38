import { ExportLanguage } from '../../exports/export.enums';

export type Translated = Readonly<Record<ExportLanguage, string>>;

/** Labels of a field's values in CSV and XLSX, keyed by the API's value as text (`true`, `dropped`). */
export type ValueLabels = Readonly<Record<string, Translated>>;

/**
 * `required`: a create must give it. `nullable`: may be left out or cleared with null.
 * `defaulted`: may be left out to take the column's default, never null (the column is NOT NULL).
 */
export type Presence = 'required' | 'nullable' | 'defaulted';

/** One field's kind and the limits that go with it; the API and imports both check these. */
export type FieldKind =
  | { kind: 'text'; maxLength: number }
  | { kind: 'email' }
  | { kind: 'phone' }
  | { kind: 'studentId' }
  | { kind: 'courseCode' }
  /** A calendar day, not in the future. */
  | { kind: 'date' }
  | { kind: 'integer'; minimum: number; maximum: number }
  /** FIRST_STUDY_YEAR..LAST_STUDY_YEAR; imports also read the Greek ordinals Α' .. ΣΤ'. */
  | { kind: 'studyYear' }
  | { kind: 'boolean'; valueLabels: ValueLabels }
  | { kind: 'status'; enumName: string; valueLabels: ValueLabels }
  | { kind: 'evaluationRules' };

export type FieldSpec = FieldKind & {
  name: string;
  /** The column of the entity's table; for an enrollment's keys, of the student's and the course's. */
  column: string;
  presence: Presence;
  /** The export's header; an import reads both languages' labels as this field too. */
  label: Translated;
  /** Other headers an import reads as this field, besides its name and labels. */
  aliases: readonly string[];
  /** The API's example. */
  example?: unknown;
  /** What a `defaulted` field takes when left out, as the API documents it. */
  default?: unknown;
  /** Values that the API and an import both accept (valid) or both refuse (invalid); a test runs them through both. */
  examples: { valid: readonly unknown[]; invalid: readonly unknown[] };
  /**
   * False for a field one bulk change may not set on many records at once (`not_bulk_settable`):
   * a natural key or a unique value, which would then repeat, and so an enrollment's references.
   */
  bulkSettable?: false;
};

type FieldEntry = FieldSpec extends infer Spec ? (Spec extends unknown ? Omit<Spec, 'name'> : never) : never;

/**
 * Names each entry after its key; the key order is the import's field order, the natural key first.
 * Each entry keeps its literal kind and presence, from which the DTOs' property types follow.
 */
export function fieldCatalogue<const Entries extends Record<string, FieldEntry>>(entries: Entries): { readonly [Name in keyof Entries]: Entries[Name] & { name: Name } } {
  return Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, { ...entry, name }])) as never;
}

/** A catalogue as its readers take it, whatever its field names. */
export type Catalogue = Readonly<Record<string, FieldSpec>>;

/** An evaluation rule as the API and imports carry it. */
export interface EvaluationRuleValue {
  category: string;
  weight: number;
}

interface KindValues {
  text: string;
  email: string;
  phone: string;
  studentId: string;
  courseCode: string;
  date: string;
  integer: number;
  studyYear: number;
  boolean: boolean;
  evaluationRules: EvaluationRuleValue[];
}

/** The TypeScript type of a field's value: a status is one of its labelled values. */
export type FieldValue<Field extends FieldSpec> = Field extends { kind: 'status'; valueLabels: infer Labels }
  ? Extract<keyof Labels, string>
  : KindValues[Exclude<Field['kind'], 'status'>];

/** A value, or null where the field may have none. */
export type StoredValue<Field extends FieldSpec> = Field['presence'] extends 'nullable' ? FieldValue<Field> | null : FieldValue<Field>;

/** The SQL type a field's values are stored as; imports stage them so, and exports read their text so. */
export type StoredType = 'text' | 'date' | 'smallint' | 'boolean' | 'jsonb';

export const STORED_TYPES: Readonly<Record<FieldSpec['kind'], StoredType>> = {
  text: 'text',
  email: 'text',
  phone: 'text',
  studentId: 'text',
  courseCode: 'text',
  date: 'date',
  integer: 'smallint',
  studyYear: 'smallint',
  boolean: 'boolean',
  status: 'text',
  evaluationRules: 'jsonb',
};

/** A text one character over the limit: the invalid example of every text field. */
export const textLongerThan = (maxLength: number): string => 'x'.repeat(maxLength + 1);

/** A status's value labels, one for each value of its enum, which is then the field's value type. */
export const enumValueLabels = <Value extends string>(labels: Readonly<Record<Value, Translated>>): Readonly<Record<Value, Translated>> => labels;

export const yesNoLabels = (yes: Translated, no: Translated): ValueLabels => ({ true: yes, false: no });

export function valueLabelsOf(field: FieldSpec): ValueLabels | undefined {
  return field.kind === 'boolean' || field.kind === 'status' ? field.valueLabels : undefined;
}

export const FIRST_STUDY_YEAR = 1;
export const LAST_STUDY_YEAR = 6;

export const EMAIL_MAX_LENGTH = 254;
// One @, no spaces, and a domain of at least two non-empty labels.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/u;

export const PHONE_MAX_LENGTH = 30;
// At least one digit, so that a cell of dashes is not taken for a number.
export const PHONE_PATTERN = /^[\d +()./-]*\d[\d +()./-]*$/u;
export const PHONE_MESSAGE = 'may contain only digits, spaces and + ( ) - . /';

/** The address check of the API and of imports alike; the length is checked apart. */
export function isEmailAddress(value: string): boolean {
  return EMAIL_PATTERN.test(value);
}
