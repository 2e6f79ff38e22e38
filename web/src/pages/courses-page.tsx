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

export function CoursesPage() {
  const { t, formatNumber } = useTranslator();
  const { client } = useSignedIn();
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const page = useLoader(
    async (signal) => dataOrThrow(await client.GET('/api/v1/courses', { params: { query: { limit: PAGE_SIZE, offset, ...(search === '' ? {} : { search }) } }, signal })),
    [client, search, offset],
  );

  return (
    <section aria-labelledby="courses-title">
      <h1 id="courses-title">{t('coursesTitle')}</h1>
      <div class="toolbar">
        <SearchBox
          hint={t('searchCoursesHint')}
          onSearch={(text) => {
            setSearch(text);
            setOffset(0);
          }}
        />
        <a class="button" href={href('/import?entity=courses')}>
          {t('importCourses')}
        </a>
        <ExportButton entity="courses" />
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
                  <th scope="col">{t('courseCode')}</th>
                  <th scope="col">{t('courseName')}</th>
                  <th scope="col">{t('semester')}</th>
                  <th scope="col">{t('credits')}</th>
                  <th scope="col">{t('active')}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((course) => (
                  <tr key={course.id}>
                    <td>{course.courseCode}</td>
                    <td>{course.courseName}</td>
                    <td>{course.semester}</td>
                    <td>{formatNumber(course.credits)}</td>
                    <td>{course.isActive ? t('yes') : t('no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination total={page.data.total} limit={PAGE_SIZE} offset={offset} onOffset={setOffset} label={t('coursesTitle')} />
        </>
      )}
    </section>
  );
}
