import { dataOrThrow } from '../api';
import { RecordListPage } from '../components/record-list-page';
import { useTranslator } from '../i18n';
import { useSignedIn } from '../session';

export function CoursesPage() {
  const { t, formatNumber } = useTranslator();
  const { client } = useSignedIn();
  return (
    <RecordListPage
      entity="courses"
      title="coursesTitle"
      searchHint="searchCoursesHint"
      importLabel="importCourses"
      load={async (query, signal) => dataOrThrow(await client.GET('/api/v1/courses', { params: { query }, signal }))}
      columns={[
        { label: 'courseCode', cell: (course) => course.courseCode },
        { label: 'courseName', cell: (course) => course.courseName },
        { label: 'semester', cell: (course) => course.semester },
        { label: 'credits', cell: (course) => formatNumber(course.credits) },
        { label: 'active', cell: (course) => (course.isActive ? t('yes') : t('no')) },
      ]}
    />
  );
}
