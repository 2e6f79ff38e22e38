import { useEffect, useState } from 'preact/hooks';
import { TERMINAL_JOB_STATUSES, dataOrThrow, type Schemas } from '../api';
import { JobProgressBar, jobPercentage } from '../components/job-progress';
import { PagedTable } from '../components/paged-table';
import { ProblemMessage } from '../components/problem-message';
import { useTranslator } from '../i18n';
import { useJobWatch } from '../job-watch';
import { href, navigate } from '../router';
import { useSignedIn } from '../session';
import { useDownload } from '../use-download';
import { useLoader } from '../use-loader';

type Backup = Schemas['BackupDto'];
const PAGE_SIZE = 20;

/** Admins only: the backups in BACKUP_DIR, taking one (followed here), downloading and restoring one. */
export function BackupsPage() {
  const { t } = useTranslator();
  const { client } = useSignedIn();
  const [offset, setOffset] = useState(0);
  // A finished backup job bumps this, so the list shows the new backup.
  const [listVersion, setListVersion] = useState(0);
  // The last backup job started here, shown until the page is left; running while it has not ended.
  const [backupJobId, setBackupJobId] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [includePasswordHashes, setIncludePasswordHashes] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const page = useLoader(async (signal) => dataOrThrow(await client.GET('/api/v1/backups', { params: { query: { limit: PAGE_SIZE, offset } }, signal })), [client, offset, listVersion]);

  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      const job = dataOrThrow(await client.POST('/api/v1/backups', { body: { includePasswordHashes } }));
      setBackupJobId(job.id);
      setRunning(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setStarting(false);
    }
  };

  return (
    <section aria-labelledby="backups-title">
      <h1 id="backups-title">{t('backupsTitle')}</h1>
      <p>{t('backupsIntro')}</p>
      <div class="actions">
        <label class="check">
          <input type="checkbox" checked={includePasswordHashes} onChange={(event) => setIncludePasswordHashes(event.currentTarget.checked)} />
          {t('backupIncludePasswords')}
        </label>
        <button type="button" class="primary" disabled={starting || running} onClick={() => void start()}>
          {t('backupTake')}
        </button>
      </div>
      <ProblemMessage error={error} />
      {backupJobId === null ? null : (
        <BackupJob
          key={backupJobId}
          jobId={backupJobId}
          onFinished={(completed) => {
            setRunning(false);
            if (completed) setListVersion((version) => version + 1);
          }}
        />
      )}
      <PagedTable loaded={page} empty={t('backupsEmpty')} limit={PAGE_SIZE} offset={offset} onOffset={setOffset} label={t('backupsTitle')}>
        {(data) => (
          <table data-testid="backups">
            <thead>
              <tr>
                <th scope="col">{t('backupCreated')}</th>
                <th scope="col">{t('backupCreatedBy')}</th>
                <th scope="col">{t('backupRows')}</th>
                <th scope="col">{t('backupSize')}</th>
                <th scope="col">{t('backupRestorable')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('backupActions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((backup) => (
                <BackupRow key={backup.id} backup={backup} />
              ))}
            </tbody>
          </table>
        )}
      </PagedTable>
    </section>
  );
}

/** The backup job just started, followed live until it ends; a completed one reloads the list. */
function BackupJob({ jobId, onFinished }: { jobId: string; onFinished(completed: boolean): void }) {
  const { t, label, formatNumber } = useTranslator();
  const { client } = useSignedIn();
  const watch = useJobWatch(client, jobId);
  const job = watch.job;
  const finalStatus = job !== null && TERMINAL_JOB_STATUSES.has(job.status) ? job.status : null;
  useEffect(() => {
    if (finalStatus !== null) onFinished(finalStatus === 'completed');
  }, [finalStatus]);
  return (
    <div class={`backup-job status-${job?.status ?? 'pending'}`} data-testid="backup-job">
      <p role="status" aria-live="polite">
        {job === null ? t('loading') : <span class={`badge ${job.status}`}>{label('status', job.status)}</span>} <a href={href(`/jobs/${jobId}`)}>{t('openJob')}</a>
      </p>
      {job === null ? null : <JobProgressBar percentage={jobPercentage(job)} valueText={`${formatNumber(jobPercentage(job))} %`} />}
      {job?.error == null ? null : (
        <div class="problem" role="alert">
          {job.error}
        </div>
      )}
      <ProblemMessage error={watch.problem} />
    </div>
  );
}

function BackupRow({ backup }: { backup: Backup }) {
  const { t, label, formatDateTime, formatNumber, formatBytes } = useTranslator();
  const { client } = useSignedIn();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const archive = useDownload();

  const restore = async () => {
    setBusy(true);
    setError(null);
    try {
      const job = dataOrThrow(await client.POST('/api/v1/backups/{id}/restore', { params: { path: { id: backup.id } }, body: { confirm: true } }));
      navigate(`/jobs/${job.id}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <>
      <tr>
        <td>{formatDateTime(backup.createdAt)}</td>
        <td>{backup.createdBy.email}</td>
        <td>
          {Object.entries(backup.counts)
            .map(([table, count]) => `${label('table', table)} ${formatNumber(count)}`)
            .join(' · ')}
        </td>
        <td>{formatBytes(backup.sizeBytes)}</td>
        <td>{backup.restorable ? t('yes') : t('backupNotRestorable')}</td>
        <td class="row-actions">
          <button type="button" onClick={() => void archive.download(() => client.GET('/api/v1/backups/{id}/download', { params: { path: { id: backup.id } }, parseAs: 'blob' }), backup.fileName)}>
            {t('backupDownload')}
          </button>
          <button type="button" class="danger" disabled={!backup.restorable || confirming} onClick={() => setConfirming(true)}>
            {t('backupRestore')}
          </button>
        </td>
      </tr>
      {confirming || error !== null || archive.error !== null ? (
        <tr>
          <td colSpan={6}>
            {confirming ? (
              <div class="confirm" role="group" aria-label={t('backupRestore')}>
                <p class="warning">{t('backupRestoreWarning', { date: formatDateTime(backup.createdAt) })}</p>
                {backup.includesPasswordHashes ? null : <p class="hint">{t('backupRestorePasswords')}</p>}
                <div class="actions">
                  <button type="button" class="danger" disabled={busy} onClick={() => void restore()}>
                    {t('backupRestoreConfirm')}
                  </button>
                  <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
                    {t('cancelImport')}
                  </button>
                </div>
              </div>
            ) : null}
            <ProblemMessage error={archive.error} />
            <ProblemMessage error={error} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
