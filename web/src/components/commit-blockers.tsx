import { useEffect, useState } from 'preact/hooks';
import { useTranslator } from '../i18n';

/** setTimeout fires at once for longer delays (a signed 32-bit count of milliseconds). */
const LONGEST_TIMER_MILLISECONDS = 2 ** 31 - 1;

/** Renders again when a preview expires, so that Confirm disables itself and says why while the page stays open. */
export function useRenderAtExpiry(expiresAt: string): void {
  const [, setExpired] = useState(false);
  useEffect(() => {
    const wait = Date.parse(expiresAt) - Date.now();
    if (wait <= 0) return undefined;
    const timer = setTimeout(() => setExpired(true), Math.min(wait, LONGEST_TIMER_MILLISECONDS));
    return () => clearTimeout(timer);
  }, [expiresAt]);
}

/** The id the Confirm button points its aria-describedby at while it is disabled. */
export const COMMIT_BLOCKERS_ID = 'commit-blockers';

/**
 * Under a preview's Confirm: why it is disabled, each reason once, rather than a grey button to
 * guess at; or, when nothing stands in the way, until when the preview can be confirmed.
 */
export function CommitBlockers({ blockers, expiresAt }: { blockers: string[]; expiresAt: string }) {
  const { t, formatDateTime } = useTranslator();
  if (blockers.length === 0) return <p class="hint">{t('previewExpires', { date: formatDateTime(expiresAt) })}</p>;
  return (
    <div id={COMMIT_BLOCKERS_ID} class="warning" data-testid="commit-blockers">
      <p>{t('cannotCommit')}</p>
      <ul>
        {blockers.map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
    </div>
  );
}
