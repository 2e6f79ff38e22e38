import { isCalendarDate } from '../../common/validation/date.validators';
import { CellValue, ImportEntity, IssueSeverity, RowIssue } from '../import.types';
import { CellFailure, CellResult, dateAsText, numberAsText } from './cell-rule';
import { ColumnMapping } from './column-mapping';
import { entityRules, FieldRule, REQUIRED } from './entity-rules';
import { importFields } from './import-fields';
import { ImportValue } from './import-value';

export type { ImportValue } from './import-value';

export interface ValidatedRow {
  /** Aligned with importFields(entity); null when the row has an error. */
  values: ImportValue[] | null;
  /** One list shared by every row without an issue, so that a valid row allocates none. */
  issues: readonly RowIssue[];
}

const NO_ISSUES: readonly RowIssue[] = Object.freeze([]);

export type RowValidator = (cells: readonly CellValue[], row: number) => ValidatedRow;

const ISSUE_VALUE_MAX_LENGTH = 200;

function cellAsText(cell: CellValue): string | null {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return numberAsText(cell);
  if (typeof cell === 'boolean') return String(cell);
  if (cell instanceof Date) return dateAsText(cell);
  return JSON.stringify(cell);
}

/** The offending cell as text for a person to find it; cut so that one huge cell cannot swell a report. */
export function issueValue(cell: CellValue): string | null {
  const text = cellAsText(cell);
  if (text === null || text.length <= ISSUE_VALUE_MAX_LENGTH) return text;
  // Never cut between the two halves of a surrogate pair.
  const lastKept = text.charCodeAt(ISSUE_VALUE_MAX_LENGTH - 1);
  return text.slice(0, lastKept >= 0xd800 && lastKept <= 0xdbff ? ISSUE_VALUE_MAX_LENGTH - 1 : ISSUE_VALUE_MAX_LENGTH);
}

type CellReader = (cell: CellValue) => CellResult;

/** Empty text, null and a missing trailing cell all mean "no value", which the field then decides on. */
function cellReader(field: string, { rule, whenEmpty }: FieldRule): CellReader {
  const empty = whenEmpty === REQUIRED ? new CellFailure('required', `${field} is required; fill it in`) : whenEmpty;
  return (cell) => {
    if (typeof cell === 'string') {
      const text = cell.trim();
      return text === '' ? empty : rule.text(text);
    }
    if (cell === null || cell === undefined) return empty;
    if (typeof cell === 'number') return rule.number(cell);
    if (typeof cell === 'boolean') return rule.boolean(cell);
    if (cell instanceof Date) return rule.date(cell);
    return rule.nested(cell);
  };
}

interface CompiledColumn {
  fieldIndex: number;
  columnIndex: number;
  field: string;
  header: string;
  read: CellReader;
}

function compileColumns(entity: ImportEntity, mapping: ColumnMapping, today: string): CompiledColumn[] {
  const fields = importFields(entity);
  const rules = entityRules(entity, today);
  return [...mapping.fieldColumns].map(([field, columnIndex]) => {
    const fieldIndex = fields.findIndex((candidate) => candidate.name === field);
    const rule = rules[field];
    if (fieldIndex < 0 || rule === undefined) throw new Error(`${field} is not a field of ${entity} imports`);
    const header = mapping.columns[columnIndex]?.header ?? field;
    return { fieldIndex, columnIndex, field, header, read: cellReader(field, rule) };
  });
}

function cellIssue(column: CompiledColumn, row: number, cell: CellValue, failure: CellFailure): RowIssue {
  return {
    row,
    column: column.header,
    field: column.field,
    severity: IssueSeverity.Error,
    code: failure.code,
    message: failure.message,
    value: failure.code === 'required' ? null : issueValue(cell),
  };
}

/**
 * Compiles the mapping into one reader per column, so that a row costs a pass over its cells and
 * the result, nothing more: imports run to millions of rows. Fields without a column stay
 * undefined; every error of a row is reported, not only the first.
 */
export function createRowValidator(entity: ImportEntity, mapping: ColumnMapping, options: { today: string }): RowValidator {
  if (!isCalendarDate(options.today)) throw new Error(`today must be a date as YYYY-MM-DD, not ${JSON.stringify(options.today)}`);
  const columns = compileColumns(entity, mapping, options.today);
  const absent: ImportValue[] = new Array<ImportValue>(importFields(entity).length).fill(undefined);

  return (cells, row) => {
    const values = absent.slice();
    let issues: RowIssue[] | null = null;
    for (let position = 0; position < columns.length; position++) {
      const column = columns[position];
      const cell = cells[column.columnIndex];
      const result = column.read(cell);
      if (result instanceof CellFailure) (issues ??= []).push(cellIssue(column, row, cell, result));
      else values[column.fieldIndex] = result;
    }
    return issues === null ? { values, issues: NO_ISSUES } : { values: null, issues };
  };
}
