import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { TestApp } from './test-app';

/** Worker processes of the built service beside a test app (ROLE=api), for tests that kill one. */
export class ForkedWorkers {
  private readonly workers: ChildProcess[] = [];

  start(t: TestApp, environment: Record<string, string>): ChildProcess {
    const worker = fork(join(__dirname, '..', '..', '..', 'dist', 'src', 'main.js'), {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        ROLE: 'worker',
        DATABASE_URL: t.databaseUrl,
        REDIS_URL: t.redisUrl,
        REDIS_KEY_PREFIX: t.redisKeyPrefix,
        JWT_SECRET: 'worker-secret',
        LOG_LEVEL: 'silent',
        ...environment,
      },
      stdio: 'inherit',
    });
    this.workers.push(worker);
    return worker;
  }

  /** Kills the workers still running and waits until they are gone, so none outlives the test. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return;
        const exited = once(worker, 'exit');
        worker.kill('SIGKILL');
        await exited;
      }),
    );
  }
}
