import { JobRunner, JobStatus, JobType, ProgressUnit, TERMINAL_STATUSES } from './job.enums';

export interface JobProgress {
  percentage: number;
  message: string | null;
  processed: number;
  total: number | null;
  /** What processed and total count; absent when the job did not say (a client-run job may not). */
  unit?: ProgressUnit;
  failed: number;
}

export interface JobResult {
  success: boolean;
  message: string | null;
  counts: Record<string, number>;
  errors: string[];
  warnings: string[];
  data: Record<string, unknown> | null;
}

/** A job as the store keeps it (JSON in Redis). Dates are ISO strings. */
export interface JobRecord {
  id: string;
  type: JobType;
  status: JobStatus;
  runner: JobRunner;
  progress: JobProgress;
  result: JobResult | null;
  error: string | null;
  parameters: Record<string, unknown>;
  priority: number;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  cancelRequestedAt: string | null;
  attempts: number;
  /** Bumped on every change: the store writes only if nobody changed the job in between. */
  version: number;
}

/** What a caller asks of a job; the store applies it with applyChange. */
export type JobChange =
  | { kind: 'start'; attempt?: number; message?: string | null }
  | { kind: 'progress'; progress: Partial<JobProgress> }
  | { kind: 'complete'; result: Partial<JobResult> }
  | { kind: 'fail'; error: string; result?: Partial<JobResult> }
  | { kind: 'requestCancel' }
  | { kind: 'cancel'; message?: string | null };

export type ChangeOutcome = { record: JobRecord } | { refused: 'terminal'; status: JobStatus };

export const EMPTY_PROGRESS: JobProgress = { percentage: 0, message: null, processed: 0, total: null, failed: 0 };

function clampPercentage(value: number): number {
  return Math.max(0, Math.min(100, Math.round(value * 100) / 100));
}

/** A percentage from processed/total when the caller gave counts but no percentage. */
export function mergeProgress(current: JobProgress, update: Partial<JobProgress>): JobProgress {
  const merged = { ...current, ...Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined)) };
  const derived = update.percentage === undefined && merged.total !== null && merged.total > 0 ? (merged.processed / merged.total) * 100 : merged.percentage;
  return { ...merged, percentage: clampPercentage(derived) };
}

function finalResult(result: Partial<JobResult> | undefined, success: boolean): JobResult {
  return {
    success,
    message: result?.message ?? null,
    counts: result?.counts ?? {},
    errors: result?.errors ?? [],
    warnings: result?.warnings ?? [],
    data: result?.data ?? null,
  };
}

/**
 * The lifecycle, as one pure function: pending → processing → completed | failed | cancelled
 * (pending may also end directly). A terminal job refuses every change.
 */
export function applyChange(record: JobRecord, change: JobChange, now: Date, ttlMs: number): ChangeOutcome {
  if (TERMINAL_STATUSES.has(record.status)) return { refused: 'terminal', status: record.status };
  const at = now.toISOString();
  const next: JobRecord = { ...record, version: record.version + 1 };
  const finish = (status: JobStatus): JobRecord => ({ ...next, status, finishedAt: at, expiresAt: new Date(now.getTime() + ttlMs).toISOString() });

  switch (change.kind) {
    case 'start':
      return {
        record: {
          ...next,
          status: JobStatus.Processing,
          startedAt: record.startedAt ?? at,
          attempts: change.attempt ?? record.attempts + 1,
          progress: change.message === undefined ? next.progress : { ...next.progress, message: change.message },
        },
      };
    case 'progress':
      return { record: { ...next, status: JobStatus.Processing, startedAt: record.startedAt ?? at, progress: mergeProgress(record.progress, change.progress) } };
    case 'complete':
      return {
        record: {
          ...finish(JobStatus.Completed),
          startedAt: record.startedAt ?? at,
          progress: { ...record.progress, percentage: 100 },
          result: finalResult(change.result, change.result?.success ?? true),
        },
      };
    case 'fail':
      return { record: { ...finish(JobStatus.Failed), error: change.error, result: change.result === undefined ? null : finalResult(change.result, false) } };
    case 'requestCancel':
      // The worker sees the flag at its next batch boundary (or before it starts) and ends the job cancelled.
      return { record: { ...next, cancelRequestedAt: record.cancelRequestedAt ?? at } };
    case 'cancel':
      return {
        record: {
          ...finish(JobStatus.Cancelled),
          cancelRequestedAt: record.cancelRequestedAt ?? at,
          progress: change.message === undefined ? record.progress : { ...record.progress, message: change.message },
        },
      };
  }
}
