import { useState } from 'preact/hooks';
import { dataOrThrow, type Schemas } from '../api';
import { Choice } from '../components/choice';
import { PagedTable } from '../components/paged-table';
import { ProblemMessage } from '../components/problem-message';
import { useTranslator } from '../i18n';
import { useSignedIn } from '../session';
import { useDownload } from '../use-download';
import { useLoader } from '../use-loader';

const PAGE_SIZE = 50;

interface AuditFilters {
  action: Schemas['AuditAction'] | '';
  resource: Schemas['AuditResource'] | '';
  resourceId: string;
  email: string;
  startDate: string;
  endDate: string;
  success: '' | 'true' | 'false';
  requestId: string;
}

const NO_FILTERS: AuditFilters = { action: '', resource: '', resourceId: '', email: '', startDate: '', endDate: '', success: '', requestId: '' };

/** The filters as the API's query: empty ones left out, local date-times sent as instants. */
function toQuery(filters: AuditFilters) {
  const text = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const instant = (value: string) => (value === '' ? undefined : new Date(value).toISOString());
  return {
    action: filters.action === '' ? undefined : filters.action,
    resource: filters.resource === '' ? undefined : filters.resource,
    resourceId: text(filters.resourceId),
    email: text(filters.email),
    startDate: instant(filters.startDate),
    endDate: instant(filters.endDate),
    success: filters.success === '' ? undefined : filters.success === 'true',
    requestId: text(filters.requestId),
  };
}

/** An API list of named values as Choice takes it: the values, and the label of each. */
function namedValues(list: Schemas['NamedValueDto'][]): { values: string[]; labelOf(value: string): string } {
  const labels = new Map(list.map((item) => [item.value, item.label]));
  return { values: list.map((item) => item.value), labelOf: (value) => labels.get(value) ?? value };
}

export function AuditPage() {
  const { t, formatDateTime } = useTranslator();
  const { client } = useSignedIn();
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<AuditFilters>(NO_FILTERS);
  const [offset, setOffset] = useState(0);
  const exportFile = useDownload();
  const choices = useLoader(async (signal) => {
    const [actions, resources] = await Promise.all([client.GET('/api/v1/audit/actions', { signal }), client.GET('/api/v1/audit/resources', { signal })]);
    return { actions: dataOrThrow(actions), resources: dataOrThrow(resources) };
  }, [client]);
  const page = useLoader(async (signal) => dataOrThrow(await client.GET('/api/v1/audit', { params: { query: { ...toQuery(applied), limit: PAGE_SIZE, offset } }, signal })), [client, applied, offset]);

  const set = (field: keyof AuditFilters) => (event: Event) => setDraft({ ...draft, [field]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  const choose = (field: 'action' | 'resource') => (value: string) => setDraft({ ...draft, [field]: value });

  const exportLog = (format: Schemas['AuditExportFormat']) => exportFile.download(() => client.GET('/api/v1/audit/export', { params: { query: { ...toQuery(applied), format } }, parseAs: 'blob' }), `audit.${format}`);

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('auditTitle')}</h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied(draft);
          setOffset(0);
        }}
      >
        <Choice label={t('auditAction')} value={draft.action} {...namedValues(choices.data?.actions ?? [])} emptyLabel={t('anyValue')} onChange={choose('action')} />
        <Choice label={t('auditResource')} value={draft.resource} {...namedValues(choices.data?.resources ?? [])} emptyLabel={t('anyValue')} onChange={choose('resource')} />
        <label class="field">
          <span>{t('auditResourceId')}</span>
          <input value={draft.resourceId} maxLength={100} onInput={set('resourceId')} />
        </label>
        <label class="field">
          <span>{t('auditUser')}</span>
          <input type="email" value={draft.email} maxLength={254} onInput={set('email')} />
        </label>
        <label class="field">
          <span>{t('auditFrom')}</span>
          <input type="datetime-local" value={draft.startDate} onInput={set('startDate')} />
        </label>
        <label class="field">
          <span>{t('auditTo')}</span>
          <input type="datetime-local" value={draft.endDate} onInput={set('endDate')} />
        </label>
        <label class="field">
          <span>{t('auditOutcome')}</span>
          <select value={draft.success} onChange={set('success')}>
            <option value="">{t('auditOutcomeAll')}</option>
            <option value="true">{t('auditSuccess')}</option>
            <option value="false">{t('auditFailure')}</option>
          </select>
        </label>
        <label class="field">
          <span>{t('auditRequestId')}</span>
          <input value={draft.requestId} maxLength={64} onInput={set('requestId')} />
        </label>
        <div class="actions">
          <button type="submit" class="primary">
            {t('applyFilters')}
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
              setOffset(0);
            }}
          >
            {t('clearFilters')}
          </button>
          <button type="button" onClick={() => void exportLog('csv')}>
            {t('exportAs')} CSV
          </button>
          <button type="button" onClick={() => void exportLog('ndjson')}>
            {t('exportAs')} NDJSON
          </button>
        </div>
      </form>
      <ProblemMessage error={choices.error} />
      <ProblemMessage error={exportFile.error} />
      <PagedTable loaded={page} empty={t('noResults')} limit={PAGE_SIZE} offset={offset} onOffset={setOffset} label={t('auditTitle')}>
        {(data) => (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('auditTime')}</th>
                <th scope="col">{t('auditUser')}</th>
                <th scope="col">{t('auditAction')}</th>
                <th scope="col">{t('auditResource')}</th>
                <th scope="col">{t('auditOutcome')}</th>
                <th scope="col">{t('auditStatusCode')}</th>
                <th scope="col">{t('auditAddress')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((row) => (
                <tr key={row.id}>
                  <td>{formatDateTime(row.timestamp)}</td>
                  <td>{row.email ?? ''}</td>
                  <td>{row.action}</td>
                  <td>
                    {row.resource}
                    {row.resourceId === null ? '' : ` ${row.resourceId}`}
                  </td>
                  <td>{row.success ? t('auditSuccess') : `${t('auditFailure')}${row.errorCode === null ? '' : ` (${row.errorCode})`}`}</td>
                  <td>{row.statusCode ?? ''}</td>
                  <td>{row.ipAddress ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedTable>
    </section>
  );
}
