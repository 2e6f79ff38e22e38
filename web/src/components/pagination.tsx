import { useTranslator } from '../i18n';

export function Pagination({ total, limit, offset, onOffset, label }: { total: number; limit: number; offset: number; onOffset(offset: number): void; label: string }) {
  const { t } = useTranslator();
  if (total === 0) return null;
  return (
    <nav class="pagination" aria-label={label}>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
        {t('previousPage')}
      </button>
      <span aria-live="polite">{t('pageOf', { from: offset + 1, to: Math.min(offset + limit, total), total })}</span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onOffset(offset + limit)}>
        {t('nextPage')}
      </button>
    </nav>
  );
}
