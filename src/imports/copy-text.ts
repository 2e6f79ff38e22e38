/**
 * PostgreSQL COPY text format: tab-separated, `\N` for NULL, backslash escapes for the characters
 * that would end a field or a line. Lines are built as strings in batches because a stream write
 * per row costs more than validating it.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export const COPY_NULL = '\\N';

export function copyText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (character) => ESCAPES[character]) : value;
}

/** One value as a COPY field: strings escaped, arrays and objects as JSON, booleans as t/f. */
export function copyField(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return copyText(value);
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'object':
      return value === null ? COPY_NULL : copyText(JSON.stringify(value));
    default:
      return COPY_NULL;
  }
}
