import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

const CONSOLE_PATH = '/console';

/**
 * The built console lives in dist/console at the package root; the service runs both from
 * dist/src (built) and from src (ts-jest), so the root is found by walking up to package.json.
 */
export function consoleDirectory(from: string = __dirname): string {
  let directory = from;
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) directory = dirname(directory);
  return join(directory, 'dist', 'console');
}

/**
 * Serves the web console as static files at /console, outside the API prefix and its guards
 * (the console signs in through the API itself). Any other path under /console answers
 * index.html so that the console's own routes survive a reload.
 */
export async function serveConsole(app: NestFastifyApplication, root: string = consoleDirectory()): Promise<void> {
  const server = app.getHttpAdapter().getInstance();
  const indexPage = join(root, 'index.html');
  if (!existsSync(indexPage)) {
    // A service built without its console (a bare `nest build`) still serves the API.
    server.get(`${CONSOLE_PATH}/*`, async (_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('The console is not built: run npm run build.'));
    return;
  }
  await server.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root,
      prefix: `${CONSOLE_PATH}/`,
      // Files are listed once at start, so unknown paths fall through to the index route below.
      wildcard: false,
      index: false,
      setHeaders: (reply, path) => {
        // Vite puts a content hash in every asset name: they never change; index.html always may.
        reply.header('cache-control', path.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
      // A missing asset is a 404, not the page: a stale tab would otherwise run HTML as script.
      if (request.url.startsWith(`${CONSOLE_PATH}/assets/`)) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    };
    scope.get(CONSOLE_PATH, sendIndex);
    scope.get(`${CONSOLE_PATH}/`, sendIndex);
    scope.get(`${CONSOLE_PATH}/*`, sendIndex);
  });
}
