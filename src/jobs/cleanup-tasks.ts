import { Injectable } from '@nestjs/common';

export interface CleanupTask {
  /** The key of its count in the job's result. */
  key: string;
  /** What it removes, for the job's progress and message. */
  description: string;
  /** Idempotent; answers how many things it removed. */
  run(): Promise<number>;
}

/**
 * Sweeps that other modules add to the daily cleanup job: they own the tables, and the jobs module
 * cannot import them (they import it).
 */
@Injectable()
export class CleanupTasks {
  private readonly tasks: CleanupTask[] = [];

  add(task: CleanupTask): void {
    this.tasks.push(task);
  }

  all(): readonly CleanupTask[] {
    return this.tasks;
  }
}
