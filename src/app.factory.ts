import type { IncomingMessage } from 'node:http';
import { Type } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { NestFactory } from '@nestjs/core';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AuthService } from './auth/auth.service';
import { JobQueue } from './jobs/job-queue.service';
import { mountQueueDashboard } from './jobs/queue-dashboard';
import { serveConsole } from './console/serve-console';
import { createOpenApiDocument } from './openapi-document';
import { API_PREFIX } from './common/http/api-prefix';
import { resolveRequestId } from './common/http/request-id';
import { writeClientErrorProblem } from './common/problem/framework-errors';
import { PROBLEM_CONTENT_TYPE, problemBody, toProblem } from './common/problem/problem-details.filter';
import { AppConfig } from './config/environment';

const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

export interface CreateHttpAppOptions {
  /** Build the module graph without connecting to anything (used to write the spec). */
  preview?: boolean;
  /** Modules mounted beside the application's own (test and benchmark routes). */
  extraModules?: Type[];
}

/** The HTTP application exactly as it is served: used by main, the e2e tests and the spec script. */
export async function createHttpApp(config: AppConfig, options: CreateHttpAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // X-Forwarded-For counts only when the socket peer is one of these proxies.
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    genReqId: (request: IncomingMessage) => resolveRequestId(request.headers['x-request-id']),
    requestIdHeader: false,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // A bad URL or an over-long path parameter is refused before any route or Nest filter runs.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { body } = toProblem(error, String(request.id));
      void reply.status(body.status).header('x-request-id', request.id).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
    },
    // Node's parser refused the request (headers too large, not HTTP): there is no request to reply to.
    clientErrorHandler: (error, socket) =>
      writeClientErrorProblem(error, socket, ({ status, code, detail }) => problemBody(resolveRequestId(undefined), status, code, detail)),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.extraModules), adapter, {
    bufferLogs: true,
    preview: options.preview === true,
    abortOnError: false,
  });
  if (options.preview !== true) app.useLogger(app.get(Logger));
  // Uploads stream into storage; parts() answers a file over the limit with an error, mapped to 413.
  await app.register(fastifyMultipart, {
    limits: { fileSize: config.importMaxFileMegabytes * 1024 * 1024, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 100 },
  });
  app.setGlobalPrefix(API_PREFIX);
  app.enableShutdownHooks();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });

  if (options.preview !== true) {
    // The dashboard's hook runs before Nest's middleware, so it opens its own ORM context.
    const orm = app.get(MikroORM);
    await mountQueueDashboard(app, app.get(JobQueue).queue, (token) => RequestContext.create(orm.em, () => app.get(AuthService).authenticate(token)));
  }

  if (options.preview !== true) await serveConsole(app);

  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/json',
    yamlDocumentUrl: 'docs/yaml',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
  return app;
}
