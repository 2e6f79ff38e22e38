import { HttpException } from '@nestjs/common';
import { ProblemCode } from './problem-codes';

/** One field-level problem inside a 400/422 answer. */
export interface FieldProblem {
  /** Dotted path of the offending field in the request (`email`, `evaluationRules.0.weight`). */
  field: string;
  code: string;
  message: string;
}

export interface ProblemOptions {
  status: number;
  code: ProblemCode;
  title: string;
  detail?: string;
  errors?: FieldProblem[];
  /** Extension members (RFC 9457 §3.2) added to the body, such as the readiness `checks`. */
  extensions?: Record<string, unknown>;
  /** Extra response headers, such as `Retry-After`. */
  headers?: Record<string, string>;
}

/**
 * The one exception type that carries an RFC 9457 problem. Services throw it with a stable
 * `code`; the problem filter turns it (and every other error) into `application/problem+json`.
 */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemOptions) {
    super(problem.detail ?? problem.title, problem.status);
  }

  static notFound(what: string, code: ProblemCode = 'not_found'): ProblemException {
    return new ProblemException({ status: 404, code, title: 'Not Found', detail: `${what} was not found.` });
  }

  /** The signed-in user's role may not do this. */
  static insufficientRole(detail: string): ProblemException {
    return new ProblemException({ status: 403, code: 'insufficient_role', title: 'Forbidden', detail });
  }

  static conflict(code: ProblemCode, detail: string): ProblemException {
    return new ProblemException({ status: 409, code, title: 'Conflict', detail });
  }

  static validation(errors: FieldProblem[], status: 400 | 422 = 400): ProblemException {
    return new ProblemException({
      status,
      code: 'validation_failed',
      title: status === 400 ? 'Bad Request' : 'Unprocessable Content',
      detail: `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}.`,
      errors,
    });
  }
}
