import type { Schemas } from '../api';
import { useTranslator } from '../i18n';

/** A job's progress in whole percent: a completed job shows 100 whatever its last progress report said. */
export function jobPercentage(job: Schemas['JobDto']): number {
  return Math.round(job.status === 'completed' ? 100 : job.progress.percentage);
}

/** The bar for a job's percentage; small in a table row. valueText, when given, is what assistive technology reads out. */
export function JobProgressBar({ percentage, small = false, valueText }: { percentage: number; small?: boolean; valueText?: string }) {
  const { t } = useTranslator();
  return (
    <div class={small ? 'progress small' : 'progress'} role="progressbar" aria-label={t('jobProgress')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percentage} aria-valuetext={valueText}>
      <div class="progress-fill" style={{ width: `${percentage}%` }} />
    </div>
  );
}
