import { CellValue } from '../import.types';
import { ImportFileError } from './import-file.error';
import { SharedStringTable } from './shared-strings';
import { AttributeRange, nextAttribute, XmlHandler, xmlText, XmlTextCollector } from './xml-scanner';

export interface XlsxRow {
  /** The sheet row number. */
  number: number;
  /** From column A, gaps as null, trailing empty cells dropped. */
  cells: CellValue[];
}

export interface CellContext {
  sharedStrings: SharedStringTable;
  /** Indexed by a cell's style (`s`): whether its number format shows a date. */
  dateStyles: readonly boolean[];
  /** Whether serial 0 is 1904-01-01 (old Mac workbooks) rather than 1899-12-31. */
  date1904: boolean;
}

/** Excel's last column, XFD: a reference beyond it is not a cell, and would size a row's array. */
const MAX_COLUMNS = 16_384;
const MILLISECONDS_PER_DAY = 24 * 60 * 60 * 1000;
/** Serial day of 1970-01-01 in the 1900 date system, and how much later the 1904 system starts. */
const UNIX_EPOCH_SERIAL = 25_569;
const DATE_1904_OFFSET_DAYS = 1_462;
/** Digits beyond this many may not be exact in a double: such a number is left to parseFloat. */
const MAX_EXACT_DIGITS = 15;
const DIGIT_ZERO = 0x30;
const MINUS = 0x2d;
const LOWER_CASE_BIT = 0x20;
const LETTER_A = 0x61;
const LETTER_Z = 0x7a;

/** A cell's `t` attribute: each known type as its own small number, so that a cell compares no string. */
const enum CellType {
  Number,
  SharedString,
  InlineString,
  FormulaString,
  Boolean,
  Error,
  Date,
  /** A type this reader does not know, read as a number as Excel would. */
  Other,
}

const CELL_TYPE_NAMES: readonly (string | undefined)[] = ['n', 's', 'inlineStr', 'str', 'b', 'e', 'd', undefined];

/**
 * Turns a worksheet's XML into rows as the scanner goes: `completed` collects the rows closed so
 * far, for the reader to take after each chunk. It works on the scanner's byte ranges: a number,
 * a shared string's index, a style or a column is read from the bytes, and only the values a row
 * holds become JavaScript values.
 */
export class XlsxSheetHandler implements XmlHandler {
  completed: XlsxRow[] = [];
  private inSheetData = false;
  private rowNumber = 0;
  private cells: CellValue[] | null = null;
  private lastFilled = -1;
  private column = -1;
  private cellType = CellType.Number;
  private cellStyle = 0;
  /** The value's raw XML so far; empty until the cell has a <v> or an inline string. */
  private readonly value = new XmlTextCollector();
  private capturing = false;
  private phoneticDepth = 0;
  private readonly attribute: AttributeRange = { nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0 };

  constructor(private readonly context: CellContext) {}

  open(name: string, source: Buffer, attributesStart: number, attributesEnd: number, selfClosing: boolean): void {
    if (name === 'c') {
      if (this.cells === null) return;
      this.startCell(source, attributesStart, attributesEnd);
      if (selfClosing) this.endCell();
    } else if (this.column >= 0) {
      if (!selfClosing) this.startValuePart(name);
    } else if (name === 'row') {
      if (!this.inSheetData) return;
      this.startRow(source, attributesStart, attributesEnd);
      if (selfClosing) this.endRow();
    } else if (name === 'sheetData') {
      this.inSheetData = !selfClosing;
    }
  }

  close(name: string): void {
    if (name === 'v' || name === 't') {
      this.capturing = false;
    } else if (name === 'c') {
      if (this.cells !== null && this.column >= 0) this.endCell();
    } else if (name === 'row') {
      if (this.cells !== null) this.endRow();
    } else if (name === 'rPh') {
      this.phoneticDepth--;
    } else if (name === 'sheetData') {
      this.inSheetData = false;
    }
  }

  text(source: Buffer, start: number, end: number, referenced: boolean): void {
    if (this.capturing) this.value.add(source, start, end, referenced);
  }

  private startRow(source: Buffer, start: number, end: number): void {
    let number = Number.NaN;
    for (let index = nextAttribute(source, start, end, this.attribute); index !== -1; index = nextAttribute(source, index, end, this.attribute)) {
      if (isName(source, this.attribute, 0x72 /* r */)) number = attributeNumber(source, this.attribute);
    }
    this.rowNumber = Number.isSafeInteger(number) && number > 0 ? number : this.rowNumber + 1;
    this.cells = [];
    this.lastFilled = -1;
  }

  private endRow(): void {
    const cells = this.cells ?? [];
    cells.length = this.lastFilled + 1;
    this.completed.push({ number: this.rowNumber, cells });
    this.cells = null;
  }

  /** Reads the cell's r, t and s in one pass over its attributes. */
  private startCell(source: Buffer, start: number, end: number): void {
    const attribute = this.attribute;
    this.column = this.cells?.length ?? 0;
    this.cellType = CellType.Number;
    this.cellStyle = 0;
    for (let index = nextAttribute(source, start, end, attribute); index !== -1; index = nextAttribute(source, index, end, attribute)) {
      if (attribute.nameEnd - attribute.nameStart !== 1) continue;
      const name = source[attribute.nameStart];
      if (name === 0x72 /* r */) this.column = columnIndex(source, attribute.valueStart, attribute.valueEnd);
      else if (name === 0x74 /* t */) this.cellType = cellType(source, attribute.valueStart, attribute.valueEnd);
      else if (name === 0x73 /* s */) this.cellStyle = attributeNumber(source, attribute);
    }
    this.value.clear();
    this.capturing = false;
    this.phoneticDepth = 0;
  }

  /** <v> holds the value; an inline string is the <t> text of <is>, its runs joined, phonetic guides left out. */
  private startValuePart(name: string): void {
    if (name === 'v') {
      this.value.clear();
      this.value.found = true;
      this.capturing = true;
    } else if (name === 'is') {
      this.value.clear();
      this.value.found = true;
    } else if (name === 't') {
      this.value.found = true;
      this.capturing = this.phoneticDepth === 0;
    } else if (name === 'rPh') {
      this.phoneticDepth++;
    }
  }

  private endCell(): void {
    const cells = this.cells as CellValue[];
    const value = this.cellValue();
    // Cells come in column order; a sheet that skips columns leaves gaps, filled with null.
    while (cells.length < this.column) cells.push(null);
    cells[this.column] = value;
    if (value !== null && this.column > this.lastFilled) this.lastFilled = this.column;
    this.column = -1;
    this.capturing = false;
  }

  /** Numbers, shared string indexes and booleans straight from the bytes; anything else through cellValue. */
  private cellValue(): CellValue {
    const value = this.value;
    if (!value.found) return null;
    const type = this.cellType;
    if ((type === CellType.Number || type === CellType.SharedString || type === CellType.Boolean) && value.isPlain()) {
      const number = plainNumber(value.source, value.start, value.end);
      if (number !== null) {
        if (type === CellType.SharedString) return this.context.sharedStrings.get(number);
        if (type === CellType.Boolean) return number !== 0;
        return this.context.dateStyles[this.cellStyle] === true ? (excelDate(number, this.context.date1904) ?? number) : number;
      }
    }
    return cellValue(CELL_TYPE_NAMES[type], value.text(), this.context.dateStyles[this.cellStyle] === true, this.context);
  }
}

function isName(source: Buffer, attribute: AttributeRange, code: number): boolean {
  return attribute.nameEnd - attribute.nameStart === 1 && source[attribute.nameStart] === code;
}

/** A numeric attribute such as a style index or row number; NaN when it is not a plain integer (the caller decides). */
function attributeNumber(source: Buffer, attribute: AttributeRange): number {
  return plainNumber(source, attribute.valueStart, attribute.valueEnd) ?? Number(xmlText(source, attribute.valueStart, attribute.valueEnd));
}

/** The integer written as an optional '-' and at most 15 digits in source[start, end); null when it is written any other way. */
export function plainNumber(source: Buffer, start: number, end: number): number | null {
  let index = start;
  const negative = source[index] === MINUS;
  if (negative) index++;
  if (index === end || end - index > MAX_EXACT_DIGITS) return null;
  let number = 0;
  for (; index < end; index++) {
    const digit = source[index] - DIGIT_ZERO;
    if (digit < 0 || digit > 9) return null;
    number = number * 10 + digit;
  }
  return negative ? -number : number;
}

function cellType(source: Buffer, start: number, end: number): CellType {
  const length = end - start;
  const first = source[start];
  if (length === 1) {
    if (first === 0x73 /* s */) return CellType.SharedString;
    if (first === 0x6e /* n */) return CellType.Number;
    if (first === 0x62 /* b */) return CellType.Boolean;
    if (first === 0x65 /* e */) return CellType.Error;
    if (first === 0x64 /* d */) return CellType.Date;
  }
  const name = xmlText(source, start, end);
  if (name === 'str') return CellType.FormulaString;
  if (name === 'inlineStr') return CellType.InlineString;
  return CellType.Other;
}

/** The 0-based column of the cell reference (such as "AB12") in source[start, end). */
export function columnIndex(source: Buffer, start: number, end: number): number {
  let column = 0;
  let index = start;
  for (; index < end; index++) {
    const code = source[index] | LOWER_CASE_BIT;
    if (code < LETTER_A || code > LETTER_Z) break;
    column = column * 26 + (code - LETTER_A + 1);
    if (column > MAX_COLUMNS) break;
  }
  if (index === start || column > MAX_COLUMNS) {
    const shown = source.toString('utf8', start, Math.min(end, start + 20));
    throw new ImportFileError('invalid_xlsx', `The file is not a readable XLSX workbook: "${shown}" is not a cell reference.`);
  }
  return column - 1;
}

/**
 * A cell's value from its type (`t`) and the text of its <v> or inline string (null when it has
 * neither): shared string → its text, number → number (a Date when its style shows a date),
 * boolean, formula string result → text, error → null. A formula cell reads as its cached result.
 */
export function cellValue(type: string | undefined, text: string | null, dateStyle: boolean, context: CellContext): CellValue {
  if (text === null) return null;
  switch (type) {
    case 's':
      return context.sharedStrings.get(Number(text));
    case 'inlineStr':
    case 'str':
      return text;
    case 'b':
      return parseInt(text, 10) !== 0;
    case 'e':
      return null;
    case 'd': {
      const date = new Date(text);
      return Number.isNaN(date.getTime()) ? null : date;
    }
    default: {
      const number = parseFloat(text);
      if (!Number.isFinite(number)) return null;
      return dateStyle ? (excelDate(number, context.date1904) ?? number) : number;
    }
  }
}

/** An Excel serial day as a Date (a whole day is UTC midnight); null when out of Date's range. */
export function excelDate(serial: number, date1904: boolean): Date | null {
  const date = new Date(Math.round((serial - UNIX_EPOCH_SERIAL + (date1904 ? DATE_1904_OFFSET_DAYS : 0)) * MILLISECONDS_PER_DAY));
  return Number.isNaN(date.getTime()) ? null : date;
}
