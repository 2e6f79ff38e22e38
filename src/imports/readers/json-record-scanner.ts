import { ImportFileError } from './import-file.error';

export interface JsonRecordText {
  /** 1-based position of the record in the top-level array (1 for a top-level object). */
  number: number;
  /** 0-based character offset of the record in the decoded text, for error messages. */
  position: number;
  text: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

type Expectation = 'start' | 'first-element' | 'element' | 'separator' | 'end';
type RecordKind = 'container' | 'string' | 'literal';

/**
 * Splits a top-level JSON array (or a single top-level object) into the text of each record,
 * chunk by chunk, so that JSON.parse (fast and exact) parses one record at a time and the file is
 * never in memory whole. It checks the punctuation between records, the nesting depth and the
 * record length as it goes; the syntax inside a record is left to JSON.parse.
 */
export class JsonRecordScanner {
  private buffer = '';
  /** Offset of buffer[0] in the whole decoded text. */
  private bufferOffset = 0;
  private expectation: Expectation = 'start';
  private recordCount = 0;
  private topLevelIsArray = false;
  // The record being scanned, when recordStart >= 0.
  private recordStart = -1;
  private recordKind: RecordKind = 'container';
  private scanIndex = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(
    private readonly maxRecordLength: number,
    private readonly maxDepth: number,
  ) {}

  push(text: string, output: JsonRecordText[]): void {
    this.buffer += text;
    let index = this.scanIndex;
    const buffer = this.buffer;
    while (index < buffer.length) {
      if (this.recordStart >= 0) {
        index = this.scanRecord(index, output);
        continue;
      }
      const code = buffer.charCodeAt(index);
      if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) {
        index++;
        continue;
      }
      index = this.readPunctuation(code, index);
    }
    this.compact(index);
  }

  finish(): void {
    if (this.expectation === 'start' && this.recordStart < 0) throw new ImportFileError('empty_file', 'The file contains no data.');
    if (this.expectation !== 'end') throw this.syntaxError('Unexpected end of JSON input', this.bufferOffset + this.buffer.length);
  }

  /** Handles a non-whitespace character between records; returns the next index to read. */
  private readPunctuation(code: number, index: number): number {
    const position = this.bufferOffset + index;
    switch (this.expectation) {
      case 'start':
        if (code === OPEN_BRACKET) {
          this.topLevelIsArray = true;
          this.expectation = 'first-element';
          return index + 1;
        }
        if (code === OPEN_BRACE) return this.startRecord(index);
        throw this.syntaxError('The top level must be an array of objects or an object', position);
      case 'first-element':
        if (code === CLOSE_BRACKET) {
          this.expectation = 'end';
          return index + 1;
        }
        if (code === COMMA) throw this.syntaxError('Expected a value', position);
        return this.startRecord(index);
      case 'element':
        if (code === CLOSE_BRACKET || code === COMMA) throw this.syntaxError('Expected a value', position);
        return this.startRecord(index);
      case 'separator':
        if (code === COMMA) {
          this.expectation = 'element';
          return index + 1;
        }
        if (code === CLOSE_BRACKET) {
          this.expectation = 'end';
          return index + 1;
        }
        throw this.syntaxError("Expected ',' or ']' after an array element", position);
      case 'end':
        throw this.syntaxError('Unexpected data after the end of the JSON value', position);
    }
  }

  private startRecord(index: number): number {
    const code = this.buffer.charCodeAt(index);
    this.recordStart = index;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      this.recordKind = 'container';
      return index;
    }
    this.recordKind = code === QUOTE ? 'string' : 'literal';
    this.inString = code === QUOTE;
    return index + 1;
  }

  /** Scans the current record from `index`; emits it when it ends and returns the next index. */
  private scanRecord(index: number, output: JsonRecordText[]): number {
    const buffer = this.buffer;
    const length = buffer.length;
    const baseDepth = this.topLevelIsArray ? 1 : 0;
    for (; index < length; index++) {
      const code = buffer.charCodeAt(index);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (code === BACKSLASH) this.escaped = true;
        else if (code === QUOTE) {
          this.inString = false;
          if (this.recordKind === 'string') return this.endRecord(index + 1, output);
        }
      } else if (this.recordKind === 'literal') {
        if (code === COMMA || code === CLOSE_BRACKET || code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) return this.endRecord(index, output);
      } else if (code === QUOTE) {
        this.inString = true;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        this.depth++;
        if (baseDepth + this.depth > this.maxDepth) {
          throw new ImportFileError('json_too_deep', `JSON nesting is deeper than ${this.maxDepth} levels at position ${this.bufferOffset + index}.`);
        }
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) return this.endRecord(index + 1, output);
      }
    }
    this.checkRecordLength(length - this.recordStart);
    return index;
  }

  private endRecord(end: number, output: JsonRecordText[]): number {
    this.checkRecordLength(end - this.recordStart);
    this.recordCount++;
    output.push({ number: this.recordCount, position: this.bufferOffset + this.recordStart, text: this.buffer.slice(this.recordStart, end) });
    this.recordStart = -1;
    this.expectation = this.topLevelIsArray ? 'separator' : 'end';
    return end;
  }

  /** Drops the text already handed out, keeping the record in progress. */
  private compact(index: number): void {
    const keepFrom = this.recordStart >= 0 ? this.recordStart : index;
    this.buffer = this.buffer.slice(keepFrom);
    this.bufferOffset += keepFrom;
    this.scanIndex = index - keepFrom;
    if (this.recordStart >= 0) this.recordStart = 0;
  }

  private checkRecordLength(length: number): void {
    if (length > this.maxRecordLength) {
      throw new ImportFileError(
        'record_too_large',
        `JSON record ${this.recordCount + 1} (at position ${this.bufferOffset + this.recordStart}) is longer than ${this.maxRecordLength} characters.`,
      );
    }
  }

  private syntaxError(reason: string, position: number): ImportFileError {
    return new ImportFileError('invalid_json', `Invalid JSON at position ${position}: ${reason}.`);
  }
}
