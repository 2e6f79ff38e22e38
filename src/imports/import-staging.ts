import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_NULL, copyField } from './copy-text';
import { ImportEntity, IssueSeverity, RowIssue } from './import.types';
import { ImportTarget } from './import-targets';
import { stagingCopySql, stagingTableSql } from './import-plan';
import { ImportFileError } from './readers/import-file.error';
import { openSource, SourceDetection } from './readers/open-source';
import { ColumnMapping, MappedColumn, mapColumns } from './rows/column-mapping';
import { ImportMode } from './rows/import-mode';
import { createRowValidator, RowValidator } from './rows/row-validator';

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

export interface StageOptions {
  entity: ImportEntity;
  target: ImportTarget;
  mode: ImportMode;
  /** Most data rows of all sources together. */
  maxRows: number;
  /** The server's date, YYYY-MM-DD: dates after it are in the future. */
  today: string;
  /** Called between batches with the rows staged so far; may throw to stop (cancellation). */
  onProgress: (rows: number) => Promise<void>;
}

/** How often (in rows) staging reports progress and looks for a cancellation. */
const PROGRESS_EVERY_ROWS = 20_000;

/** The column mapping of one file, remade when a JSON file reveals new keys. */
class SourceColumns {
  private mapping: ColumnMapping | null = null;
  private headerCount = -1;
  readonly issues = new Map<string, RowIssue>();
  readonly presentFields = new Set<string>();
  validator: RowValidator | null = null;

  constructor(private readonly options: StageOptions) {}

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
 * Copies every record of every source into `import_stage` on the given connection (inside its
 * transaction): valid rows with their values, invalid ones with their issues only. One COPY
 * stream for all sources, fed with text built a batch at a time.
 */
export async function stageSources(client: PoolClient, sources: readonly StageSource[], options: StageOptions): Promise<StagedSource[]> {
  await client.query(stagingTableSql(options.target));
  const staged: StagedSource[] = [];
  let ordinal = 0;
  let nextProgressAt = PROGRESS_EVERY_ROWS;
  const fieldCount = options.target.columns.length;
  const nulls = Array.from({ length: fieldCount }, () => COPY_NULL).join('\t');

  async function* copyText(): AsyncGenerator<string> {
    for (const [sourceIndex, source] of sources.entries()) {
      const opened = await openSource(source.path, { fileName: source.fileName, sheet: source.sheet ?? undefined });
      const columns = new SourceColumns(options);
      for await (const batch of opened.batches) {
        const validator = columns.validatorFor(batch.headers);
        let text = '';
        for (const record of batch.records) {
          ordinal += 1;
          if (ordinal > options.maxRows) {
            throw new ImportFileError('too_many_rows', `The import has more than ${options.maxRows} data rows (IMPORT_MAX_ROWS); split the file.`, 422);
          }
          const prefix = `${ordinal}\t${sourceIndex}\t${record.row}\t`;
          if (record.parseError !== undefined) {
            const issue: RowIssue = { row: record.row, column: null, field: null, severity: IssueSeverity.Error, ...record.parseError, value: null };
            text += `${prefix}f\tf\t${issueJson([issue])}\t${nulls}\n`;
            continue;
          }
          const { values, issues } = validator(record.cells, record.row);
          const issuesField = issues.length === 0 ? COPY_NULL : issueJson(issues);
          if (values === null) {
            text += `${prefix}f\tf\t${issuesField}\t${nulls}\n`;
            continue;
          }
          let line = `${prefix}t\t${issues.length === 0 ? 'f' : 't'}\t${issuesField}`;
          for (let index = 0; index < fieldCount; index += 1) line += `\t${copyField(values[index])}`;
          text += `${line}\n`;
        }
        yield text;
        if (ordinal >= nextProgressAt) {
          nextProgressAt = ordinal + PROGRESS_EVERY_ROWS;
          await options.onProgress(ordinal);
        }
      }
      staged.push({ detection: opened.detection, columns: columns.columns, headerIssues: columns.headerIssues, presentFields: columns.presentFields });
    }
  }

  await pipeline(Readable.from(copyText()), client.query(copyFrom(stagingCopySql(options.target))));
  await client.query('analyze import_stage');
  await options.onProgress(ordinal);
  return staged;
}

