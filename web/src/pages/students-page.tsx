import { useState } from 'preact/hooks';
import { dataOrThrow } from '../api';
import { ExportButton } from '../components/export-button';
import { Pagination } from '../components/pagination';
import { ProblemMessage } from '../components/problem-message';
import { SearchBox } from '../components/search-box';
import { useTranslator } from '../i18n';
import { href } from '../router';
import { useSignedIn } from '../session';
import { useLoader } from '../use-loader';

const PAGE_SIZE = 25;

export function StudentsPage() {
  const { t } = useTranslator();
  const { client } = useSignedIn();
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const page = useLoader(
    async (signal) => dataOrThrow(await client.GET('/api/v1/students', { params: { query: { limit: PAGE_SIZE, offset, ...(search === '' ? {} : { search }) } }, signal })),
    [client, search, offset],
  );

  return (
    <section aria-labelledby="students-title">
      <h1 id="students-title">{t('studentsTitle')}</h1>
      <div class="toolbar">
        <SearchBox
          hint={t('searchStudentsHint')}
          onSearch={(text) => {
            setSearch(text);
            setOffset(0);
          }}
        />
        <a class="button" href={href('/import?entity=students')}>
          {t('importStudents')}
        </a>
        <ExportButton entity="students" />
      </div>
      <ProblemMessage error={page.error} />
      {page.data === null ? (
        page.loading ? <p>{t('loading')}</p> : null
      ) : page.data.total === 0 ? (
        <p>{t('noResults')}</p>
      ) : (
        <>
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('studentId')}</th>
                  <th scope="col">{t('lastName')}</th>
                  <th scope="col">{t('firstName')}</th>
                  <th scope="col">{t('email')}</th>
                  <th scope="col">{t('studyYear')}</th>
                  <th scope="col">{t('active')}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((student) => (
                  <tr key={student.id}>
                    <td>{student.studentId}</td>
                    <td>{student.lastName}</td>
                    <td>{student.firstName}</td>
                    <td>{student.email}</td>
                    <td>{student.studyYear ?? ''}</td>
                    <td>{student.isActive ? t('yes') : t('no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination total={page.data.total} limit={PAGE_SIZE} offset={offset} onOffset={setOffset} label={t('studentsTitle')} />
        </>
      )}
    </section>
  );
}
