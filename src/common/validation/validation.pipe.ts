import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem, ProblemException } from '../problem/problem.exception';
import { findUnstorableText } from './storable-text';

/** Flattens class-validator's tree into one entry per failed rule, keyed by the dotted field path. */
export function flattenValidationErrors(errors: ValidationError[], parentPath = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parentPath === '' ? error.property : `${parentPath}.${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([code, message]) => ({
      field,
      code: code === 'whitelistValidation' ? 'unknown_field' : code,
      message,
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

const CHECKED_SOURCES = new Set<ArgumentMetadata['type']>(['body', 'query', 'param']);

/**
 * The global pipe: text that cannot be stored (see storable-text.ts) is refused in every body,
 * query string and path parameter before any DTO rule runs, so no route can pass it on to
 * PostgreSQL. Then class-validator's rules, as everywhere.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (CHECKED_SOURCES.has(metadata.type)) {
      const problems = findUnstorableText(value, metadata.data ?? '');
      if (problems.length > 0) throw ProblemException.validation(problems);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ProblemException.validation(flattenValidationErrors(errors)),
  });
}
