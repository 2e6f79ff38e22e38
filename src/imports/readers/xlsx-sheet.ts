import { CellValue } from '../import.types';
import { ImportFileError } from './import-file.error';
import { SharedStringTable } from './shared-strings';
import { attributeValue, forEachAttribute, XmlHandler } from './xml-scanner';

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

/**
 * Turns a worksheet's XML into rows as the scanner goes: `completed` collects the rows closed so
 * far, for the reader to take after each chunk.
 */
export class XlsxSheetHandler implements XmlHandler {
  completed: XlsxRow[] = [];
  private inSheetData = false;
  private rowNumber = 0;
  private cells: CellValue[] | null = null;
  private lastFilled = -1;
  private column = -1;
  private cellType: string | undefined;
  private cellStyle = 0;
  /** The value's text so far; null until the cell has a <v> or an inline string. */
  private valueText: string | null = null;
  private capturing = false;
  private phoneticDepth = 0;

  constructor(private readonly context: CellContext) {}

  open(name: string, attributes: string, selfClosing: boolean): void {
    if (name === 'sheetData') {
      this.inSheetData = !selfClosing;
    } else if (name === 'row' && this.inSheetData) {
      this.startRow(attributes);
      if (selfClosing) this.endRow();
    } else if (name === 'c' && this.cells !== null) {
      this.startCell(attributes);
      if (selfClosing) this.endCell();
    } else if (this.column >= 0 && !selfClosing) {
      this.startValuePart(name);
    }
  }

  close(name: string): void {
    if (name === 'c') {
      if (this.cells !== null && this.column >= 0) this.endCell();
    } else if (name === 'row') {
      if (this.cells !== null) this.endRow();
    } else if (name === 'v' || name === 't') {
      this.capturing = false;
    } else if (name === 'rPh') {
      this.phoneticDepth--;
    } else if (name === 'sheetData') {
      this.inSheetData = false;
    }
  }

  text(text: string): void {
    if (this.capturing) this.valueText += text;
  }

  private startRow(attributes: string): void {
    const number = Number(attributeValue(attributes, 'r'));
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

  private startCell(attributes: string): void {
    this.column = this.cells?.length ?? 0;
    this.cellType = undefined;
    this.cellStyle = 0;
    forEachAttribute(attributes, this.cellAttribute);
    this.valueText = null;
    this.capturing = false;
    this.phoneticDepth = 0;
  }

  /** Bound once: a cell's attributes are read in one pass, without a closure per cell. */
  private readonly cellAttribute = (name: string, value: string): void => {
    if (name === 'r') this.column = columnIndex(value);
    else if (name === 't') this.cellType = value;
    else if (name === 's') this.cellStyle = Number(value);
  };

  /** <v> holds the value; an inline string is the <t> text of <is>, its runs joined, phonetic guides left out. */
  private startValuePart(name: string): void {
    if (name === 'v') {
      this.valueText = '';
      this.capturing = true;
    } else if (name === 'is') {
      this.valueText = '';
    } else if (name === 't') {
      this.valueText ??= '';
      this.capturing = this.phoneticDepth === 0;
    } else if (name === 'rPh') {
      this.phoneticDepth++;
    }
  }

  private endCell(): void {
    const cells = this.cells as CellValue[];
    const value = cellValue(this.cellType, this.valueText, this.context.dateStyles[this.cellStyle] === true, this.context);
    // Cells come in column order; a sheet that skips columns leaves gaps, filled with null.
    while (cells.length < this.column) cells.push(null);
    cells[this.column] = value;
    if (value !== null && this.column > this.lastFilled) this.lastFilled = this.column;
    this.column = -1;
    this.capturing = false;
  }
}

/** The 0-based column of a cell reference such as "AB12". */
export function columnIndex(reference: string): number {
  let column = 0;
  let index = 0;
  for (; index < reference.length; index++) {
    const code = reference.charCodeAt(index) | 0x20;
    if (code < 0x61 || code > 0x7a) break;
    column = column * 26 + (code - 0x60);
    if (column > MAX_COLUMNS) break;
  }
  if (index === 0 || column > MAX_COLUMNS) {
    throw new ImportFileError('invalid_xlsx', `The file is not a readable XLSX workbook: "${reference.slice(0, 20)}" is not a cell reference.`);
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
