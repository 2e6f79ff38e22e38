import { useEffect, useState } from 'preact/hooks';
import { TERMINAL_JOB_STATUSES, asProblem, dataOrThrow, followJob, type ApiClient, type ApiProblem, type Schemas } from './api';

type Job = Schemas['JobDto'];

const POLL_INTERVAL_MILLISECONDS = 2500;

export interface JobWatch {
  job: Job | null;
  /** True while the event stream delivers; false while polling stands in for it. */
  live: boolean;
  problem: ApiProblem | null;
}

function isTerminal(job: Job | null): boolean {
  return job !== null && TERMINAL_JOB_STATUSES.has(job.status);
}

function delay(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/**
 * Follows one job live: the event stream through the generated client's followJob first, polling
 * GET /jobs/{id} when the stream cannot be had, and nothing more once the job has a final status
 * (the earlier system never stopped polling).
 */
export function useJobWatch(client: ApiClient, jobId: string): JobWatch {
  const [state, setState] = useState<JobWatch>({ job: null, live: false, problem: null });

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let latest: Job | null = null;
    const receive = (job: Job, live: boolean) => {
      latest = job;
      setState({ job, live, problem: null });
    };

    const follow = async () => {
      try {
        // The client's helper reads the event stream and reconnects with Last-Event-ID when it ends early.
        for await (const job of followJob(client, jobId, signal)) receive(job, true);
      } catch (error) {
        if (signal.aborted) return;
        const problem = asProblem(error);
        // A job that is not there (404) or a revoked session (401) will not come back by polling.
        if (problem.status === 401 || problem.status === 404) {
          setState((previous) => ({ ...previous, live: false, problem }));
          return;
        }
      }
      // The stream failed (a proxy that refuses or buffers it, a network that dropped): ask instead.
      while (!signal.aborted && !isTerminal(latest)) {
        setState((previous) => ({ ...previous, live: false }));
        try {
          receive(dataOrThrow(await client.GET('/api/v1/jobs/{id}', { params: { path: { id: jobId } }, signal })), false);
        } catch (error) {
          if (signal.aborted) return;
          const problem = asProblem(error);
          setState((previous) => ({ ...previous, problem }));
          if (problem.status === 401 || problem.status === 404) return;
        }
        if (!isTerminal(latest)) await delay(POLL_INTERVAL_MILLISECONDS, signal);
      }
    };
    follow().catch((error: unknown) => {
      if (!signal.aborted) setState((previous) => ({ ...previous, problem: asProblem(error) }));
    });
    return () => controller.abort();
  }, [client, jobId]);

  return state;
}

/** Seconds left at the rate observed since the first sighting of the running job; null until there is a rate. */
export function useTimeEstimate(job: Job | null): number | null {
  const [origin, setOrigin] = useState<{ at: number; processed: number } | null>(null);
  const processed = job?.progress.processed ?? 0;
  const total = job?.progress.total ?? null;
  const running = job?.status === 'processing';
  useEffect(() => {
    if (running && origin === null) setOrigin({ at: Date.now(), processed });
  }, [running, origin, processed]);
  if (!running || origin === null || total === null || processed <= origin.processed) return null;
  const elapsedSeconds = (Date.now() - origin.at) / 1000;
  const rowsPerSecond = (processed - origin.processed) / elapsedSeconds;
  return rowsPerSecond > 0 ? Math.max(0, total - processed) / rowsPerSecond : null;
}
