import { ImportFileError } from './import-file.error';

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  cells: string[];
  /** The file ended inside a quoted field: the record holds what was read up to the end. */
  unclosedQuote: boolean;
}

const QUOTE = 0x22;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

// Parser states as plain numbers: the hot loop compares them per character.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: it closes the field unless another quote follows. */
const QUOTE_IN_QUOTED = 3;

/**
 * Incremental RFC 4180 parser over decoded text: quoted fields, doubled quotes, CRLF, LF or CR
 * line ends and line breaks inside quotes, with all state carried from one chunk to the next so a
 * chunk may end anywhere. Text after a closing quote is kept as part of the field rather than
 * rejected, as spreadsheet programs do.
 */
export class CsvParser {
  private readonly delimiterCode: number;
  private state: number = FIELD_START;
  private cells: string[] = [];
  /** The current field as far as earlier chunks carried it. */
  private field = '';
  private line = 1;
  private recordLine = 1;
  /** Characters of the current record that earlier chunks carried. */
  private recordLength = 0;
  private previousChunkEndedWithCarriageReturn = false;
  /** Whether some quoted field so far held a line break, which COPY text would have to escape. */
  private lineBreakQuoted = false;

  constructor(
    delimiter: string,
    private readonly maxRecordLength: number,
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(`Unusable CSV delimiter ${JSON.stringify(delimiter)}`);
    }
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  /** Parses one chunk, appending each record it completes to `output`. */
  push(text: string, output: CsvRecord[]): void {
    const length = text.length;
    const delimiterCode = this.delimiterCode;
    let state = this.state;
    let cells = this.cells;
    let field = this.field;
    let line = this.line;
    let index = 0;
    let fieldStart = 0;
    let recordStart = 0;
    if (this.previousChunkEndedWithCarriageReturn && state === FIELD_START && length > 0 && text.charCodeAt(0) === LINE_FEED) {
      // The CR that ended the last chunk already ended the record: this LF completes that line break.
      index = fieldStart = recordStart = 1;
    }
    while (index < length) {
      if (state === QUOTED) {
        const quoteIndex = text.indexOf('"', index);
        const end = quoteIndex === -1 ? length : quoteIndex;
        const lineBreaks = this.countLineBreaks(text, index, end);
        line += lineBreaks;
        if (lineBreaks > 0) this.lineBreakQuoted = true;
        if (quoteIndex === -1) {
          index = length;
          break;
        }
        field += text.slice(fieldStart, quoteIndex);
        index = fieldStart = quoteIndex + 1;
        state = QUOTE_IN_QUOTED;
        continue;
      }
      if (state === QUOTE_IN_QUOTED) {
        if (text.charCodeAt(index) === QUOTE) {
          // The second quote of a doubled pair: keep it in the field and stay quoted.
          fieldStart = index;
          index++;
          state = QUOTED;
          continue;
        }
        state = UNQUOTED;
      } else if (state === FIELD_START) {
        if (text.charCodeAt(index) === QUOTE) {
          index = fieldStart = index + 1;
          state = QUOTED;
          continue;
        }
        fieldStart = index;
        state = UNQUOTED;
      }
      let code = 0;
      while (index < length) {
        code = text.charCodeAt(index);
        if (code === delimiterCode || code === LINE_FEED || code === CARRIAGE_RETURN) break;
        index++;
      }
      if (index === length) break;
      cells.push(field + text.slice(fieldStart, index));
      field = '';
      index++;
      state = FIELD_START;
      if (code === delimiterCode) continue;
      if (code === CARRIAGE_RETURN && index < length && text.charCodeAt(index) === LINE_FEED) index++;
      this.checkRecordLength(this.recordLength + index - recordStart);
      output.push({ line: this.recordLine, cells, unclosedQuote: false });
      cells = [];
      line++;
      this.recordLine = line;
      this.recordLength = 0;
      recordStart = index;
    }
    if (state === UNQUOTED || state === QUOTED) field += text.slice(fieldStart, length);
    this.recordLength += length - recordStart;
    // Checked once a chunk so that memory stays bounded by the limit plus one chunk.
    this.checkRecordLength(this.recordLength);
    this.previousChunkEndedWithCarriageReturn = length > 0 ? text.charCodeAt(length - 1) === CARRIAGE_RETURN : this.previousChunkEndedWithCarriageReturn;
    this.state = state;
    this.cells = cells;
    this.field = field;
    this.line = line;
  }

  /** Whether a quoted field read so far held a line break (CR, LF or CRLF). */
  get sawQuotedLineBreak(): boolean {
    return this.lineBreakQuoted;
  }

  /** Completes the last record at the end of the input. */
  finish(output: CsvRecord[]): void {
    if (this.state === FIELD_START && this.cells.length === 0) return;
    this.cells.push(this.field);
    output.push({ line: this.recordLine, cells: this.cells, unclosedQuote: this.state === QUOTED });
    this.cells = [];
    this.field = '';
    this.state = FIELD_START;
  }

  /** Line breaks inside a quoted field, counting CRLF once. */
  private countLineBreaks(text: string, from: number, to: number): number {
    let count = 0;
    for (let index = from; index < to; index++) {
      const code = text.charCodeAt(index);
      if (code === CARRIAGE_RETURN) {
        count++;
      } else if (code === LINE_FEED) {
        const previousIsCarriageReturn = index === 0 ? this.previousChunkEndedWithCarriageReturn : text.charCodeAt(index - 1) === CARRIAGE_RETURN;
        if (!previousIsCarriageReturn) count++;
      }
    }
    return count;
  }

  private checkRecordLength(length: number): void {
    if (length > this.maxRecordLength) {
      throw new ImportFileError(
        'record_too_large',
        `The record starting on line ${this.recordLine} is longer than ${this.maxRecordLength} characters (an unclosed quote can cause this).`,
      );
    }
  }
}
