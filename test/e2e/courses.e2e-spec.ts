import { startTestApp, TestApp } from './support/test-app';

describe('courses', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('courses');
  });
  afterAll(async () => {
    await t.close();
  });

  const course = (overrides: Record<string, unknown> = {}) => ({
    courseCode: ' math101 ',
    courseName: ' Άλγεβρα Α΄ Λυκείου ',
    semester: 'Α΄ Τετράμηνο 2026-2027',
    ...overrides,
  });

  it('creates a course with the code normalised and the defaults filled in', async () => {
    const { data, response } = await t.admin.POST('/api/v1/courses', {
      body: course({ evaluationRules: [{ category: ' Γραπτές εξετάσεις ', weight: 70 }, { category: 'Προφορική εξέταση', weight: 30 }] }),
    });
    expect(response.status).toBe(201);
    expect(data).toEqual({
      id: expect.any(Number),
      courseCode: 'MATH101',
      courseName: 'Άλγεβρα Α΄ Λυκείου',
      semester: 'Α΄ Τετράμηνο 2026-2027',
      credits: 3,
      description: null,
      hoursPerWeek: null,
      periodsPerWeek: null,
      evaluationRules: [
        { category: 'Γραπτές εξετάσεις', weight: 70 },
        { category: 'Προφορική εξέταση', weight: 30 },
      ],
      isActive: true,
      lastImport: null,
      deletedAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('uppercases Greek codes and accepts decimal weights that add up to 100', async () => {
    const { data, response } = await t.admin.POST('/api/v1/courses', {
      body: course({
        courseCode: 'φυσ-1.α',
        credits: 0,
        evaluationRules: [
          { category: 'Εργασίες', weight: 33.33 },
          { category: 'Διαγωνίσματα', weight: 33.33 },
          { category: 'Τελική εξέταση', weight: 33.34 },
        ],
      }),
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ courseCode: 'ΦΥΣ-1.Α', credits: 0 });
  });

  it('answers 409 course_code_taken for a code in another case', async () => {
    const { error, response } = await t.admin.POST('/api/v1/courses', { body: course({ courseCode: 'Math101' }) });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(error).toMatchObject({ code: 'course_code_taken', status: 409 });
    expect(error?.detail).not.toContain('restore');
  });

  it('lists each invalid field in errors[] with a 400', async () => {
    const { error, response } = await t.admin.POST('/api/v1/courses', {
      body: {
        ...course({ courseCode: 'bad code!', courseName: '', credits: 61, hoursPerWeek: 2.5, periodsPerWeek: -1 }),
        room: 'Β2',
      } as never,
    });
    expect(response.status).toBe(400);
    expect(error?.code).toBe('validation_failed');
    const fields = (error?.errors ?? []).map((entry) => `${entry.field}:${entry.code}`).sort();
    expect(fields).toEqual(
      ['courseCode:matches', 'courseName:isNotEmpty', 'credits:max', 'hoursPerWeek:isInt', 'periodsPerWeek:min', 'room:unknown_field'].sort(),
    );
  });

  it('rejects evaluation weights that do not add up to 100 (weightsSumTo100)', async () => {
    const { error, response } = await t.admin.POST('/api/v1/courses', {
      body: course({ courseCode: 'W1', evaluationRules: [{ category: 'Γραπτά', weight: 60 }, { category: 'Προφορικά', weight: 30 }] }),
    });
    expect(response.status).toBe(400);
    expect(error?.code).toBe('validation_failed');
    expect(error?.errors).toEqual([{ field: 'evaluationRules', code: 'weightsSumTo100', message: 'evaluationRules weights must add up to 100' }]);
  });

  it('names each bad rule by its path, and rejects repeated categories', async () => {
    const malformed = await t.admin.POST('/api/v1/courses', {
      body: course({ courseCode: 'W2', evaluationRules: [{ category: '', weight: 100, extra: true }, { category: 'Προφορικά', weight: 'x' }] }),
    });
    expect(malformed.response.status).toBe(400);
    expect((malformed.error?.errors ?? []).map((entry) => `${entry.field}:${entry.code}`).sort()).toEqual(
      [
        'evaluationRules.0.category:isNotEmpty',
        'evaluationRules.0.extra:unknown_field',
        'evaluationRules.1.weight:isNumber',
        'evaluationRules.1.weight:max',
        'evaluationRules.1.weight:min',
      ].sort(),
    );

    const repeated = await t.admin.POST('/api/v1/courses', {
      body: course({ courseCode: 'W3', evaluationRules: [{ category: 'Εργασίες', weight: 50 }, { category: 'εργασίες', weight: 50 }] }),
    });
    expect(repeated.response.status).toBe(400);
    expect(repeated.error?.errors?.map((entry) => `${entry.field}:${entry.code}`)).toEqual(['evaluationRules:arrayUnique']);
  });

  it('updates only the fields sent, rejects null for a required or defaulted field, and clears optional ones', async () => {
    const { data: created } = await t.admin.POST('/api/v1/courses', {
      body: course({ courseCode: 'UPD1', description: 'Εισαγωγή', hoursPerWeek: 4, credits: 5, evaluationRules: [{ category: 'Τελική', weight: 100 }] }),
    });
    const id = created!.id;
    for (const body of [{ courseName: null }, { credits: null }, { isActive: null }]) {
      const rejected = await t.admin.PATCH('/api/v1/courses/{id}', { params: { path: { id } }, body: body as never });
      expect(rejected.response.status).toBe(400);
      expect(rejected.error?.errors?.[0]?.field).toBe(Object.keys(body)[0]);
    }
    const badWeights = await t.admin.PATCH('/api/v1/courses/{id}', {
      params: { path: { id } },
      body: { evaluationRules: [{ category: 'Τελική', weight: 90 }] },
    });
    expect(badWeights.error?.errors?.map((entry) => entry.code)).toEqual(['weightsSumTo100']);

    const updated = await t.admin.PATCH('/api/v1/courses/{id}', {
      params: { path: { id } },
      body: { description: null, evaluationRules: null, hoursPerWeek: 6 },
    });
    expect(updated.response.status).toBe(200);
    expect(updated.data).toMatchObject({ courseCode: 'UPD1', description: null, evaluationRules: null, hoursPerWeek: 6, credits: 5, isActive: true });

    const renamed = await t.admin.PATCH('/api/v1/courses/{id}', { params: { path: { id } }, body: { courseCode: 'math101' } });
    expect(renamed.response.status).toBe(409);
    expect(renamed.error?.code).toBe('course_code_taken');
  });

  it('soft-deletes: hidden from staff lists and reads, visible to admins, restorable', async () => {
    const { client: staff } = await t.userWithRole('staff');
    const { data: created } = await staff.POST('/api/v1/courses', { body: course({ courseCode: 'DEL1' }) });
    const id = created!.id;
    expect((await staff.DELETE('/api/v1/courses/{id}', { params: { path: { id } } })).response.status).toBe(204);
    expect((await staff.GET('/api/v1/courses/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await staff.DELETE('/api/v1/courses/{id}', { params: { path: { id } } })).response.status).toBe(404);
    const { data: staffList } = await staff.GET('/api/v1/courses', { params: { query: { search: 'del1' } } });
    expect(staffList?.total).toBe(0);
    const forbidden = await staff.GET('/api/v1/courses', { params: { query: { includeDeleted: true } } });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error?.code).toBe('insufficient_role');
    expect((await staff.POST('/api/v1/courses/{id}/restore', { params: { path: { id } } })).response.status).toBe(403);

    const { data: listed } = await t.admin.GET('/api/v1/courses', { params: { query: { includeDeleted: true, search: 'del1' } } });
    expect(listed?.items.map((item) => item.courseCode)).toEqual(['DEL1']);
    expect((await t.admin.GET('/api/v1/courses/{id}', { params: { path: { id } } })).data?.deletedAt).not.toBeNull();
    const recreate = await staff.POST('/api/v1/courses', { body: course({ courseCode: 'del1' }) });
    expect(recreate.response.status).toBe(409);
    expect(recreate.error?.code).toBe('course_code_taken');
    expect(recreate.error?.detail).toBe(`The course code DEL1 is taken by deleted course ${id}; restore that course instead.`);

    const restored = await t.admin.POST('/api/v1/courses/{id}/restore', { params: { path: { id } } });
    expect(restored.response.status).toBe(200);
    expect(restored.data?.deletedAt).toBeNull();
    expect((await staff.GET('/api/v1/courses/{id}', { params: { path: { id } } })).response.status).toBe(200);
    const again = await t.admin.POST('/api/v1/courses/{id}/restore', { params: { path: { id } } });
    expect(again.response.status).toBe(409);
    expect(again.error?.code).toBe('not_deleted');
  });

  it('paginates with exact totals, filters and sorts', async () => {
    for (let index = 0; index < 7; index += 1) {
      await t.admin.POST('/api/v1/courses', {
        body: course({ courseCode: `PG${index}`, courseName: `Ιστορία ${index}`, semester: 'Β΄ Τετράμηνο', credits: index, isActive: index !== 3 }),
      });
    }
    const first = await t.admin.GET('/api/v1/courses', { params: { query: { semester: 'Β΄ Τετράμηνο', limit: 3, offset: 0, sort: '-credits' } } });
    expect(first.data).toMatchObject({ total: 7, limit: 3, offset: 0 });
    expect(first.data?.items.map((item) => item.courseCode)).toEqual(['PG6', 'PG5', 'PG4']);
    const last = await t.admin.GET('/api/v1/courses', { params: { query: { semester: 'Β΄ Τετράμηνο', limit: 3, offset: 6, sort: '-credits' } } });
    expect(last.data?.items.map((item) => item.courseCode)).toEqual(['PG0']);

    const byDefault = await t.admin.GET('/api/v1/courses', { params: { query: { search: 'ιστορία', isActive: true, limit: 2 } } });
    expect(byDefault.data?.total).toBe(6);
    expect(byDefault.data?.items.map((item) => item.courseCode)).toEqual(['PG0', 'PG1']);
    const byCode = await t.admin.GET('/api/v1/courses', { params: { query: { search: 'pg3' } } });
    expect(byCode.data?.items.map((item) => item.courseCode)).toEqual(['PG3']);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ sort: 'description' }, 'sort'],
    [{ isActive: 'maybe' }, 'isActive'],
  ])('rejects the query %j with a 400 naming %s', async (query, field) => {
    const { error, response } = await t.admin.GET('/api/v1/courses', { params: { query: query as never } });
    expect(response.status).toBe(400);
    expect(error?.errors?.map((entry) => entry.field)).toContain(field);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const malformed = await fetch(`${t.baseUrl}/api/v1/courses/abc`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(malformed.status).toBe(400);
    const unknown = await t.admin.GET('/api/v1/courses/{id}', { params: { path: { id: 2_000_000_000 } } });
    expect(unknown.response.status).toBe(404);
    expect(unknown.error?.code).toBe('not_found');
  });

  it('refuses auditors (403)', async () => {
    const { client: auditor } = await t.userWithRole('auditor');
    const { error, response } = await auditor.GET('/api/v1/courses');
    expect(response.status).toBe(403);
    expect(error?.code).toBe('insufficient_role');
  });
});
