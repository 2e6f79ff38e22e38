import { CellValue, SourceBatch, SourceRecord } from '../import.types';
import { ImportFileError } from './import-file.error';
import { JsonRecordScanner, JsonRecordText } from './json-record-scanner';
import { findForbiddenKey, forbiddenKeyError, isJsonObject, JsonHeaders, measureJsonDepth } from './json-values';
import { isBlankRecord, RecordBatcher } from './record-batches';
import { readDecodedText, TextReaderOptions } from './text-source';

/** A JSON array of objects (or one object): `row` is the 1-based record number. */
export async function* readJsonBatches(path: string, options: TextReaderOptions): AsyncGenerator<SourceBatch, void, undefined> {
  const scanner = new JsonRecordScanner(options.limits.maxRecordBytes, options.limits.maxJsonDepth);
  const headers = new JsonHeaders();
  const batcher = new RecordBatcher(options.batchSize, options.limits.maxColumns);
  const recordTexts: JsonRecordText[] = [];
  for await (const text of readDecodedText(path, options.encoding, options.onBytesRead)) {
    scanner.push(text, recordTexts);
    for (const recordText of recordTexts) {
      const record = toJsonRecord(parseJsonRecord(recordText), recordText.number, headers, 'record');
      const batch = record ? batcher.add(record, headers.names) : null;
      if (batch) yield batch;
    }
    recordTexts.length = 0;
  }
  scanner.finish();
  const last = batcher.finish(headers.names, false);
  if (last) yield last;
}

/** NDJSON: one object per line, blank lines skipped; `row` is the line number. */
export async function* readNdjsonBatches(path: string, options: TextReaderOptions): AsyncGenerator<SourceBatch, void, undefined> {
  const headers = new JsonHeaders();
  const batcher = new RecordBatcher(options.batchSize, options.limits.maxColumns);
  const lines = new LineSplitter(options.limits.maxRecordBytes);
  const completed: NumberedLine[] = [];
  const handle = (line: NumberedLine): SourceBatch | null => {
    if (line.text.trim() === '') return null;
    const record = ndjsonLineToRecord(line, headers, options.limits.maxJsonDepth);
    return record ? batcher.add(record, headers.names) : null;
  };
  for await (const text of readDecodedText(path, options.encoding, options.onBytesRead)) {
    lines.push(text, completed);
    for (const line of completed) {
      const batch = handle(line);
      if (batch) yield batch;
    }
    completed.length = 0;
  }
  lines.finish(completed);
  for (const line of completed) {
    const batch = handle(line);
    if (batch) yield batch;
  }
  const last = batcher.finish(headers.names, false);
  if (last) yield last;
}

function parseJsonRecord(recordText: JsonRecordText): unknown {
  try {
    return JSON.parse(recordText.text);
  } catch (error) {
    const position = recordText.position + (syntaxErrorPosition(error) ?? 0);
    throw new ImportFileError('invalid_json', `Invalid JSON at position ${position} (record ${recordText.number}).`, 422, { cause: error });
  }
}

/**
 * Where in its text JSON.parse stopped, read from the engine's message; the message itself is
 * never passed on, since it quotes the file (NUL and lone surrogates included) in the engine's words.
 */
function syntaxErrorPosition(error: unknown): number | null {
  const match = error instanceof Error ? /at position (\d+)/.exec(error.message) : null;
  return match ? Number(match[1]) : null;
}

/**
 * A parsed value as a record, or null for an empty object; rejects forbidden keys anywhere, naming
 * the place as `record <row>` or `line <row>` (built only then: it is rarely needed).
 */
function toJsonRecord(value: unknown, row: number, headers: JsonHeaders, rowUnit: 'record' | 'line'): SourceRecord | null {
  const forbiddenKey = findForbiddenKey(value);
  if (forbiddenKey !== undefined) throw forbiddenKeyError(forbiddenKey, `${rowUnit} ${row}`);
  if (!isJsonObject(value)) {
    return { row, cells: [], parseError: { code: 'not_an_object', message: `Expected an object, found ${describeJsonValue(value)}.` } };
  }
  const cells: CellValue[] = headers.toCells(value);
  return isBlankRecord(cells) ? null : { row, cells };
}

function ndjsonLineToRecord(line: NumberedLine, headers: JsonHeaders, maxDepth: number): SourceRecord | null {
  if (measureJsonDepth(line.text) > maxDepth) {
    throw new ImportFileError('json_too_deep', `JSON nesting on line ${line.number} is deeper than ${maxDepth} levels.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    // One bad line is a row-level problem in NDJSON: the other lines still stand on their own.
    const position = syntaxErrorPosition(error);
    const where = position === null ? '' : ` (at character ${position + 1})`;
    return { row: line.number, cells: [], parseError: { code: 'invalid_json', message: `Line ${line.number} is not valid JSON${where}.` } };
  }
  return toJsonRecord(value, line.number, headers, 'line');
}

function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

interface NumberedLine {
  number: number;
  text: string;
}

/** Splits text chunks into lines (LF or CRLF), bounding the length of a line in progress. */
class LineSplitter {
  private pending = '';
  private lineNumber = 1;

  constructor(private readonly maxLineLength: number) {}

  push(text: string, output: NumberedLine[]): void {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.emit(this.pending + text.slice(start, newline), output);
      this.pending = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.pending += text.slice(start);
    this.checkLength(this.pending.length);
  }

  finish(output: NumberedLine[]): void {
    if (this.pending !== '') this.emit(this.pending, output);
    this.pending = '';
  }

  private emit(line: string, output: NumberedLine[]): void {
    this.checkLength(line.length);
    output.push({ number: this.lineNumber++, text: line.endsWith('\r') ? line.slice(0, -1) : line });
  }

  private checkLength(length: number): void {
    if (length > this.maxLineLength) {
      throw new ImportFileError('record_too_large', `Line ${this.lineNumber} is longer than ${this.maxLineLength} characters.`);
    }
  }
}
