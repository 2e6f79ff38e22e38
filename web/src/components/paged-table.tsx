import type { ComponentChildren } from 'preact';
import { useTranslator } from '../i18n';
import type { Loaded } from '../use-loader';
import { Pagination } from './pagination';
import { ProblemMessage } from './problem-message';

interface PagedTableProps<Data extends { total: number }> {
  loaded: Loaded<Data>;
  /** What an empty list says. */
  empty: string;
  limit: number;
  offset: number;
  onOffset(offset: number): void;
  /** The pagination's accessible name: the list's title. */
  label: string;
  /** The table of one loaded page. */
  children(data: Data): ComponentChildren;
}

/** One page of a list as every page shows it: its problem, "loading", the empty text, or the table with its pagination. */
export function PagedTable<Data extends { total: number }>({ loaded, empty, limit, offset, onOffset, label, children }: PagedTableProps<Data>) {
  const { t } = useTranslator();
  return (
    <>
      <ProblemMessage error={loaded.error} />
      {loaded.data === null ? (
        loaded.loading ? <p>{t('loading')}</p> : null
      ) : loaded.data.total === 0 ? (
        <p>{empty}</p>
      ) : (
        <>
          <div class="table-scroll">{children(loaded.data)}</div>
          <Pagination total={loaded.data.total} limit={limit} offset={offset} onOffset={onOffset} label={label} />
        </>
      )}
    </>
  );
}
