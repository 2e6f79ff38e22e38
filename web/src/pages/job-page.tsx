import { useState } from 'preact/hooks';
import { TERMINAL_JOB_STATUSES, dataOrThrow, type Schemas } from '../api';
import { JobProgressBar, jobPercentage } from '../components/job-progress';
import { ProblemMessage } from '../components/problem-message';
import { useTranslator } from '../i18n';
import { href } from '../router';
import { useJobWatch, useTimeEstimate } from '../job-watch';
import { useSignedIn } from '../session';

type Job = Schemas['JobDto'];
const SHOWN_MESSAGES = 5;

/** The job monitor: live progress, result and Cancel for one job. */
export function JobPage({ jobId }: { jobId: string }) {
  const { t } = useTranslator();
  const { client } = useSignedIn();
  const watch = useJobWatch(client, jobId);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  const job = watch.job;

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      // The watch reports the job's new status; the answer itself is not needed here.
      dataOrThrow(await client.DELETE('/api/v1/jobs/{id}', { params: { path: { id: jobId } } }));
    } catch (caught) {
      setCancelError(caught);
      setCancelling(false);
    }
  };

  return (
    <section class="job" aria-labelledby="job-title">
      <h1 id="job-title">{t('jobTitle', { id: jobId.slice(0, 8) })}</h1>
      <ProblemMessage error={watch.problem} />
      {job === null ? <p>{t('loading')}</p> : <JobMonitor job={job} live={watch.live} />}
      {job !== null && !TERMINAL_JOB_STATUSES.has(job.status) ? (
        <div class="actions">
          <button type="button" class="danger" disabled={cancelling || job.cancelRequestedAt !== null} onClick={() => void cancel()}>
            {t('cancelJob')}
          </button>
        </div>
      ) : null}
      <ProblemMessage error={cancelError} />
      {job !== null && job.type === 'bulk_import' && TERMINAL_JOB_STATUSES.has(job.status) ? (
        <p>
          <a href={href('/import')}>{t('backToImport')}</a>
        </p>
      ) : null}
    </section>
  );
}

function JobMonitor({ job, live }: { job: Job; live: boolean }) {
  const { t, label, formatNumber, formatDuration } = useTranslator();
  const secondsLeft = useTimeEstimate(job);
  const percentage = jobPercentage(job);
  const terminal = TERMINAL_JOB_STATUSES.has(job.status);
  const { processed, total } = job.progress;

  return (
    <div class={`monitor status-${job.status}`}>
      <div aria-live="polite" role="status" class="job-status" data-testid="job-status">
        <span class={`badge ${job.status}`}>{label('status', job.status)}</span>
        {job.progress.message === null || terminal ? null : <span class="hint"> {job.progress.message}</span>}
        {job.cancelRequestedAt !== null && !terminal ? <span class="hint"> {t('cancelRequested')}</span> : null}
      </div>
      <JobProgressBar percentage={percentage} valueText={`${formatNumber(percentage)} %`} />
      <p class="progress-text">
        <span data-testid="job-percentage">{formatNumber(percentage)} %</span>
        {' · '}
        {total === null ? t('processedOnly', { processed }) : t('processedOfTotal', { processed, total })}
        {terminal ? null : <> · {secondsLeft === null ? t('timeLeftUnknown') : t('timeLeft', { time: formatDuration(secondsLeft) })}</>}
      </p>
      {terminal ? null : <p class="hint">{live ? t('liveUpdates') : t('pollingUpdates')}</p>}
      {job.error === null ? null : (
        <div class="problem" role="alert">
          {job.error}
        </div>
      )}
      {job.result === null ? null : <JobResult result={job.result} />}
    </div>
  );
}

function JobResult({ result }: { result: NonNullable<Job['result']> }) {
  const { t, label, formatNumber } = useTranslator();
  const counts = Object.entries(result.counts);
  return (
    <section aria-labelledby="result-title">
      <h2 id="result-title">{t('resultTitle')}</h2>
      {result.message === null ? null : <p>{result.message}</p>}
      {counts.length === 0 ? null : (
        <dl class="cards">
          {counts.map(([name, value]) => (
            <div key={name} class="card" data-count={name}>
              <dt>{label('count', name)}</dt>
              <dd>{formatNumber(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      <MessageList title={t('errorsTitle')} messages={result.errors} tone="bad" />
      <MessageList title={t('warningsTitle')} messages={result.warnings} tone="warn" />
    </section>
  );
}

/** The first few messages, then "N more" that opens the rest. */
function MessageList({ title, messages, tone }: { title: string; messages: string[]; tone: string }) {
  const { t } = useTranslator();
  if (messages.length === 0) return null;
  const rest = messages.slice(SHOWN_MESSAGES);
  return (
    <div class={`messages ${tone}`}>
      <h3>{title}</h3>
      <ul>
        {messages.slice(0, SHOWN_MESSAGES).map((message, index) => (
          <li key={index}>{message}</li>
        ))}
      </ul>
      {rest.length === 0 ? null : (
        <details>
          <summary>{t('moreItems', { count: rest.length })}</summary>
          <ul>
            {rest.map((message, index) => (
              <li key={index}>{message}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
