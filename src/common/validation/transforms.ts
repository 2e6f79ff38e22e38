import { TransformFnParams } from 'class-transformer';

/** Query strings carry booleans as text: accept true/false/1/0, leave anything else for @IsBoolean to reject. */
export function toBoolean({ value }: TransformFnParams): unknown {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
}

export function toTrimmed({ value }: TransformFnParams): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

export function toTrimmedLowercase({ value }: TransformFnParams): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

/** Empty text becomes null, so that clearing an optional field in a form stores "no value". */
export function toTrimmedOrNull({ value }: TransformFnParams): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Query strings carry integers as text: digits become a number, anything else is left for @IsInt to reject. */
export function toInteger({ value }: TransformFnParams): unknown {
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
}
