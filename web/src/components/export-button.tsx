import { useState } from 'preact/hooks';
import { dataOrThrow, saveBlob, type ApiClient } from '../api';
import { useTranslator, type Locale } from '../i18n';
import { useSignedIn } from '../session';
import { ProblemMessage } from './problem-message';

export type ExportEntity = 'students' | 'courses' | 'enrollments';
const EXPORT_FORMATS = ['csv', 'xlsx', 'json', 'ndjson'] as const;
type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Each entity's export route, through the typed client: the whole list (without deleted records), in the console's language. */
function requestExport(client: ApiClient, entity: ExportEntity, format: ExportFormat, lang: Locale) {
  const options = { params: { query: { format, lang } }, parseAs: 'blob' as const };
  switch (entity) {
    case 'students':
      return client.GET('/api/v1/exports/students', options);
    case 'courses':
      return client.GET('/api/v1/exports/courses', options);
    case 'enrollments':
      return client.GET('/api/v1/exports/enrollments', options);
  }
}

export function ExportButton({ entity }: { entity: ExportEntity }) {
  const { t, locale } = useTranslator();
  const { client } = useSignedIn();
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await requestExport(client, entity, format, locale);
      saveBlob(dataOrThrow(result), result.response, `${entity}.${format}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="export">
      <label>
        <span class="visually-hidden">{t('exportFormat')}</span>
        <select value={format} onChange={(event) => setFormat(event.currentTarget.value as ExportFormat)} aria-label={t('exportFormat')}>
          {EXPORT_FORMATS.map((option) => (
            <option key={option} value={option}>
              {option.toUpperCase()}
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={busy} onClick={() => void download()}>
        {busy ? t('exporting') : t('exportAs')}
      </button>
      <ProblemMessage error={error} />
    </div>
  );
}
