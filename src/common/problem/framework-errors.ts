import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProblemCode } from './problem-codes';

/** What the client is told about a request that Fastify or Node's HTTP parser refused before any route ran. */
export interface FrameworkProblem {
  status: number;
  code: ProblemCode;
  detail: string;
}

/**
 * Our own words for the errors raised below the routes, by the error's `code`. Their messages are
 * never shown: some quote the request back or name internals.
 */
const FRAMEWORK_PROBLEMS: Record<string, FrameworkProblem> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_request', detail: 'The body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_request', detail: 'The body is empty although its content type is JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'malformed_request', detail: 'The body is not as long as its Content-Length says.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', detail: 'The request body is larger than this route accepts.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', detail: 'This route does not accept a body of that content type.' },
  FST_ERR_BAD_URL: { status: 400, code: 'malformed_url', detail: 'The URL has an invalid percent-encoded part.' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', detail: 'A path parameter is longer than any valid value.' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', detail: 'The request headers are larger than the server accepts.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', detail: 'The request did not arrive in time.' },
};

/** Fastify's secure JSON parser refuses `__proto__` and `constructor.prototype` keys with a SyntaxError carrying statusCode 400. */
const FORBIDDEN_KEY_MESSAGE = /forbidden prototype property/;
const FORBIDDEN_KEY_PROBLEM: FrameworkProblem = { status: 400, code: 'forbidden_key', detail: 'The body holds a __proto__ or constructor.prototype key.' };

/** Any other 4xx raised below the routes, told by its status alone. */
const MALFORMED_REQUEST: FrameworkProblem = { status: 400, code: 'malformed_request', detail: 'The request is malformed.' };

/** The problem for an error Fastify or the HTTP parser raised, or undefined when it is not one of theirs. */
export function frameworkProblemOf(error: unknown): FrameworkProblem | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, statusCode, message } = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof code === 'string' && Object.prototype.hasOwnProperty.call(FRAMEWORK_PROBLEMS, code)) return FRAMEWORK_PROBLEMS[code];
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  if (typeof message === 'string' && FORBIDDEN_KEY_MESSAGE.test(message)) return FORBIDDEN_KEY_PROBLEM;
  return { ...MALFORMED_REQUEST, status: statusCode };
}

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the request (headers too large, garbage
 * instead of HTTP), so there is no request to reply to; a problem+json is written on the socket
 * itself, as Fastify would write its own JSON.
 */
export function writeClientErrorProblem(error: Error & { code?: string }, socket: Socket | Duplex, toBody: (problem: FrameworkProblem) => object): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = FRAMEWORK_PROBLEMS[error.code ?? ''] ?? MALFORMED_REQUEST;
  const body = JSON.stringify(toBody(problem));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
