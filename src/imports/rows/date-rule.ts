import { isCalendarDate } from '../../common/validation/date.validators';
import { CellFailure, cellRule, CellRule, dateAsText } from './cell-rule';

// Greek forms write the day first: 1/9/2026, 01.09.2026 and 01-09-2026 are all 1 September.
const DAY_FIRST_DATE = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$/u;

// Excel's 1900 date system counts 1900-01-01 as day 1 and has a 29 February 1900 that never was
// (day 60); from day 61 on, day 25569 is 1970-01-01. Days up to 60 are refused rather than guessed.
const FIRST_EXCEL_SERIAL = 61;
const LAST_EXCEL_SERIAL = 2_958_465; // 9999-12-31
const EXCEL_SERIAL_OF_UNIX_EPOCH = 25_569;
const MILLISECONDS_PER_DAY = 86_400_000;

const twoDigits = (digits: string): string => (digits.length === 1 ? `0${digits}` : digits);

/** `YYYY-MM-DD` from any accepted text form, or null when the text is not a date form at all. */
function textAsCalendarDate(value: string): string | null {
  if (value.length === 10 && value.charCodeAt(4) === 45 /* - */ && value.charCodeAt(7) === 45) return value;
  const match = DAY_FIRST_DATE.exec(value);
  return match === null ? null : `${match[4]}-${twoDigits(match[3])}-${twoDigits(match[1])}`;
}

/** The day of an Excel serial number (a fraction is the time of day and is dropped), or null outside the supported range. */
function excelSerialAsCalendarDate(serial: number): string | null {
  const day = Math.floor(serial);
  if (!(day >= FIRST_EXCEL_SERIAL && day <= LAST_EXCEL_SERIAL)) return null;
  return dateAsText(new Date((day - EXCEL_SERIAL_OF_UNIX_EPOCH) * MILLISECONDS_PER_DAY));
}

/** A calendar day, normalised to `YYYY-MM-DD`, not after `today`. */
export function dateRule(field: string, today: string): CellRule {
  const invalid = new CellFailure('invalid_date', `${field} must be a real date as YYYY-MM-DD or DD/MM/YYYY, such as 2026-09-01 or 01/09/2026`);
  const future = new CellFailure('future_date', `${field} must not be after today (${today})`);
  const checkDay = (day: string | null) => (day === null || !isCalendarDate(day) ? invalid : day > today ? future : day);
  return cellRule(field, {
    text: (value) => checkDay(textAsCalendarDate(value)),
    number: (value) => checkDay(excelSerialAsCalendarDate(value)),
    boolean: () => invalid,
    date: (value) => checkDay(dateAsText(value)),
  });
}
