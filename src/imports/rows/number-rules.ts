import { FIRST_STUDY_YEAR, LAST_STUDY_YEAR } from '../../common/fields/field-spec';
import { CellFailure, cellRule, CellRule, foldWord } from './cell-rule';

const INTEGER_TEXT = /^[+-]?\d{1,15}$/u;

/** Whole numbers only: a credit count of `2.5` is a typo to fix, not a value to round. */
export function integerRule(field: string, minimum: number, maximum: number): CellRule {
  const invalid = new CellFailure('invalid_integer', `${field} must be a whole number from ${minimum} to ${maximum}`);
  const outOfRange = new CellFailure('out_of_range', `${field} must be from ${minimum} to ${maximum}`);
  const checkRange = (value: number) => (value < minimum || value > maximum ? outOfRange : value);
  return cellRule(field, {
    text: (value) => (INTEGER_TEXT.test(value) ? checkRange(Number(value)) : invalid),
    number: (value) => (Number.isInteger(value) ? checkRange(value) : invalid),
    boolean: () => invalid,
    date: () => invalid,
  });
}

const GREEK_YEAR_LETTERS = ['α', 'β', 'γ', 'δ', 'ε', 'στ'];
// Latin letters that a Latin keyboard types for the Greek ones: A for Α, B for Β, E for Ε.
const LATIN_LOOKALIKES: Readonly<Record<string, number>> = { a: 1, b: 2, e: 5 };
const ORDINAL_SUFFIXES = ['', 'ο', 'ος', 'o', 'η'];

/** Every accepted spelling of years 1..6 after foldStudyYear: `1`, `1ο`, `α`, `στ`, `a`, ... */
const STUDY_YEARS: ReadonlyMap<string, number> = new Map([
  ...GREEK_YEAR_LETTERS.map((letter, index) => [letter, index + 1] as const),
  ['ϛ', 6],
  ...Object.entries(LATIN_LOOKALIKES),
  ...[1, 2, 3, 4, 5, 6].flatMap((year) => ORDINAL_SUFFIXES.map((suffix) => [`${year}${suffix}`, year] as const)),
]);

// Keraia and the marks typed for it (' ΄ ʹ ’ ‘ ` ´), spaces, and a trailing "έτος" or "year".
const STUDY_YEAR_NOISE = /['\u0384\u02b9\u2019\u2018`\u00b4\s]|(?:ετοσ|ετος|year)$/gu;

function foldStudyYear(value: string): string {
  return foldWord(value).replace(STUDY_YEAR_NOISE, '');
}

/** 1..6 as a number, or as the Greek ordinal letters of a registration form: Α' .. ΣΤ'. */
export function studyYearRule(field: string): CellRule {
  const invalid = new CellFailure('invalid_study_year', `${field} must be a year of study from 1 to 6, such as 1, Α', Β' or ΣΤ'`);
  const fromNumber = (value: number) => (Number.isInteger(value) && value >= FIRST_STUDY_YEAR && value <= LAST_STUDY_YEAR ? value : invalid);
  return cellRule(field, {
    text: (value) => {
      // A lone digit is by far the common case; it skips the Unicode folding below.
      if (value.length === 1) {
        const digit = value.charCodeAt(0) - 48;
        if (digit >= FIRST_STUDY_YEAR && digit <= LAST_STUDY_YEAR) return digit;
      }
      return STUDY_YEARS.get(foldStudyYear(value)) ?? invalid;
    },
    number: fromNumber,
    boolean: () => invalid,
    date: () => invalid,
  });
}
