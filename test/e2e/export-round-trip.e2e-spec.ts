import type { Schemas } from '../../openapi/client';
import { postImportForm } from './support/imports';
import { startTestApp, TestApp } from './support/test-app';

type Issue = Schemas['ImportIssueDto'];
type Entity = 'students' | 'courses' | 'enrollments';

const ENTITIES: readonly Entity[] = ['students', 'courses', 'enrollments'];
const LANGUAGES = ['en', 'el'] as const;
const FORMATS = ['csv', 'xlsx'] as const;

/** Every export that can be imported, as `entity / language / format`. */
const CASES = ENTITIES.flatMap((entity) => LANGUAGES.flatMap((language) => FORMATS.map((format) => [entity, language, format] as const)));

/** The import fields an export carries: all of them, except that enrollments carry only their own. */
const FIELDS: Record<Entity, string[]> = {
  students: [
    'studentId',
    'lastName',
    'firstName',
    'fatherName',
    'email',
    'mobilePhone',
    'phone',
    'enrollmentDate',
    'studyYear',
    'academicYear',
    'classDivision',
    'isActive',
    'healthIssue',
    'note',
  ],
  courses: ['courseCode', 'courseName', 'semester', 'credits', 'hoursPerWeek', 'periodsPerWeek', 'description', 'evaluationRules', 'isActive'],
  enrollments: ['studentId', 'courseCode', 'enrolledAt', 'status'],
};
const ROWS: Record<Entity, number> = { students: 3, courses: 2, enrollments: 4 };

const describeIssue = (issue: Issue): string => `${issue.row}:${issue.column ?? '-'}:${issue.field ?? '-'}:${issue.code}:${issue.value ?? '-'}`;

describe('our exports import back unchanged', () => {
  let t: TestApp;

  const create = async <T>(request: Promise<{ data?: T; response: Response }>): Promise<T> => {
    const { data, response } = await request;
    if (data === undefined) throw new Error(`creating a record failed with ${response.status}`);
    return data;
  };

  beforeAll(async () => {
    t = await startTestApp('export-round-trip');
    // Every optional field filled, Greek text, and a phone and a name that a spreadsheet would misread.
    await create(
      t.admin.POST('/api/v1/students', {
        body: {
          studentId: 'ΑΒ123456',
          email: 'Maria.Papadopoulou@School.example',
          firstName: 'Μαρία',
          lastName: 'Παπαδοπούλου',
          fatherName: 'Γεώργιος',
          mobilePhone: '+30 690 1234567',
          phone: '210-1234567',
          enrollmentDate: '2025-09-01',
          studyYear: 2,
          healthIssue: 'Αλλεργία στη γύρη, "ελαφριά"',
          note: 'Γραμμή πρώτη\nγραμμή δεύτερη',
          academicYear: '2025-2026',
          classDivision: 'Β2',
        },
      }),
    );
    // Only the required fields.
    await create(t.admin.POST('/api/v1/students', { body: { studentId: 'CD-0001', email: 'nikos@school.example', firstName: 'Nikos', lastName: "O'Brien" } }));
    await create(
      t.admin.POST('/api/v1/students', {
        body: { studentId: 'EF_77', email: 'eleni@school.example', firstName: 'Ελένη', lastName: 'Νικολάου', studyYear: 6, isActive: false },
      }),
    );

    await create(
      t.admin.POST('/api/v1/courses', {
        body: {
          courseCode: 'math101',
          courseName: 'Άλγεβρα Α΄ Λυκείου',
          semester: 'Α΄ Τετράμηνο 2025-2026',
          credits: 5,
          description: 'Εξισώσεις, ανισώσεις και συναρτήσεις.',
          hoursPerWeek: 4,
          periodsPerWeek: 5,
          evaluationRules: [
            { category: 'Γραπτές εξετάσεις', weight: 70 },
            { category: 'Προφορική εξέταση', weight: 30 },
          ],
        },
      }),
    );
    await create(t.admin.POST('/api/v1/courses', { body: { courseCode: 'HIST.2', courseName: 'History', semester: 'Spring', credits: 0, isActive: false } }));

    const enrollments = [
      { studentId: 'AB123456', courseCode: 'MATH101', enrolledAt: '2025-09-10', status: 'active' },
      { studentId: 'AB123456', courseCode: 'HIST.2', enrolledAt: '2025-09-11', status: 'completed' },
      { studentId: 'CD-0001', courseCode: 'MATH101', enrolledAt: '2025-09-12', status: 'dropped' },
      { studentId: 'EF_77', courseCode: 'HIST.2', enrolledAt: '2026-01-15' },
    ] as const;
    for (const body of enrollments) await create(t.admin.POST('/api/v1/enrollments', { body }));
  });

  afterAll(async () => {
    await t.close();
  });

  it.each(CASES)('%s exported in %s as %s', async (entity, language, format) => {
    const response = await fetch(`${t.baseUrl}/api/v1/exports/${entity}?format=${format}&lang=${language}`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(response.status).toBe(200);
    const content = Buffer.from(await response.arrayBuffer());

    const { status, body } = await postImportForm(t.baseUrl, t.adminToken, '/api/v1/imports/preview', { name: `${entity}.${format}`, content }, { entity });
    expect(status).toBe(201);
    // Not even a warning: the columns that are no field (record number, timestamps, names) are known as the export's own.
    expect(body.issues.items.map(describeIssue)).toEqual([]);
    // Every column of a field must be read as that field: an ignored one would pass as unchanged.
    expect(body.detected.columns.flatMap((column) => (column.field === null ? [] : [column.field]))).toEqual(FIELDS[entity]);
    expect(body.summary).toMatchObject({ totalRows: ROWS[entity], unchanged: ROWS[entity], invalidRows: 0 });
  });
});
