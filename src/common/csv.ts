/**
 * CSV writing shared by every export: RFC 4180 quoting, and neutralisation of cells that a
 * spreadsheet would run as a formula.
 */

/** Put first in a CSV file, it tells Excel that the file is UTF-8 (without it Greek text comes out garbled). */
export const UTF8_BOM = '\ufeff';

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
/** A number or a phone number: one optional leading sign, then digits, spaces, `.`, `-`, `(`, `)`. */
export const NUMBER_OR_PHONE = /^[+-]?[0-9 .()-]*[0-9][0-9 .()-]*$/;

/** Prefixes `'` to text a spreadsheet would execute (`=HYPERLINK(...)`), leaving `-5` and `+30 210 1234567` alone. */
export function neutraliseFormula(text: string): string {
  return FORMULA_TRIGGER.test(text) && !NUMBER_OR_PHONE.test(text) ? `'${text}` : text;
}

export type CsvValue = string | number | boolean | Date | object | null | undefined;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = neutraliseFormula(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
