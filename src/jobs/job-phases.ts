import { JobProgress } from './job-record';
import { ProgressUnit } from './job.enums';

/** One phase of a job. */
export interface JobPhase {
  /** Shown as the progress message while the phase runs, unless a count names more. */
  message: string;
  /**
   * Expected duration, from the amount of work (e.g. rows / a typical rate). It is the phase's
   * share of the bar (relative to the other phases'), and paces the bar where nothing is counted.
   */
  expectedMs: number;
}

/** How often the bar moves while a phase runs without counting anything itself. */
export const PHASE_TICK_MS = 500;

/** Share of a phase the time estimate reaches at its expected duration; beyond, it slows down and never reaches the end. */
const ESTIMATE_AT_EXPECTED = 0.9;

/** Where a phase is after `elapsed` of `expected` ms, by time alone: steady up to 90 %, then ever slower, below 100 %. */
export function estimatedFraction(elapsedMs: number, expectedMs: number): number {
  if (expectedMs <= 0) return ESTIMATE_AT_EXPECTED;
  if (elapsedMs <= expectedMs) return (ESTIMATE_AT_EXPECTED * elapsedMs) / expectedMs;
  return 1 - ((1 - ESTIMATE_AT_EXPECTED) * expectedMs) / elapsedMs;
}

/**
 * The progress of a job made of phases, in one unit for the whole job (`total`: rows when they are
 * known, bytes otherwise). `percentage` is the finished phases' shares plus the running phase's
 * share times its fraction done; `processed` is the same fraction of `total`, so that
 * processed / total is the percentage and processed never exceeds total. The fraction done of a
 * phase is what it counted (`count`) or, while nothing is counted (one long SQL statement), an
 * estimate from its expected duration, refreshed every PHASE_TICK_MS; whichever is ahead, and
 * never less than before: the bar never goes back and, while a phase runs, never stands still.
 * Reports are sent one at a time, in order.
 */
export class PhasedProgress<Phase extends string> {
  private readonly weightSum: number;
  private current: Phase | null = null;
  private phaseStartedAt = 0;
  private counted = 0;
  private message: string | null = null;
  private reportedPercentage: number;
  private reportedMessage: string | null = null;
  private sending: Promise<void> = Promise.resolve();
  /** The first failed report; thrown by the next call, since the ticks have no caller to throw to. */
  private failure: { error: unknown } | null = null;
  private ticker: NodeJS.Timeout | null = null;

  /**
   * `phases` in the order they run (a job may leave some out); `fromPercentage` is where the bar
   * stands already (a retried attempt goes on from there rather than back to 0).
   */
  constructor(
    private readonly phases: { [Name in Phase]?: JobPhase },
    private readonly total: number,
    private readonly unit: ProgressUnit,
    private readonly report: (progress: Partial<JobProgress>) => Promise<void>,
    fromPercentage = 0,
  ) {
    this.reportedPercentage = fromPercentage;
    this.weightSum = this.order().reduce((sum, phase) => sum + this.phaseOf(phase).expectedMs, 0);
  }

  /** Ends the running phase (its whole share counts) and starts `phase`; phases run in the order they are declared. */
  async start(phase: Phase): Promise<void> {
    this.phaseOf(phase);
    this.current = phase;
    this.phaseStartedAt = Date.now();
    this.counted = 0;
    this.message = null;
    // send() never rejects: a failed report is kept and thrown by the next call.
    this.ticker ??= setInterval(() => void this.send(), PHASE_TICK_MS);
    await this.send();
    this.throwFailure();
  }

  /** The running phase's own count: the fraction of it done (0–1), and the message naming it. */
  async count(fraction: number, message?: string): Promise<void> {
    // A fraction of nothing (no rows, an empty file) counts as nothing done.
    if (Number.isFinite(fraction)) this.counted = Math.max(this.counted, Math.min(1, fraction));
    if (message !== undefined) this.message = message;
    await this.send();
    this.throwFailure();
  }

  /** Stops the ticks (call in a finally); throws a report that failed meanwhile. */
  async stop(): Promise<void> {
    this.halt();
    await this.sending;
    this.throwFailure();
  }

  /** Stops the ticks of a job that failed: its own error is the one to report. */
  halt(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  private order(): Phase[] {
    return Object.keys(this.phases) as Phase[];
  }

  private phaseOf(phase: Phase): JobPhase {
    const found = this.phases[phase];
    if (found === undefined) throw new Error(`This job has no phase ${phase}`);
    return found;
  }

  private percentage(): number {
    if (this.current === null || this.weightSum === 0) return 0;
    const order = this.order();
    const done = order.slice(0, order.indexOf(this.current)).reduce((sum, phase) => sum + this.phaseOf(phase).expectedMs, 0);
    const phase = this.phaseOf(this.current);
    const fraction = Math.max(this.counted, estimatedFraction(Date.now() - this.phaseStartedAt, phase.expectedMs));
    return ((done + phase.expectedMs * fraction) * 100) / this.weightSum;
  }

  private send(): Promise<void> {
    if (this.current === null || this.failure !== null) return this.sending;
    // Two decimals, as the store keeps it: a report that would neither move the bar nor say anything new is not sent.
    const percentage = Math.max(this.reportedPercentage, Math.floor(this.percentage() * 100) / 100);
    const message = this.message ?? this.phaseOf(this.current).message;
    if (percentage === this.reportedPercentage && message === this.reportedMessage) return this.sending;
    this.reportedPercentage = percentage;
    this.reportedMessage = message;
    const progress: Partial<JobProgress> = { percentage, processed: Math.floor((this.total * percentage) / 100), total: this.total, unit: this.unit, message };
    this.sending = this.sending.then(() =>
      this.report(progress).catch((error: unknown) => {
        this.failure ??= { error };
      }),
    );
    return this.sending;
  }

  private throwFailure(): void {
    if (this.failure !== null) throw this.failure.error;
  }
}
