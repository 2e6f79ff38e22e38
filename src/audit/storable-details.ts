import { storableText } from '../common/validation/storable-text';

/** Bounds that keep one audit row small whatever the request carried. */
export const DETAILS_LIMITS = { maxStringLength: 1_000, maxItems: 100, maxDepth: 6, maxJsonLength: 32_768 } as const;

const ELLIPSIS = '…';

/** Cut before it is made storable, so that a cut through a surrogate pair is repaired too. */
function boundedText(text: string): string {
  return text.length <= DETAILS_LIMITS.maxStringLength ? storableText(text) : `${storableText(text.slice(0, DETAILS_LIMITS.maxStringLength))}${ELLIPSIS}`;
}

function storableValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return boundedText(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'object') return undefined;
  if (depth >= DETAILS_LIMITS.maxDepth) return ELLIPSIS;
  if (Array.isArray(value)) {
    const items = value.slice(0, DETAILS_LIMITS.maxItems).map((item) => storableValue(item, depth + 1) ?? null);
    return value.length > DETAILS_LIMITS.maxItems ? [...items, `${ELLIPSIS} ${value.length - DETAILS_LIMITS.maxItems} more`] : items;
  }
  const entries = Object.entries(value);
  const kept: [string, unknown][] = entries
    .slice(0, DETAILS_LIMITS.maxItems)
    .map(([key, child]): [string, unknown] => [boundedText(key), storableValue(child, depth + 1)])
    .filter(([, child]) => child !== undefined);
  if (entries.length > DETAILS_LIMITS.maxItems) kept.push([ELLIPSIS, `${entries.length - DETAILS_LIMITS.maxItems} more fields`]);
  return Object.fromEntries(kept);
}

/**
 * The JSON text of an audit row's details, always storable in `jsonb`: NUL and lone surrogates
 * replaced, long strings, arrays and objects cut, nesting bounded, and the whole kept under
 * `maxJsonLength` (beyond it only the fact that it was cut and its size are kept). A request is
 * never left without its audit row because of what it carried.
 */
export function storableDetailsJson(details: Record<string, unknown> | null | undefined): string | null {
  if (details === undefined || details === null) return null;
  const json = JSON.stringify(storableValue(details, 0));
  if (json.length <= DETAILS_LIMITS.maxJsonLength) return json;
  return JSON.stringify({ truncated: true, originalLength: json.length });
}

/** A text column's value made storable and cut to the column's length. */
export function storableColumn(value: string | null | undefined, length: number): string | null {
  return value === null || value === undefined ? null : storableText(value.slice(0, length));
}
