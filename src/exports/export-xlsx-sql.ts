import { ExportColumn, ExportSource } from './export-columns';
import { neutraliseSql, sqlLiteral } from './export-csv-sql';
import { ExportLanguage } from './export.enums';

/**
 * The rows of an XLSX sheet are written by PostgreSQL: the COPY's select yields each row's
 * `<row>` element as text, the bytes `sheetRowsFormatter` (test/e2e/support/xlsx-reference.ts)
 * writes for it, and Node only deflates them into the zip (see xlsx-writer.ts). Building the XML
 * in Node from cursor rows spent most of the export's time and memory on JavaScript strings.
 *
 * Cells as the Node writer wrote them: numbers as number cells, dates and instants as Excel's
 * serial days in UTC with a date style, labels and text as inline strings (text with the formula
 * rule of csv.ts, `xml:space="preserve"` when it starts or ends with white space, XML's markup
 * characters escaped and the characters XML 1.0 cannot hold left out), and no cell for a NULL.
 */

/** The cell styles of styles.xml (see xlsx-writer.ts). */
export const XLSX_STYLE = { header: 1, date: 2, timestamp: 3 } as const;

/** Excel's serial day of 1970-01-01 (days count from 1899-12-30). */
const UNIX_EPOCH_SERIAL = 25_569;
const MS_PER_DAY = 86_400_000;
/** The characters XML 1.0 cannot hold (PostgreSQL text never holds NUL). */
const NOT_XML_PATTERN = '[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]';
/** Joins a row's texts for PLAIN_ROW_PATTERN: any character does, since one inside a text can only make a row look less plain. */
const SEPARATOR = '|';
/**
 * Whether a row's texts, joined with SEPARATOR and wrapped in it, need anything done: markup to
 * escape, characters to leave out, or white space at the start or end of a text (which needs
 * `xml:space="preserve"`; other control characters already match the first class).
 */
const NOT_PLAIN_PATTERN = '[&<>"\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]|\\|[ \\t\\n\\r]|[ \\t\\n\\r]\\|';
const ENTITIES: [character: string, entity: string][] = [
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
];

/** `A`, `B`, … `Z`, `AA`, …: the letters of a column's cell references (0-based). */
export function columnLetters(index: number): string {
  let letters = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  return letters;
}

/** An E'' literal of a regular expression (PostgreSQL reads the `\x` and `\u` escapes of the pattern). */
function patternLiteral(pattern: string): string {
  return `E'${pattern.replace(/\\/g, '\\\\')}'`;
}

/** How a row's texts are written: as they are (the plain rows), with markup escaped, or also without the characters XML cannot hold. */
type Escaping = 'none' | 'markup' | 'all';

/** Markup escaped and, with `all`, the characters XML cannot hold left out, as the Node writer's xmlText did. */
export function xmlTextSql(expression: string, escaping: Escaping = 'all'): string {
  if (escaping === 'none') return expression;
  let escaped = escaping === 'all' ? `regexp_replace(${expression}, ${patternLiteral(NOT_XML_PATTERN)}, '', 'g')` : expression;
  for (const [character, entity] of ENTITIES) escaped = `replace(${escaped}, ${sqlLiteral(character)}, ${sqlLiteral(entity)})`;
  return escaped;
}

/**
 * The value a column's cell shows, computed once per row in the inner select: numbers and serial
 * days as PostgreSQL's text of them, text neutralised (empty text stays an empty cell, as the
 * Node writer wrote it), booleans and statuses as stored (the outer select labels them).
 */
function valueSql(column: ExportColumn): string {
  switch (column.kind) {
    case 'integer':
    case 'boolean':
      return column.sql;
    case 'date':
      // Whole days: `date - date` is an integer.
      return `(${column.stored ?? `(${column.sql})::date`}) - date '1899-12-30'`;
    case 'timestamp': {
      // The Node writer read instants to the millisecond (truncated) and added `ms / 86 400 000` to
      // 25 569 in doubles: the same float8 operations give the same double, and PostgreSQL writes
      // it with the shortest digits that read back as it, as JavaScript does (extra_float_digits 1,
      // set for the COPY). Through bigint: numeric to float8 goes through text, three times slower.
      const milliseconds = `floor(extract(epoch from ${column.stored ?? `(${column.sql})::timestamptz`}) * 1000)::bigint::float8`;
      return `${UNIX_EPOCH_SERIAL}::float8 + ${milliseconds} / ${MS_PER_DAY}::float8`;
    }
    case 'status':
      return `(${column.sql})::text`;
    case 'json':
      return neutraliseSql(`(${column.sql})::text`, false);
    default:
      return neutraliseSql(column.sql, false);
  }
}

/** Whether the column's cells are inline strings of stored text (labels are escaped beforehand). */
function isText(column: ExportColumn): boolean {
  return column.kind === 'text' || column.kind === 'json' || column.kind === 'status';
}

/** `xml:space="preserve"` when the text starts or ends with white space (a code point up to 32), as the Node writer decided. */
function spaceSql(value: string): string {
  return `case when ascii(${value}) between 1 and 32 or ascii(right(${value}, 1)) between 1 and 32 then ' xml:space="preserve"' else '' end`;
}

/** The rest of an inline string cell after its reference, for a text expression. */
function inlineStringSql(text: string, escaping: Escaping): string {
  const space = escaping === 'none' ? '' : ` || ${spaceSql(text)}`;
  return `'" t="inlineStr"><is><t'${space} || '>' || ${xmlTextSql(text, escaping)} || '</t></is></c>'`;
}

/** The constant rest of an inline string cell after its reference, for a label. */
function labelCellLiteral(label: string): string {
  const text = label.replace(/[&<>"]/g, (character) => ENTITIES.find(([markup]) => markup === character)![1]);
  const space = label.charCodeAt(0) <= 32 || label.charCodeAt(label.length - 1) <= 32 ? ' xml:space="preserve"' : '';
  return sqlLiteral(`" t="inlineStr"><is><t${space}>${text}</t></is></c>`);
}

/**
 * A cell's XML as an SQL expression over the inner select's value (`x.v<index>`) and row number
 * (`x.row_number`, as text); NULL, so no cell, when the value is NULL.
 */
function cellSql(column: ExportColumn, index: number, language: ExportLanguage, escaping: Escaping): string {
  const value = `x.v${index}`;
  const reference = `'<c r="${columnLetters(index)}' || x.row_number`;
  switch (column.kind) {
    case 'integer':
      return `${reference} || '"><v>' || ${value} || '</v></c>'`;
    case 'date':
      return `${reference} || '" s="${XLSX_STYLE.date}"><v>' || ${value} || '</v></c>'`;
    case 'timestamp':
      return `${reference} || '" s="${XLSX_STYLE.timestamp}"><v>' || ${value} || '</v></c>'`;
    case 'boolean':
    case 'status': {
      const values = column.kind === 'boolean' ? ['true', 'false'] : Object.keys(column.valueLabels ?? {});
      const labels = values.map((text) => ` when ${sqlLiteral(text)} then ${labelCellLiteral(column.valueLabels?.[text]?.[language] ?? text)}`);
      // A status without a label is written as it is stored; a boolean is true, false or NULL.
      const otherwise = column.kind === 'status' ? inlineStringSql(value, escaping) : 'null';
      return `${reference} || case ${value}${labels.join('')} else ${otherwise} end`;
    }
    default:
      return `${reference} || ${inlineStringSql(value, escaping)}`;
  }
}

/** The select expression whose text is the row's `<row>` element. */
function rowSql(columns: readonly ExportColumn[], language: ExportLanguage, escaping: Escaping): string {
  const cells = columns.map((column, index) => cellSql(column, index, language, escaping));
  return `concat('<row r="', x.row_number, '">', ${cells.join(', ')}, '</row>')`;
}

/**
 * The row's XML, by the cheapest way that is right for it: one regular expression over the row's
 * texts finds the rows that need no escaping and no `xml:space` (most of them), written without a
 * test per cell; the others are escaped cell by cell, and only rows that hold a character XML
 * cannot hold pay for the regular expression that leaves them out.
 */
function rowByNeedSql(columns: readonly ExportColumn[], language: ExportLanguage): string {
  const texts = columns.flatMap((column, index) => (isText(column) ? [`x.v${index}`] : []));
  if (texts.length === 0) return rowSql(columns, language, 'none');
  const joined = `concat_ws(${sqlLiteral(SEPARATOR)}, '', ${texts.join(', ')}, '')`;
  return (
    `case when ${joined} !~ ${patternLiteral(NOT_PLAIN_PATTERN)} then ${rowSql(columns, language, 'none')}` +
    ` when concat(${texts.join(', ')}) !~ ${patternLiteral(NOT_XML_PATTERN)} then ${rowSql(columns, language, 'markup')}` +
    ` else ${rowSql(columns, language, 'all')} end`
  );
}

/**
 * The COPY statement of an XLSX export's sheet rows, numbered from 2 (row 1 is the header), in
 * the order of the source's key. The inner select computes each value once (its ORDER BY and
 * window function keep PostgreSQL from merging it into the outer one, which would compute a value
 * once per use).
 *
 * Each row is one line. COPY's CSV format with the delimiter and quote of export-json-sql.ts
 * writes the row as it is unless a cell holds CR or LF (kept, as the Node writer kept them):
 * then it wraps the line in the quote character, which never occurs in the XML (it is one of the
 * characters XML cannot hold), and `CopyXlsxStream` drops it again.
 */
export function xlsxCopySql(source: ExportSource, columns: readonly ExportColumn[], language: ExportLanguage, where: string): string {
  const values = columns.map((column, index) => `${valueSql(column)} as v${index}`);
  const inner = `select (row_number() over (order by ${source.key}) + 1)::text as row_number, ${values.join(', ')} from ${source.from} where ${where} order by ${source.key}`;
  return `copy (select ${rowByNeedSql(columns, language)} from (${inner}) x) to stdout with (format csv, delimiter E'\\x01', quote E'\\x02')`;
}
