import { Catalogue, FieldSpec, FIRST_STUDY_YEAR, LAST_STUDY_YEAR, STORED_TYPES, StoredType } from '../common/fields/field-spec';
import { COURSE_FIELDS } from '../courses/course-fields.catalogue';
import { ENROLLMENT_FIELDS } from '../enrollments/enrollment-fields.catalogue';
import { ExportFilters, whereOf } from '../exports/export-filters';
import { ExportEntity } from '../exports/export.enums';
import type { MassChange } from '../imports/import.types';
import { ImportEntity } from '../imports/import.types';
import { STUDENT_FIELDS } from '../students/student-fields.catalogue';
import { BulkOperation } from './bulk.enums';

/**
 * The set-based half of bulk changes: which records a filter matches, what the change set makes
 * of each, and the statements that preview and write it. Every statement works on the whole
 * matching set at once, through the temporary table `bulk_matched` (one row per record).
 */

/** Field → value to store; field → amount to add to a number. Both checked by the catalogue's rules. */
export interface BulkChangeSet {
  set: Record<string, unknown>;
  increment: Record<string, number>;
}

/** One record of the sample: the changed fields before and after. */
export interface BulkSampleRecord {
  recordId: number;
  key: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** A record the change would make invalid: which field, why (an issue code as imports use), and the value it would take. */
export interface BulkInvalidRecord {
  recordId: number;
  key: string;
  field: string;
  code: 'out_of_range';
  message: string;
  value: number;
}

/** What a preview found; a commit finds it again and refuses if the matching set moved. */
export interface BulkFindings {
  matched: number;
  /** Records the commit would write: those that change, less those made invalid. */
  changing: number;
  /** Records the change would make invalid (left alone with onInvalid=skip). */
  invalid: number;
  /** Active students that the change makes inactive. */
  deactivated: number;
  sample: BulkSampleRecord[];
  /** The first invalid records, by record id and field; `total` counts them all. */
  invalidRecords: { total: number; items: BulkInvalidRecord[] };
  massChange: MassChange;
  /** What a delete of students or courses means for their enrollments; null otherwise. */
  enrollments: { affected: number; consequence: string } | null;
}

/** Where a bulk change of one entity reads and writes. */
interface BulkTarget {
  /** The export of the same records, whose filters a bulk change takes. */
  exportEntity: ExportEntity;
  table: string;
  /** The alias of `table` in `from`; the filters' SQL uses s (students), c (courses) and e (enrollments). */
  alias: string;
  from: string;
  /** The natural key as text, as the import's records list shows it. */
  key: string;
  catalogue: Catalogue;
  /** The noun of a record's enrollments' owner, for a delete's consequence; null for enrollments. */
  owner: { noun: string; column: string } | null;
}

const TARGETS: Record<ImportEntity, BulkTarget> = {
  [ImportEntity.Students]: {
    exportEntity: ExportEntity.Students,
    table: 'students',
    alias: 's',
    from: 'students s',
    key: 's.student_id',
    catalogue: STUDENT_FIELDS,
    owner: { noun: 'student', column: 'student_id' },
  },
  [ImportEntity.Courses]: {
    exportEntity: ExportEntity.Courses,
    table: 'courses',
    alias: 'c',
    from: 'courses c',
    key: 'c.course_code',
    catalogue: COURSE_FIELDS,
    owner: { noun: 'course', column: 'course_id' },
  },
  [ImportEntity.Enrollments]: {
    exportEntity: ExportEntity.Enrollments,
    table: 'enrollments',
    alias: 'e',
    from: 'enrollments e join students s on s.id = e.student_id join courses c on c.id = e.course_id',
    key: "s.student_id || ' / ' || c.course_code",
    catalogue: ENROLLMENT_FIELDS,
    owner: null,
  },
};

export function exportEntityOf(entity: ImportEntity): ExportEntity {
  return TARGETS[entity].exportEntity;
}

/** Fields a bulk change may not set on records of the entity. */
export function fixedFieldsOf(entity: ImportEntity): readonly string[] {
  return Object.values(TARGETS[entity].catalogue)
    .filter((spec) => spec.bulkSettable === false)
    .map((spec) => spec.name);
}

/** The whole-number range of a field that `increment` may change; undefined for any other field. */
export function incrementRangeOf(entity: ImportEntity, field: string): { minimum: number; maximum: number } | undefined {
  const spec: FieldSpec | undefined = TARGETS[entity].catalogue[field];
  if (spec === undefined || spec.bulkSettable === false) return undefined;
  if (spec.kind === 'integer') return { minimum: spec.minimum, maximum: spec.maximum };
  if (spec.kind === 'studyYear') return { minimum: FIRST_STUDY_YEAR, maximum: LAST_STUDY_YEAR };
  return undefined;
}

/** One field the change set writes: old_{index} and new_{index} in bulk_matched. */
interface ChangedColumn {
  field: string;
  column: string;
  type: StoredType;
  index: number;
  range?: { minimum: number; maximum: number };
}

/** A statement with its numbered parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

function changedColumnsOf(entity: ImportEntity, change: BulkChangeSet): ChangedColumn[] {
  const { catalogue } = TARGETS[entity];
  return [...Object.keys(change.set), ...Object.keys(change.increment)].map((field, index) => ({
    field,
    column: catalogue[field].column,
    type: STORED_TYPES[catalogue[field].kind],
    index,
    range: field in change.increment ? incrementRangeOf(entity, field) : undefined,
  }));
}

/**
 * Creates bulk_matched: every record the filter matches (hidden ones never), its key and
 * updated_at, for an update the old and new value of each changed field, and whether it changes
 * (`changes`) or would be made invalid (`invalid`).
 */
export function matchedTableSql(entity: ImportEntity, operation: BulkOperation, filter: ExportFilters, change: BulkChangeSet): Statement {
  const target = TARGETS[entity];
  const where = whereOf(target.exportEntity, { ...filter, includeDeleted: false });
  const params = [...where.params];
  const columns = operation === BulkOperation.Update ? changedColumnsOf(entity, change) : [];
  const selected = columns.map((column) => {
    const old = `${target.alias}."${column.column}"`;
    const amount = change.increment[column.field];
    params.push(amount === undefined ? valueParameter(column, change.set[column.field]) : amount);
    const value = amount === undefined ? `$${params.length}::${column.type}` : `${old} + $${params.length}::integer`;
    return `${old} as old_${column.index}, ${value} as new_${column.index}`;
  });
  const changes = operation === BulkOperation.Delete ? 'true' : columns.map((column) => `m.old_${column.index} is distinct from m.new_${column.index}`).join(' or ');
  const bounded = columns.filter((column) => column.range !== undefined);
  const invalid = bounded.length === 0 ? 'false' : bounded.map((column) => `coalesce(${outOfRange(column, 'm')}, false)`).join(' or ');
  return {
    sql: `create temp table bulk_matched on commit drop as
      select m.*, (${changes}) as changes, (${invalid}) as invalid
      from (select ${target.alias}.id, ${target.alias}.updated_at, ${target.key} as key${selected.map((column) => `, ${column}`).join('')}
            from ${target.from} where ${where.sql}) m`,
    params,
  };
}

function valueParameter(column: ChangedColumn, value: unknown): unknown {
  return column.type === 'jsonb' && value !== null ? JSON.stringify(value) : value;
}

function outOfRange(column: ChangedColumn, alias: string): string {
  const range = column.range as { minimum: number; maximum: number };
  return `${alias}.new_${column.index} not between ${range.minimum} and ${range.maximum}`;
}

/** The counts of bulk_matched and the digest of the matching set (ids and updated_at). */
export function countsSql(entity: ImportEntity, operation: BulkOperation, change: BulkChangeSet): string {
  const activity = operation === BulkOperation.Update && entity === ImportEntity.Students ? changedColumnsOf(entity, change).find((column) => column.field === 'isActive') : undefined;
  const deactivates = activity === undefined ? 'false' : `old_${activity.index} and not new_${activity.index}`;
  return `select count(*)::integer as matched,
      count(*) filter (where changes and not invalid)::integer as changing,
      count(*) filter (where invalid)::integer as invalid,
      count(*) filter (where changes and not invalid and ${deactivates})::integer as deactivated,
      md5(coalesce(string_agg(id::text || '@' || updated_at::text, ',' order by id), '')) as digest
    from bulk_matched`;
}

export interface MatchedCounts {
  matched: number;
  changing: number;
  invalid: number;
  deactivated: number;
  digest: string;
}

/** The first records that would change, with the changed fields before and after. Parameter: $1 limit. */
export function sampleSql(entity: ImportEntity, operation: BulkOperation, change: BulkChangeSet): string {
  const columns = operation === BulkOperation.Update ? changedColumnsOf(entity, change) : [];
  const object = (side: 'old' | 'new') => `jsonb_build_object(${columns.map((column) => `'${column.field}', ${side}_${column.index}`).join(', ')})`;
  const [before, after] = operation === BulkOperation.Update ? [object('old'), object('new')] : [`jsonb_build_object('deleted', false)`, `jsonb_build_object('deleted', true)`];
  return `select id as "recordId", key, ${before} as before, ${after} as after from bulk_matched where changes and not invalid order by id limit $1`;
}

/** Every (record, field) the change would put out of range, by record id and field. */
function invalidUnion(entity: ImportEntity, operation: BulkOperation, change: BulkChangeSet): string | null {
  const bounded = operation === BulkOperation.Update ? changedColumnsOf(entity, change).filter((column) => column.range !== undefined) : [];
  if (bounded.length === 0) return null;
  return bounded
    .map((column) => {
      const range = column.range as { minimum: number; maximum: number };
      const message = `${column.field} would be outside ${range.minimum}..${range.maximum}`;
      return `select id as "recordId", key, '${column.field}' as field, 'out_of_range' as code, '${message}' as message, new_${column.index} as value
        from bulk_matched m where coalesce(${outOfRange(column, 'm')}, false)`;
    })
    .join(' union all ');
}

/** The total and the first `$1` invalid records; null when the change cannot make any record invalid. */
export function invalidRecordsSql(entity: ImportEntity, operation: BulkOperation, change: BulkChangeSet): { total: string; page: string } | null {
  const union = invalidUnion(entity, operation, change);
  if (union === null) return null;
  return {
    total: `select count(*)::integer as total from (${union}) i`,
    page: `select * from (${union}) i order by "recordId", field limit $1`,
  };
}

/** A delete of students or courses: how many of their visible enrollments it hides, and what that means. */
export function enrollmentConsequenceSql(entity: ImportEntity, operation: BulkOperation): { sql: string; consequence: (affected: number) => string } | null {
  const owner = TARGETS[entity].owner;
  if (operation !== BulkOperation.Delete || owner === null) return null;
  return {
    sql: `select count(*)::integer as affected from enrollments e where e.deleted_at is null and e.${owner.column} in (select id from bulk_matched)`,
    consequence: (affected) =>
      `${affected} enrollments of these ${owner.noun}s stay stored as they are but are hidden (lists, exports, the enrollments API) while their ${owner.noun} is deleted, ` +
      `as when a ${owner.noun} is deleted through the API; restoring the ${owner.noun} or undoing this job shows them again.`,
  };
}

/** The ids the commit writes: what the before-images keep. */
export const WRITTEN_IDS_SQL = 'select id from bulk_matched where changes and not invalid';

/**
 * The write itself, on the records of bulk_matched that change and stay valid, stamping them with
 * the provenance assignments given. Parameters: those of the provenance.
 */
export function writeSql(entity: ImportEntity, operation: BulkOperation, change: BulkChangeSet, provenance: string): string {
  const { table } = TARGETS[entity];
  const assignments =
    operation === BulkOperation.Update ? changedColumnsOf(entity, change).map((column) => `"${column.column}" = m.new_${column.index}`) : ['"deleted_at" = now()'];
  return `update ${table} t set ${[...assignments, provenance, '"updated_at" = now()'].join(', ')}
    from bulk_matched m where m.id = t.id and m.changes and not m.invalid`;
}

export function tableOfTarget(entity: ImportEntity): string {
  return TARGETS[entity].table;
}
