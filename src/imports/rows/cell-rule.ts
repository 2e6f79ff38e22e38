import { ImportValue } from './import-value';

/** Why a cell was rejected; made once per column, so that rejecting a cell allocates nothing. */
export class CellFailure {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export type CellResult = ImportValue | CellFailure;

/**
 * How one field reads each kind of cell a reader can give. Text arrives trimmed and non-empty;
 * empty cells never reach a rule, because what "empty" means depends on the field, not its type.
 */
export interface CellRule {
  text(value: string): CellResult;
  number(value: number): CellResult;
  boolean(value: boolean): CellResult;
  date(value: Date): CellResult;
  nested(value: object): CellResult;
}

/**
 * A rule that reads every cell as text unless it says otherwise: an XLSX number in a phone or id
 * column is the digits typed, a JSON object in a scalar field is `invalid_type`. Every rule has
 * the same shape, which keeps the per-cell dispatch fast.
 */
export function cellRule(field: string, overrides: Partial<CellRule> & Pick<CellRule, 'text'>): CellRule {
  const invalidType = new CellFailure('invalid_type', `${field} must be a single value, not a list or an object`);
  const rule: CellRule = {
    text: overrides.text,
    number: overrides.number ?? ((value) => rule.text(numberAsText(value))),
    boolean: overrides.boolean ?? ((value) => rule.text(String(value))),
    date: overrides.date ?? ((value) => rule.text(dateAsText(value))),
    nested: overrides.nested ?? (() => invalidType),
  };
  return rule;
}

/** A number as a person would type it: `6901234567`, never `6.901234567e+9` or `30.0`. */
export function numberAsText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  const text = String(value);
  return text.includes('e') ? value.toFixed(20).replace(/\.?0+$/u, '') : text;
}

/** The UTC day of a date cell; XLSX readers give a date cell as UTC midnight. */
export function dateAsText(value: Date): string {
  return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString().slice(0, 10);
}

/** Characters rather than UTF-16 units, as the database counts them; only asked when the fast count is over. */
export function exceedsLength(value: string, maxLength: number): boolean {
  if (value.length <= maxLength) return false;
  let characters = 0;
  for (const _character of value) if (++characters > maxLength) return true;
  return false;
}

const COMBINING_MARKS = /\p{Mn}/gu;

/** Lowercase without accents, so `Όχι`, `ΟΧΙ` and `οχι` are one word. */
export function foldWord(value: string): string {
  return value.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase();
}

const MEMO_LIMIT = 4096;
// V8 keeps text of 13 characters or more as a slice of the string it was cut from (a whole chunk
// of the file); remembering only shorter text never holds such a chunk in memory.
const MEMO_KEY_MAX_LENGTH = 12;

/**
 * Remembers what a rule made of each value it was given, up to MEMO_LIMIT values, skipping the
 * values `keyOf` gives no key (null).
 */
function remembered<Value, Key>(convert: (value: Value) => CellResult, keyOf: (value: Value) => Key | null): (value: Value) => CellResult {
  const memo = new Map<Key, CellResult>();
  return (value) => {
    const key = keyOf(value);
    if (key === null) return convert(value);
    let result = memo.get(key);
    if (result === undefined) {
      result = convert(value);
      if (memo.size < MEMO_LIMIT) memo.set(key, result);
    }
    return result;
  };
}

/**
 * Remembers what the rule made of each short text, number, yes/no and date, for fields with few
 * distinct values (dates, years of study, yes/no, statuses) whose parsing costs far more than a
 * lookup. An XLSX date or number cell is remembered by its value: its rule turns it into text
 * first, and that text would otherwise be parsed again on every row. Each memo stops growing at
 * a fixed size, so a file of distinct junk costs speed, never memory. Only for rules whose results
 * are primitives or shared failures: a remembered object would be shared by rows.
 */
export function memoizeCells(rule: CellRule): CellRule {
  return {
    ...rule,
    text: remembered(rule.text, (value) => (value.length > MEMO_KEY_MAX_LENGTH ? null : value)),
    number: remembered(rule.number, (value) => value),
    boolean: remembered(rule.boolean, (value) => value),
    date: remembered(rule.date, (value) => value.getTime()),
  };
}
