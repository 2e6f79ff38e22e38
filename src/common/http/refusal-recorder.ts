import { ExecutionContext } from '@nestjs/common';

/**
 * Told of every request the global auth guard refuses. Guards run before interceptors, so nothing
 * downstream sees these requests; the audit module provides the recorder (an audited route's
 * refusal is a row too), and the guard needs to know nothing of audit rows.
 */
export abstract class RefusalRecorder {
  abstract recordRefusal(context: ExecutionContext, error: unknown): Promise<void>;
}
