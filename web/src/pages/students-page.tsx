import { dataOrThrow } from '../api';
import { RecordListPage } from '../components/record-list-page';
import { useTranslator } from '../i18n';
import { useSignedIn } from '../session';

export function StudentsPage() {
  const { t } = useTranslator();
  const { client } = useSignedIn();
  return (
    <RecordListPage
      entity="students"
      title="studentsTitle"
      searchHint="searchStudentsHint"
      importLabel="importStudents"
      load={async (query, signal) => dataOrThrow(await client.GET('/api/v1/students', { params: { query }, signal }))}
      columns={[
        { label: 'studentId', cell: (student) => student.studentId },
        { label: 'lastName', cell: (student) => student.lastName },
        { label: 'firstName', cell: (student) => student.firstName },
        { label: 'email', cell: (student) => student.email },
        { label: 'studyYear', cell: (student) => student.studyYear ?? '' },
        { label: 'active', cell: (student) => (student.isActive ? t('yes') : t('no')) },
      ]}
    />
  );
}
