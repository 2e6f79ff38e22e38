import { CellValue, SourceBatch, SourceRecord } from '../import.types';
import { ImportFileError } from './import-file.error';

/**
 * Collects records into batches of a fixed size, so that consumers handle a thousand rows per
 * await instead of one (a per-row hop costs more than validating the row), and tells an empty
 * file from a header-only one at the end.
 */
export class RecordBatcher {
  private records: SourceRecord[] = [];
  private recordCount = 0;

  constructor(private readonly batchSize: number) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }

  /** Adds a record; returns a full batch when this record completes one. */
  add(record: SourceRecord, headers: readonly string[]): SourceBatch | null {
    this.records.push(record);
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
    const batch = { headers: [...headers], records: this.records };
    this.records = [];
    return batch;
  }
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
