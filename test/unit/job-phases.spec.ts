import { estimatedFraction, PHASE_TICK_MS, PhasedProgress } from '../../src/jobs/job-phases';
import { ProgressUnit } from '../../src/jobs/job.enums';
import { JobProgress } from '../../src/jobs/job-record';

describe('estimatedFraction', () => {
  it('moves steadily to 90 % at the expected time, then ever slower, never reaching the end', () => {
    expect(estimatedFraction(0, 1_000)).toBe(0);
    expect(estimatedFraction(500, 1_000)).toBeCloseTo(0.45);
    expect(estimatedFraction(1_000, 1_000)).toBeCloseTo(0.9);
    let previous = 0;
    for (let elapsed = 100; elapsed <= 1_000_000; elapsed *= 1.5) {
      const fraction = estimatedFraction(elapsed, 1_000);
      expect(fraction).toBeGreaterThan(previous);
      expect(fraction).toBeLessThan(1);
      previous = fraction;
    }
  });
});

describe('PhasedProgress', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  const tracked = () => {
    const reports: Partial<JobProgress>[] = [];
    const progress = new PhasedProgress({ read: { message: 'Reading', expectedMs: 1_000 }, write: { message: 'Writing', expectedMs: 3_000 } }, 2_000, ProgressUnit.Rows, async (report) => {
      reports.push(report);
    });
    return { reports, progress };
  };

  it('weighs the phases by their expected time and keeps processed / total equal to the percentage, in one unit', async () => {
    const { reports, progress } = tracked();
    await progress.start('read');
    await progress.count(0.5, 'Reading (half)');
    expect(reports.at(-1)).toEqual({ percentage: 12.5, processed: 250, total: 2_000, unit: 'rows', message: 'Reading (half)' });
    await progress.start('write');
    expect(reports.at(-1)).toEqual({ percentage: 25, processed: 500, total: 2_000, unit: 'rows', message: 'Writing' });
    await progress.stop();
  });

  it('moves the bar on its own while a phase counts nothing, never back, never past the total', async () => {
    const { reports, progress } = tracked();
    await progress.start('read');
    await progress.start('write');
    for (let tick = 0; tick < 100; tick += 1) await jest.advanceTimersByTimeAsync(PHASE_TICK_MS);
    await progress.stop();
    const percentages = reports.map((report) => report.percentage as number);
    expect(percentages.length).toBeGreaterThan(90);
    percentages.slice(1).forEach((percentage, index) => expect(percentage).toBeGreaterThan(percentages[index]));
    expect(Math.max(...percentages)).toBeLessThan(100);
    reports.forEach((report) => expect(report.processed).toBeLessThanOrEqual(2_000));
  });

  it('keeps a counted fraction that is ahead of the estimate, and ignores a fraction of nothing', async () => {
    const { reports, progress } = tracked();
    await progress.start('read');
    await progress.count(0.8, 'Reading');
    await progress.count(Number.NaN, 'Reading');
    await progress.count(0.4, 'Reading');
    expect(reports.at(-1)?.percentage).toBe(20);
    await progress.stop();
  });

  it('goes on from where the bar stands on a retried attempt', async () => {
    const reports: Partial<JobProgress>[] = [];
    const progress = new PhasedProgress({ read: { message: 'Reading', expectedMs: 1_000 }, write: { message: 'Writing', expectedMs: 1_000 } }, 100, ProgressUnit.Rows, async (report) => {
      reports.push(report);
    }, 40);
    await progress.start('read');
    await progress.count(0.5, 'Reading');
    await progress.start('write');
    await progress.stop();
    expect(reports.map((report) => report.percentage)).toEqual([40, 50]);
  });

  it('throws a report that failed during a tick from the next call', async () => {
    let failing = false;
    const progress = new PhasedProgress({ write: { message: 'Writing', expectedMs: 1_000 } }, 10, ProgressUnit.Rows, async () => {
      if (failing) throw new Error('Redis is gone');
    });
    await progress.start('write');
    failing = true;
    await jest.advanceTimersByTimeAsync(PHASE_TICK_MS);
    await expect(progress.stop()).rejects.toThrow('Redis is gone');
  });
});
