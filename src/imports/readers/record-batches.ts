import { CellValue, SourceBatch, SourceRecord } from '../import.types';
import { ImportFileError } from './import-file.error';
import { withStorableCells } from './text-policy';

/**
 * Collects records into batches of a fixed size, so that consumers handle a thousand rows per
 * await instead of one (a per-row hop costs more than validating the row), and tells an empty
 * file from a header-only one at the end.
 */
export class RecordBatcher {
  private records: SourceRecord[] = [];
  private recordCount = 0;
  /** Whether every record of the current batch came with plain text (see SourceBatch.plainText). */
  private plainText = true;

  constructor(
    private readonly batchSize: number,
    private readonly maxColumns: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }

  /**
   * Adds a record; returns a full batch when this record completes one. Every reader's records
   * pass here, so this is where the text policy turns unstorable cells into a row error, unless
   * the reader says the record's text is plain (see SourceBatch.plainText), which it then is.
   */
  add(record: SourceRecord, headers: readonly string[], plainText = false): SourceBatch | null {
    if (headers.length > this.maxColumns) {
      throw new ImportFileError('too_many_columns', `The header has ${headers.length} columns, more than the limit of ${this.maxColumns}.`);
    }
    this.records.push(plainText ? record : withStorableCells(record, headers));
    this.plainText &&= plainText;
    this.recordCount++;
    return this.records.length >= this.batchSize ? this.take(headers) : null;
  }

  /** The last, partial batch; throws when the file held no record at all. */
  finish(headers: readonly string[], headerRowFound: boolean): SourceBatch | null {
    if (this.recordCount === 0) {
      if (!headerRowFound) throw new ImportFileError('empty_file', 'The file contains no data.');
      throw new ImportFileError('no_rows', 'The file contains a header row but no data rows.');
    }
    return this.records.length > 0 ? this.take(headers) : null;
  }

  private take(headers: readonly string[]): SourceBatch {
    const batch: SourceBatch = { headers: [...headers], records: this.records, ...(this.plainText ? { plainText: true } : {}) };
    this.records = [];
    this.plainText = true;
    return batch;
  }
}

/**
 * A record cut to the header's width. Extra cells that are all empty (a trailing delimiter, as
 * some exports write, or a formatted Excel cell) are dropped; extra cells with content make the
 * record a `too_many_cells` error, keeping every cell, with the message `describeTooManyCells`
 * writes. The cells are copied only when there are extra empty ones to drop.
 */
export function fitToHeaders(
  row: number,
  cells: CellValue[],
  headerCount: number,
  describeTooManyCells: (row: number, cellCount: number, headerCount: number) => string,
): SourceRecord {
  if (cells.length <= headerCount) return { row, cells };
  if (isBlankRecord(cells.slice(headerCount))) return { row, cells: cells.slice(0, headerCount) };
  return { row, cells, parseError: { code: 'too_many_cells', message: describeTooManyCells(row, cells.length, headerCount) } };
}

/** Excel keeps formatted empty rows and CSV files end with blank lines: neither is a record. */
export function isBlankRecord(cells: readonly CellValue[]): boolean {
  for (const cell of cells) {
    if (cell === null || cell === undefined) continue;
    if (typeof cell === 'string' && cell.trim() === '') continue;
    return false;
  }
  return true;
}
