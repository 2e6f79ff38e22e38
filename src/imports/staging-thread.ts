import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ImportFileError } from './readers/import-file.error';
import { StagedRowsListener, StagedRowsOptions, StagedRowsProgress, StagedSource, StageSource } from './staged-rows';

/**
 * What the worker sends before it waits for the main thread to take some: small enough that the
 * blocks queued between the two threads and in the stream stay a few megabytes.
 */
export const TEXT_MESSAGE_BYTES = 256 * 1024;
export const TEXT_MESSAGES_IN_FLIGHT = 4;

/**
 * The young generation of the worker's heap. Staging makes a dozen short-lived strings and arrays
 * per row; with 48 MB rather than 16 the collector's share of staging a million rows fell from
 * 28 % to 13 % of the worker's time, for about 20 MB more at the peak.
 */
const YOUNG_GENERATION_MB = 48;

export interface StagingWorkerData {
  sources: readonly StageSource[];
  options: StagedRowsOptions;
}

/** From the worker to the main thread, in the order of the rows. */
export type StagedRowsMessage =
  | { type: 'text'; block: Uint8Array }
  | { type: 'progress'; progress: StagedRowsProgress }
  | { type: 'source'; staged: StagedSource; rows: number }
  | { type: 'done' }
  | { type: 'failed'; fileError: { code: ImportFileError['code']; message: string; status: ImportFileError['status'] } }
  | { type: 'failed'; message: string };

/** The compiled worker script beside this module; absent when the code runs from its TypeScript sources (the tests). */
export function stagingWorkerScript(): string | null {
  const script = join(__dirname, 'staging-worker.js');
  return existsSync(script) ? script : null;
}

/** The worker thread failed, stopped, or ran out of memory: the staging fails with it. */
export class StagingWorkerError extends Error {}

/**
 * stagedRows run in a worker thread (staging-worker.ts): the same COPY text, in the same order,
 * while this thread only passes it on to the database. A failure of the worker fails the
 * iteration; ending the iteration early (an error downstream, a cancellation thrown by
 * `listener.progress`) stops the worker.
 */
export async function* stagedRowsInWorker(
  script: string,
  sources: readonly StageSource[],
  options: StagedRowsOptions,
  listener: StagedRowsListener,
): AsyncGenerator<Buffer> {
  const workerData: StagingWorkerData = { sources, options };
  const worker = new Worker(script, { workerData, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  const received: Array<StagedRowsMessage | Error> = [];
  let wakeUp: (() => void) | null = null;
  const receive = (item: StagedRowsMessage | Error) => {
    received.push(item);
    wakeUp?.();
    wakeUp = null;
  };
  // These stay attached after the end: an 'error' event without a listener would throw in this process.
  worker.on('message', receive);
  worker.on('error', (error: Error) => receive(new StagingWorkerError(`The staging worker thread failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => receive(new StagingWorkerError(`The staging worker thread stopped (exit code ${code}) before it finished.`)));
  try {
    for (;;) {
      while (received.length === 0) await new Promise<void>((resolve) => (wakeUp = resolve));
      const item = received.shift() as StagedRowsMessage | Error;
      if (item instanceof Error) throw item;
      switch (item.type) {
        case 'text':
          yield Buffer.from(item.block.buffer, item.block.byteOffset, item.block.byteLength);
          worker.postMessage('taken');
          break;
        case 'progress':
          await listener.progress(item.progress);
          break;
        case 'source':
          listener.sourceDone(item.staged, item.rows);
          break;
        case 'done':
          return;
        case 'failed':
          if ('fileError' in item) throw new ImportFileError(item.fileError.code, item.fileError.message, item.fileError.status);
          throw new StagingWorkerError(`Staging failed in its worker thread: ${item.message}`);
      }
    }
  } finally {
    await worker.terminate();
  }
}
