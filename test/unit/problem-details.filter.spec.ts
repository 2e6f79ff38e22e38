import { STATUS_CODES } from 'node:http';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { problemTypeOf, toProblem } from '../../src/common/problem/problem-details.filter';
import { ProblemException } from '../../src/common/problem/problem.exception';

const REQUEST_ID = 'req-42';

function expectNoUndefinedValues(body: object): void {
  const undefinedKeys = Object.entries(body)
    .filter(([, value]) => value === undefined)
    .map(([key]) => key);
  expect(undefinedKeys).toEqual([]);
}

describe('problemTypeOf', () => {
  it('builds the URN of a code', () => {
    expect(problemTypeOf('validation_failed')).toBe('urn:problem:sms:validation_failed');
  });
});

describe('toProblem', () => {
  describe('ProblemException', () => {
    it('keeps status, code, title, detail, errors, headers and extensions', () => {
      const error = new ProblemException({
        status: 503,
        code: 'dependency_unavailable',
        title: 'Service Unavailable',
        detail: 'Redis is down.',
        errors: [{ field: 'redis', code: 'down', message: 'redis is down' }],
        headers: { 'Retry-After': '5' },
        extensions: { checks: { database: 'up', redis: 'down' } },
      });
      const { body, headers } = toProblem(error, REQUEST_ID);
      expect(body).toStrictEqual({
        checks: { database: 'up', redis: 'down' },
        type: 'urn:problem:sms:dependency_unavailable',
        title: 'Service Unavailable',
        status: 503,
        detail: 'Redis is down.',
        instance: REQUEST_ID,
        code: 'dependency_unavailable',
        errors: [{ field: 'redis', code: 'down', message: 'redis is down' }],
      });
      expect(headers).toStrictEqual({ 'Retry-After': '5' });
    });

    it('omits detail and errors when the exception has none, and returns no headers', () => {
      const { body, headers } = toProblem(
        new ProblemException({ status: 409, code: 'student_id_taken', title: 'Conflict' }),
        REQUEST_ID,
      );
      expect(body).toStrictEqual({
        type: 'urn:problem:sms:student_id_taken',
        title: 'Conflict',
        status: 409,
        instance: REQUEST_ID,
        code: 'student_id_taken',
      });
      expect(Object.keys(body)).not.toContain('detail');
      expect(Object.keys(body)).not.toContain('errors');
      expect(headers).toStrictEqual({});
    });

    it('omits an explicitly undefined detail', () => {
      const { body } = toProblem(
        new ProblemException({ status: 404, code: 'not_found', title: 'Not Found', detail: undefined, errors: undefined }),
        REQUEST_ID,
      );
      expect(Object.keys(body)).toEqual(['type', 'title', 'status', 'instance', 'code']);
    });

    it('does not let extensions override the standard members', () => {
      const { body } = toProblem(
        new ProblemException({
          status: 422,
          code: 'preview_not_committable',
          title: 'Unprocessable Content',
          extensions: { status: 200, code: 'ok', instance: 'forged', type: 'forged', extra: 1 },
        }),
        REQUEST_ID,
      );
      expect(body.status).toBe(422);
      expect(body.code).toBe('preview_not_committable');
      expect(body.instance).toBe(REQUEST_ID);
      expect(body.type).toBe('urn:problem:sms:preview_not_committable');
      expect(body.extra).toBe(1);
    });

    it('maps the validation helper to validation_failed with the field list', () => {
      const errors = [{ field: 'email', code: 'isEmail', message: 'email must be an email' }];
      const { body } = toProblem(ProblemException.validation(errors), REQUEST_ID);
      expect(body).toStrictEqual({
        type: 'urn:problem:sms:validation_failed',
        title: 'Bad Request',
        status: 400,
        detail: 'The request has 1 invalid field.',
        instance: REQUEST_ID,
        code: 'validation_failed',
        errors,
      });
    });

    it('maps the notFound helper', () => {
      const { body } = toProblem(ProblemException.notFound('Job 7', 'job_not_found'), REQUEST_ID);
      expect(body).toStrictEqual({
        type: 'urn:problem:sms:job_not_found',
        title: 'Not Found',
        status: 404,
        detail: 'Job 7 was not found.',
        instance: REQUEST_ID,
        code: 'job_not_found',
      });
    });
  });

  describe('ThrottlerException', () => {
    it('becomes 429 rate_limited', () => {
      const { body, headers } = toProblem(new ThrottlerException(), REQUEST_ID);
      expect(body).toStrictEqual({
        type: 'urn:problem:sms:rate_limited',
        title: 'Too Many Requests',
        status: 429,
        detail: 'Too many requests; retry after the time given in Retry-After.',
        instance: REQUEST_ID,
        code: 'rate_limited',
      });
      expect(headers).toStrictEqual({});
    });

    it('does not echo a custom throttler message', () => {
      const { body } = toProblem(new ThrottlerException('login limit for bob@example.com'), REQUEST_ID);
      expect(JSON.stringify(body)).not.toContain('bob@example.com');
      expect(body.code).toBe('rate_limited');
    });
  });

  describe('other HttpExceptions', () => {
    it('maps an unknown route to route_not_found', () => {
      const { body, headers } = toProblem(new NotFoundException('Cannot GET /x'), REQUEST_ID);
      expect(body).toStrictEqual({
        type: 'urn:problem:sms:route_not_found',
        title: 'Not Found',
        status: 404,
        detail: 'Cannot GET /x',
        instance: REQUEST_ID,
        code: 'route_not_found',
      });
      expect(headers).toStrictEqual({});
    });

    it('recognises other methods in the unknown-route message', () => {
      expect(toProblem(new NotFoundException('Cannot DELETE /api/v1/nothing'), REQUEST_ID).body.code).toBe(
        'route_not_found',
      );
    });

    it('keeps not_found for any other 404', () => {
      const { body } = toProblem(new NotFoundException('Student was not found'), REQUEST_ID);
      expect(body.code).toBe('not_found');
      expect(body.detail).toBe('Student was not found');
    });

    it('does not treat a lowercase method as an unknown route', () => {
      expect(toProblem(new NotFoundException('Cannot get /x'), REQUEST_ID).body.code).toBe('not_found');
    });

    it.each([
      [new BadRequestException('bad'), 400, 'bad_request', 'Bad Request'],
      [new UnauthorizedException('no token'), 401, 'authentication_required', 'Unauthorized'],
      [new ForbiddenException('nope'), 403, 'forbidden', 'Forbidden'],
      [new ConflictException('dupe'), 409, 'conflict', 'Conflict'],
      [new PayloadTooLargeException('too big'), 413, 'payload_too_large', 'Payload Too Large'],
      [new HttpException('teapot', HttpStatus.I_AM_A_TEAPOT), 418, 'error', "I'm a Teapot"],
    ])('maps %p to %i %s', (error, status, code, title) => {
      const { body } = toProblem(error, REQUEST_ID);
      expect(body).toStrictEqual({
        type: `urn:problem:sms:${code}`,
        title,
        status,
        detail: error.message,
        instance: REQUEST_ID,
        code,
      });
    });

    it('hides the message of a 5xx HttpException', () => {
      const { body } = toProblem(new ServiceUnavailableException('redis at 10.0.0.5 refused'), REQUEST_ID);
      expect(body).toStrictEqual({
        type: 'urn:problem:sms:service_unavailable',
        title: 'Service Unavailable',
        status: 503,
        instance: REQUEST_ID,
        code: 'service_unavailable',
      });
      expect(JSON.stringify(body)).not.toContain('10.0.0.5');
    });

    it('hides the message of an InternalServerErrorException', () => {
      const { body } = toProblem(new InternalServerErrorException('password=hunter2'), REQUEST_ID);
      expect(body.status).toBe(500);
      expect(body.title).toBe('Internal Server Error');
      expect(body).not.toHaveProperty('detail');
      expect(JSON.stringify(body)).not.toContain('hunter2');
    });
  });

  describe('Fastify-style errors with a statusCode', () => {
    it('answers invalid JSON in its own words, never with the parser\'s message', () => {
      const error = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9: {"secret":'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      const { body, headers } = toProblem(error, REQUEST_ID);
      expect(body).toStrictEqual({
        type: 'urn:problem:sms:malformed_request',
        title: 'Bad Request',
        status: 400,
        detail: 'The body is not valid JSON.',
        instance: REQUEST_ID,
        code: 'malformed_request',
      });
      expect(JSON.stringify(body)).not.toContain('secret');
      expect(headers).toStrictEqual({});
    });

    it.each([
      ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'payload_too_large'],
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type'],
      ['FST_ERR_BAD_URL', 400, 'malformed_url'],
      ['FST_ERR_MAX_PARAM_LENGTH', 414, 'uri_too_long'],
      ['HPE_HEADER_OVERFLOW', 431, 'headers_too_large'],
    ])('maps %s to %i %s', (code, status, problemCode) => {
      const error = Object.assign(new Error(`internal text of ${code}`), { code });
      const { body } = toProblem(error, REQUEST_ID);
      expect(body).toMatchObject({ status, code: problemCode, title: STATUS_CODES[status] });
      expect(body.detail).not.toContain('internal text');
    });

    it('names a forbidden prototype key', () => {
      const error = Object.assign(new SyntaxError('Object contains forbidden prototype property'), { statusCode: 400 });
      expect(toProblem(error, REQUEST_ID).body).toMatchObject({ status: 400, code: 'forbidden_key' });
    });

    it('keeps an unlisted 4xx status, as malformed_request, without the message', () => {
      const error = Object.assign(new Error('Request Header Fields Too Large: x-secret'), { statusCode: 431 });
      const { body } = toProblem(error, REQUEST_ID);
      expect(body).toMatchObject({ status: 431, code: 'malformed_request', title: 'Request Header Fields Too Large' });
      expect(JSON.stringify(body)).not.toContain('x-secret');
    });

    it('gives a plain object with a 4xx statusCode a generic detail', () => {
      const { body } = toProblem({ statusCode: 400 }, REQUEST_ID);
      expect(body).toStrictEqual({
        type: 'urn:problem:sms:malformed_request',
        title: 'Bad Request',
        status: 400,
        detail: 'The request is malformed.',
        instance: REQUEST_ID,
        code: 'malformed_request',
      });
    });

    it.each([
      ['a 5xx statusCode', 502],
      ['a 3xx statusCode', 302],
      ['a string statusCode', '400'],
    ])('treats %s as an internal error', (_label, statusCode) => {
      const error = Object.assign(new Error('upstream said no'), { statusCode });
      const { body } = toProblem(error, REQUEST_ID);
      expect(body.status).toBe(500);
      expect(body.code).toBe('internal_error');
      expect(JSON.stringify(body)).not.toContain('upstream said no');
    });
  });

  describe('anything else', () => {
    const internal = {
      type: 'urn:problem:sms:internal_error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; quote the instance when reporting it.',
      instance: REQUEST_ID,
      code: 'internal_error',
    };

    it('turns a plain Error into an opaque 500 without message or stack', () => {
      const error = new Error('secret /etc/passwd');
      const { body, headers } = toProblem(error, REQUEST_ID);
      expect(body).toStrictEqual(internal);
      expect(headers).toStrictEqual({});
      const json = JSON.stringify(body);
      expect(json).not.toContain('secret');
      expect(json).not.toContain('/etc/passwd');
      expect(json).not.toContain('stack');
      expect(json).not.toContain(error.stack!.split('\n')[1].trim());
    });

    it.each([
      ['null', null],
      ['undefined', undefined],
      ['a string', 'boom'],
      ['a number', 42],
      ['an object', { message: 'x' }],
    ])('turns %s into an opaque 500', (_label, thrown) => {
      expect(toProblem(thrown, REQUEST_ID).body).toStrictEqual(internal);
    });
  });

  describe('every body', () => {
    it.each([
      ['ProblemException', new ProblemException({ status: 409, code: 'conflict', title: 'Conflict' })],
      ['ThrottlerException', new ThrottlerException()],
      ['HttpException 5xx', new ServiceUnavailableException()],
      ['Fastify error', { statusCode: 400 }],
      ['Error', new Error('x')],
    ])('of a %s has no undefined members and names the request id', (_label, error) => {
      const { body } = toProblem(error, 'urn-req-1');
      expectNoUndefinedValues(body);
      expect(body.instance).toBe('urn-req-1');
      expect(body.type).toBe(`urn:problem:sms:${body.code}`);
    });
  });
});

describe('toProblem for 5xx HttpExceptions', () => {
  it.each([
    [new InternalServerErrorException(), 500, 'internal_error'],
    [new HttpException('upstream', HttpStatus.BAD_GATEWAY), 502, 'bad_gateway'],
    [new HttpException('slow', HttpStatus.GATEWAY_TIMEOUT), 504, 'gateway_timeout'],
  ])('gives a named code and no detail', (error, status, code) => {
    const { body } = toProblem(error, REQUEST_ID);
    expect(body).toMatchObject({ status, code, type: `urn:problem:sms:${code}` });
    expect(body.detail).toBeUndefined();
  });
});
