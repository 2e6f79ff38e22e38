import { SourceBatch, SourceRecord } from '../import.types';
import { CsvParser, CsvRecord } from './csv-parser';
import { fitToHeaders, isBlankRecord, RecordBatcher } from './record-batches';
import { readDecodedText, TextReaderOptions } from './text-source';

export interface CsvReaderOptions extends TextReaderOptions {
  delimiter: string;
}

/** A character that PostgreSQL cannot store, or that COPY text escapes: NUL, any surrogate, tab, backslash. */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters looked for.
const NOT_PLAIN = /[\u0000\t\\\ud800-\udfff]/;

/**
 * CSV records in batches: the first non-blank record is the header row, `row` is the source line.
 * Each decoded chunk is scanned once for characters that would need a check or an escape; while
 * none has appeared (and no quoted field held a line break) the records are plain text.
 */
export async function* readCsvBatches(path: string, options: CsvReaderOptions): AsyncGenerator<SourceBatch, void, undefined> {
  const parser = new CsvParser(options.delimiter, options.limits.maxRecordBytes);
  const records = new CsvRecordCollector(options.batchSize, options.limits.maxColumns);
  const parsed: CsvRecord[] = [];
  let plainText = true;
  for await (const text of readDecodedText(path, options.encoding, options.onBytesRead)) {
    plainText &&= !NOT_PLAIN.test(text);
    parser.push(text, parsed);
    plainText &&= !parser.sawQuotedLineBreak;
    yield* records.collect(parsed, plainText);
  }
  parser.finish(parsed);
  yield* records.collect(parsed, plainText);
  const last = records.finish();
  if (last) yield last;
}

/** Takes the header row from the first non-blank record and batches the records after it. */
class CsvRecordCollector {
  private headers: string[] | null = null;
  private readonly batcher: RecordBatcher;

  constructor(batchSize: number, maxColumns: number) {
    this.batcher = new RecordBatcher(batchSize, maxColumns);
  }

  /** Consumes (empties) `parsed`, returning the batches it completed; `plainText` as SourceBatch has it. */
  collect(parsed: CsvRecord[], plainText: boolean): SourceBatch[] {
    const batches: SourceBatch[] = [];
    for (const csvRecord of parsed) {
      if (isBlankRecord(csvRecord.cells) && !csvRecord.unclosedQuote) continue;
      if (this.headers === null) {
        this.headers = csvRecord.cells.map((cell) => cell.trim());
        continue;
      }
      const batch = this.batcher.add(toSourceRecord(csvRecord, this.headers.length), this.headers, plainText);
      if (batch) batches.push(batch);
    }
    parsed.length = 0;
    return batches;
  }

  finish(): SourceBatch | null {
    return this.batcher.finish(this.headers ?? [], this.headers !== null);
  }
}

/**
 * Extra cells that are all empty (a trailing delimiter, as some exports write) are dropped;
 * extra cells with content make the record a `too_many_cells` error, keeping every cell.
 */
export function toSourceRecord(csvRecord: CsvRecord, headerCount: number): SourceRecord {
  const { line, cells } = csvRecord;
  if (csvRecord.unclosedQuote) {
    return { row: line, cells, parseError: { code: 'unclosed_quote', message: `A quoted field opened in the record on line ${line} is never closed.` } };
  }
  return fitToHeaders(line, cells, headerCount, describeTooManyCells);
}

function describeTooManyCells(line: number, cellCount: number, headerCount: number): string {
  return `The record on line ${line} has ${cellCount} cells but the header has ${headerCount}.`;
}
