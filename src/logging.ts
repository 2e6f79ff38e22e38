import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { AppConfig } from './config/environment';

/** JSON logs with the request id; credentials are redacted wherever pino-http would print them. */
export function loggerOptions(config: AppConfig): Params {
  return {
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.currentPassword', '*.newPassword', '*.accessToken'],
        censor: '[redacted]',
      },
      // Fastify already assigned the id (see createHttpApp); reuse it so logs, responses and problems agree.
      genReqId: (request: IncomingMessage) => (request as IncomingMessage & { id?: string }).id ?? 'unknown',
      serializers: {
        req: (request: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: request.id,
          method: request.method,
          // The queue dashboard's entry page takes a token in its query once; it must not reach the logs.
          url: request.url.replace(/([?&]token=)[^&]*/g, '$1[redacted]'),
        }),
      },
    },
  };
}
