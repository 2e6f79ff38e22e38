import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { csvLine, UTF8_BOM } from '../common/csv';
import { ExportColumn } from './export-columns';
import { headerLabels, jsonObjectFormatter, RawRow, XLSX_DATE_FORMATS, xlsxRowFormatter } from './export-formats';
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

/** Thrown when the reader of the export went away (the client closed the connection). */
export class ExportAbortedError extends Error {
  constructor() {
    super('The export was abandoned by its reader');
  }
}

/** Resolves when the stream can take more, or when it closed (then the next write sees it destroyed). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

async function write(sink: Writable, text: string): Promise<void> {
  if (sink.destroyed) throw new ExportAbortedError();
  if (!sink.write(text)) await drained(sink);
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

/**
 * Writes every batch to the sink as JSON, NDJSON or XLSX, one write per batch (per-row writes
 * cost more than the formatting), waiting whenever the sink is full: memory stays flat however
 * many rows there are. Ends the sink when done. Returns the number of rows written. CSV is not
 * written here but by PostgreSQL (`COPY`, see ExportsService).
 */
export async function writeExport(batches: AsyncIterable<RawRow[]>, sink: Writable, layout: ExportLayout, afterBatch?: BatchCallback): Promise<number> {
  if (layout.format === ExportFormat.Xlsx) return writeXlsx(batches, sink, layout, afterBatch);
  if (layout.format === ExportFormat.Csv) throw new Error('CSV exports are written by COPY, not from batches');
  let rows = 0;
  const object = jsonObjectFormatter(layout.columns);
  const array = layout.format === ExportFormat.Json;
  if (array) await write(sink, '[');
  for await (const batch of batches) {
    let chunk = '';
    for (const row of batch) {
      // JSON: one object per line too, so that a large file stays readable with line tools.
      chunk += array ? `${rows === 0 ? '\n' : ',\n'}${object(row)}` : `${object(row)}\n`;
      rows += 1;
    }
    await write(sink, chunk);
    await afterBatch?.(rows);
  }
  if (array) await write(sink, rows === 0 ? ']\n' : '\n]\n');
  sink.end();
  return rows;
}

/** Rows between two looks at the backlog. */
const XLSX_ROWS_PER_DRAIN_CHECK = 500;

/** What the sheet's rows are written into: a `readable-stream` 2 PassThrough, not a Node Writable. */
interface SheetOutput {
  _writableState?: { needDrain?: boolean };
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/**
 * The stream in front of the zip's compressor, which exceljs 4.4 feeds every committed row
 * without waiting: when compressing is slower than formatting, the backlog piles up there (893 MB
 * for 1 M rows) while the output stays empty. exceljs offers no handle on it but the sheet
 * stream's pipe, so it is read defensively: without it only the output is watched.
 */
function sheetOutputOf(sheet: ExcelJS.Worksheet): SheetOutput | undefined {
  return (sheet as unknown as { stream?: { pipes?: SheetOutput[] } }).stream?.pipes?.[0];
}

/** Resolves when the sheet's output drained, or when the sink closed (the client went away). */
function sheetDrained(output: SheetOutput, sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      output.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    output.once('drain', done);
    sink.once('close', done);
  });
}

/**
 * The exceljs streaming writer, which keeps only unflushed rows in memory — provided it is made
 * to wait while its output is full; otherwise it buffers the whole sheet.
 */
async function writeXlsx(batches: AsyncIterable<RawRow[]>, sink: Writable, layout: ExportLayout, afterBatch?: BatchCallback): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(layout.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = layout.columns.map((column) => {
    const numFmt = XLSX_DATE_FORMATS[column.kind];
    const label = column.label[layout.language];
    return {
      header: label,
      key: column.name,
      width: Math.min(40, Math.max(12, label.length + 2, column.kind === 'timestamp' ? 20 : 0)),
      ...(numFmt === undefined ? {} : { style: { numFmt } }),
    };
  });
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  const values = xlsxRowFormatter(layout.columns, layout.language);
  let rows = 0;
  for await (const batch of batches) {
    for (const row of batch) {
      sheet.addRow(values(row)).commit();
      rows += 1;
      if (rows % XLSX_ROWS_PER_DRAIN_CHECK === 0) {
        if (sink.destroyed) throw new ExportAbortedError();
        const output = sheetOutputOf(sheet);
        if (output?._writableState?.needDrain === true) await sheetDrained(output, sink);
        if (sink.destroyed) throw new ExportAbortedError();
        if (sink.writableNeedDrain) await drained(sink);
      }
    }
    await afterBatch?.(rows);
  }
  sheet.commit();
  await workbook.commit();
  return rows;
}
