import { COPY_NULL, copyField, CopyLines, plainCopyField } from './copy-text';
import { ImportEntity, IssueSeverity, RowIssue, SourceRecord } from './import.types';
import { ImportTarget } from './import-targets';
import { RepeatedValues } from './repeated-values';
import { ImportFileError } from './readers/import-file.error';
import { openSource, SourceDetection } from './readers/open-source';
import { ColumnMapping, MappedColumn, mapColumns } from './rows/column-mapping';
import { ImportMode } from './rows/import-mode';
import { createRowValidator, issueValue, RowValidator } from './rows/row-validator';

/** One stored file to stage. */
export interface StageSource {
  path: string;
  fileName: string;
  sheet?: string | null;
}

/** What staging learnt about one file. */
export interface StagedSource {
  detection: SourceDetection;
  columns: MappedColumn[];
  /** Row 0 issues: unknown, duplicate and missing columns. */
  headerIssues: RowIssue[];
  presentFields: Set<string>;
}

/** What reading and checking the rows needs. */
export interface StagedRowsOptions {
  entity: ImportEntity;
  target: ImportTarget;
  mode: ImportMode;
  /** Most data rows of all sources together. */
  maxRows: number;
  /** The server's date, YYYY-MM-DD: dates after it are in the future. */
  today: string;
  /** Rows the files probably hold, to size the repetition markers. */
  expectedRows: number;
}

/** Rows staged so far, and bytes of the current source read so far. */
export interface StagedRowsProgress {
  rows: number;
  sourceIndex: number;
  sourceBytes: number;
}

/** Receives each source's findings when its last row is staged, and the progress between batches. */
export interface StagedRowsListener {
  /** May throw to stop (cancellation). */
  progress(progress: StagedRowsProgress): Promise<void> | void;
  /** `rows`: the rows of this source and the ones before it. */
  sourceDone(staged: StagedSource, rows: number): void;
}

/** Where each field of a staged row stands in its COPY line (see stagingCopySql). */
const ORDINAL_AT = 0;
const SOURCE_AT = 1;
const ROW_AT = 2;
const VALID_AT = 3;
const HAS_WARNING_AT = 4;
const KEY_REPEATED_AT = 5;
const UNIQUE_REPEATED_AT = 6;
const ISSUES_AT = 7;
const VALUES_AT = 8;

/** How often (in rows) staging reports progress and looks for a cancellation. */
const PROGRESS_EVERY_ROWS = 20_000;

/** The column mapping of one file, remade when a JSON file reveals new keys. */
class SourceColumns {
  private mapping: ColumnMapping | null = null;
  private headerCount = -1;
  readonly issues = new Map<string, RowIssue>();
  readonly presentFields = new Set<string>();
  validator: RowValidator | null = null;

  constructor(private readonly options: StagedRowsOptions) {}

  /** The validator for the headers of this batch. */
  validatorFor(headers: readonly string[]): RowValidator {
    if (headers.length !== this.headerCount || this.validator === null) {
      const { mapping, issues } = mapColumns(this.options.entity, headers, this.options.mode);
      // Issues accumulate: a JSON file whose first record lacks a required key stays refused.
      for (const issue of issues) this.issues.set(`${issue.code}\u0000${issue.column ?? ''}\u0000${issue.field ?? ''}`, issue);
      for (const field of mapping.fieldColumns.keys()) this.presentFields.add(field);
      this.mapping = mapping;
      this.headerCount = headers.length;
      this.validator = createRowValidator(this.options.entity, mapping, { today: this.options.today });
    }
    return this.validator;
  }

  /** The issue of a record the reader refused, placed in its column when the reader named one. */
  parseIssue({ row, cells }: SourceRecord, parseError: NonNullable<SourceRecord['parseError']>): RowIssue {
    const column = parseError.column === undefined ? undefined : this.mapping?.columns[parseError.column];
    return {
      row,
      column: column?.header ?? null,
      field: column?.field ?? null,
      severity: IssueSeverity.Error,
      code: parseError.code,
      message: parseError.message,
      value: parseError.column === undefined ? null : issueValue(cells[parseError.column]),
    };
  }

  get columns(): MappedColumn[] {
    return this.mapping?.columns ?? [];
  }

  /**
   * Every header issue seen. A required JSON key that appears only after the first batch stays a
   * missing_column error: the records before it were checked without it.
   */
  get headerIssues(): RowIssue[] {
    return [...this.issues.values()];
  }
}

function issueJson(issues: readonly RowIssue[]): string {
  return copyField(issues.map(({ column, field, severity, code, message, value }) => ({ column, field, severity, code, message, value })));
}

/**
 * Every record of every source as `import_stage` COPY text (see stagingCopySql), a batch at a
 * time: valid rows with their values, invalid ones with their issues only. The rows keep the
 * order of the files, which ordinal numbers from 1 across all of them.
 */
export async function* stagedRows(sources: readonly StageSource[], options: StagedRowsOptions, listener: StagedRowsListener): AsyncGenerator<Buffer> {
  let ordinal = 0;
  let nextProgressAt = PROGRESS_EVERY_ROWS;
  const fieldCount = options.target.columns.length;
  const nulls = Array.from({ length: fieldCount }, () => COPY_NULL).join('\t');
  const { repeatedKey, repeatedUnique } = repetitionMarkers(options.target, options.expectedRows);
  const lines = new CopyLines();
  /**
   * The COPY fields of the current valid row, from `ordinal` to the last value: one join makes
   * the line, which costs less than joining the values and then concatenating the rest to them.
   */
  const line = new Array<string | number>(VALUES_AT + fieldCount);
  line[VALID_AT] = 't';

  for (const [sourceIndex, source] of sources.entries()) {
    let sourceBytes = 0;
    const opened = await openSource(source.path, { fileName: source.fileName, sheet: source.sheet ?? undefined, onBytesRead: (bytes) => (sourceBytes = bytes) });
    const columns = new SourceColumns(options);
    line[SOURCE_AT] = sourceIndex;
    for await (const batch of opened.batches) {
      const validator = columns.validatorFor(batch.headers);
      const encode = batch.plainText === true ? plainCopyField : copyField;
      for (const record of batch.records) {
        ordinal += 1;
        if (ordinal > options.maxRows) {
          throw new ImportFileError('too_many_rows', `The import has more than ${options.maxRows} data rows (IMPORT_MAX_ROWS); split the file.`, 422);
        }
        if (record.parseError !== undefined) {
          lines.pushLine(`${ordinal}\t${sourceIndex}\t${record.row}\tf\tf\tf\tf\t${issueJson([columns.parseIssue(record, record.parseError)])}\t${nulls}`);
          continue;
        }
        const { values, issues } = validator(record.cells, record.row);
        const issuesField = issues.length === 0 ? COPY_NULL : issueJson(issues);
        if (values === null) {
          lines.pushLine(`${ordinal}\t${sourceIndex}\t${record.row}\tf\tf\tf\tf\t${issuesField}\t${nulls}`);
          continue;
        }
        line[ORDINAL_AT] = ordinal;
        line[ROW_AT] = record.row;
        line[HAS_WARNING_AT] = issues.length === 0 ? 'f' : 't';
        line[KEY_REPEATED_AT] = repeatedKey(values) ? 't' : 'f';
        line[UNIQUE_REPEATED_AT] = repeatedUnique(values) ? 't' : 'f';
        line[ISSUES_AT] = issuesField;
        for (let index = 0; index < fieldCount; index += 1) line[VALUES_AT + index] = encode(values[index]);
        lines.pushLine(line.join('\t'));
      }
      yield lines.take();
      if (ordinal >= nextProgressAt) {
        nextProgressAt = ordinal + PROGRESS_EVERY_ROWS;
        await listener.progress({ rows: ordinal, sourceIndex, sourceBytes });
      }
    }
    listener.sourceDone({ detection: opened.detection, columns: columns.columns, headerIssues: columns.headerIssues, presentFields: columns.presentFields }, ordinal);
  }
}

/**
 * Two markers over the validated values of each row: does its key, and does its unique value, maybe
 * repeat an earlier row's (of any source of the import)? A row that repeats nothing is certain not
 * to be a duplicate, so the plan compares only the marked ones.
 */
function repetitionMarkers(
  target: ImportTarget,
  expectedRows: number,
): { repeatedKey: (values: readonly unknown[]) => boolean; repeatedUnique: (values: readonly unknown[]) => boolean } {
  const positionOf = (field: string) => target.columns.findIndex((column) => column.field === field);
  const keyPositions = target.keyFields.map(positionOf);
  // Sized for the rows the files may hold, so that the sets rarely grow.
  const keys = new RepeatedValues(expectedRows);
  const [firstKey] = keyPositions;
  const repeatedKey =
    keyPositions.length === 1
      ? (values: readonly unknown[]) => keys.repeats(String(values[firstKey]))
      : (values: readonly unknown[]) => keys.repeats(keyPositions.map((position) => String(values[position])).join('\u0000'));
  if (target.uniqueField === undefined) return { repeatedKey, repeatedUnique: () => false };
  const uniquePosition = positionOf(target.uniqueField);
  const uniques = new RepeatedValues(expectedRows);
  return { repeatedKey, repeatedUnique: (values) => typeof values[uniquePosition] === 'string' && uniques.repeats(values[uniquePosition]) };
}
