import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { dependencyOutageOf, OUTAGE_PROBLEMS, OUTAGE_RETRY_AFTER_SECONDS } from './dependency-outage';
import { frameworkProblemOf } from './framework-errors';
import { ProblemCode } from './problem-codes';
import { FieldProblem, ProblemException } from './problem.exception';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  code: ProblemCode;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

const CODES_BY_STATUS: Record<number, ProblemCode> = {
  400: 'bad_request',
  401: 'authentication_required',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_content',
  429: 'rate_limited',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

export function problemTypeOf(code: string): string {
  return `urn:problem:sms:${code}`;
}

/** A problem body with the members every answer carries. */
export function problemBody(requestId: string, status: number, code: ProblemCode, detail?: string, errors?: FieldProblem[], title?: string): ProblemBody {
  return {
    type: problemTypeOf(code),
    title: title ?? STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
    instance: requestId,
    code,
    ...(errors === undefined ? {} : { errors }),
  };
}

/** Maps any thrown value to a problem; anything unrecognised becomes an opaque 500. */
export function toProblem(error: unknown, requestId: string): { body: ProblemBody; headers: Record<string, string> } {
  const body = (status: number, code: ProblemCode, detail?: string, errors?: FieldProblem[], title?: string): ProblemBody =>
    problemBody(requestId, status, code, detail, errors, title);

  if (error instanceof ProblemException) {
    const { status, code, detail, errors, title, headers, extensions } = error.problem;
    return { body: { ...extensions, ...body(status, code, detail, errors, title) }, headers: headers ?? {} };
  }
  if (error instanceof ThrottlerException) {
    return { body: body(429, 'rate_limited', 'Too many requests; retry after the time given in Retry-After.'), headers: {} };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const message = error.message;
    const code = status === 404 && /^Cannot [A-Z]+ /.test(message) ? 'route_not_found' : (CODES_BY_STATUS[status] ?? 'error');
    return { body: body(status, code, status >= 500 ? undefined : message), headers: {} };
  }
  // Errors raised by Fastify itself (bad JSON, unsupported content type, body too large), in our own words.
  const framework = frameworkProblemOf(error);
  if (framework !== undefined) return { body: body(framework.status, framework.code, framework.detail), headers: {} };
  const outage = dependencyOutageOf(error);
  if (outage !== undefined) {
    const { code, detail } = OUTAGE_PROBLEMS[outage];
    return { body: body(503, code, detail), headers: { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) } };
  }
  return { body: body(500, 'internal_error', 'An unexpected error occurred; quote the instance when reporting it.'), headers: {} };
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { body, headers } = toProblem(error, String(request.id));
    if (body.status >= 500) {
      this.logger.error({ err: error, requestId: request.id }, 'Request failed with an internal error');
    }
    if (reply.sent) return;
    reply.status(body.status).headers(headers).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }
}
