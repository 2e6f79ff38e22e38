import { useMemo, useState } from 'preact/hooks';
import { dataOrThrow, multipartBody, type Schemas } from '../api';
import { Choice } from '../components/choice';
import { COMMIT_BLOCKERS_ID, CommitBlockers, useRenderAtExpiry } from '../components/commit-blockers';
import { DropZone } from '../components/drop-zone';
import { MassChangeConfirmation } from '../components/mass-change-confirmation';
import { PagedTable } from '../components/paged-table';
import { ProblemMessage } from '../components/problem-message';
import { fieldLabel } from '../field-labels';
import { useTranslator, type MessageKey, type Translator } from '../i18n';
import { issueMessage } from '../issue-messages';
import { navigate } from '../router';
import { useSignedIn } from '../session';
import { useDownload } from '../use-download';
import { useLoader } from '../use-loader';
import { useRequest } from '../use-request';

type Preview = Schemas['ImportPreviewDto'];
type Entity = Schemas['ImportEntity'];
type Mode = Schemas['ImportMode'];
type InvalidRowPolicy = Schemas['InvalidRowPolicy'];
type Severity = Schemas['IssueSeverity'];

const ENTITIES: Entity[] = ['students', 'courses', 'enrollments'];
const MODES: Mode[] = ['upsert', 'create', 'update'];
const INVALID_ROW_POLICIES: InvalidRowPolicy[] = ['abort', 'skip'];
const ISSUES_PAGE_SIZE = 20;

export function isImportEntity(value: string | null): value is Entity {
  return value !== null && (ENTITIES as string[]).includes(value);
}

export function ImportPage({ initialEntity }: { initialEntity: Entity }) {
  const { t, label, formatBytes } = useTranslator();
  const { client } = useSignedIn();
  const [entity, setEntity] = useState<Entity>(initialEntity);
  const [mode, setMode] = useState<Mode>('upsert');
  const [onInvalid, setOnInvalid] = useState<InvalidRowPolicy>('abort');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const { busy, error, run, clearError } = useRequest<'checking' | 'committing'>();

  const check = (chosen: File) =>
    run('checking', async () => {
      setPreview(null);
      const result = await client.POST('/api/v1/imports/preview', {
        body: { entity, mode, onInvalid, file: chosen },
        bodySerializer: multipartBody,
      });
      setPreview(dataOrThrow(result));
    });

  const choose = (chosen: File) => {
    setFile(chosen);
    void check(chosen);
  };

  // Confirm commits the stored preview by its id: the file is never sent twice.
  const confirm = (current: Preview, confirmMassChange: boolean) =>
    run('committing', async () => {
      const job = dataOrThrow(await client.POST('/api/v1/imports/previews/{id}/commit', { params: { path: { id: current.id } }, body: { confirmMassChange } }));
      navigate(`/jobs/${job.id}`);
    });

  const reset = () => {
    setPreview(null);
    setFile(null);
    clearError();
  };

  const optionsChanged = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    // A preview describes the options it was made with: new options need a new check.
    setPreview(null);
  };

  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">{t('importTitle')}</h1>
      <p>{t('importIntro')}</p>
      <div class="options">
        <Choice label={t('entity')} name="entity" value={entity} values={ENTITIES} labelOf={(value) => label('entity', value)} onChange={optionsChanged(setEntity)} disabled={busy !== null} />
        <Choice label={t('mode')} name="mode" value={mode} values={MODES} labelOf={(value) => label('mode', value)} onChange={optionsChanged(setMode)} disabled={busy !== null} />
        <Choice label={t('onInvalid')} name="onInvalid" value={onInvalid} values={INVALID_ROW_POLICIES} labelOf={(value) => label('onInvalid', value)} onChange={optionsChanged(setOnInvalid)} disabled={busy !== null} />
      </div>
      <DropZone onFile={choose} disabled={busy !== null} />
      {file === null ? null : (
        <p class="chosen-file">
          {t('chosenFile', { name: file.name, size: formatBytes(file.size) })}{' '}
          {preview === null && busy === null ? (
            <button type="button" onClick={() => void check(file)}>
              {t('checkFile')}
            </button>
          ) : null}
        </p>
      )}
      <p aria-live="polite" class="busy">
        {busy === 'checking' ? t('checking') : busy === 'committing' ? t('committing') : ''}
      </p>
      <ProblemMessage error={error} />
      {preview === null ? null : <PreviewView preview={preview} busy={busy !== null} onConfirm={(confirmMassChange) => void confirm(preview, confirmMassChange)} onCancel={reset} />}
    </section>
  );
}

const SUMMARY_CARDS: { field: keyof Schemas['ImportSummaryDto']; label: MessageKey; tone?: string }[] = [
  { field: 'totalRows', label: 'summaryTotal' },
  { field: 'validRows', label: 'summaryValid', tone: 'good' },
  { field: 'invalidRows', label: 'summaryInvalid', tone: 'bad' },
  { field: 'warningRows', label: 'summaryWarnings', tone: 'warn' },
  { field: 'create', label: 'summaryCreate' },
  { field: 'update', label: 'summaryUpdate' },
  { field: 'unchanged', label: 'summaryUnchanged' },
  { field: 'skip', label: 'summarySkip' },
];

/** Why Confirm is disabled, in words (CommitBlockers shows them next to the button). */
function commitBlockers(preview: Preview, massChangeConfirmed: boolean, { t, label, formatNumber }: Translator): string[] {
  const reasons: string[] = [];
  if (preview.status !== 'ready') reasons.push(t('blockedStatus', { status: label('previewStatus', preview.status) }));
  else if (Date.parse(preview.expiresAt) <= Date.now()) reasons.push(t('blockedExpired'));
  const summary = preview.summary;
  if (!preview.canCommit) {
    if (summary !== null && summary.invalidRows > 0 && preview.onInvalid === 'abort') reasons.push(t('blockedInvalidRows', { count: formatNumber(summary.invalidRows) }));
    else reasons.push(t('blockedHeader'));
  }
  const massChange = preview.massChange;
  if (massChange !== null && massChange.confirmationNeeded && !massChangeConfirmed) reasons.push(t('blockedMassChange'));
  return reasons;
}

function PreviewView({ preview, busy, onConfirm, onCancel }: { preview: Preview; busy: boolean; onConfirm(confirmMassChange: boolean): void; onCancel(): void }) {
  const translator = useTranslator();
  const { t, formatNumber } = translator;
  const { client } = useSignedIn();
  const rejectedRows = useDownload();
  const [massChangeConfirmed, setMassChangeConfirmed] = useState(false);
  useRenderAtExpiry(preview.expiresAt);
  const blockers = commitBlockers(preview, massChangeConfirmed, translator);

  const summary = preview.summary;
  const hasRejected = summary !== null && (summary.invalidRows > 0 || summary.skip > 0);
  return (
    <section class="preview" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('previewTitle', { name: preview.fileName })}</h2>
      {summary === null ? null : (
        <dl class="cards">
          {SUMMARY_CARDS.map((card) => (
            <div key={card.field} class={`card ${card.tone ?? ''}`} data-summary={card.field}>
              <dt>{t(card.label)}</dt>
              <dd>{formatNumber(summary[card.field])}</dd>
            </div>
          ))}
        </dl>
      )}
      {preview.detected === null ? null : <DetectionView detected={preview.detected} entity={preview.entity} />}
      <IssuesView preview={preview} />
      <MassChangeConfirmation massChange={preview.massChange} text="massChangeText" confirmLabel="massChangeConfirm" confirmed={massChangeConfirmed} onConfirmed={setMassChangeConfirmed} disabled={busy} />
      <div class="actions">
        {hasRejected ? (
          <button type="button" onClick={() => void rejectedRows.download(() => client.GET('/api/v1/imports/previews/{id}/rejected', { params: { path: { id: preview.id } }, parseAs: 'blob' }), 'rejected-rows.csv')}>
            {t('downloadRejected')}
          </button>
        ) : null}
        <button type="button" class="primary" disabled={blockers.length > 0 || busy} aria-describedby={blockers.length > 0 ? COMMIT_BLOCKERS_ID : undefined} onClick={() => onConfirm(massChangeConfirmed)}>
          {t('confirmImport')}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          {t('cancelImport')}
        </button>
      </div>
      <CommitBlockers blockers={blockers} expiresAt={preview.expiresAt} />
      <ProblemMessage error={rejectedRows.error} />
    </section>
  );
}

function DetectionView({ detected, entity }: { detected: Schemas['ImportDetectionDto']; entity: Entity }) {
  const { t, locale } = useTranslator();
  const delimiter = detected.delimiter === '\t' ? t('tab') : detected.delimiter;
  return (
    <section aria-labelledby="detected-title">
      <h3 id="detected-title">{t('detectedTitle')}</h3>
      <dl class="facts">
        <div>
          <dt>{t('detectedFormat')}</dt>
          <dd>{detected.format.toUpperCase()}</dd>
        </div>
        {detected.encoding === null ? null : (
          <div>
            <dt>{t('detectedEncoding')}</dt>
            <dd>{detected.encoding}</dd>
          </div>
        )}
        {delimiter === null ? null : (
          <div>
            <dt>{t('detectedDelimiter')}</dt>
            <dd>
              <code>{delimiter}</code>
            </dd>
          </div>
        )}
        {detected.sheet === null ? null : (
          <div>
            <dt>{t('detectedSheet')}</dt>
            <dd>{detected.sheet}</dd>
          </div>
        )}
      </dl>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('columnInFile')}</th>
              <th scope="col">{t('columnField')}</th>
            </tr>
          </thead>
          <tbody>
            {detected.columns.map((column) => (
              <tr key={column.index}>
                <td>{column.column}</td>
                <td>{column.field === null ? <em>{t('columnIgnored')}</em> : fieldLabel(entity, column.field, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function IssuesView({ preview }: { preview: Preview }) {
  const { t, label, locale } = useTranslator();
  const { client } = useSignedIn();
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [code, setCode] = useState('');
  const [offset, setOffset] = useState(0);
  // The preview answer carries the first issues; their codes seed the code filter.
  const codes = useMemo(() => [...new Set(preview.issues.items.map((issue) => issue.code))].sort(), [preview]);
  const page = useLoader(
    async (signal) =>
      dataOrThrow(
        await client.GET('/api/v1/imports/previews/{id}', {
          params: { path: { id: preview.id }, query: { limit: ISSUES_PAGE_SIZE, offset, ...(severity === '' ? {} : { severity }), ...(code === '' ? {} : { code }) } },
          signal,
        }),
      ).issues,
    [client, preview.id, severity, code, offset],
  );

  return (
    <section aria-labelledby="issues-title">
      <h3 id="issues-title">{t('issuesTitle')}</h3>
      <div class="filters">
        <label class="field">
          <span>{t('severity')}</span>
          <select
            value={severity}
            onChange={(event) => {
              setSeverity(event.currentTarget.value as Severity | '');
              setOffset(0);
            }}
          >
            <option value="">{t('severityAll')}</option>
            <option value="error">{t('severity_error')}</option>
            <option value="warning">{t('severity_warning')}</option>
          </select>
        </label>
        <label class="field">
          <span>{t('issueCode')}</span>
          <select
            value={code}
            onChange={(event) => {
              setCode(event.currentTarget.value);
              setOffset(0);
            }}
          >
            <option value="">{t('issueCodeAll')}</option>
            {codes.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </label>
      </div>
      <PagedTable loaded={page} empty={t('issuesNone')} limit={ISSUES_PAGE_SIZE} offset={offset} onOffset={setOffset} label={t('issuesTitle')}>
        {(data) => (
          <table class="issues">
            <thead>
              <tr>
                <th scope="col">{t('row')}</th>
                <th scope="col">{t('column')}</th>
                <th scope="col">{t('severity')}</th>
                <th scope="col">{t('issueCode')}</th>
                <th scope="col">{t('message')}</th>
                <th scope="col">{t('value')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((issue, index) => (
                <tr key={`${issue.row}-${issue.code}-${index}`} class={issue.severity}>
                  <td>{issue.row}</td>
                  <td>{issue.column ?? (issue.field === null ? '' : fieldLabel(preview.entity, issue.field, locale))}</td>
                  <td>{label('severity', issue.severity)}</td>
                  <td>
                    <code>{issue.code}</code>
                  </td>
                  <td>{issueMessage(issue, preview.entity, locale)}</td>
                  <td>{issue.value ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedTable>
    </section>
  );
}
