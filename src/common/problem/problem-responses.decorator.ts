import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { headerRefs } from '../openapi/header-components';
import { ProblemCode } from './problem-codes';
import { PROBLEM_CONTENT_TYPE, problemTypeOf } from './problem-details.filter';
import { ProblemDetailsDto } from './problem-details.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or a field is invalid (`validation_failed` lists each field in `errors`).',
  401: 'No bearer token, or the token is invalid, expired or revoked.',
  403: 'The signed-in user\'s role may not do this.',
  404: 'The resource does not exist (or belongs to someone else).',
  409: 'The request conflicts with the current state, such as a natural key already in use.',
  413: 'The request body is too large.',
  415: 'The request body has an unsupported content type.',
  422: 'The request is well-formed but breaks a rule of the domain.',
  429: 'Rate limit exceeded; `Retry-After` says how many seconds to wait.',
  500: 'An unexpected error; the body names the request id to quote.',
  503: 'A dependency is unavailable (`database_unavailable`: PostgreSQL, `queue_unavailable`: Redis, `rate_limit_unavailable`: sign-in\'s rate-limit store); `Retry-After` says how many seconds to wait.',
};


/** What each status typically answers, shown as its example: the status and code a client meets. */
const EXAMPLES: Record<number, { code: ProblemCode; detail: string }> = {
  400: { code: 'validation_failed', detail: 'The request has 1 invalid field.' },
  401: { code: 'authentication_required', detail: 'Send a bearer token: Authorization: Bearer <accessToken>.' },
  403: { code: 'insufficient_role', detail: 'This needs one of the roles admin, staff.' },
  404: { code: 'not_found', detail: 'Student 42 was not found.' },
  409: { code: 'conflict', detail: 'The request conflicts with the current state.' },
  413: { code: 'payload_too_large', detail: 'The request body is larger than this route accepts.' },
  415: { code: 'unsupported_media_type', detail: 'This route does not accept a body of that content type.' },
  422: { code: 'unprocessable_content', detail: 'The request breaks a rule of the domain.' },
  429: { code: 'rate_limited', detail: 'Too many requests; retry after the time given in Retry-After.' },
  500: { code: 'internal_error', detail: 'An unexpected error occurred; quote the instance when reporting it.' },
  503: { code: 'database_unavailable', detail: 'The database (PostgreSQL) cannot be reached; retry after the time given in Retry-After.' },
};

/** The problem+json content of an error status, with an example of that status and its usual code. */
export function problemContent(status: number) {
  const { code, detail } = EXAMPLES[status] ?? { code: 'error', detail: STATUS_CODES[status] ?? 'An error.' };
  const example = {
    type: problemTypeOf(code),
    title: STATUS_CODES[status],
    status,
    detail,
    instance: 'urn:request:8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e',
    code,
    ...(code === 'validation_failed' ? { errors: [{ field: 'email', code: 'isEmail', message: 'email must be an email' }] } : {}),
  };
  return { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) }, example } };
}

/** Documents the listed error statuses as problem+json responses. */
export function ProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? STATUS_CODES[status],
        content: problemContent(status),
        ...(status === 429 || status === 503 ? { headers: headerRefs('Retry-After') } : {}),
      }),
    ),
  );
}
