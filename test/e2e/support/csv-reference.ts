import { csvCell } from '../../../src/common/csv';
import { ExportColumn } from '../../../src/exports/export-columns';
import { apiText, labelOf, RawRow } from '../../../src/exports/export-formats';
import { ExportLanguage } from '../../../src/exports/export.enums';

/**
 * The CSV rows the exports wrote in Node before PostgreSQL's COPY took over (see
 * src/exports/export-csv-sql.ts): kept only as the reference that the COPY's output is compared
 * with. Each column gets the cheapest formatter that is still safe. Numbers, dates and instants
 * never start with a formula character that is not part of a number and never need quotes; text
 * goes through csvCell (neutralisation and quoting); labels are formatted once.
 */
export function csvRowFormatter(columns: readonly ExportColumn[], language: ExportLanguage): (row: RawRow) => string {
  const formatters: ((value: string) => string)[] = columns.map((column) => {
    switch (column.kind) {
      case 'integer':
      case 'date':
      case 'timestamp':
        return (value) => value;
      case 'boolean':
      case 'status': {
        const cells = new Map(Object.keys(column.valueLabels ?? {}).map((value) => [value, csvCell(labelOf(column, value, language))]));
        return (value) => cells.get(apiText(column, value)) ?? csvCell(labelOf(column, value, language));
      }
      default:
        return csvCell;
    }
  });
  const count = formatters.length;
  return (row) => {
    let line = '';
    for (let index = 0; index < count; index += 1) {
      const value = row[index];
      if (index > 0) line += ',';
      if (value !== null) line += formatters[index](value);
    }
    return `${line}\r\n`;
  };
}
