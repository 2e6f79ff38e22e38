import { applyChange, ChangeOutcome, EMPTY_PROGRESS, JobChange, JobProgress, JobRecord, mergeProgress } from '../../src/jobs/job-record';
import { JobRunner, JobStatus, JobType } from '../../src/jobs/job.enums';

const NOW = new Date('2024-05-06T07:08:09.123Z');
const AT = '2024-05-06T07:08:09.123Z';
const TTL_MS = 3_600_000;
const EXPIRES = '2024-05-06T08:08:09.123Z';
const CREATED = '2024-05-06T06:00:00.000Z';
const STARTED = '2024-05-06T06:30:00.000Z';
const REQUESTED = '2024-05-06T06:45:00.000Z';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A plain, unfrozen deep copy (records are JSON, as the store keeps them). */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function pendingJob(overrides: Partial<JobRecord> = {}): JobRecord {
  return deepFreeze({
    id: 'job-1',
    type: JobType.BulkImport,
    status: JobStatus.Pending,
    runner: JobRunner.Server,
    progress: { ...EMPTY_PROGRESS },
    result: null,
    error: null,
    parameters: { file: 'students.csv' },
    priority: 5,
    createdBy: 'user-1',
    createdAt: CREATED,
    startedAt: null,
    finishedAt: null,
    expiresAt: null,
    cancelRequestedAt: null,
    attempts: 0,
    version: 3,
    ...overrides,
  });
}

function processingJob(overrides: Partial<JobRecord> = {}): JobRecord {
  return pendingJob({
    status: JobStatus.Processing,
    startedAt: STARTED,
    attempts: 1,
    version: 7,
    progress: { percentage: 40, message: 'working', processed: 4, total: 10, failed: 1 },
    ...overrides,
  });
}

function apply(record: JobRecord, change: JobChange): JobRecord {
  const outcome: ChangeOutcome = applyChange(record, change, NOW, TTL_MS);
  if (!('record' in outcome)) throw new Error(`change refused: ${JSON.stringify(outcome)}`);
  return outcome.record;
}

describe('EMPTY_PROGRESS', () => {
  it('is zero progress with no total and no message', () => {
    expect(EMPTY_PROGRESS).toStrictEqual({ percentage: 0, message: null, processed: 0, total: null, failed: 0 });
  });
});

describe('applyChange', () => {
  describe('start', () => {
    it('moves a pending job to processing, sets startedAt and counts the first attempt', () => {
      const before = pendingJob();
      expect(apply(before, { kind: 'start' })).toStrictEqual({ ...before, status: JobStatus.Processing, startedAt: AT, attempts: 1, version: 4 });
    });

    it('uses the given attempt number instead of incrementing', () => {
      const record = apply(pendingJob({ attempts: 2 }), { kind: 'start', attempt: 7 });
      expect(record.attempts).toBe(7);
    });

    it('sets the progress message when one is given, leaving the rest of the progress alone', () => {
      const record = apply(pendingJob(), { kind: 'start', message: 'Starting import' });
      expect(record.progress).toStrictEqual({ percentage: 0, message: 'Starting import', processed: 0, total: null, failed: 0 });
    });

    it('clears the progress message when given null', () => {
      const record = apply(processingJob(), { kind: 'start', message: null });
      expect(record.progress).toStrictEqual({ percentage: 40, message: null, processed: 4, total: 10, failed: 1 });
    });

    it('restarts a processing job keeping its startedAt and incrementing its attempts', () => {
      const before = processingJob();
      expect(apply(before, { kind: 'start' })).toStrictEqual({ ...before, status: JobStatus.Processing, startedAt: STARTED, attempts: 2, version: 8 });
    });

    it('keeps an earlier startedAt of a pending job (a retried job)', () => {
      const record = apply(pendingJob({ startedAt: STARTED, attempts: 1 }), { kind: 'start' });
      expect(record.startedAt).toBe(STARTED);
      expect(record.attempts).toBe(2);
    });
  });

  describe('progress', () => {
    it('moves a pending job to processing, sets startedAt and derives the percentage from the counts', () => {
      const before = pendingJob();
      expect(apply(before, { kind: 'progress', progress: { processed: 25, total: 200 } })).toStrictEqual({
        ...before,
        status: JobStatus.Processing,
        startedAt: AT,
        version: 4,
        progress: { percentage: 12.5, message: null, processed: 25, total: 200, failed: 0 },
      });
    });

    it('updates a processing job keeping its startedAt', () => {
      const before = processingJob();
      expect(apply(before, { kind: 'progress', progress: { processed: 7, message: 'row 7' } })).toStrictEqual({
        ...before,
        version: 8,
        progress: { percentage: 70, message: 'row 7', processed: 7, total: 10, failed: 1 },
      });
    });

    it('derives the percentage from the stored total when only processed is given', () => {
      const record = apply(processingJob(), { kind: 'progress', progress: { processed: 9 } });
      expect(record.progress.percentage).toBe(90);
    });

    it('rounds the derived percentage to two decimals', () => {
      expect(apply(pendingJob(), { kind: 'progress', progress: { processed: 1, total: 3 } }).progress.percentage).toBe(33.33);
      expect(apply(pendingJob(), { kind: 'progress', progress: { processed: 2, total: 3 } }).progress.percentage).toBe(66.67);
    });

    it('lets an explicit percentage win over processed/total', () => {
      const record = apply(processingJob(), { kind: 'progress', progress: { percentage: 15, processed: 9, total: 10 } });
      expect(record.progress).toStrictEqual({ percentage: 15, message: 'working', processed: 9, total: 10, failed: 1 });
    });

    it('rounds an explicit percentage to two decimals', () => {
      expect(apply(pendingJob(), { kind: 'progress', progress: { percentage: 12.3456 } }).progress.percentage).toBe(12.35);
    });

    it('clamps an explicit percentage to 0..100', () => {
      expect(apply(pendingJob(), { kind: 'progress', progress: { percentage: 150 } }).progress.percentage).toBe(100);
      expect(apply(processingJob(), { kind: 'progress', progress: { percentage: -5 } }).progress.percentage).toBe(0);
    });

    it('clamps a derived percentage above 100 when processed exceeds total', () => {
      expect(apply(processingJob(), { kind: 'progress', progress: { processed: 25 } }).progress.percentage).toBe(100);
    });

    it('does not overwrite fields given as undefined', () => {
      const record = apply(processingJob(), {
        kind: 'progress',
        progress: { percentage: undefined, message: undefined, processed: undefined, total: undefined, failed: 3 },
      });
      expect(record.progress).toStrictEqual({ percentage: 40, message: 'working', processed: 4, total: 10, failed: 3 });
    });

    it('overwrites fields given as null', () => {
      const record = apply(processingJob(), { kind: 'progress', progress: { message: null, total: null } });
      expect(record.progress).toStrictEqual({ percentage: 40, message: null, processed: 4, total: null, failed: 1 });
    });
  });

  describe('complete', () => {
    it('completes a pending job with the default result, sets startedAt, finishedAt and expiresAt', () => {
      const before = pendingJob({ progress: { percentage: 10, message: 'm', processed: 1, total: null, failed: 0 } });
      expect(apply(before, { kind: 'complete', result: {} })).toStrictEqual({
        ...before,
        status: JobStatus.Completed,
        startedAt: AT,
        finishedAt: AT,
        expiresAt: EXPIRES,
        version: 4,
        progress: { percentage: 100, message: 'm', processed: 1, total: null, failed: 0 },
        result: { success: true, message: null, counts: {}, errors: [], warnings: [], data: null },
      });
    });

    it('completes a processing job keeping startedAt and the given result fields', () => {
      const before = processingJob();
      const result = { message: 'Imported 9', counts: { created: 9, failed: 1 }, errors: ['row 3'], warnings: ['row 5'], data: { fileId: 'f1' } };
      expect(apply(before, { kind: 'complete', result })).toStrictEqual({
        ...before,
        status: JobStatus.Completed,
        startedAt: STARTED,
        finishedAt: AT,
        expiresAt: EXPIRES,
        version: 8,
        progress: { percentage: 100, message: 'working', processed: 4, total: 10, failed: 1 },
        result: { success: true, ...result },
      });
    });

    it('keeps an explicit success false', () => {
      expect(apply(processingJob(), { kind: 'complete', result: { success: false } }).result).toStrictEqual({
        success: false,
        message: null,
        counts: {},
        errors: [],
        warnings: [],
        data: null,
      });
    });

    it('computes expiresAt from now and the ttl', () => {
      const outcome = applyChange(processingJob(), { kind: 'complete', result: {} }, NOW, 1_500);
      expect('record' in outcome && outcome.record.expiresAt).toBe('2024-05-06T07:08:10.623Z');
    });
  });

  describe('fail', () => {
    it('fails a pending job with the error and no result, without setting startedAt', () => {
      const before = pendingJob();
      expect(apply(before, { kind: 'fail', error: 'Redis down' })).toStrictEqual({
        ...before,
        status: JobStatus.Failed,
        error: 'Redis down',
        result: null,
        finishedAt: AT,
        expiresAt: EXPIRES,
        version: 4,
      });
    });

    it('fails a processing job keeping its startedAt and progress', () => {
      const before = processingJob();
      expect(apply(before, { kind: 'fail', error: 'boom' })).toStrictEqual({
        ...before,
        status: JobStatus.Failed,
        error: 'boom',
        result: null,
        finishedAt: AT,
        expiresAt: EXPIRES,
        version: 8,
      });
    });

    it('records a given result as unsuccessful, filling in defaults', () => {
      const record = apply(processingJob(), { kind: 'fail', error: 'boom', result: { success: true, errors: ['row 2'], counts: { created: 1 } } });
      expect(record.result).toStrictEqual({ success: false, message: null, counts: { created: 1 }, errors: ['row 2'], warnings: [], data: null });
    });
  });

  describe('requestCancel', () => {
    it('flags a pending job without changing its status', () => {
      const before = pendingJob();
      expect(apply(before, { kind: 'requestCancel' })).toStrictEqual({ ...before, cancelRequestedAt: AT, version: 4 });
    });

    it('flags a processing job without changing its status', () => {
      const before = processingJob();
      expect(apply(before, { kind: 'requestCancel' })).toStrictEqual({ ...before, cancelRequestedAt: AT, version: 8 });
    });

    it('keeps an earlier request', () => {
      const before = processingJob({ cancelRequestedAt: REQUESTED });
      expect(apply(before, { kind: 'requestCancel' })).toStrictEqual({ ...before, cancelRequestedAt: REQUESTED, version: 8 });
    });
  });

  describe('cancel', () => {
    it('cancels a pending job, setting cancelRequestedAt, finishedAt and expiresAt', () => {
      const before = pendingJob();
      expect(apply(before, { kind: 'cancel' })).toStrictEqual({
        ...before,
        status: JobStatus.Cancelled,
        cancelRequestedAt: AT,
        finishedAt: AT,
        expiresAt: EXPIRES,
        version: 4,
      });
    });

    it('cancels a processing job keeping an earlier cancel request and setting the message', () => {
      const before = processingJob({ cancelRequestedAt: REQUESTED });
      expect(apply(before, { kind: 'cancel', message: 'Cancelled at row 4' })).toStrictEqual({
        ...before,
        status: JobStatus.Cancelled,
        cancelRequestedAt: REQUESTED,
        finishedAt: AT,
        expiresAt: EXPIRES,
        version: 8,
        progress: { percentage: 40, message: 'Cancelled at row 4', processed: 4, total: 10, failed: 1 },
      });
    });

    it('clears the progress message when given null', () => {
      expect(apply(processingJob(), { kind: 'cancel', message: null }).progress.message).toBeNull();
    });

    it('keeps the progress message when none is given', () => {
      expect(apply(processingJob(), { kind: 'cancel' }).progress.message).toBe('working');
    });
  });

  describe('on a terminal job', () => {
    const changes: JobChange[] = [
      { kind: 'start' },
      { kind: 'start', attempt: 2, message: 'again' },
      { kind: 'progress', progress: { processed: 1 } },
      { kind: 'complete', result: {} },
      { kind: 'fail', error: 'boom' },
      { kind: 'requestCancel' },
      { kind: 'cancel', message: 'stop' },
    ];
    const terminal = [JobStatus.Completed, JobStatus.Failed, JobStatus.Cancelled];
    const cases = terminal.flatMap((status) => changes.map((change) => [status, change.kind, change] as const));

    it.each(cases)('a %s job refuses %s', (status, _kind, change) => {
      const record = processingJob({ status, finishedAt: STARTED, expiresAt: EXPIRES });
      expect(applyChange(record, change, NOW, TTL_MS)).toStrictEqual({ refused: 'terminal', status });
    });
  });

  describe('every accepted change', () => {
    const changes: JobChange[] = [
      { kind: 'start', attempt: 4, message: 'go' },
      { kind: 'progress', progress: { processed: 2, total: 4, message: 'half' } },
      { kind: 'complete', result: { counts: { created: 1 } } },
      { kind: 'fail', error: 'boom', result: { errors: ['x'] } },
      { kind: 'requestCancel' },
      { kind: 'cancel', message: 'stop' },
    ];
    const cases = [
      ['pending', pendingJob()] as const,
      ['processing', processingJob()] as const,
    ].flatMap(([name, record]) => changes.map((change) => [change.kind, name, record, change] as const));

    it.each(cases)('%s on a %s job bumps the version by exactly 1 and leaves the input untouched', (_kind, _name, record, change) => {
      const copy = clone(record);
      const next = apply(record, change);
      expect(next.version).toBe(record.version + 1);
      expect(next).not.toBe(record);
      expect(record).toStrictEqual(copy);
      expect(Object.isFrozen(record.progress)).toBe(true);
    });

    it('does not mutate an unfrozen input or share its progress object', () => {
      const record = clone(processingJob());
      const copy = clone(record);
      const next = apply(record, { kind: 'progress', progress: { processed: 5 } });
      next.progress.failed = 99;
      expect(record).toStrictEqual(copy);
    });
  });
});

describe('mergeProgress', () => {
  const current: JobProgress = deepFreeze({ percentage: 20, message: 'm', processed: 2, total: 10, failed: 0 });

  it('keeps the current percentage when total is 0', () => {
    expect(mergeProgress(current, { processed: 5, total: 0 })).toStrictEqual({ percentage: 20, message: 'm', processed: 5, total: 0, failed: 0 });
  });

  it('keeps the current percentage when total is null', () => {
    expect(mergeProgress(current, { processed: 5, total: null })).toStrictEqual({ percentage: 20, message: 'm', processed: 5, total: null, failed: 0 });
  });

  it('keeps the current percentage of EMPTY_PROGRESS (no total) when only processed changes', () => {
    expect(mergeProgress(EMPTY_PROGRESS, { processed: 50 })).toStrictEqual({ percentage: 0, message: null, processed: 50, total: null, failed: 0 });
  });

  it('clamps to 100 when processed exceeds total', () => {
    expect(mergeProgress(current, { processed: 15 })).toStrictEqual({ percentage: 100, message: 'm', processed: 15, total: 10, failed: 0 });
  });

  it('derives from the stored processed when only total changes', () => {
    expect(mergeProgress(current, { total: 8 }).percentage).toBe(25);
  });

  it('uses an explicit percentage even with counts that say otherwise', () => {
    expect(mergeProgress(current, { percentage: 99.999, processed: 1 })).toStrictEqual({ percentage: 100, message: 'm', processed: 1, total: 10, failed: 0 });
  });

  it('keeps an explicit percentage of 0 with counts', () => {
    expect(mergeProgress(current, { percentage: 0, processed: 9 }).percentage).toBe(0);
  });

  it('ignores undefined values and returns a new object', () => {
    const merged = mergeProgress(current, { message: undefined, total: undefined });
    expect(merged).toStrictEqual({ percentage: 20, message: 'm', processed: 2, total: 10, failed: 0 });
    expect(merged).not.toBe(current);
  });
});
