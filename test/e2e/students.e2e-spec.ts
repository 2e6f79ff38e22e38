import { startTestApp, TestApp } from './support/test-app';

describe('students', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('students');
  });
  afterAll(async () => {
    await t.close();
  });

  const student = (overrides: Record<string, unknown> = {}) => ({
    studentId: 'ab123456',
    email: 'Maria@School.example',
    firstName: ' Μαρία ',
    lastName: 'Παπαδοπούλου',
    studyYear: 2,
    enrollmentDate: '2025-09-01',
    ...overrides,
  });

  it('creates a student with the natural key normalised', async () => {
    const { data, response } = await t.admin.POST('/api/v1/students', { body: student() });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ studentId: 'AB123456', email: 'maria@school.example', firstName: 'Μαρία', isActive: true, deletedAt: null });
  });

  it('treats a Greek-keyboard card number as the same student (409 student_id_taken)', async () => {
    const { error, response } = await t.admin.POST('/api/v1/students', {
      body: student({ studentId: 'ΑΒ123456', email: 'other@school.example' }),
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(error).toMatchObject({ code: 'student_id_taken', status: 409 });
  });

  it('answers 409 student_email_taken for an email of another student', async () => {
    const { error, response } = await t.admin.POST('/api/v1/students', { body: student({ studentId: 'XY1', email: 'MARIA@school.example' }) });
    expect(response.status).toBe(409);
    expect(error?.code).toBe('student_email_taken');
  });

  it('lists each invalid field in errors[] with a 400', async () => {
    const { error, response } = await t.admin.POST('/api/v1/students', {
      body: { ...student({ studentId: 'bad id!', email: 'not-an-email', studyYear: 9, enrollmentDate: '2999-01-01' }), extra: 1 } as never,
    });
    expect(response.status).toBe(400);
    expect(error?.code).toBe('validation_failed');
    const fields = (error?.errors ?? []).map((entry) => `${entry.field}:${entry.code}`).sort();
    expect(fields).toEqual(
      ['email:isEmail', 'enrollmentDate:isNotFutureDate', 'extra:unknown_field', 'studentId:matches', 'studyYear:max'].sort(),
    );
  });

  it('rejects null for a required field on update but clears an optional one', async () => {
    const { data: created } = await t.admin.POST('/api/v1/students', { body: student({ studentId: 'UPD1', email: 'upd1@school.example', note: 'x' }) });
    const id = created!.id;
    for (const body of [{ firstName: null }, { isActive: null }, { email: null }]) {
      const rejected = await t.admin.PATCH('/api/v1/students/{id}', { params: { path: { id } }, body: body as never });
      expect(rejected.response.status).toBe(400);
      expect(rejected.error?.errors?.[0]?.field).toBe(Object.keys(body)[0]);
    }
    const cleared = await t.admin.PATCH('/api/v1/students/{id}', { params: { path: { id } }, body: { note: null, studyYear: 3 } });
    expect(cleared.data).toMatchObject({ note: null, studyYear: 3, firstName: 'Μαρία' });
  });

  it('soft-deletes: hidden from staff lists and reads, visible to admins, restorable', async () => {
    const { client: staff } = await t.userWithRole('staff');
    const { data: created } = await staff.POST('/api/v1/students', { body: student({ studentId: 'DEL1', email: 'del1@school.example' }) });
    const id = created!.id;
    expect((await staff.DELETE('/api/v1/students/{id}', { params: { path: { id } } })).response.status).toBe(204);
    expect((await staff.GET('/api/v1/students/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await staff.DELETE('/api/v1/students/{id}', { params: { path: { id } } })).response.status).toBe(404);
    const forbidden = await staff.GET('/api/v1/students', { params: { query: { includeDeleted: true } } });
    expect(forbidden.response.status).toBe(403);

    const { data: listed } = await t.admin.GET('/api/v1/students', { params: { query: { includeDeleted: true, search: 'del1' } } });
    expect(listed?.items.map((item) => item.studentId)).toEqual(['DEL1']);
    const recreate = await staff.POST('/api/v1/students', { body: student({ studentId: 'del1', email: 'new@school.example' }) });
    expect(recreate.error?.detail).toContain('restore');

    const restored = await t.admin.POST('/api/v1/students/{id}/restore', { params: { path: { id } } });
    expect(restored.data?.deletedAt).toBeNull();
    expect((await staff.GET('/api/v1/students/{id}', { params: { path: { id } } })).response.status).toBe(200);
  });

  it('paginates with exact totals, filters and sorts', async () => {
    for (let index = 0; index < 7; index += 1) {
      await t.admin.POST('/api/v1/students', {
        body: student({ studentId: `PAGE${index}`, email: `page${index}@school.example`, lastName: `Page ${index}`, classDivision: 'P1' }),
      });
    }
    const first = await t.admin.GET('/api/v1/students', { params: { query: { classDivision: 'P1', limit: 3, offset: 0, sort: '-lastName' } } });
    expect(first.data).toMatchObject({ total: 7, limit: 3, offset: 0 });
    expect(first.data?.items.map((item) => item.lastName)).toEqual(['Page 6', 'Page 5', 'Page 4']);
    const last = await t.admin.GET('/api/v1/students', { params: { query: { classDivision: 'P1', limit: 3, offset: 6, sort: '-lastName' } } });
    expect(last.data?.items.map((item) => item.lastName)).toEqual(['Page 0']);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 501 }, 'limit'],
    [{ offset: -1 }, 'offset'],
    [{ sort: 'password' }, 'sort'],
    [{ studyYear: 'two' }, 'studyYear'],
  ])('rejects the query %j with a 400 naming %s', async (query, field) => {
    const { error, response } = await t.admin.GET('/api/v1/students', { params: { query: query as never } });
    expect(response.status).toBe(400);
    expect(error?.errors?.map((entry) => entry.field)).toContain(field);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const malformed = await fetch(`${t.baseUrl}/api/v1/students/abc`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(malformed.status).toBe(400);
    const unknown = await t.admin.GET('/api/v1/students/{id}', { params: { path: { id: 2_000_000_000 } } });
    expect(unknown.response.status).toBe(404);
    expect(unknown.error?.code).toBe('not_found');
  });

  it('refuses auditors (403)', async () => {
    const { client: auditor } = await t.userWithRole('auditor');
    const { error, response } = await auditor.GET('/api/v1/students');
    expect(response.status).toBe(403);
    expect(error?.code).toBe('insufficient_role');
  });
});
