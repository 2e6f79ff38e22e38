import { Injectable, PipeTransform } from '@nestjs/common';
import { ProblemException } from '../problem/problem.exception';

/** Any value PostgreSQL's uuid type accepts in canonical form, whatever its version. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT4_MAX = 2_147_483_647;

const invalidId = (message: string): ProblemException =>
  ProblemException.validation([{ field: 'id', code: 'invalid_id', message }]);

/** Rejects a malformed uuid path parameter with a 400 before it reaches PostgreSQL. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID_PATTERN.test(value)) throw invalidId('id must be a UUID');
    return value.toLowerCase();
  }
}

/** Accepts a positive integer id within PostgreSQL's `integer` range. */
@Injectable()
export class IntegerIdParamPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > INT4_MAX) {
      throw invalidId('id must be a positive integer');
    }
    return Number(value);
  }
}
