import { neutraliseFormula } from '../../../src/common/csv';
import { ExportColumn } from '../../../src/exports/export-columns';
import { labelOf, RawRow } from '../../../src/exports/export-formats';
import { ExportLanguage } from '../../../src/exports/export.enums';
import { columnLetters, XLSX_STYLE } from '../../../src/exports/export-xlsx-sql';
import { xmlText } from '../../../src/exports/xlsx-writer';

/**
 * The sheet rows the XLSX export wrote in Node, from cursor rows, before PostgreSQL's COPY took
 * over (see src/exports/export-xlsx-sql.ts): kept only as the reference that the COPY's output
 * is compared with.
 */

export type XlsxCellValue = string | number | Date | null;

/** Excel's serial day of 1970-01-01 (days count from 1899-12-30). */
const UNIX_EPOCH_SERIAL = 25_569;
const MS_PER_DAY = 86_400_000;

/** Date columns at UTC midnight: exceljs writes a Date as its UTC serial, so the cell shows the stored day. */
export function xlsxRowFormatter(columns: readonly ExportColumn[], language: ExportLanguage): (row: RawRow) => XlsxCellValue[] {
  const formatters: ((value: string) => XlsxCellValue)[] = columns.map((column) => {
    switch (column.kind) {
      case 'integer':
        return Number;
      case 'date':
        return (value) => new Date(`${value}T00:00:00.000Z`);
      case 'timestamp':
        return (value) => new Date(value);
      case 'boolean':
      case 'status':
        return (value) => labelOf(column, value, language);
      default:
        return neutraliseFormula;
    }
  });
  return (row) => formatters.map((format, index) => {
    const value = row[index];
    return value === null ? null : format(value);
  });
}

/** Leading or trailing white space is kept only when the text says so. */
function inlineString(reference: string, text: string): string {
  const last = text.charCodeAt(text.length - 1);
  const space = text.charCodeAt(0) <= 32 || last <= 32 ? ' xml:space="preserve"' : '';
  return `<c r="${reference}" t="inlineStr"><is><t${space}>${xmlText(text)}</t></is></c>`;
}

/** One cell's XML; nothing for a missing value. Dates become Excel's serial days in UTC, as exceljs wrote them. */
function cellXml(reference: string, value: XlsxCellValue, style: string): string {
  if (value === null) return '';
  if (typeof value === 'number') return `<c r="${reference}"><v>${value}</v></c>`;
  if (value instanceof Date) return `<c r="${reference}"${style}><v>${UNIX_EPOCH_SERIAL + value.getTime() / MS_PER_DAY}</v></c>`;
  return inlineString(reference, value);
}

function dateStyleOf(column: ExportColumn): string {
  if (column.kind === 'date') return ` s="${XLSX_STYLE.date}"`;
  return column.kind === 'timestamp' ? ` s="${XLSX_STYLE.timestamp}"` : '';
}

/** The rows' XML, numbered from `firstRow`, the values as the XLSX formatter gives them (labels, neutralised formulas). */
export function sheetRowsFormatter(columns: readonly ExportColumn[], language: ExportLanguage): (rows: readonly RawRow[], firstRow: number) => string {
  const letters = columns.map((_column, index) => columnLetters(index));
  const styles = columns.map(dateStyleOf);
  const values = xlsxRowFormatter(columns, language);
  return (rows, firstRow) => {
    let xml = '';
    rows.forEach((row, offset) => {
      const number = firstRow + offset;
      xml += `<row r="${number}">`;
      values(row).forEach((value, index) => {
        xml += cellXml(letters[index] + number, value, styles[index]);
      });
      xml += '</row>';
    });
    return xml;
  };
}
