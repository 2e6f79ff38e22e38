import { FieldProblem } from '../problem/problem.exception';

/**
 * The one input policy for text: PostgreSQL cannot store U+0000 in `text` or `jsonb`, and a lone
 * UTF-16 surrogate is not Unicode at all (it would be silently turned into U+FFFD on the way to
 * the database). Such text is refused where it enters, and made storable where it must be kept
 * whatever it holds (the audit trail).
 */
export const INVALID_CHARACTER_CODE = 'invalid_character';

const NUL = '\u0000';
const REPLACEMENT_CHARACTER = '\uFFFD';

/** Why a string cannot be stored as it is, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  if (text.includes(NUL)) return 'contains a NUL character (U+0000)';
  if (!text.isWellFormed()) return 'contains a lone UTF-16 surrogate, which is not valid Unicode';
  return undefined;
}

function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Every string (keys included) inside a parsed request value that cannot be stored, as field
 * problems named by their dotted path. Walks arrays and plain objects; stops at `maxProblems`.
 */
export function findUnstorableText(value: unknown, path = '', maxProblems = 20): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const visit = (current: unknown, currentPath: string): void => {
    if (problems.length >= maxProblems) return;
    if (typeof current === 'string') {
      const reason = unstorableReason(current);
      if (reason !== undefined) {
        const field = currentPath === '' ? 'value' : currentPath;
        problems.push({ field: storableText(field), code: INVALID_CHARACTER_CODE, message: `${storableText(field)} ${reason}` });
      }
      return;
    }
    if (current === null || typeof current !== 'object') return;
    for (const [key, child] of Object.entries(current)) {
      const childPath = joinPath(currentPath, key);
      const keyReason = unstorableReason(key);
      if (keyReason !== undefined) {
        problems.push({ field: storableText(childPath), code: INVALID_CHARACTER_CODE, message: `The field name ${storableText(key)} ${keyReason}` });
        continue;
      }
      visit(child, childPath);
    }
  };
  visit(value, path);
  return problems;
}

/** The text with NUL and lone surrogates replaced by U+FFFD, so that it can be stored and shown. */
export function storableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes(NUL) ? wellFormed.replaceAll(NUL, REPLACEMENT_CHARACTER) : wellFormed;
}
