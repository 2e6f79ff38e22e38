import { ValidateIf } from 'class-validator';

/**
 * For a field that may be left out but never set to null: unlike @IsOptional, a `null` value is
 * still validated (and refused), so it cannot reach a NOT NULL column.
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
