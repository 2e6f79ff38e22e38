import { useCallback, useState } from 'preact/hooks';

/**
 * The requests of a page's preview-then-confirm steps, one at a time: which step is running (for
 * the busy line and the disabled controls) and the failure of the last one, kept to show.
 */
export function useRequest<Step extends string>(): { busy: Step | null; error: unknown; run(step: Step, request: () => Promise<void>): Promise<void>; clearError(): void } {
  const [busy, setBusy] = useState<Step | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (step: Step, request: () => Promise<void>) => {
    setBusy(step);
    setError(null);
    try {
      await request();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { busy, error, run, clearError };
}
