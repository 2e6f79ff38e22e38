import type { OpenAPIObject } from '@nestjs/swagger';

type Components = NonNullable<OpenAPIObject['components']>;
type HeaderObject = NonNullable<Components['headers']>[string];
type ParameterObject = NonNullable<Components['parameters']>[string];

/**
 * Response headers the API sends on many routes, documented once under `components.headers`
 * and referenced by name, so Swagger UI and generated clients describe each header the same way.
 */
export const HEADER_COMPONENTS = {
  'Content-Disposition': {
    description:
      '`attachment` with the file name twice: an ASCII `filename=` and the exact UTF-8 name as `filename*=UTF-8\'\'…` (RFC 6266 / RFC 5987), for example `attachment; filename="students-20261130T101500Z.csv"; filename*=UTF-8\'\'students-20261130T101500Z.csv`.',
    schema: { type: 'string' },
  },
  'Idempotency-Replayed': {
    description: '`true` when an earlier request with the same `Idempotency-Key` created the job answered.',
    schema: { type: 'string', enum: ['true'] },
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window.', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window.', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets.', schema: { type: 'integer' } },
  'X-Request-ID': { description: 'The id of this request (the one sent, when it was a sane token).', schema: { type: 'string' } },
} satisfies Record<string, HeaderObject>;

export type HeaderName = keyof typeof HEADER_COMPONENTS;

/** `{ [name]: { $ref } }` for each header, to spread into a response's `headers`. */
export function headerRefs(...names: HeaderName[]): Record<string, { $ref: string }> {
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

/** Request headers several routes take, documented once under `components.parameters`. */
export const PARAMETER_COMPONENTS = {
  'Idempotency-Key': {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Any 1..255 visible ASCII characters, unique per intended job: a repeat with the same body answers the job it created.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
} satisfies Record<string, ParameterObject>;
