import type { OpenAPIObject } from '@nestjs/swagger';
import { finishDocument } from '../../src/openapi-document';

const problemOf = (status: number, code: string) => ({
  'application/problem+json': {
    schema: { $ref: '#/components/schemas/ProblemDetailsDto' },
    example: expect.objectContaining({ status, code, type: `urn:problem:sms:${code}` }),
  },
});
const RESPONSE_500 = {
  description: 'An unexpected error; the body names the request id to quote.',
  content: problemOf(500, 'internal_error'),
};
const RESPONSE_429 = {
  description: 'Rate limit exceeded; `Retry-After` says how many seconds to wait.',
  content: problemOf(429, 'rate_limited'),
  headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
};
const REQUEST_ID_HEADER = { 'X-Request-ID': { $ref: '#/components/headers/X-Request-ID' } };
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/X-RateLimit-Limit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/X-RateLimit-Remaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/X-RateLimit-Reset' },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function documentWith(paths: Json, extra: Json = {}): OpenAPIObject {
  return { openapi: '3.0.0', info: { title: 'test', version: '1.0.0' }, paths, ...extra };
}

describe('finishDocument', () => {
  it('finishes a default-limited GET: policy, 429, 500 and response headers', () => {
    const document = finishDocument(
      documentWith({ '/students': { get: { operationId: 'list', responses: { '200': { description: 'The page.' } } } } }),
    );
    expect(document.paths['/students'].get).toStrictEqual({
      operationId: 'list',
      'x-rate-limit-policy': 'default',
      responses: {
        '200': { description: 'The page.', headers: { ...REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS } },
        '429': RESPONSE_429,
        '500': RESPONSE_500,
      },
      security: [],
    });
  });

  it('adds neither 429 nor rate-limit headers when the policy is none, but still adds 500', () => {
    const document = finishDocument(
      documentWith({
        '/health': { get: { 'x-rate-limit-policy': 'none', responses: { '200': { description: 'Alive.' } } } },
      }),
    );
    expect(document.paths['/health'].get).toStrictEqual({
      'x-rate-limit-policy': 'none',
      responses: {
        '200': { description: 'Alive.', headers: REQUEST_ID_HEADER },
        '500': RESPONSE_500,
      },
      security: [],
    });
  });

  it('keeps a named policy and still documents its 429', () => {
    const document = finishDocument(
      documentWith({
        '/auth/login': { post: { 'x-rate-limit-policy': 'login', responses: { '201': { description: 'Signed in.' } } } },
      }),
    );
    const operation = document.paths['/auth/login'].post as unknown as Json;
    expect(operation['x-rate-limit-policy']).toBe('login');
    expect(operation.responses['429']).toStrictEqual(RESPONSE_429);
    expect(operation.responses['201'].headers).toStrictEqual({ ...REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS });
  });

  it('keeps an operation’s own 429 and 500 responses', () => {
    const own429 = { description: 'Login limit reached.' };
    const own500 = { description: 'Our own 500.' };
    const document = finishDocument(
      documentWith({
        '/x': { get: { responses: { '200': { description: 'Ok.' }, '429': own429, '500': own500 } } },
      }),
    );
    const responses = document.paths['/x'].get!.responses;
    expect(responses['429']).toStrictEqual({ description: 'Login limit reached.' });
    expect(responses['500']).toStrictEqual({ description: 'Our own 500.' });
  });

  it('fills empty 2xx descriptions with the status text', () => {
    const document = finishDocument(
      documentWith({
        '/a': {
          get: { responses: { '200': { description: '' } } },
          post: { responses: { '201': { description: '' } } },
          delete: { responses: { '204': { description: '' } } },
          put: { responses: { '299': { description: '' } } },
        },
      }),
    );
    const path = document.paths['/a'];
    expect(path.get!.responses['200']).toMatchObject({ description: 'OK' });
    expect(path.post!.responses['201']).toMatchObject({ description: 'Created' });
    expect(path.delete!.responses['204']).toMatchObject({ description: 'No Content' });
    expect(path.put!.responses['299']).toMatchObject({ description: 'Success' });
  });

  it('leaves non-2xx and $ref responses alone', () => {
    const document = finishDocument(
      documentWith({
        '/a': {
          get: {
            'x-rate-limit-policy': 'none',
            responses: {
              '200': { $ref: '#/components/responses/Page' },
              '400': { description: '' },
              '401': { description: 'No token.' },
            },
          },
        },
      }),
    );
    expect(document.paths['/a'].get!.responses).toStrictEqual({
      '200': { $ref: '#/components/responses/Page' },
      '400': { description: '' },
      '401': { description: 'No token.' },
      '500': RESPONSE_500,
    });
  });

  it('keeps a response’s own headers next to the added ones', () => {
    const own = { Location: { description: 'Where the job is.', schema: { type: 'string' } } };
    const document = finishDocument(
      documentWith({ '/jobs': { post: { responses: { '202': { description: 'Accepted.', headers: own } } } } }),
    );
    expect(document.paths['/jobs'].post!.responses['202']).toStrictEqual({
      description: 'Accepted.',
      headers: { ...own, ...REQUEST_ID_HEADER, ...RATE_LIMIT_HEADERS },
    });
  });

  it('finishes every method of a path', () => {
    const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
    const pathItem = Object.fromEntries(methods.map((method) => [method, { responses: { '200': { description: 'Ok.' } } }]));
    const document = finishDocument(documentWith({ '/all': pathItem }));
    for (const method of methods) {
      const operation = document.paths['/all'][method] as unknown as Json;
      expect(Object.keys(operation.responses)).toEqual(['200', '429', '500']);
      expect(operation['x-rate-limit-policy']).toBe('default');
    }
  });

  it('sorts the responses of an operation by status', () => {
    const document = finishDocument(
      documentWith({
        '/a': {
          get: {
            responses: {
              '404': { description: 'Missing.' },
              '200': { description: 'Ok.' },
              '401': { description: 'No token.' },
            },
          },
        },
      }),
    );
    expect(Object.keys(document.paths['/a'].get!.responses)).toEqual(['200', '401', '404', '429', '500']);
  });

  it('orders range and default responses after the numeric ones', () => {
    // Object keys that look like integers always come first in JavaScript, so the sorted
    // string keys ('4XX', 'default') follow the numeric statuses instead of sitting between them.
    const document = finishDocument(
      documentWith({
        '/a': {
          get: {
            'x-rate-limit-policy': 'none',
            responses: {
              default: { description: 'Anything else.' },
              '4XX': { description: 'Client error.' },
              '200': { description: 'Ok.' },
            },
          },
        },
      }),
    );
    expect(Object.keys(document.paths['/a'].get!.responses)).toEqual(['200', '500', '4XX', 'default']);
  });

  it('sorts paths and schemas, and keeps the tags in their declared (reading) order', () => {
    const ok = () => ({ get: { responses: { '200': { description: 'Ok.' } } } });
    const document = finishDocument(
      documentWith(
        { '/students/{id}': ok(), '/courses': ok(), '/students': ok(), '/auth/login': ok() },
        {
          components: { schemas: { StudentDto: { type: 'object' }, CourseDto: { type: 'object' }, PageDto: {} } },
          tags: [{ name: 'students' }, { name: 'auth' }, { name: 'courses' }],
        },
      ),
    );
    expect(Object.keys(document.paths)).toEqual(['/auth/login', '/courses', '/students', '/students/{id}']);
    expect(Object.keys(document.components!.schemas!)).toEqual(['CourseDto', 'PageDto', 'StudentDto']);
    expect(document.tags!.map((tag) => tag.name)).toEqual(['students', 'auth', 'courses']);
  });

  it('marks an operation without a security requirement as public, and keeps a guarded one’s', () => {
    const guarded = [{ bearer: [] }];
    const document = finishDocument(
      documentWith({
        '/health': { get: { responses: { '200': { description: 'Alive.' } } } },
        '/students': { get: { security: guarded, responses: { '200': { description: 'Ok.' } } } },
      }),
    );
    expect(document.paths['/health'].get!.security).toEqual([]);
    expect(document.paths['/students'].get!.security).toBe(guarded);
  });

  it('replaces a lone allOf reference by the reference unless other keywords need the wrapper', () => {
    const ref = { $ref: '#/components/schemas/Role' };
    const document = finishDocument(
      documentWith({}, { components: { schemas: { UserDto: { type: 'object', properties: { role: { allOf: [ref] }, kind: { allOf: [ref], description: 'Kept.' } } } } } }),
    );
    expect(document.components!.schemas!.UserDto).toEqual({ type: 'object', properties: { role: ref, kind: { allOf: [ref], description: 'Kept.' } } });
  });

  it('copes with a document without components or tags', () => {
    const document = finishDocument(documentWith({}));
    expect(document.paths).toEqual({});
    expect(Object.keys(document.components!)).toEqual(['headers', 'parameters']);
    expect(document.tags).toBeUndefined();
  });

  it('says the examples of optional query parameters in words, so lists are not filtered by default', () => {
    const document = finishDocument(
      documentWith({
        '/students': {
          get: {
            parameters: [
              { name: 'search', in: 'query', required: false, description: 'Part of a name.', schema: { type: 'string', example: 'papad' } },
              { name: 'fields', in: 'query', required: false, example: ['studentId', 'email'], schema: { type: 'array' } },
              { name: 'format', in: 'query', required: true, schema: { type: 'string', example: 'csv' } },
            ],
            responses: { '200': { description: 'The page.' } },
          },
        },
      }),
    );
    expect(document.paths['/students'].get!.parameters).toEqual([
      { name: 'search', in: 'query', required: false, description: 'Part of a name. For example `papad`.', schema: { type: 'string' } },
      { name: 'fields', in: 'query', required: false, description: 'For example `studentId,email`.', schema: { type: 'array' } },
      { name: 'format', in: 'query', required: true, schema: { type: 'string', example: 'csv' } },
    ]);
  });

  it('documents the shared headers once and refers to them', () => {
    const idempotencyKey = { name: 'Idempotency-Key', in: 'header', required: false, description: 'Own words.' };
    const document = finishDocument(
      documentWith({ '/jobs': { post: { parameters: [idempotencyKey], responses: { '202': { description: 'Accepted.' } } } } }),
    );
    expect(document.paths['/jobs'].post!.parameters).toEqual([{ $ref: '#/components/parameters/Idempotency-Key' }]);
    expect(document.components!.parameters!['Idempotency-Key']).toMatchObject({ name: 'Idempotency-Key', in: 'header' });
    for (const header of ['X-Request-ID', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After', 'Content-Disposition', 'Idempotency-Replayed']) {
      expect(document.components!.headers![header]).toHaveProperty('description');
    }
  });

  it('returns the same document object, finished in place', () => {
    const original = documentWith({ '/a': { get: { responses: { '200': { description: 'Ok.' } } } } });
    expect(finishDocument(original)).toBe(original);
  });

  it('is idempotent', () => {
    const build = () =>
      documentWith({
        '/b': { get: { responses: { '200': { description: '' } } } },
        '/a': { get: { 'x-rate-limit-policy': 'none', responses: { '204': { description: '' } } } },
      });
    const once = finishDocument(build());
    const twice = finishDocument(finishDocument(build()));
    expect(twice).toStrictEqual(once);
  });
});

describe('finishDocument on operations with a body', () => {
  it('documents 413 and 415 where a body is accepted, and only there', () => {
    const document = finishDocument(
      documentWith({
        '/students': {
          post: { requestBody: { content: { 'application/json': {} } }, responses: { '201': { description: 'Created.' } } },
          get: { responses: { '200': { description: 'The page.' } } },
        },
      }),
    );
    expect(Object.keys(document.paths['/students'].post!.responses)).toEqual(['201', '413', '415', '429', '500']);
    expect(Object.keys(document.paths['/students'].get!.responses)).toEqual(['200', '429', '500']);
  });
});
