import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, TERMINAL_JOB_STATUSES, dataOrThrow, toProblem, type ApiClient, type Schemas } from './api';

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
 * Reads the job's server-sent events until the stream ends. EventSource cannot send the bearer
 * token, so the stream is a fetch through the typed client, parsed here.
 */
async function readEventStream(client: ApiClient, jobId: string, lastEventId: string | undefined, signal: AbortSignal, onEvent: (job: Job, id: string | undefined) => void): Promise<void> {
  const result = await client.GET('/api/v1/jobs/{id}/events', {
    params: { path: { id: jobId }, header: lastEventId === undefined ? undefined : { 'Last-Event-ID': lastEventId } },
    parseAs: 'stream',
    signal,
  });
  if (!result.response.ok || result.data === undefined || result.data === null) throw toProblem(result.response, result.error);
  const reader = result.data.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) return;
    buffer += chunk.value.replace(/\r\n/g, '\n');
    const blocks = buffer.split('\n\n');
    // The last block may be an event cut in the middle: it waits for the next chunk.
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const lines = block.split('\n');
      const field = (name: string) => lines.filter((line) => line.startsWith(`${name}:`)).map((line) => line.slice(name.length + 1).replace(/^ /, ''));
      const data = field('data').join('\n');
      if (data !== '') onEvent(JSON.parse(data) as Job, field('id')[0]);
    }
  }
}

/**
 * Follows one job live: the event stream first, polling GET /jobs/{id} when the stream breaks,
 * and nothing more once the job has a final status (the earlier system never stopped polling).
 */
export function useJobWatch(client: ApiClient, jobId: string): JobWatch {
  const [state, setState] = useState<JobWatch>({ job: null, live: false, problem: null });

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let latest: Job | null = null;
    let lastEventId: string | undefined;
    const receive = (job: Job, live: boolean) => {
      latest = job;
      setState({ job, live, problem: null });
    };

    const follow = async () => {
      try {
        await readEventStream(client, jobId, lastEventId, signal, (job, id) => {
          lastEventId = id ?? lastEventId;
          receive(job, true);
        });
      } catch (error) {
        if (signal.aborted) return;
        // A job that is not there (404) or a revoked session (401) will not come back by polling.
        if (error instanceof ApiProblem && (error.status === 401 || error.status === 404)) {
          setState((previous) => ({ ...previous, live: false, problem: error }));
          return;
        }
      }
      while (!signal.aborted && !isTerminal(latest)) {
        setState((previous) => ({ ...previous, live: false }));
        try {
          receive(dataOrThrow(await client.GET('/api/v1/jobs/{id}', { params: { path: { id: jobId } }, signal })), false);
        } catch (error) {
          if (signal.aborted) return;
          const problem = error instanceof ApiProblem ? error : new ApiProblem(0, String(error), undefined);
          setState((previous) => ({ ...previous, problem }));
          if (problem.status === 401 || problem.status === 404) return;
        }
        if (!isTerminal(latest)) await delay(POLL_INTERVAL_MILLISECONDS, signal);
      }
    };
    follow().catch((error: unknown) => {
      if (!signal.aborted) setState((previous) => ({ ...previous, problem: new ApiProblem(0, String(error), undefined) }));
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
