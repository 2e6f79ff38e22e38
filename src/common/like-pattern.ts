/** `%text%` with `%`, `_` and `\` escaped, so user text matches literally inside (I)LIKE. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
