import { startTestApp, TestApp } from './support/test-app';

describe('queue dashboard', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('dashboard');
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${t.baseUrl}${path}`, { method, headers, redirect: 'manual' });

  it('refuses the page and its API without an admin token, including percent-encoded paths', async () => {
    for (const [path, method] of [
      ['/admin/queues', 'GET'],
      ['/admin/queues/api/queues', 'GET'],
      ['/admin/queues/api/queues/jobs/pause', 'PUT'],
      ['/admin/%71ueues/api/queues/jobs/pause', 'PUT'],
    ]) {
      const response = await get(path, {}, method);
      expect(response.status).not.toBe(200);
      expect([401, 404]).toContain(response.status);
    }
    const { token: staffToken } = await t.userWithRole('staff');
    const forbidden = await get('/admin/queues/api/queues', { authorization: `Bearer ${staffToken}` });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ code: 'insufficient_role' });
  });

  it('lets an admin in with a bearer token, or through the entry page and its cookie', async () => {
    const api = await get('/admin/queues/api/queues', { authorization: `Bearer ${t.adminToken}` });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('"name":"jobs"');

    const entry = await get(`/admin/queues?token=${t.adminToken}`);
    expect(entry.status).toBe(303);
    expect(entry.headers.get('location')).toBe('/admin/queues');
    const cookie = entry.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sms_queue_dashboard=.+; Path=\/admin\/queues; HttpOnly; SameSite=Strict$/);
    const page = await get('/admin/queues', { cookie: cookie.split(';')[0] });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('stops accepting the cookie once its token is revoked', async () => {
    const token = await t.login('admin@school.example', 'admin-password-for-tests');
    const cookie = `sms_queue_dashboard=${token}`;
    expect((await get('/admin/queues/api/queues', { cookie })).status).toBe(200);
    await t.client(token).POST('/api/v1/auth/logout');
    expect((await get('/admin/queues/api/queues', { cookie })).status).toBe(401);
  });
});
