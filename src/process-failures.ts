import { Logger } from '@nestjs/common';

/**
 * Errors that belong to one connection or one query: a client that went away, a stream cut short,
 * a statement PostgreSQL refused. When one escapes as an uncaught exception it is a bug to fix,
 * but the process's shared state is intact, so it keeps serving everyone else.
 */
const CONNECTION_SCOPED_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_STREAM_ALREADY_FINISHED',
  'ERR_STREAM_PUSH_AFTER_EOF',
]);

/** PostgreSQL's SQLSTATE: five characters, digits and capitals. */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Whether an uncaught exception leaves the process fit to go on serving. */
export function isConnectionScoped(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  if (CONNECTION_SCOPED_CODES.has(code)) return true;
  // pg's DatabaseError carries the severity PostgreSQL reported with the statement's SQLSTATE.
  return SQLSTATE.test(code) && typeof (error as { severity?: unknown }).severity === 'string';
}

/** How long a dying process waits for its last log lines to be written. */
const FATAL_EXIT_DELAY_MS = 200;

/**
 * The process-level policy: no request, upload or job can end the process. A rejected promise
 * nobody awaited and a connection-scoped uncaught error are logged at `error` and the process goes
 * on; any other uncaught exception leaves the process in an unknown state, so it is logged at
 * `fatal` and the process exits with status 1 for its supervisor to restart it.
 */
export function installProcessFailurePolicy(logger = new Logger('Process')): void {
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error({ err: reason }, 'A promise was rejected and nobody handled it; the process goes on');
  });
  process.on('uncaughtException', (error: Error, origin: string) => {
    if (isConnectionScoped(error)) {
      logger.error({ err: error, origin }, 'An error of one connection escaped its handler; the process goes on');
      return;
    }
    logger.fatal({ err: error, origin }, 'Uncaught exception; exiting so that the supervisor restarts the process');
    process.exitCode = 1;
    setTimeout(() => process.exit(1), FATAL_EXIT_DELAY_MS);
  });
}
