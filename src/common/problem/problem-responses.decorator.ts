import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { headerRefs } from '../openapi/header-components';
import { PROBLEM_CONTENT_TYPE } from './problem-details.filter';
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


/** Documents the listed error statuses as problem+json responses. */
export function ProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? STATUS_CODES[status],
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
        ...(status === 429 || status === 503 ? { headers: headerRefs('Retry-After') } : {}),
      }),
    ),
  );
}
