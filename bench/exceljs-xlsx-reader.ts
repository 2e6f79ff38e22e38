import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import * as ExcelJS from 'exceljs';
import { CellValue, SourceBatch } from '../src/imports/import.types';
import { ImportFileError } from '../src/imports/readers/import-file.error';
import { fitToHeaders, isBlankRecord, RecordBatcher } from '../src/imports/readers/record-batches';
import { READ_CHUNK_BYTES } from '../src/imports/readers/text-source';
import { storableText } from '../src/common/validation/storable-text';

export interface XlsxReaderOptions {
  /** The worksheet to read; the first one when absent. */
  sheet?: string;
  batchSize: number;
  maxColumns: number;
  /** Called with the chosen worksheet's name before its first batch. */
  onSheet: (name: string) => void;
}

/** What exceljs's streaming WorksheetReader carries beyond its published type. */
interface NamedWorksheetReader extends AsyncIterable<ExcelJS.Row> {
  name?: string;
}

/**
 * The XLSX reader the imports used before src/imports/readers/xlsx-reader.ts, kept for
 * bench/xlsx-import.bench.ts as the baseline it measures against.
 *
 * Rows of one worksheet, streamed by exceljs: the first non-blank row is the header row and
 * `row` is the sheet row number. Call only after checkXlsxEntries and verifyXlsxEntries accepted
 * the archive.
 */
export async function* readXlsxBatchesWithExceljs(path: string, options: XlsxReaderOptions): AsyncGenerator<SourceBatch, void, undefined> {
  const file = new FileBytes(path);
  const input = Readable.from(file.chunks());
  // Styles are needed to recognise date cells; hyperlinks are left out so a link cell reads as its text.
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const sheetNames: string[] = [];
  try {
    for await (const worksheet of workbook as AsyncIterable<NamedWorksheetReader>) {
      const name = worksheet.name ?? `Sheet${sheetNames.length + 1}`;
      sheetNames.push(name);
      if (options.sheet !== undefined && name !== options.sheet) continue;
      options.onSheet(storableText(name));
      yield* readWorksheet(worksheet, options.batchSize, options.maxColumns);
      return;
    }
  } catch (error) {
    file.throwIfFailed();
    if (error instanceof ImportFileError) throw error;
    // exceljs's own words ("Cannot read properties of undefined") stay in the cause, for the log.
    throw new ImportFileError('invalid_xlsx', 'The file is not a readable XLSX workbook: a part of it is missing or is not the XML a workbook holds.', 422, { cause: error });
  } finally {
    input.destroy();
  }
  file.throwIfFailed();
  if (options.sheet !== undefined) {
    throw new ImportFileError('sheet_not_found', `The workbook has no sheet named "${options.sheet}"; its sheets are: ${sheetNames.map((name) => `"${name}"`).join(', ')}.`);
  }
  throw new ImportFileError('invalid_xlsx', 'The file is not a readable XLSX workbook: it contains no worksheet.');
}

/**
 * The file's bytes for exceljs, which pipes its input into the unzipper without listening for its
 * errors: a read error there would be an unhandled 'error' event, and the unzipper would wait for
 * more bytes for ever. So a failed read ends the bytes instead, and the failure is kept for the
 * reader to throw once exceljs has stopped.
 */
class FileBytes {
  private failure: { error: unknown } | null = null;

  constructor(private readonly path: string) {}

  async *chunks(): AsyncGenerator<Buffer, void, undefined> {
    try {
      for await (const chunk of createReadStream(this.path, { highWaterMark: READ_CHUNK_BYTES })) yield chunk as Buffer;
    } catch (error) {
      this.failure = { error };
    }
  }

  /** A failed read is the server's problem, not the file's: it is thrown as it is. */
  throwIfFailed(): void {
    if (this.failure !== null) throw this.failure.error;
  }
}

async function* readWorksheet(worksheet: AsyncIterable<ExcelJS.Row>, batchSize: number, maxColumns: number): AsyncGenerator<SourceBatch, void, undefined> {
  const batcher = new RecordBatcher(batchSize, maxColumns);
  let headers: string[] | null = null;
  for await (const row of worksheet) {
    const cells = rowCells(row);
    if (isBlankRecord(cells)) continue;
    if (headers === null) {
      headers = cells.map(headerText);
      continue;
    }
    const batch = batcher.add(fitToHeaders(row.number, cells, headers.length, describeTooManyCells), headers);
    if (batch) yield batch;
  }
  const last = batcher.finish(headers ?? [], headers !== null);
  if (last) yield last;
}

function describeTooManyCells(row: number, _cellCount: number, headerCount: number): string {
  return `Row ${row} has values beyond the ${headerCount} header columns.`;
}

/** The row's values from column A, with gaps as null and trailing empty cells dropped. */
function rowCells(row: ExcelJS.Row): CellValue[] {
  const values = row.values;
  if (!Array.isArray(values)) return [];
  const cells: CellValue[] = [];
  let lastFilled = 0;
  for (let column = 1; column < values.length; column++) {
    const cell = toCellValue(values[column]);
    cells.push(cell);
    if (cell !== null) lastFilled = column;
  }
  cells.length = lastFilled;
  return cells;
}

/** An exceljs value as plain data: rich text → text, formula → its result, error → null. */
function toCellValue(value: ExcelJS.CellValue): CellValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('error' in value) return null;
  if ('formula' in value || 'sharedFormula' in value) return toCellValue(value.result ?? null);
  if ('hyperlink' in value) return toCellValue(value.text);
  return null;
}

/** Header cells are text in practice; a number or date header still gets a usable name. */
function headerText(cell: CellValue): string {
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return '';
}
