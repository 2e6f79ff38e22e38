import { createHash } from 'node:crypto';
import { ImportEntity, IssueSeverity, MassChange } from './import.types';
import { columnOf, ImportTarget, TargetColumn } from './import-targets';
import { ImportMode } from './rows/import-mode';

/**
 * The set-based half of an import. Validated rows are copied into the temporary `import_stage`;
 * these statements decide, for every staged row at once, what the import does with it
 * (`import_plan`), describe the rows it will not write as issues, and apply the plan. Both the
 * preview and the commit run the same statements, so a commit does what its preview showed.
 */

/** What an import does with one valid row. */
export enum RowOutcome {
  Create = 'create',
  Update = 'update',
  /** An update of a soft-deleted record, which the import restores. */
  Restore = 'restore',
  Unchanged = 'unchanged',
  Duplicate = 'duplicate',
  DuplicateUnique = 'duplicate_unique',
  UniqueTaken = 'unique_taken',
  NotFound = 'not_found',
  AlreadyExists = 'already_exists',
  UnknownStudent = 'unknown_student',
  UnknownCourse = 'unknown_course',
}

export interface ImportSummary {
  totalRows: number;
  validRows: number;
  invalidRows: number;
  warningRows: number;
  create: number;
  update: number;
  unchanged: number;
  skip: number;
}

export const SUMMARY_KEYS: readonly (keyof ImportSummary)[] = ['totalRows', 'validRows', 'invalidRows', 'warningRows', 'create', 'update', 'unchanged', 'skip'];

/** Outcomes that make a valid row invalid: the database would refuse it. */
const ERROR_OUTCOMES: ReadonlySet<RowOutcome> = new Set([RowOutcome.DuplicateUnique, RowOutcome.UniqueTaken]);
/** Outcomes of valid rows that are left out. */
const SKIP_OUTCOMES: ReadonlySet<RowOutcome> = new Set([
  RowOutcome.Duplicate,
  RowOutcome.NotFound,
  RowOutcome.AlreadyExists,
  RowOutcome.UnknownStudent,
  RowOutcome.UnknownCourse,
]);

/** Issue codes of the rows that are not written although they are valid, for the rejected-rows download. */
export const SKIP_ISSUE_CODES: readonly string[] = ['duplicate_in_file', 'not_found', 'already_exists', 'unknown_student', 'unknown_course'];

export interface OutcomeCounts {
  /** Rows staged, valid or not. */
  staged: number;
  /** Rows the readers or validators refused. */
  invalid: number;
  /** Valid rows with a warning of their own (validators) or of their outcome. */
  warningRows: number;
  outcomes: Partial<Record<RowOutcome, number>>;
}

export function summarize(counts: OutcomeCounts): ImportSummary {
  const count = (outcome: RowOutcome) => counts.outcomes[outcome] ?? 0;
  const refusedByDatabase = [...ERROR_OUTCOMES].reduce((total, outcome) => total + count(outcome), 0);
  const invalidRows = counts.invalid + refusedByDatabase;
  return {
    totalRows: counts.staged,
    validRows: counts.staged - invalidRows,
    invalidRows,
    warningRows: counts.warningRows,
    create: count(RowOutcome.Create),
    update: count(RowOutcome.Update) + count(RowOutcome.Restore),
    unchanged: count(RowOutcome.Unchanged),
    skip: [...SKIP_OUTCOMES].reduce((total, outcome) => total + count(outcome), 0),
  };
}

/** The fields whose counts differ between two summaries, as `field: before → after`. */
export function summaryDifferences(before: ImportSummary, after: ImportSummary): string[] {
  return SUMMARY_KEYS.filter((key) => before[key] !== after[key]).map((key) => `${key}: ${before[key]} → ${after[key]}`);
}

const quote = (identifier: string): string => `"${identifier}"`;

export function stagingTableSql(target: ImportTarget): string {
  const columns = target.columns.map((column) => `${quote(column.column)} ${column.type}`).join(', ');
  // ordinal orders rows across files; (source, row) says where a row came from. key_repeated and
  // unique_repeated mark the rows whose key or unique value may have appeared on an earlier row.
  return `create temp table import_stage (ordinal bigint not null, source smallint not null, row integer not null, valid boolean not null, has_warning boolean not null, key_repeated boolean not null, unique_repeated boolean not null, issues jsonb, ${columns}) on commit drop`;
}

export function stagingCopySql(target: ImportTarget): string {
  return `copy import_stage (ordinal, source, row, valid, has_warning, key_repeated, unique_repeated, issues, ${target.columns.map((column) => quote(column.column)).join(', ')}) from stdin`;
}

/** The value a present column takes on an existing record: an empty cell clears it unless it cannot be empty. */
function updatedValue(column: TargetColumn): string {
  const staged = `s.${quote(column.column)}`;
  return column.defaultWhenEmpty === undefined ? staged : `coalesce(${staged}, t.${quote(column.column)})`;
}

/** Present, non-key columns that an update writes and that decide whether a row is unchanged. */
function writableColumns(target: ImportTarget, presentFields: ReadonlySet<string>): TargetColumn[] {
  return target.columns.filter((column) => presentFields.has(column.field) && !target.keyFields.includes(column.field));
}

function unchangedCondition(target: ImportTarget, presentFields: ReadonlySet<string>): string {
  const comparisons = writableColumns(target, presentFields).map((column) => `t.${quote(column.column)} is not distinct from ${updatedValue(column)}`);
  return comparisons.length === 0 ? 'true' : comparisons.join(' and ');
}

/** The shared tail of the outcome: what happens to a row that found (or did not find) its record. */
function existingRecordOutcome(target: ImportTarget, presentFields: ReadonlySet<string>, mode: ImportMode): string {
  return `when t.id is null then ${mode === ImportMode.Update ? `'${RowOutcome.NotFound}'` : `'${RowOutcome.Create}'`}
      when t.deleted_at is not null then '${RowOutcome.Restore}'
      when ${mode === ImportMode.Create ? 'true' : 'false'} then '${RowOutcome.AlreadyExists}'
      when ${unchangedCondition(target, presentFields)} then '${RowOutcome.Unchanged}'
      else '${RowOutcome.Update}'`;
}

/**
 * Statements that build `import_plan (ordinal, source, row, has_warning, outcome, existing_id, related_ordinal, owner_key,
 * student_ref, course_ref, deactivates)`; `deactivates` marks rows that would turn an active student inactive.
 * The duplicate searches group only the values of rows staging marked as possibly repeated, so a
 * file without duplicates costs two scans instead of two aggregates over every row. Each table is
 * analyzed as soon as it is built: without statistics PostgreSQL guesses a thousand rows for an
 * empty table and hashes the million-row side of every join.
 */
export function planSql(target: ImportTarget, presentFields: ReadonlySet<string>, mode: ImportMode): string[] {
  const keys = target.keyFields.map((field) => quote(columnOf(target, field).column));
  const keyList = keys.join(', ');
  const keyJoin = keys.map((key) => `d.${key} = s.${key}`).join(' and ');
  const statements = [
    `create temp table import_duplicate_keys on commit drop as select ${keyList}, min(ordinal) as first_ordinal from import_stage
      where valid and (${keyList}) in (select ${keyList} from import_stage where key_repeated) group by ${keyList} having count(*) > 1`,
    'analyze import_duplicate_keys',
  ];
  if (target.uniqueField !== undefined) {
    const unique = quote(columnOf(target, target.uniqueField).column);
    const key = keys[0];
    // Only values given to more than one record; the same record twice is a duplicate key instead.
    statements.push(
      `create temp table import_duplicate_uniques on commit drop as select ${unique}, min(ordinal) as first_ordinal from import_stage
        where valid and ${unique} in (select ${unique} from import_stage where unique_repeated) group by ${unique} having min(${key}) <> max(${key})`,
      'analyze import_duplicate_uniques',
    );
  }
  statements.push(
    target.entity === ImportEntity.Enrollments ? enrollmentPlanSql(target, presentFields, mode, keyJoin) : recordPlanSql(target, presentFields, mode, keyJoin),
    'analyze import_plan',
  );
  return statements;
}

function recordPlanSql(target: ImportTarget, presentFields: ReadonlySet<string>, mode: ImportMode, keyJoin: string): string {
  const key = quote(columnOf(target, target.keyFields[0]).column);
  const unique = target.uniqueField === undefined ? null : quote(columnOf(target, target.uniqueField).column);
  const table = quote(target.table);
  // An empty isActive cell keeps the stored value, so only an explicit false deactivates.
  const deactivates = target.entity === ImportEntity.Students && presentFields.has('isActive') ? 'coalesce(t.is_active and not s.is_active, false)' : 'false';
  return `create temp table import_plan on commit drop as
    select s.ordinal, s.source, s.row, s.has_warning,
      case
        when d.first_ordinal < s.ordinal then '${RowOutcome.Duplicate}'
        ${unique === null ? '' : `when u.first_ordinal < s.ordinal then '${RowOutcome.DuplicateUnique}'
        when owner.id is not null then '${RowOutcome.UniqueTaken}'`}
        ${existingRecordOutcome(target, presentFields, mode)}
      end as outcome,
      t.id as existing_id,
      coalesce(d.first_ordinal, ${unique === null ? 'null' : 'u.first_ordinal'}) as related_ordinal,
      ${unique === null ? 'null::text' : `owner.${key}`} as owner_key,
      null::integer as student_ref,
      null::integer as course_ref,
      ${deactivates} as deactivates
    from import_stage s
    left join import_duplicate_keys d on ${keyJoin}
    ${unique === null ? '' : `left join import_duplicate_uniques u on u.${unique} = s.${unique}
    left join ${table} owner on owner.${unique} = s.${unique} and owner.${key} <> s.${key}`}
    left join ${table} t on t.${key} = s.${key}
    where s.valid`;
}

function enrollmentPlanSql(target: ImportTarget, presentFields: ReadonlySet<string>, mode: ImportMode, keyJoin: string): string {
  return `create temp table import_plan on commit drop as
    select s.ordinal, s.source, s.row, s.has_warning,
      case
        when d.first_ordinal < s.ordinal then '${RowOutcome.Duplicate}'
        when student.id is null then '${RowOutcome.UnknownStudent}'
        when course.id is null then '${RowOutcome.UnknownCourse}'
        ${existingRecordOutcome(target, presentFields, mode)}
      end as outcome,
      t.id as existing_id,
      d.first_ordinal as related_ordinal,
      null::text as owner_key,
      student.id as student_ref,
      course.id as course_ref,
      false as deactivates
    from import_stage s
    left join import_duplicate_keys d on ${keyJoin}
    left join students student on student.student_id = s.student_key and student.deleted_at is null
    left join courses course on course.course_code = s.course_key and course.deleted_at is null
    left join enrollments t on t.student_id = student.id and t.course_id = course.id
    where s.valid`;
}

/**
 * Counts by source in one pass over each table: the staged and invalid rows, and the planned rows
 * by outcome and by whether the row has a warning of its own. Each plan group also carries the
 * XOR of a 64-bit hash of each of its rows' writes (row, record changed, student and course
 * referenced): nearly free to compute, and any change in what the plan writes changes it.
 * Rows: (source, outcome, has_warning, count, digest).
 */
export function countsSql(): string {
  const rowWrite = `hashint8extended(p.ordinal, hashint8extended((coalesce(p.existing_id, 0)::bigint << 32) | coalesce(p.student_ref, 0), coalesce(p.course_ref, 0)))`;
  return `select staged.source, kind.outcome, false as has_warning, kind.count, '0' as digest
      from (select source, count(*)::integer as rows, (count(*) filter (where not valid))::integer as invalid from import_stage group by source) staged
      cross join lateral (values ('staged', staged.rows), ('invalid', staged.invalid)) as kind(outcome, count)
    union all select source, outcome, has_warning, count(*)::integer, bit_xor(${rowWrite})::text from import_plan p group by source, outcome, has_warning`;
}

/** Outcomes whose rows count as warning rows even without a warning of their own. */
const WARNING_OUTCOMES: ReadonlySet<string> = new Set([...SKIP_OUTCOMES, RowOutcome.Restore]);

export interface CountsRow {
  source: number;
  outcome: string;
  has_warning: boolean;
  count: number;
  digest: string;
}

/** The counts of each source (index = source), and the digest of each source's plan. */
export function countsFrom(rows: readonly CountsRow[], sources: number): { counts: OutcomeCounts[]; digests: string[] } {
  const counts = Array.from({ length: sources }, (): OutcomeCounts => ({ staged: 0, invalid: 0, warningRows: 0, outcomes: {} }));
  const hashes = Array.from({ length: sources }, () => new Map<string, bigint>());
  for (const { source, outcome, has_warning: hasWarning, count, digest } of rows) {
    const of = counts[source];
    if (outcome === 'staged') of.staged = count;
    else if (outcome === 'invalid') of.invalid = count;
    else {
      const planned = outcome as RowOutcome;
      of.outcomes[planned] = (of.outcomes[planned] ?? 0) + count;
      // A row the database refuses is invalid, not a warning row.
      if (!ERROR_OUTCOMES.has(planned) && (hasWarning || WARNING_OUTCOMES.has(planned))) of.warningRows += count;
      hashes[source].set(planned, (hashes[source].get(planned) ?? 0n) ^ BigInt(digest));
    }
  }
  // The outcome is part of the digest: a row moving from one outcome to another changes it.
  const digests = hashes.map((byOutcome) => {
    const described = [...byOutcome.entries()].map(([outcome, hash]) => `${outcome}:${hash}`).sort();
    return createHash('sha256').update(described.join('\n')).digest('hex').slice(0, 40);
  });
  return { counts, digests };
}

interface OutcomeIssue {
  outcome: RowOutcome;
  severity: IssueSeverity;
  code: string;
  /** The field the issue is about; its column header comes from the mapping. */
  field: (target: ImportTarget) => string;
  /** SQL text of the value shown; `s` is the staged row. */
  value: (target: ImportTarget) => string;
  /** SQL text of the message; `first` is the related row, `p` the plan row. */
  message: (target: ImportTarget) => string;
}

const keyValue = (target: ImportTarget): string => target.keyFields.map((field) => `s.${quote(columnOf(target, field).column)}`).join(` || ' / ' || `);
const keyLabel = (target: ImportTarget): string => target.keyFields.join(' and ');
const singular: Record<string, string> = { students: 'student', courses: 'course', enrollments: 'enrollment' };
/** "row 4", or "row 4 of other.csv" when the first occurrence is in another file of the same import. */
const firstRow = `'row ' || first.row || case when first.source <> s.source then ' of ' || names.file_names[first.source + 1] else '' end`;

const OUTCOME_ISSUES: readonly OutcomeIssue[] = [
  {
    outcome: RowOutcome.Duplicate,
    severity: IssueSeverity.Warning,
    code: 'duplicate_in_file',
    field: (target) => target.keyFields[0],
    value: keyValue,
    message: (target) => `'The same ${keyLabel(target)} appears first on ' || ${firstRow} || '; the first occurrence wins and this row is skipped.'`,
  },
  {
    outcome: RowOutcome.DuplicateUnique,
    severity: IssueSeverity.Error,
    code: 'duplicate_email_in_file',
    field: (target) => target.uniqueField ?? target.keyFields[0],
    value: (target) => `s.${quote(columnOf(target, target.uniqueField ?? target.keyFields[0]).column)}`,
    message: () => `'This email is also given to another student on ' || ${firstRow} || '; an email belongs to one student. Correct one of the two rows.'`,
  },
  {
    outcome: RowOutcome.UniqueTaken,
    severity: IssueSeverity.Error,
    code: 'email_taken',
    field: (target) => target.uniqueField ?? target.keyFields[0],
    value: (target) => `s.${quote(columnOf(target, target.uniqueField ?? target.keyFields[0]).column)}`,
    message: () => `'This email already belongs to student ' || p.owner_key || '; the import never moves an email from one student to another.'`,
  },
  {
    outcome: RowOutcome.NotFound,
    severity: IssueSeverity.Warning,
    code: 'not_found',
    field: (target) => target.keyFields[0],
    value: keyValue,
    message: (target) => `'No ${singular[target.entity]} has this ${keyLabel(target)}; mode update does not create records, so this row is skipped.'`,
  },
  {
    outcome: RowOutcome.AlreadyExists,
    severity: IssueSeverity.Warning,
    code: 'already_exists',
    field: (target) => target.keyFields[0],
    value: keyValue,
    message: (target) => `'A ${singular[target.entity]} with this ${keyLabel(target)} already exists; mode create does not change it, so this row is skipped.'`,
  },
  {
    outcome: RowOutcome.Restore,
    severity: IssueSeverity.Warning,
    code: 'restores_deleted',
    field: (target) => target.keyFields[0],
    value: keyValue,
    message: (target) => `'This ${singular[target.entity]} was deleted; the import restores it with the values of this row.'`,
  },
  {
    outcome: RowOutcome.UnknownStudent,
    severity: IssueSeverity.Warning,
    code: 'unknown_student',
    field: () => 'studentId',
    value: () => 's.student_key',
    message: () => `'No student has this studentId (or that student is deleted); import the student first. This row is skipped.'`,
  },
  {
    outcome: RowOutcome.UnknownCourse,
    severity: IssueSeverity.Warning,
    code: 'unknown_course',
    field: () => 'courseCode',
    value: () => 's.course_key',
    message: () => `'No course has this courseCode (or that course is deleted); import the course first. This row is skipped.'`,
  },
];

/**
 * Inserts the issues of the plan for the rows of one stage. Parameters: $1 preview ids by source
 * (uuid[]), $2 file names by source (text[]), $3 column headers by field (jsonb).
 */
export function planIssuesSql(target: ImportTarget, outcomes: ReadonlySet<RowOutcome>): string[] {
  return OUTCOME_ISSUES.filter((issue) => outcomes.has(issue.outcome)).map(
    (issue) => `insert into import_issues (preview_id, row, "column", field, severity, code, message, value)
      select ($1::uuid[])[s.source + 1], s.row, $3::jsonb ->> '${issue.field(target)}', '${issue.field(target)}', '${issue.severity}', '${issue.code}',
        ${issue.message(target)}, ${issue.value(target)}
      from import_plan p
      join import_stage s on s.ordinal = p.ordinal
      left join import_stage first on first.ordinal = p.related_ordinal
      cross join (select $2::text[] as file_names) names
      where p.outcome = '${issue.outcome}'`,
  );
}

/** Inserts the issues the readers and validators attached to staged rows. Parameter: $1 preview ids by source. */
export function stagedIssuesSql(): string {
  return `insert into import_issues (preview_id, row, "column", field, severity, code, message, value)
    select ($1::uuid[])[s.source + 1], s.row, issue."column", issue.field, issue.severity, issue.code, issue.message, issue.value
    from import_stage s, jsonb_to_recordset(s.issues) as issue("column" text, field text, severity text, code text, message text, value text)
    where s.issues is not null
    order by s.ordinal`;
}

export interface ApplyStatements {
  /** Answers the count and the id range of the records it created. */
  insert: string;
  update: string;
}

/** Provenance columns, set on every record an import writes. Parameters: $1 job id, $2 file names by source. */
export const PROVENANCE_COLUMNS = ['last_import_job_id', 'last_import_file', 'last_import_row'];
const PROVENANCE_VALUES = ['$1::uuid', '($2::text[])[s.source + 1]', 's.row'];

/** Columns a new record gets from the file: the present ones, and those that take a default when empty. */
export function insertedColumns(target: ImportTarget, presentFields: ReadonlySet<string>): TargetColumn[] {
  return target.columns.filter((column) => presentFields.has(column.field) || column.defaultWhenEmpty !== undefined);
}

/**
 * The two statements that write the plan: new records, then changed and restored ones. Both stamp
 * the records with their provenance (parameters: $1 job id, $2 file names by source).
 */
export function applySql(target: ImportTarget, presentFields: ReadonlySet<string>): ApplyStatements {
  const table = quote(target.table);
  const inserted = insertedColumns(target, presentFields);
  const insertValue = (column: TargetColumn): string => {
    const staged = presentFields.has(column.field) ? `s.${quote(column.column)}` : 'null';
    return column.defaultWhenEmpty === undefined ? staged : `coalesce(${staged}, ${column.defaultWhenEmpty})`;
  };
  const isEnrollment = target.entity === ImportEntity.Enrollments;
  const insertColumns = isEnrollment
    ? ['student_id', 'course_id', ...inserted.filter((column) => !target.keyFields.includes(column.field)).map((column) => column.column)]
    : inserted.map((column) => column.column);
  const insertValues = isEnrollment
    ? ['p.student_ref', 'p.course_ref', ...inserted.filter((column) => !target.keyFields.includes(column.field)).map(insertValue)]
    : inserted.map(insertValue);
  const insert = `with inserted as (
      insert into ${table} (${[...insertColumns, ...PROVENANCE_COLUMNS].map(quote).join(', ')}, "created_at", "updated_at")
      select ${[...insertValues, ...PROVENANCE_VALUES].join(', ')}, now(), now()
      from import_plan p join import_stage s on s.ordinal = p.ordinal
      where p.outcome = '${RowOutcome.Create}'
      returning id)
    select count(*)::integer as count, min(id) as first_id, max(id) as last_id from inserted`;
  const assignments = [
    ...writableColumns(target, presentFields).map((column) => `${quote(column.column)} = ${updatedValue(column)}`),
    ...PROVENANCE_COLUMNS.map((column, index) => `${quote(column)} = ${PROVENANCE_VALUES[index]}`),
  ];
  const update = `update ${table} t set ${[...assignments, '"deleted_at" = null', '"updated_at" = now()'].join(', ')}
    from import_plan p join import_stage s on s.ordinal = p.ordinal
    where p.outcome in ('${RowOutcome.Update}', '${RowOutcome.Restore}') and t.id = p.existing_id`;
  return { insert, update };
}

/** Columns of a record that an update by an import can change, so the before-image keeps them. */
export function beforeImageColumns(target: ImportTarget): string[] {
  const fields = target.columns.filter((column) => !target.keyFields.includes(column.field)).map((column) => column.column);
  return [...fields, 'deleted_at', 'updated_at', ...PROVENANCE_COLUMNS];
}

/**
 * Keeps the prior values of every record the plan updates or restores, before the update runs.
 * A copy of typed columns: building a jsonb per row cost seven times as much. Parameter: $1 job id.
 */
export function beforeImagesSql(target: ImportTarget): string {
  const columns = beforeImageColumns(target).map(quote);
  return `insert into import_changes (job_id, record_id, outcome, source, row, ${columns.join(', ')})
    select $1::uuid, t.id, case p.outcome when '${RowOutcome.Restore}' then 'restored' else 'updated' end, p.source, p.row, ${columns.map((column) => `t.${column}`).join(', ')}
    from import_plan p join ${quote(target.table)} t on t.id = p.existing_id
    where p.outcome in ('${RowOutcome.Update}', '${RowOutcome.Restore}')`;
}

/** Answers (existing, deactivated) for the mass-change guard; run after planSql. */
export function massChangeSql(target: ImportTarget): string {
  return `select (select count(*) from ${quote(target.table)})::integer as existing,
    (select count(*) from import_plan where deactivates and outcome = '${RowOutcome.Update}')::integer as deactivated`;
}

export function massChangeOf(existing: number, changed: number, deactivated: number, thresholdPercent: number): MassChange {
  const percent = existing === 0 ? (changed === 0 ? 0 : 100) : Math.round((changed * 1000) / existing) / 10;
  return { existing, changed, percent, thresholdPercent, deactivated, confirmationNeeded: changed * 100 > thresholdPercent * existing || deactivated > 0 };
}
