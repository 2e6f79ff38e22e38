import { useEffect, useState } from 'preact/hooks';
import { ApiProblem } from './api';
import { useSession } from './session';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
}

/**
 * Runs load() whenever a dependency changes and keeps only the answer to the latest call, so a
 * slow early search cannot overwrite a later one. A 401 ends the session: the token is gone.
 */
export function useLoader<T>(load: (signal: AbortSignal) => Promise<T>, dependencies: unknown[]): Loaded<T> {
  const { expire } = useSession();
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiProblem && error.status === 401) expire();
        setState({ data: null, error, loading: false });
      },
    );
    return () => controller.abort();
    // The caller lists what load() depends on, as with useEffect itself.
  }, dependencies);
  return state;
}
