import type { paths, Schemas } from './api';
import { fieldSpec, fieldsOf } from './field-labels';
import type { FieldSpec } from '../../src/common/fields/field-spec';

type Entity = Schemas['ImportEntity'];

/** What a bulk change does to the records its filter matches. */
export type BulkOperation = Schemas['BulkOperation'];

/** The export's options, which are not filters; includeDeleted is refused by bulk changes (deleted records are never matched). */
type NotAFilter = 'format' | 'fields' | 'lang' | 'bom' | 'includeDeleted';

/** A bulk change takes the filters of the entity's export (docs/bulk-changes.md, section 2): their names come from the spec. */
type FilterName<E extends Entity> = Exclude<keyof NonNullable<paths[`/api/v1/exports/${E}`]['get']['parameters']['query']>, NotAFilter>;

/** The catalogue field a filter compares, and for a date range which end it is. */
export interface FilterInput {
  of: Entity;
  field: string;
  bound?: 'from' | 'to';
}

/**
 * Every filter of each entity's export, in the order the page shows them. The type makes the
 * list complete: a filter added to or removed from the spec fails `npm run typecheck` here.
 */
const FILTERS: { [E in Entity]: Record<FilterName<E>, FilterInput> } = {
  students: {
    studyYear: { of: 'students', field: 'studyYear' },
    classDivision: { of: 'students', field: 'classDivision' },
    academicYear: { of: 'students', field: 'academicYear' },
    isActive: { of: 'students', field: 'isActive' },
    enrollmentDateFrom: { of: 'students', field: 'enrollmentDate', bound: 'from' },
    enrollmentDateTo: { of: 'students', field: 'enrollmentDate', bound: 'to' },
  },
  courses: {
    semester: { of: 'courses', field: 'semester' },
    isActive: { of: 'courses', field: 'isActive' },
  },
  enrollments: {
    studentId: { of: 'enrollments', field: 'studentId' },
    courseCode: { of: 'enrollments', field: 'courseCode' },
    status: { of: 'enrollments', field: 'status' },
    semester: { of: 'courses', field: 'semester' },
    academicYear: { of: 'students', field: 'academicYear' },
    classDivision: { of: 'students', field: 'classDivision' },
    enrolledAtFrom: { of: 'enrollments', field: 'enrolledAt', bound: 'from' },
    enrolledAtTo: { of: 'enrollments', field: 'enrolledAt', bound: 'to' },
  },
};

export interface BulkFilter extends FilterInput {
  name: string;
  spec: FieldSpec;
}

export function bulkFiltersOf(entity: Entity): BulkFilter[] {
  return Object.entries(FILTERS[entity] as Record<string, FilterInput>).flatMap(([name, input]) => {
    const spec = fieldSpec(input.of, input.field);
    return spec === undefined ? [] : [{ name, ...input, spec }];
  });
}

/** The fields a bulk change may set, in the catalogue's order: not those the catalogue marks `bulkSettable: false`. */
export function settableFieldsOf(entity: Entity): FieldSpec[] {
  return fieldsOf(entity).filter((spec) => spec.bulkSettable !== false);
}

/** Whole-number fields, which `increment` may add to. */
export function isIncrementable(spec: FieldSpec): boolean {
  return spec.kind === 'integer' || spec.kind === 'studyYear';
}

/**
 * The request value of what was typed for a field: numbers, yes/no and JSON as such; anything
 * that does not read as its kind is sent as typed, for the service to refuse with its reason.
 */
export function requestValue(spec: FieldSpec, text: string): unknown {
  const trimmed = text.trim();
  if (isIncrementable(spec)) return /^-?\d+$/u.test(trimmed) ? Number(trimmed) : text;
  if (spec.kind === 'boolean') return trimmed === 'true' ? true : trimmed === 'false' ? false : text;
  if (spec.kind === 'evaluationRules') {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
