import { csvLine, UTF8_BOM } from '../common/csv';
import { ExportColumn } from './export-columns';
import { headerLabels } from './export-formats';
import { ExportFormat, ExportLanguage } from './export.enums';

export interface ExportLayout {
  format: ExportFormat;
  columns: readonly ExportColumn[];
  language: ExportLanguage;
  /** CSV only. */
  byteOrderMark: boolean;
  /** The XLSX sheet's name. */
  sheetName: string;
}

/** Called after each batch with the rows written so far; it may throw to stop the export (a cancelled job). */
export type BatchCallback = (rowsWritten: number) => Promise<void>;

/**
 * What a CSV export writes before its rows (which COPY writes, see export-csv-sql.ts): the byte
 * order mark if asked for, and the header line of labels.
 */
export function csvPrefix(layout: ExportLayout): string {
  return (layout.byteOrderMark ? UTF8_BOM : '') + csvLine(headerLabels(layout.columns, layout.language));
}
