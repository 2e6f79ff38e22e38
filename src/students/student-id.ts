/** Greek capitals that look like Latin ones; folding them makes one card number one student. */
const GREEK_TO_LATIN: Record<string, string> = {
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const LOOKALIKES = new RegExp(`[${Object.keys(GREEK_TO_LATIN).join('')}]`, 'g');

export const STUDENT_ID_MAX_LENGTH = 50;
export const STUDENT_ID_PATTERN = /^[\p{L}\p{N}_-]+$/u;

/** The stored form of a student id: trimmed, uppercase, Greek look-alike capitals folded to Latin. */
export function normalizeStudentId(value: string): string {
  return value.trim().toUpperCase().replace(LOOKALIKES, (letter) => GREEK_TO_LATIN[letter]);
}

export function isValidStudentId(value: string): boolean {
  return value.length > 0 && value.length <= STUDENT_ID_MAX_LENGTH && STUDENT_ID_PATTERN.test(value);
}
