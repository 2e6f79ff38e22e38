import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useTranslator, type MessageKey } from '../i18n';
import { href } from '../router';
import { useLoader } from '../use-loader';
import { ExportButton } from './export-button';
import { PagedTable } from './paged-table';
import { SearchBox } from './search-box';

const PAGE_SIZE = 25;

export interface ListQuery {
  limit: number;
  offset: number;
  search?: string;
}

export interface ListColumn<Item> {
  label: MessageKey;
  cell: (item: Item) => ComponentChildren;
}

interface RecordListPageProps<Item> {
  entity: 'students' | 'courses';
  title: MessageKey;
  searchHint: MessageKey;
  importLabel: MessageKey;
  /** One page of the list; the client behind it is fixed for the session. */
  load: (query: ListQuery, signal: AbortSignal) => Promise<{ items: Item[]; total: number }>;
  columns: ListColumn<Item>[];
}

/** A searchable, paginated list of one kind of record, with its import link and export button. */
export function RecordListPage<Item extends { id: number }>({ entity, title, searchHint, importLabel, load, columns }: RecordListPageProps<Item>) {
  const { t } = useTranslator();
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const page = useLoader((signal) => load({ limit: PAGE_SIZE, offset, ...(search === '' ? {} : { search }) }, signal), [entity, search, offset]);

  return (
    <section aria-labelledby={`${entity}-title`}>
      <h1 id={`${entity}-title`}>{t(title)}</h1>
      <div class="toolbar">
        <SearchBox
          hint={t(searchHint)}
          onSearch={(text) => {
            setSearch(text);
            setOffset(0);
          }}
        />
        <a class="button" href={href(`/import?entity=${entity}`)}>
          {t(importLabel)}
        </a>
        <ExportButton entity={entity} />
      </div>
      <PagedTable loaded={page} empty={t('noResults')} limit={PAGE_SIZE} offset={offset} onOffset={setOffset} label={t(title)}>
        {(data) => (
          <table>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th scope="col" key={column.label}>
                    {t(column.label)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => (
                <tr key={item.id}>
                  {columns.map((column) => (
                    <td key={column.label}>{column.cell(item)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedTable>
    </section>
  );
}
