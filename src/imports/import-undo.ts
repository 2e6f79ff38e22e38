import { ImportEntity, ImportRecordOutcome } from './import.types';
import { beforeImageColumns } from './import-plan';
import { importTarget } from './import-targets';

/**
 * The set-based half of an undo and of the provenance list. The records one import wrote are the
 * ones it created (ids in the commit's created range whose created_at is the commit's timestamp)
 * and the ones it updated or restored (its rows of `import_changes`). A record whose updated_at is
 * no longer the commit's timestamp was changed afterwards: by the API, another import or an undo.
 */

const TABLES: Record<ImportEntity, string> = {
  [ImportEntity.Students]: 'students',
  [ImportEntity.Courses]: 'courses',
  [ImportEntity.Enrollments]: 'enrollments',
};

/** The natural key of a record as text; `t` is the record. */
const KEYS: Record<ImportEntity, string> = {
  [ImportEntity.Students]: 't.student_id',
  [ImportEntity.Courses]: 't.course_code',
  [ImportEntity.Enrollments]:
    "(select student_id from students where id = t.student_id) || ' / ' || (select course_code from courses where id = t.course_id)",
};

/**
 * A select of (record_id, outcome, source, row, changed) over what the import wrote. Parameters:
 * $1 the import's job id; the commit's row is joined as `c` from import_commits.
 */
function writtenRecordsSql(entity: ImportEntity): string {
  const table = TABLES[entity];
  return `select t.id as record_id, '${ImportRecordOutcome.Created}'::text as outcome,
        case when t.last_import_job_id = c.job_id then array_position(c.file_names, t.last_import_file) - 1 end as source,
        case when t.last_import_job_id = c.job_id then t.last_import_row end as row,
        t.updated_at <> c.written_at as changed
      from import_commits c join ${table} t on t.id between c.first_created_id and c.last_created_id and t.created_at = c.written_at
      where c.job_id = $1
    union all
    select t.id, b.outcome, b.source, b.row, t.updated_at <> c.written_at
      from import_commits c join import_changes b on b.job_id = c.job_id join ${table} t on t.id = b.record_id
      where c.job_id = $1`;
}

/** The written records (all, or only the changed ones), materialised for the statements below. */
export function writtenRecordsTableSql(entity: ImportEntity): string {
  return `create temp table import_written on commit drop as ${writtenRecordsSql(entity)}`;
}

export interface WrittenCount {
  outcome: ImportRecordOutcome;
  changed: boolean;
  count: number;
}

/** Counts of import_written, as WrittenCount rows. */
export const WRITTEN_TABLE_COUNTS_SQL = 'select outcome, changed, count(*)::integer as count from import_written group by outcome, changed';

/** The same counts without materialising the records. Parameter: $1 job id. */
export function writtenCountsSql(entity: ImportEntity): string {
  return `with written as (${writtenRecordsSql(entity)}) select outcome, changed, count(*)::integer as count from written group by outcome, changed`;
}

/** What an undo would do: the unchanged records by outcome, and the changed ones, which it leaves alone. */
export function undoCountsOf(rows: readonly WrittenCount[]): Record<ImportRecordOutcome | 'conflicts', number> {
  const counts = { [ImportRecordOutcome.Created]: 0, [ImportRecordOutcome.Updated]: 0, [ImportRecordOutcome.Restored]: 0, [ImportRecordOutcome.Deleted]: 0, conflicts: 0 };
  for (const row of rows) {
    if (row.changed) counts.conflicts += row.count;
    else counts[row.outcome] += row.count;
  }
  return counts;
}

/** Filters of the pages below: $2 outcome or null, $3 only changed records (boolean). */
const PAGE_FILTER = '($2::text is null or w.outcome = $2) and (not $3::boolean or w.changed)';

/** How many written records pass the filters. Parameters: $1 job id, $2, $3 as PAGE_FILTER. */
export function writtenCountSql(entity: ImportEntity): string {
  return `with written as (${writtenRecordsSql(entity)}) select count(*)::integer as total from written w where ${PAGE_FILTER}`;
}

/**
 * One page of written records with their key and source row, by record id. Parameters: $1 job id,
 * $2, $3 as PAGE_FILTER, $4 limit, $5 offset.
 */
export function writtenPageSql(entity: ImportEntity): string {
  return `with written as (${writtenRecordsSql(entity)})
    select w.record_id as "recordId", ${KEYS[entity]} as key, w.outcome, c.file_names[w.source + 1] as "fileName", w.row, w.changed, t.updated_at as "updatedAt"
    from written w join import_commits c on c.job_id = $1 join ${TABLES[entity]} t on t.id = w.record_id
    where ${PAGE_FILTER}
    order by w.record_id limit $4 offset $5`;
}

/**
 * The statements that undo an import: soft-delete what it created (over import_written), put back
 * the before-image of what it updated or restored (which re-deletes the restored ones and gives
 * back their provenance and updated_at), leaving the changed records alone. The before-images
 * are read without import_written, whose test of updated_at they repeat: a hash join of a million
 * rows saved. Parameter: $1 job id.
 */
export function undoSql(entity: ImportEntity): { deleteCreated: string; restoreBefores: string } {
  const table = TABLES[entity];
  const columns = beforeImageColumns(importTarget(entity)).map((column) => `"${column}"`);
  return {
    deleteCreated: `update ${table} t set deleted_at = now(), updated_at = now()
      from import_written w where w.record_id = t.id and w.outcome = '${ImportRecordOutcome.Created}' and not w.changed`,
    restoreBefores: `update ${table} t set ${columns.map((column) => `${column} = b.${column}`).join(', ')}
      from import_changes b join import_commits c on c.job_id = b.job_id
      where b.job_id = $1 and t.id = b.record_id and t.updated_at = c.written_at`,
  };
}

export function tableOf(entity: ImportEntity): string {
  return TABLES[entity];
}
