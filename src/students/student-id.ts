import { TransformFnParams } from 'class-transformer';

/** Greek capitals that look like Latin ones; folding them makes one card number one student. */
const GREEK_TO_LATIN: Record<string, string> = {
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const LOOKALIKES = new RegExp(`[${Object.keys(GREEK_TO_LATIN).join('')}]`, 'g');

export const STUDENT_ID_MAX_LENGTH = 50;
export const STUDENT_ID_PATTERN = /^[\p{L}\p{N}_-]+$/u;

/** The stored form of a student id: trimmed, uppercase, Greek look-alike capitals folded to Latin. */
export function normalizeStudentId(value: string): string {
  let folded = '';
  for (let position = 0; position < value.length; position++) {
    const character = STUDENT_ID_CHARACTERS[value.charCodeAt(position)];
    if (character === undefined) return foldStudentId(value);
    folded += character;
  }
  return folded;
}

/** A student id in its stored form, for `@Transform`; anything but text is left for the validators. */
export function toStudentId({ value }: TransformFnParams): unknown {
  return typeof value === 'string' ? normalizeStudentId(value) : value;
}

export function isValidStudentId(value: string): boolean {
  return value.length > 0 && value.length <= STUDENT_ID_MAX_LENGTH && STUDENT_ID_PATTERN.test(value);
}

/**
 * Whether the text is already a valid id in its stored form, as most files write ids: digits,
 * capital Latin letters, `_` and `-`, which normalizeStudentId and isValidStudentId give back as they
 * are. Lets an import of a million ids skip building each again.
 */
export function isStoredStudentId(value: string): boolean {
  if (value.length === 0 || value.length > STUDENT_ID_MAX_LENGTH) return false;
  for (let position = 0; position < value.length; position++) {
    const code = value.charCodeAt(position);
    const digit = code >= 0x30 && code <= 0x39;
    const capital = code >= 0x41 && code <= 0x5a;
    if (!digit && !capital && code !== 0x5f && code !== 0x2d) return false;
  }
  return true;
}

/** normalizeStudentId for any text; the fast path below gives the same, several times faster. */
function foldStudentId(value: string): string {
  return value.trim().toUpperCase().replace(LOOKALIKES, (letter) => GREEK_TO_LATIN[letter]);
}

/**
 * foldStudentId applied one character at a time, for the characters where that is exact, so that
 * the ids imports carry by the million skip the regular expressions: digits, `_`, `-`, and
 * unaccented Latin and Greek letters (trim leaves them alone and their uppercase does not depend
 * on their neighbours). Derived from foldStudentId itself, so the two cannot drift apart; an id
 * with a character the table does not hold goes through foldStudentId.
 */
const STUDENT_ID_CHARACTERS: readonly (string | undefined)[] = (() => {
  const table: (string | undefined)[] = [];
  const ranges = [
    ['0', '9'],
    ['A', 'Z'],
    ['a', 'z'],
    ['_', '_'],
    ['-', '-'],
    ['Α', 'Ω'],
    ['α', 'ω'],
  ];
  for (const [first, last] of ranges) {
    for (let code = first.charCodeAt(0); code <= last.charCodeAt(0); code++) {
      const folded = foldStudentId(String.fromCharCode(code));
      if (folded.length === 1 && isValidStudentId(folded)) table[code] = folded;
    }
  }
  return table;
})();
