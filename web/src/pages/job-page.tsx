import { useState } from 'preact/hooks';
import { ApiProblem, TERMINAL_JOB_STATUSES, dataOrThrow, type Schemas } from '../api';
import { Choice } from '../components/choice';
import { JobProgressBar, jobPercentage } from '../components/job-progress';
import { IssueTable } from '../components/issue-table';
import { PagedTable } from '../components/paged-table';
import { ProblemMessage } from '../components/problem-message';
import { useTranslator, type MessageKey } from '../i18n';
import { bulkJobDetails, importJobDetails, undoJobDetails, type ImportJobDetails } from '../job-details';
import { href, navigate } from '../router';
import { useJobWatch, useTimeEstimate } from '../job-watch';
import { useSignedIn } from '../session';
import { useDownload } from '../use-download';
import { useLoader } from '../use-loader';

type Job = Schemas['JobDto'];
type Entity = Schemas['ImportEntity'];
type Outcome = Schemas['ImportRecordOutcome'];
type UndoPreview = Schemas['ImportUndoPreviewDto'];

const SHOWN_MESSAGES = 5;
const REJECTED_ROWS_SHOWN = 20;
const RECORDS_PAGE_SIZE = 25;
const OUTCOMES: Outcome[] = ['created', 'updated', 'restored'];

/** What the undo of each kind of job would do: an import creates, updates and restores; a bulk change updates or deletes. */
type UndoCount = keyof Schemas['ImportUndoCountsDto'];

/** A job the imports' undo route undoes: an import, or a bulk change, which writes through the same journal. */
type UndoableKind = 'import' | 'bulk_update' | 'bulk_delete';

/** The words of the records and undo sections, which name what is undone. */
interface UndoWording {
  counts: UndoCount[];
  countPrefix: string;
  records: MessageKey;
  recordsIntro: MessageKey;
  intro: MessageKey;
  button: MessageKey;
  conflictsTitle: MessageKey;
  conflictsIntro: MessageKey;
  needsSkip: MessageKey;
}

const BULK_WORDING: Omit<UndoWording, 'counts'> = {
  countPrefix: 'bulkUndoCount',
  records: 'bulkRecordsTitle',
  recordsIntro: 'bulkRecordsIntro',
  intro: 'undoIntroBulk',
  button: 'undoBulk',
  conflictsTitle: 'conflictsTitleBulk',
  conflictsIntro: 'conflictsIntroBulk',
  needsSkip: 'undoNeedsSkipBulk',
};

const UNDO_WORDING: Record<UndoableKind, UndoWording> = {
  import: {
    counts: ['created', 'updated', 'restored', 'conflicts'],
    countPrefix: 'undoCount',
    records: 'recordsTitle',
    recordsIntro: 'recordsIntro',
    intro: 'undoIntro',
    button: 'undoImport',
    conflictsTitle: 'conflictsTitle',
    conflictsIntro: 'conflictsIntro',
    needsSkip: 'undoNeedsSkip',
  },
  bulk_update: { ...BULK_WORDING, counts: ['updated', 'conflicts'] },
  bulk_delete: { ...BULK_WORDING, counts: ['deleted', 'conflicts'] },
};

/** The job monitor: live progress, result and Cancel for one job; for an import also why rows were left out; for an import or a bulk change what it wrote, and its undo. */
export function JobPage({ jobId }: { jobId: string }) {
  const { t } = useTranslator();
  const { client } = useSignedIn();
  const watch = useJobWatch(client, jobId);
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  const job = watch.job;
  const importDetails = job === null ? null : importJobDetails(job);
  const bulkDetails = job === null ? null : bulkJobDetails(job);
  const terminal = job !== null && TERMINAL_JOB_STATUSES.has(job.status);

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
      <h1 id="job-title">{job === null ? t('jobTitle', { id: jobId.slice(0, 8) }) : <JobHeading job={job} />}</h1>
      <ProblemMessage error={watch.problem} />
      {job === null ? <p>{t('loading')}</p> : <JobMonitor job={job} live={watch.live} importDetails={importDetails} />}
      {job !== null && !terminal ? (
        <div class="actions">
          <button type="button" class="danger" disabled={cancelling || job.cancelRequestedAt !== null} onClick={() => void cancel()}>
            {t('cancelJob')}
          </button>
        </div>
      ) : null}
      <ProblemMessage error={cancelError} />
      {job !== null && importDetails !== null && terminal ? (
        <>
          {importDetails.entity === undefined ? null : <RejectedRows job={job} previewIds={importDetails.previewIds} entity={importDetails.entity} />}
          {job.status === 'completed' ? (
            <>
              <ImportRecords jobId={job.id} kind="import" />
              <UndoImport jobId={job.id} kind="import" />
            </>
          ) : null}
          <p>
            <a href={href('/import')}>{t('backToImport')}</a>
          </p>
        </>
      ) : null}
      {job !== null && bulkDetails !== null && terminal ? (
        <>
          {job.status === 'completed' ? (
            <>
              <ImportRecords jobId={job.id} kind={job.type === 'bulk_update' ? 'bulk_update' : 'bulk_delete'} />
              <UndoImport jobId={job.id} kind={job.type === 'bulk_update' ? 'bulk_update' : 'bulk_delete'} />
            </>
          ) : null}
          <p>
            <a href={href('/change-many')}>{t('backToChangeMany')}</a>
          </p>
        </>
      ) : null}
      {job !== null && (job.type === 'backup' || job.type === 'backup_restore') && terminal ? (
        <p>
          <a href={href('/backups')}>{t('navBackups')}</a>
        </p>
      ) : null}
    </section>
  );
}

/** The title says what the job is about: an import names its files and what they hold, a bulk change its entity, an undo the job it undoes. */
function JobHeading({ job }: { job: Job }) {
  const { t, label } = useTranslator();
  const importDetails = importJobDetails(job);
  if (importDetails !== null && importDetails.fileNames.length > 0) {
    const files = importDetails.fileNames.join(', ');
    return <>{importDetails.entity === undefined ? t('importJobTitleNoEntity', { files }) : t('importJobTitle', { files, entity: label('entity', importDetails.entity) })}</>;
  }
  const bulk = bulkJobDetails(job);
  if (bulk !== null && bulk.entity !== undefined) return <>{t(bulk.operation === 'update' ? 'bulkUpdateJobTitle' : 'bulkDeleteJobTitle', { entity: label('entity', bulk.entity) })}</>;
  const undo = undoJobDetails(job);
  if (undo !== null) return <UndoHeading importJobId={undo.importJobId} entity={undo.entity} />;
  return <>{t('jobTypedTitle', { type: label('type', job.type), id: job.id.slice(0, 8) })}</>;
}

/** An undo's parameters name the job it undoes but not its kind: the undone job says whether it was an import or a bulk change (an import, once it has expired). */
function UndoHeading({ importJobId, entity }: { importJobId: string; entity: Entity | undefined }) {
  const { t, label } = useTranslator();
  const { client } = useSignedIn();
  const undone = useLoader(async (signal) => dataOrThrow(await client.GET('/api/v1/jobs/{id}', { params: { path: { id: importJobId } }, signal })).type, [client, importJobId]);
  const type = undone.data;
  return (
    <>
      {type === 'bulk_update' || type === 'bulk_delete' ? label('undoJobTitle', type) : t('undoJobTitle')} <a href={href(`/jobs/${importJobId}`)}>{importJobId.slice(0, 8)}</a>
      {entity === undefined ? null : ` (${label('entity', entity)})`}
    </>
  );
}

/** What the job has done, in its progress unit: rows, megabytes of the files read, or steps. */
function ProgressCount({ progress: { processed, total, unit } }: { progress: Job['progress'] }) {
  const { t, formatNumber } = useTranslator();
  if (total === null) return <>{t('processedOnly', { processed })}</>;
  if (unit === 'bytes') {
    const megabytes = (bytes: number) => formatNumber(Math.round(bytes / 100_000) / 10);
    return <>{t('bytesOfTotal', { processed: megabytes(processed), total: megabytes(total) })}</>;
  }
  return <>{t(unit === 'steps' ? 'stepsOfTotal' : 'processedOfTotal', { processed, total })}</>;
}

function JobMonitor({ job, live, importDetails }: { job: Job; live: boolean; importDetails: ImportJobDetails | null }) {
  const { t, label, formatNumber, formatDuration } = useTranslator();
  const secondsLeft = useTimeEstimate(job);
  const percentage = jobPercentage(job);
  const terminal = TERMINAL_JOB_STATUSES.has(job.status);

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
        <ProgressCount progress={job.progress} />
        {terminal ? null : <> · {secondsLeft === null ? t('timeLeftUnknown') : t('timeLeft', { time: formatDuration(secondsLeft) })}</>}
      </p>
      {terminal ? null : <p class="hint">{live ? t('liveUpdates') : t('pollingUpdates')}</p>}
      {job.error === null ? null : (
        <div class="problem" role="alert">
          {job.error}
        </div>
      )}
      {/* A completed import's errors are its rejected rows, which the section below words from their issue codes; a failed one's say why it failed. */}
      {job.result === null ? null : (
        <JobResult
          result={job.result}
          showErrors={importDetails === null || importDetails.previewIds.length === 0 || job.status !== 'completed'}
          countPrefix={job.type === 'bulk_import_undo' ? 'undoneCount' : 'count'}
        />
      )}
    </div>
  );
}

/** countPrefix names the counts' messages: an undo's `created` are records it deleted, not created. */
function JobResult({ result, showErrors, countPrefix }: { result: NonNullable<Job['result']>; showErrors: boolean; countPrefix: string }) {
  const { t } = useTranslator();
  return (
    <section aria-labelledby="result-title">
      <h2 id="result-title">{t('resultTitle')}</h2>
      {result.message === null ? null : <p>{result.message}</p>}
      <CountCards counts={result.counts} prefix={countPrefix} />
      {showErrors ? <MessageList title={t('errorsTitle')} messages={result.errors} tone="bad" /> : null}
      <MessageList title={t('warningsTitle')} messages={result.warnings} tone="warn" />
    </section>
  );
}

function CountCards({ counts, prefix }: { counts: Record<string, number>; prefix: string }) {
  const { label, formatNumber } = useTranslator();
  const entries = Object.entries(counts);
  if (entries.length === 0) return null;
  return (
    <dl class="cards">
      {entries.map(([name, value]) => (
        <div key={name} class="card" data-count={name}>
          <dt>{label(prefix, name)}</dt>
          <dd>{formatNumber(value)}</dd>
        </div>
      ))}
    </dl>
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

/**
 * Why rows were left out: the first invalid rows of each file, from its preview's issues (their
 * codes give the Greek wording), and the rejected-rows CSV with every row and reason. When the
 * preview has gone (it expires), the job result's own lines stand in.
 */
function RejectedRows({ job, previewIds, entity }: { job: Job; previewIds: string[]; entity: Entity }) {
  const { t } = useTranslator();
  const { client } = useSignedIn();
  const issues = useLoader(
    (signal) =>
      Promise.all(
        previewIds.map(async (id) => {
          const preview = dataOrThrow(await client.GET('/api/v1/imports/previews/{id}', { params: { path: { id }, query: { severity: 'error', limit: REJECTED_ROWS_SHOWN } }, signal }));
          return { id, fileName: preview.fileName, issues: preview.issues };
        }),
      ),
    [client, previewIds.join()],
  );
  const leftOut = (job.result?.counts.rejected ?? 0) + (job.result?.counts.skipped ?? 0);
  if (issues.data === null && issues.loading) return null;
  if (issues.data === null) {
    // An expired preview (404): a completed job's result still lists its first rejected rows, in the service's words.
    const expired = issues.error instanceof ApiProblem && issues.error.status === 404;
    if (!expired) return <ProblemMessage error={issues.error} />;
    return job.status === 'completed' ? <MessageList title={t('rejectedTitle')} messages={job.result?.errors ?? []} tone="bad" /> : null;
  }
  if (leftOut === 0 && issues.data.every((file) => file.issues.total === 0)) return null;
  return (
    <section aria-labelledby="rejected-title">
      <h2 id="rejected-title">{t('rejectedTitle')}</h2>
      {issues.data.map((file) => (
        <RejectedFile key={file.id} previewId={file.id} fileName={file.fileName} issues={file.issues} entity={entity} />
      ))}
    </section>
  );
}

function RejectedFile({ previewId, fileName, issues, entity }: { previewId: string; fileName: string; issues: Schemas['ImportIssuePage']; entity: Entity }) {
  const { t } = useTranslator();
  const { client } = useSignedIn();
  const rejectedRows = useDownload();
  return (
    <div class="rejected-file">
      <p>
        {t('rejectedOfFile', { name: fileName })}{' '}
        <button type="button" onClick={() => void rejectedRows.download(() => client.GET('/api/v1/imports/previews/{id}/rejected', { params: { path: { id: previewId } }, parseAs: 'blob' }), 'rejected-rows.csv')}>
          {t('downloadRejected')}
        </button>
      </p>
      <ProblemMessage error={rejectedRows.error} />
      {issues.items.length === 0 ? null : (
        <IssueTable entity={entity} placeLabel="row" testId="rejected-rows" issues={issues.items.map((issue, index) => ({ id: `${issue.row}-${index}`, place: issue.row, issue }))} />
      )}
    </div>
  );
}

/** What the import or bulk change wrote, record by record; for an import with the file row each came from. */
function ImportRecords({ jobId, kind }: { jobId: string; kind: UndoableKind }) {
  const { t, label, formatDateTime } = useTranslator();
  const { client } = useSignedIn();
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [offset, setOffset] = useState(0);
  const page = useLoader(
    async (signal) =>
      dataOrThrow(await client.GET('/api/v1/imports/jobs/{jobId}/records', { params: { path: { jobId }, query: { limit: RECORDS_PAGE_SIZE, offset, ...(outcome === '' ? {} : { outcome }) } }, signal })),
    [client, jobId, outcome, offset],
  );
  const wording = UNDO_WORDING[kind];
  // A bulk change writes one outcome and reads no file: the outcome filter and the source would say nothing.
  const isImport = kind === 'import';
  return (
    <section aria-labelledby="records-title">
      <h2 id="records-title">{t(wording.records)}</h2>
      <p class="hint">{t(wording.recordsIntro)}</p>
      {isImport ? (
        <div class="filters">
          <Choice
            label={t('recordOutcome')}
            value={outcome}
            values={OUTCOMES}
            labelOf={(value) => label('outcome', value)}
            emptyLabel={t('anyValue')}
            onChange={(value) => {
              setOutcome(value);
              setOffset(0);
            }}
          />
        </div>
      ) : null}
      <PagedTable loaded={page} empty={t('noResults')} limit={RECORDS_PAGE_SIZE} offset={offset} onOffset={setOffset} label={t(wording.records)}>
        {(data) => (
          <table data-testid="import-records">
            <thead>
              <tr>
                <th scope="col">{t('recordKey')}</th>
                <th scope="col">{t('recordOutcome')}</th>
                {isImport ? <th scope="col">{t('recordSource')}</th> : null}
                <th scope="col">{t('recordChanged')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((record) => (
                <tr key={record.recordId}>
                  <td>{record.key}</td>
                  <td>{label('outcome', record.outcome)}</td>
                  {isImport ? <td>{record.fileName === null || record.row === null ? '' : t('recordSourceRow', { name: record.fileName, row: record.row })}</td> : null}
                  <td>{record.changed ? t('recordChangedAt', { date: formatDateTime(record.updatedAt) }) : t('no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedTable>
    </section>
  );
}

function isUndoPreview(answer: UndoPreview | Job): answer is UndoPreview {
  return 'importJobId' in answer && 'conflicts' in answer;
}

/**
 * Undo in two steps: the dry run says what would be undone and which records changed since (the
 * undo refuses for those unless told to leave them alone); only then does Confirm start the job.
 */
function UndoImport({ jobId, kind }: { jobId: string; kind: UndoableKind }) {
  const { t, label, formatNumber } = useTranslator();
  const { client } = useSignedIn();
  const [preview, setPreview] = useState<UndoPreview | null>(null);
  const [skipConflicts, setSkipConflicts] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const answer = dataOrThrow(await client.POST('/api/v1/imports/jobs/{jobId}/undo', { params: { path: { jobId }, query: { dryRun, onConflict: skipConflicts ? 'skip' : 'refuse' } } }));
      if (isUndoPreview(answer)) setPreview(answer);
      else navigate(`/jobs/${answer.id}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const conflictsFile = useDownload();

  const wording = UNDO_WORDING[kind];
  const conflicts = preview?.counts.conflicts ?? 0;
  const nothingToUndo = preview !== null && preview.counts.created + preview.counts.updated + preview.counts.restored + preview.counts.deleted === 0;
  const blockedBy = preview === null ? null : nothingToUndo ? t('undoNothing') : conflicts > 0 && !skipConflicts ? t(wording.needsSkip, { count: conflicts }) : null;

  return (
    <section aria-labelledby="undo-title" class="undo">
      <h2 id="undo-title">{t('undoTitle')}</h2>
      {preview === null ? (
        <>
          <p class="hint">{t(wording.intro)}</p>
          <div class="actions">
            <button type="button" disabled={busy} onClick={() => void run(true)}>
              {t(wording.button)}
            </button>
          </div>
        </>
      ) : (
        <>
          <p>{t('undoPreviewIntro')}</p>
          <dl class="cards" data-testid="undo-counts">
            {wording.counts.map((name) => (
              <div key={name} class={`card${name === 'conflicts' && conflicts > 0 ? ' bad' : ''}`} data-undo-count={name}>
                <dt>{label(wording.countPrefix, name)}</dt>
                <dd>{formatNumber(preview.counts[name])}</dd>
              </div>
            ))}
          </dl>
          {conflicts === 0 ? null : (
            <>
              <h3>{t(wording.conflictsTitle)}</h3>
              <p>{t(wording.conflictsIntro, { count: conflicts })}</p>
              <ul class="conflicts">
                {preview.conflicts.items.map((record) => (
                  <li key={record.recordId}>
                    {record.key} ({label('outcome', record.outcome)})
                  </li>
                ))}
              </ul>
              {preview.conflicts.total > preview.conflicts.items.length ? <p class="hint">{t('moreItems', { count: preview.conflicts.total - preview.conflicts.items.length })}</p> : null}
              <p>
                <button type="button" onClick={() => void conflictsFile.download(() => client.GET('/api/v1/imports/jobs/{jobId}/conflicts/download', { params: { path: { jobId } }, parseAs: 'blob' }), 'conflicts.csv')}>
                  {t('downloadConflicts')}
                </button>
              </p>
              <label class="check">
                <input type="checkbox" checked={skipConflicts} onChange={(event) => setSkipConflicts(event.currentTarget.checked)} />
                {t('undoSkipConflicts')}
              </label>
            </>
          )}
          <div class="actions">
            <button type="button" class="danger" disabled={busy || blockedBy !== null} aria-describedby={blockedBy === null ? undefined : 'undo-blocked'} onClick={() => void run(false)}>
              {t('undoConfirm')}
            </button>
            <button type="button" disabled={busy} onClick={() => setPreview(null)}>
              {t('cancelImport')}
            </button>
          </div>
          {blockedBy === null ? null : (
            <p id="undo-blocked" class="warning">
              {blockedBy}
            </p>
          )}
        </>
      )}
      <ProblemMessage error={conflictsFile.error} />
      <ProblemMessage error={error} />
    </section>
  );
}
