import { escapeLiteral } from 'pg';
import { neutraliseFormula, NUMBER_OR_PHONE } from '../common/csv';
import { ExportColumn, ExportSource } from './export-columns';
import { ExportLanguage } from './export.enums';

/**
 * CSV exports are written by PostgreSQL itself (`COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`):
 * each column's select expression yields the cell's text exactly as the Node formatter it
 * replaced wrote it (labels, neutralised formulas, dates), and COPY quotes it by the same rule as
 * `csvCell` (a cell holding `,`, `"`, CR or LF is quoted, `"` doubled). Two differences of COPY
 * are taken care of here: it quotes an empty string (`""`), so empty text becomes NULL (written as
 * nothing, as before); and it ends lines with LF, which `CopyCsvStream` turns into CRLF. That
 * formatter, `csvRowFormatter`, now lives in test/e2e/support/csv-reference.ts, as the reference
 * the tests compare this SQL's output with.
 */

/**
 * `neutraliseFormula`'s number-or-phone rule as a PostgreSQL regular expression (the same
 * pattern: PostgreSQL's AREs read it as JavaScript does — `$` is the end of the text, `-` last
 * in a bracket is literal, `0-9` are the ASCII digits; it has no flags).
 */
export const NUMBER_OR_PHONE_SQL_PATTERN = NUMBER_OR_PHONE.source;

/** Code points that start a formula: `=` `@` tab CR always; `+` `-` unless the cell is a number or a phone number. */
const ALWAYS_FORMULA = [0x3d, 0x40, 0x09, 0x0d];
const SIGNS = [0x2b, 0x2d];
/** Every formula character is below `A`, so a cell starting at or above it (letters, Greek, `[`, `{`) is taken as it is. */
const FIRST_PLAIN = 0x41;

/**
 * The CSV cell of a text expression: `'` before a formula, NULL for an empty string (XLSX, with
 * `emptyAsNull` false, keeps it: an empty inline string).
 * `ascii()` reads the first character's code point (0 for an empty string) and is evaluated
 * before anything dearer: most cells take the first branch, and only cells starting with a sign
 * pay for the regular expression. Needs a UTF-8 (or single-byte) database, as `ascii()` refuses
 * non-ASCII text in other multibyte encodings.
 */
export function neutraliseSql(expression: string, emptyAsNull = true): string {
  const e = `(${expression})`;
  return (
    `case when ascii(${e}) >= ${FIRST_PLAIN} then ${e}` +
    ` when ascii(${e}) in (${ALWAYS_FORMULA.join(', ')}) then '''' || ${e}` +
    ` when ascii(${e}) not in (${SIGNS.join(', ')}) then ${emptyAsNull ? `nullif(${e}, '')` : e}` +
    ` when ${e} ~ ${sqlLiteral(NUMBER_OR_PHONE_SQL_PATTERN)} then ${e}` +
    ` else '''' || ${e} end`
  );
}

/**
 * A value as an SQL string literal, for the statements that take no bind parameters (COPY).
 * Only strings, finite numbers and booleans are accepted; the literal has no type of its own, so
 * PostgreSQL types it from its context as it would a parameter.
 */
export function sqlLiteral(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as an SQL literal`);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError(`Cannot write a ${typeof value} as an SQL literal`);
  }
  const text = String(value);
  // The query text is a C string on the wire: a NUL would cut it short.
  if (text.includes('\0')) throw new TypeError('Cannot write a NUL character in an SQL literal');
  return escapeLiteral(text);
}

/** A constant cell: the label neutralised as csvCell would, and NULL when empty (COPY would write `""`). */
function labelSql(label: string): string {
  const text = neutraliseFormula(label);
  return text === '' ? 'null' : sqlLiteral(text);
}

/** `case <column> when <value> then <label> … else <otherwise> end`; `values` are SQL literals keyed by the API's text of the value. */
function labelledSql(column: ExportColumn, language: ExportLanguage, values: Record<string, string>, otherwise: string): string {
  const when = Object.entries(values).map(([text, literal]) => {
    const label = column.valueLabels?.[text]?.[language] ?? text;
    return ` when ${literal} then ${labelSql(label)}`;
  });
  return `case (${column.sql})${when.join('')} else ${otherwise} end`;
}

/** The select expression whose text is the column's CSV cell, before COPY's quoting. */
export function csvCellSql(column: ExportColumn, language: ExportLanguage): string {
  switch (column.kind) {
    case 'integer':
    case 'date':
    case 'timestamp':
      // Digits, `-`, `:`, `.`, `T`, `Z`: never a formula, never empty, never quoted.
      return column.sql;
    case 'boolean':
      // A boolean is true, false or NULL: a value without a label is written as the API's `true` / `false`.
      return labelledSql(column, language, { true: 'true', false: 'false' }, 'null');
    case 'status': {
      const values = Object.fromEntries(Object.keys(column.valueLabels ?? {}).map((value) => [value, sqlLiteral(value)]));
      return labelledSql(column, language, values, neutraliseSql(`(${column.sql})::text`));
    }
    case 'json':
      return neutraliseSql(`(${column.sql})::text`);
    default:
      return neutraliseSql(column.sql);
  }
}

/**
 * The COPY statement of a CSV export: the cells of the columns, the rows `where` keeps (an SQL
 * condition with literal values, see `literalWhereOf`), in the order of the source's key. It
 * writes no header: the header line is written before it, in Node.
 */
export function csvCopySql(source: ExportSource, columns: readonly ExportColumn[], language: ExportLanguage, where: string): string {
  const cells = columns.map((column) => csvCellSql(column, language)).join(', ');
  return `copy (select ${cells} from ${source.from} where ${where} order by ${source.key}) to stdout with (format csv)`;
}
