import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { StagedRowsMessage, StagingWorkerData, TEXT_MESSAGE_BYTES, TEXT_MESSAGES_IN_FLIGHT } from './staging-thread';
import { stagedRows } from './staged-rows';
import { ImportFileError } from './readers/import-file.error';

/**
 * The worker thread of staging (see staging-thread.ts): reads and checks the rows and sends their
 * COPY text, in order, in transferred blocks of about a megabyte. It sends at most a few blocks
 * ahead of what the main thread took, so that a slow database holds the reading back instead of
 * filling memory.
 */
async function run(port: MessagePort, { sources, options }: StagingWorkerData): Promise<void> {
  const post = (message: StagedRowsMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  let inFlight = 0;
  let wakeUp: (() => void) | null = null;
  port.on('message', () => {
    inFlight -= 1;
    wakeUp?.();
    wakeUp = null;
  });
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  const send = async () => {
    while (inFlight >= TEXT_MESSAGES_IN_FLIGHT) await new Promise<void>((resolve) => (wakeUp = resolve));
    // One copy into a block of its own, which can then be transferred rather than copied again.
    const block = new Uint8Array(pendingBytes);
    let offset = 0;
    for (const chunk of pending) {
      block.set(chunk, offset);
      offset += chunk.length;
    }
    pending.length = 0;
    pendingBytes = 0;
    inFlight += 1;
    post({ type: 'text', block }, [block.buffer]);
  };
  const rows = stagedRows(sources, options, {
    progress: (progress) => post({ type: 'progress', progress }),
    sourceDone: (staged, rows) => post({ type: 'source', staged, rows }),
  });
  for await (const chunk of rows) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= TEXT_MESSAGE_BYTES) await send();
  }
  if (pendingBytes > 0) await send();
  post({ type: 'done' });
}

/** An error as the main thread can rethrow it: an ImportFileError keeps its code and status. */
function failure(error: unknown): StagedRowsMessage {
  if (error instanceof ImportFileError) return { type: 'failed', fileError: { code: error.code, message: error.message, status: error.status } };
  return { type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

if (parentPort !== null) {
  const port = parentPort;
  run(port, workerData as StagingWorkerData).catch((error: unknown) => port.postMessage(failure(error)));
}
