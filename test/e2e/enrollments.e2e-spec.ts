import type { ApiClient } from '../../openapi/client';
import { startTestApp, TestApp } from './support/test-app';

describe('enrollments', () => {
  let t: TestApp;
  let staff: ApiClient;

  const createStudent = async (studentId: string): Promise<number> => {
    const { data, response } = await t.admin.POST('/api/v1/students', {
      body: { studentId, email: `${studentId.toLowerCase()}@school.example`, firstName: 'Νίκος', lastName: 'Γεωργίου' },
    });
    if (data === undefined) throw new Error(`creating student ${studentId} failed with ${response.status}`);
    return data.id;
  };
  const createCourse = async (courseCode: string): Promise<number> => {
    const { data, response } = await t.admin.POST('/api/v1/courses', {
      body: { courseCode, courseName: 'Νεοελληνική Γλώσσα', semester: 'Α΄ Τετράμηνο 2026-2027' },
    });
    if (data === undefined) throw new Error(`creating course ${courseCode} failed with ${response.status}`);
    return data.id;
  };

  beforeAll(async () => {
    t = await startTestApp('enrollments');
    ({ client: staff } = await t.userWithRole('staff'));
    await createStudent('AB123456');
    await createCourse('GLO101');
  });
  afterAll(async () => {
    await t.close();
  });

  it('enrolls by natural keys, normalising them, with status active by default', async () => {
    const { data, response } = await staff.POST('/api/v1/enrollments', {
      body: { studentId: ' αβ123456 ', courseCode: 'glo101', enrolledAt: '2025-09-11' },
    });
    expect(response.status).toBe(201);
    expect(data).toEqual({
      id: expect.any(Number),
      studentId: 'AB123456',
      courseCode: 'GLO101',
      enrolledAt: '2025-09-11',
      status: 'active',
      lastImport: null,
      deletedAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const read = await staff.GET('/api/v1/enrollments/{id}', { params: { path: { id: data!.id } } });
    expect(read.data).toEqual(data);
  });

  it('answers 409 enrollment_exists for the same pair', async () => {
    const { error, response } = await staff.POST('/api/v1/enrollments', {
      body: { studentId: 'AB123456', courseCode: 'GLO101', enrolledAt: '2025-10-01', status: 'completed' },
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(error).toMatchObject({ code: 'enrollment_exists', status: 409 });
    expect(error?.detail).not.toContain('restore');
  });

  it('answers 422 naming each unknown reference', async () => {
    const student = await staff.POST('/api/v1/enrollments', { body: { studentId: 'ZZ999', courseCode: 'GLO101', enrolledAt: '2025-09-11' } });
    expect(student.response.status).toBe(422);
    expect(student.error).toMatchObject({
      code: 'unknown_student',
      errors: [{ field: 'studentId', code: 'unknown_student', message: 'No student has the id ZZ999.' }],
    });

    const course = await staff.POST('/api/v1/enrollments', { body: { studentId: 'AB123456', courseCode: 'NOPE1', enrolledAt: '2025-09-11' } });
    expect(course.response.status).toBe(422);
    expect(course.error).toMatchObject({
      code: 'unknown_course',
      errors: [{ field: 'courseCode', code: 'unknown_course', message: 'No course has the code NOPE1.' }],
    });

    const both = await staff.POST('/api/v1/enrollments', { body: { studentId: 'ZZ999', courseCode: 'NOPE1', enrolledAt: '2025-09-11' } });
    expect(both.error?.code).toBe('unknown_student');
    expect(both.error?.errors?.map((entry) => `${entry.field}:${entry.code}`)).toEqual(['studentId:unknown_student', 'courseCode:unknown_course']);
  });

  it('treats a deleted student or course as unknown (422)', async () => {
    const studentId = await createStudent('GONE1');
    const courseId = await createCourse('GONE2');
    await t.admin.DELETE('/api/v1/students/{id}', { params: { path: { id: studentId } } });
    await t.admin.DELETE('/api/v1/courses/{id}', { params: { path: { id: courseId } } });

    const student = await staff.POST('/api/v1/enrollments', { body: { studentId: 'GONE1', courseCode: 'GLO101', enrolledAt: '2025-09-11' } });
    expect(student.response.status).toBe(422);
    expect(student.error?.code).toBe('unknown_student');
    const course = await staff.POST('/api/v1/enrollments', { body: { studentId: 'AB123456', courseCode: 'GONE2', enrolledAt: '2025-09-11' } });
    expect(course.response.status).toBe(422);
    expect(course.error?.code).toBe('unknown_course');
  });

  it('lists each invalid field in errors[] with a 400', async () => {
    const { error, response } = await staff.POST('/api/v1/enrollments', {
      body: { studentId: 'bad id!', courseCode: 'GLO 101', enrolledAt: '2999-01-01', status: 'paused', grade: 18 } as never,
    });
    expect(response.status).toBe(400);
    expect(error?.code).toBe('validation_failed');
    expect((error?.errors ?? []).map((entry) => `${entry.field}:${entry.code}`).sort()).toEqual(
      ['courseCode:matches', 'enrolledAt:isNotFutureDate', 'grade:unknown_field', 'status:isEnum', 'studentId:matches'].sort(),
    );
    const badDate = await staff.POST('/api/v1/enrollments', { body: { studentId: 'AB123456', courseCode: 'GLO101', enrolledAt: '2025-02-30' } });
    expect(badDate.error?.errors?.map((entry) => `${entry.field}:${entry.code}`)).toEqual(['enrolledAt:isCalendarDate']);
  });

  it('updates only the date and status', async () => {
    await createStudent('UPD1');
    const { data: created } = await staff.POST('/api/v1/enrollments', { body: { studentId: 'UPD1', courseCode: 'GLO101', enrolledAt: '2025-09-11' } });
    const id = created!.id;
    const updated = await staff.PATCH('/api/v1/enrollments/{id}', { params: { path: { id } }, body: { status: 'completed' } });
    expect(updated.response.status).toBe(200);
    expect(updated.data).toMatchObject({ studentId: 'UPD1', courseCode: 'GLO101', enrolledAt: '2025-09-11', status: 'completed' });

    const moved = await staff.PATCH('/api/v1/enrollments/{id}', { params: { path: { id } }, body: { courseCode: 'OTHER' } as never });
    expect(moved.response.status).toBe(400);
    expect(moved.error?.errors?.map((entry) => `${entry.field}:${entry.code}`)).toEqual(['courseCode:unknown_field']);
    for (const body of [{ status: null }, { enrolledAt: null }]) {
      const rejected = await staff.PATCH('/api/v1/enrollments/{id}', { params: { path: { id } }, body: body as never });
      expect(rejected.response.status).toBe(400);
      expect(rejected.error?.errors?.[0]?.field).toBe(Object.keys(body)[0]);
    }
  });

  it('soft-deletes: hidden from staff, visible to admins, restorable; re-enrolling points at restore', async () => {
    await createStudent('DEL1');
    const { data: created } = await staff.POST('/api/v1/enrollments', { body: { studentId: 'DEL1', courseCode: 'GLO101', enrolledAt: '2025-09-11' } });
    const id = created!.id;
    expect((await staff.DELETE('/api/v1/enrollments/{id}', { params: { path: { id } } })).response.status).toBe(204);
    expect((await staff.GET('/api/v1/enrollments/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await staff.DELETE('/api/v1/enrollments/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await staff.PATCH('/api/v1/enrollments/{id}', { params: { path: { id } }, body: { status: 'dropped' } })).response.status).toBe(404);
    expect((await staff.GET('/api/v1/enrollments', { params: { query: { studentId: 'DEL1' } } })).data?.total).toBe(0);
    const forbidden = await staff.GET('/api/v1/enrollments', { params: { query: { includeDeleted: true } } });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error?.code).toBe('insufficient_role');
    expect((await staff.POST('/api/v1/enrollments/{id}/restore', { params: { path: { id } } })).response.status).toBe(403);

    const listed = await t.admin.GET('/api/v1/enrollments', { params: { query: { includeDeleted: true, studentId: 'del1' } } });
    expect(listed.data?.items.map((item) => item.id)).toEqual([id]);
    const again = await staff.POST('/api/v1/enrollments', { body: { studentId: 'DEL1', courseCode: 'GLO101', enrolledAt: '2025-09-12' } });
    expect(again.response.status).toBe(409);
    expect(again.error?.code).toBe('enrollment_exists');
    expect(again.error?.detail).toBe(`The pair of student DEL1 and course GLO101 is taken by deleted enrollment ${id}; restore that enrollment instead.`);

    const restored = await t.admin.POST('/api/v1/enrollments/{id}/restore', { params: { path: { id } } });
    expect(restored.response.status).toBe(200);
    expect(restored.data).toMatchObject({ id, studentId: 'DEL1', deletedAt: null });
    expect((await staff.GET('/api/v1/enrollments/{id}', { params: { path: { id } } })).response.status).toBe(200);
    const notDeleted = await t.admin.POST('/api/v1/enrollments/{id}/restore', { params: { path: { id } } });
    expect(notDeleted.response.status).toBe(409);
    expect(notDeleted.error?.code).toBe('not_deleted');
  });

  it('hides enrollments of a deleted student or course unless an admin includes deleted ones', async () => {
    const studentId = await createStudent('HID1');
    const courseId = await createCourse('HID2');
    const { data: ofStudent } = await staff.POST('/api/v1/enrollments', { body: { studentId: 'HID1', courseCode: 'GLO101', enrolledAt: '2025-09-11' } });
    const { data: ofCourse } = await staff.POST('/api/v1/enrollments', { body: { studentId: 'AB123456', courseCode: 'HID2', enrolledAt: '2025-09-11' } });
    await t.admin.DELETE('/api/v1/students/{id}', { params: { path: { id: studentId } } });
    await t.admin.DELETE('/api/v1/courses/{id}', { params: { path: { id: courseId } } });

    expect((await staff.GET('/api/v1/enrollments', { params: { query: { studentId: 'HID1' } } })).data?.total).toBe(0);
    expect((await staff.GET('/api/v1/enrollments', { params: { query: { courseCode: 'HID2' } } })).data?.total).toBe(0);
    expect((await staff.GET('/api/v1/enrollments/{id}', { params: { path: { id: ofStudent!.id } } })).response.status).toBe(404);
    const admin = await t.admin.GET('/api/v1/enrollments', { params: { query: { includeDeleted: true, sort: 'id' } } });
    expect(admin.data?.items.map((item) => item.id)).toEqual(expect.arrayContaining([ofStudent!.id, ofCourse!.id]));

    await t.admin.POST('/api/v1/students/{id}/restore', { params: { path: { id: studentId } } });
    expect((await staff.GET('/api/v1/enrollments', { params: { query: { studentId: 'HID1' } } })).data?.items.map((item) => item.id)).toEqual([
      ofStudent!.id,
    ]);
  });

  it('paginates with exact totals, filters by course and status, and sorts by date', async () => {
    await createCourse('PAGE');
    const dates = ['2025-09-03', '2025-09-01', '2025-09-05', '2025-09-02', '2025-09-04'];
    for (const [index, enrolledAt] of dates.entries()) {
      await createStudent(`PG${index}`);
      const status = index === 4 ? 'dropped' : 'active';
      const { response } = await staff.POST('/api/v1/enrollments', { body: { studentId: `PG${index}`, courseCode: 'PAGE', enrolledAt, status } });
      expect(response.status).toBe(201);
    }
    const first = await staff.GET('/api/v1/enrollments', { params: { query: { courseCode: 'page', limit: 2 } } });
    expect(first.data).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(first.data?.items.map((item) => item.enrolledAt)).toEqual(['2025-09-05', '2025-09-04']);
    const last = await staff.GET('/api/v1/enrollments', { params: { query: { courseCode: 'PAGE', limit: 2, offset: 4 } } });
    expect(last.data?.items.map((item) => item.studentId)).toEqual(['PG1']);
    const ascending = await staff.GET('/api/v1/enrollments', { params: { query: { courseCode: 'PAGE', status: 'active', sort: 'enrolledAt' } } });
    expect(ascending.data?.total).toBe(4);
    expect(ascending.data?.items.map((item) => item.studentId)).toEqual(['PG1', 'PG3', 'PG0', 'PG2']);
  });

  it.each([
    [{ status: 'paused' }, 'status'],
    [{ sort: 'studentId' }, 'sort'],
    [{ offset: -1 }, 'offset'],
  ])('rejects the query %j with a 400 naming %s', async (query, field) => {
    const { error, response } = await staff.GET('/api/v1/enrollments', { params: { query: query as never } });
    expect(response.status).toBe(400);
    expect(error?.errors?.map((entry) => entry.field)).toContain(field);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const malformed = await fetch(`${t.baseUrl}/api/v1/enrollments/0`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(malformed.status).toBe(400);
    const unknown = await t.admin.GET('/api/v1/enrollments/{id}', { params: { path: { id: 2_000_000_000 } } });
    expect(unknown.response.status).toBe(404);
    expect(unknown.error?.code).toBe('not_found');
  });

  it('refuses auditors (403)', async () => {
    const { client: auditor } = await t.userWithRole('auditor');
    const { error, response } = await auditor.GET('/api/v1/enrollments');
    expect(response.status).toBe(403);
    expect(error?.code).toBe('insufficient_role');
  });
});
