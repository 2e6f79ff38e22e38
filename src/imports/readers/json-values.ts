import { CellValue } from '../import.types';
import { ImportFileError } from './import-file.error';

/** Keys that could reach an object's prototype if a later step copied the value carelessly. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Deepest nesting of arrays and objects in JSON text, without parsing it (and without recursion). */
export function measureJsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return deepest;
}

/** Throws `forbidden_json_key` when a key in the parsed value could pollute a prototype; the depth is already bounded. */
export function assertNoForbiddenKeys(value: unknown, where: string): void {
  const key = findForbiddenKey(value);
  if (key !== undefined) throw forbiddenKeyError(key, where);
}

/** The first key, depth first, in the parsed value that could pollute a prototype; the depth is already bounded. */
export function findForbiddenKey(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const key = findForbiddenKey(item);
      if (key !== undefined) return key;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const nested = findForbiddenKey((value as Record<string, unknown>)[key]);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** `where` names the record, such as `record 3` or `line 7`. */
export function forbiddenKeyError(key: string, where: string): ImportFileError {
  return new ImportFileError('forbidden_json_key', `The key "${key}" is not allowed (${where}).`);
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * JSON headers: keys in order of first appearance. Keys are looked up in a Map, never as
 * properties of a plain object, so no key can reach a prototype.
 */
export class JsonHeaders {
  readonly names: string[] = [];
  private readonly indexes = new Map<string, number>();

  /** The object's values placed at the positions of their keys, adding unseen keys at the end. */
  toCells(object: Record<string, unknown>): CellValue[] {
    const cells: CellValue[] = [];
    for (const key of Object.keys(object)) {
      let index = this.indexes.get(key);
      if (index === undefined) {
        index = this.names.length;
        this.names.push(key);
        this.indexes.set(key, index);
      }
      while (cells.length < index) cells.push(undefined);
      cells[index] = object[key] as CellValue;
    }
    return cells;
  }
}
