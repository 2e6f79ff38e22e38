import type { Schemas } from './api';
import type { Locale } from './i18n';
import { valueLabelsOf, type Catalogue, type FieldSpec } from '../../src/common/fields/field-spec';
import { COURSE_FIELDS } from '../../src/courses/course-fields.catalogue';
import { ENROLLMENT_FIELDS } from '../../src/enrollments/enrollment-fields.catalogue';
import { ExportLanguage } from '../../src/exports/export.enums';
import { STUDENT_FIELDS } from '../../src/students/student-fields.catalogue';

/**
 * The console reads the service's own field catalogues (plain data, bundled at build time) rather
 * than keeping a copy: the API does not answer field labels, and the catalogues are where each
 * field's labels and limits are stated once. Exports write the same labels.
 */
const CATALOGUES: Record<Schemas['ImportEntity'], Catalogue> = { students: STUDENT_FIELDS, courses: COURSE_FIELDS, enrollments: ENROLLMENT_FIELDS };
const LANGUAGES: Record<Locale, ExportLanguage> = { en: ExportLanguage.English, el: ExportLanguage.Greek };

/** The entity's fields in the catalogue's order (the natural key first). */
export function fieldsOf(entity: Schemas['ImportEntity']): FieldSpec[] {
  return Object.values(CATALOGUES[entity]);
}

export function fieldSpec(entity: Schemas['ImportEntity'], field: string | null): FieldSpec | undefined {
  return field === null || !Object.hasOwn(CATALOGUES[entity], field) ? undefined : CATALOGUES[entity][field];
}

/** A field's label in the console's language; the Greek labels of the registration spreadsheet end in a colon, which a sentence does not want. */
export function fieldLabel(entity: Schemas['ImportEntity'], field: string, locale: Locale): string {
  const label = fieldSpec(entity, field)?.label[LANGUAGES[locale]];
  return label === undefined ? field : label.replace(/:$/u, '');
}

/** A stored value as the console shows it: a yes/no or status in the language's label (as exports write it), nothing for null. */
export function fieldValueText(spec: FieldSpec | undefined, value: unknown, locale: Locale): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return JSON.stringify(value);
  const text = String(value);
  const labels = spec === undefined ? undefined : valueLabelsOf(spec);
  return labels !== undefined && Object.hasOwn(labels, text) ? labels[text][LANGUAGES[locale]] : text;
}
