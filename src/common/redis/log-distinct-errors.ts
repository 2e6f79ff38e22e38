import { Logger } from '@nestjs/common';

interface ErrorSource {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Logs a Redis-backed component's errors once per distinct failure, not once per reconnection
 * attempt; after the component is ready again, the same failure is news again.
 */
export function logDistinctErrors(source: ErrorSource, logger: Logger, what: string): void {
  let last = '';
  source.on('error', (error: Error) => {
    if (error.message !== last) logger.error(`${what}: ${error.message}`);
    last = error.message;
  });
  source.on('ready', () => {
    last = '';
  });
}
