import { parseEnvironment } from '../../src/config/environment';
import { createAdminCommand } from '../../src/cli/create-admin.command';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TestApp, USER_PASSWORD } from './support/test-app';

describe('auth and users', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('auth');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('login', () => {
    it('signs the configured admin in, case-insensitively, and tells who it is', async () => {
      const { data, response } = await t.anonymous.POST('/api/v1/auth/login', { body: { email: ' ADMIN@School.example ', password: ADMIN_PASSWORD } });
      expect(response.status).toBe(200);
      expect(data).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, user: { email: ADMIN_EMAIL, role: 'admin' } });
      expect(JSON.stringify(data)).not.toContain('password');
      const me = await t.client(data!.accessToken).GET('/api/v1/auth/me');
      expect(me.data).toMatchObject({ email: ADMIN_EMAIL, role: 'admin', isActive: true });
    });

    it.each([
      ['a wrong password', ADMIN_EMAIL, 'not-the-password'],
      ['an unknown email', 'nobody@school.example', ADMIN_PASSWORD],
    ])('answers 401 invalid_credentials for %s', async (_case, email, password) => {
      const { error, response } = await t.anonymous.POST('/api/v1/auth/login', { body: { email, password } });
      expect(response.status).toBe(401);
      expect(error).toMatchObject({ code: 'invalid_credentials', status: 401 });
    });

    it('answers 400 with the missing fields', async () => {
      const { error, response } = await t.anonymous.POST('/api/v1/auth/login', { body: {} as never });
      expect(response.status).toBe(400);
      expect([...new Set(error?.errors?.map((entry) => entry.field))].sort()).toEqual(['email', 'password']);
    });
  });

  describe('the guard', () => {
    it('denies a route without a token (401 authentication_required)', async () => {
      const { error, response } = await t.anonymous.GET('/api/v1/auth/me');
      expect(response.status).toBe(401);
      expect(error?.code).toBe('authentication_required');
    });

    it.each([
      ['a malformed token', 'Bearer not.a.jwt'],
      ['a token signed with another secret', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwianRpIjoieSJ9.c2lnbmF0dXJl'],
      ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ])('denies %s', async (_case, authorization) => {
      const response = await fetch(`${t.baseUrl}/api/v1/auth/me`, { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });

    it('stops accepting a token after logout, while other sessions go on', async () => {
      const first = await t.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const second = await t.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      expect((await t.client(first).POST('/api/v1/auth/logout')).response.status).toBe(204);
      const revoked = await t.client(first).GET('/api/v1/auth/me');
      expect(revoked.response.status).toBe(401);
      expect(revoked.error?.code).toBe('invalid_token');
      expect((await t.client(second).GET('/api/v1/auth/me')).response.status).toBe(200);
    });
  });

  describe('across processes', () => {
    it('revokes a token on every process at once, although each remembers verified sessions', async () => {
      const peer = await t.startPeer();
      try {
        const token = await t.login(ADMIN_EMAIL, ADMIN_PASSWORD);
        // Both processes have now verified (and cached) the session; the first call subscribes the peer.
        expect((await peer.client(token).GET('/api/v1/auth/me')).response.status).toBe(200);
        expect((await peer.client(token).GET('/api/v1/auth/me')).response.status).toBe(200);
        expect((await t.client(token).GET('/api/v1/auth/me')).response.status).toBe(200);
        await t.client(token).POST('/api/v1/auth/logout');
        const refused = await peer.client(token).GET('/api/v1/auth/me');
        expect(refused.response.status).toBe(401);

        const { client, user } = await t.userWithRole('staff');
        const staffToken = await t.login(user.email, USER_PASSWORD);
        expect((await peer.client(staffToken).GET('/api/v1/students')).response.status).toBe(200);
        await t.admin.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { role: 'auditor' } });
        expect((await peer.client(staffToken).GET('/api/v1/students')).response.status).toBe(403);
        await t.admin.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { isActive: false } });
        expect((await peer.client(staffToken).GET('/api/v1/auth/me')).response.status).toBe(401);
        expect((await client.GET('/api/v1/auth/me')).response.status).toBe(401);
      } finally {
        await peer.close();
      }
    });
  });

  describe('password change', () => {
    it('refuses a wrong current password with 422', async () => {
      const { client } = await t.userWithRole('staff');
      const { error, response } = await client.POST('/api/v1/auth/password', {
        body: { currentPassword: 'wrong-password-here', newPassword: 'a-brand-new-passphrase' },
      });
      expect(response.status).toBe(422);
      expect(error?.code).toBe('current_password_incorrect');
    });

    it('changes the password and signs out every other session', async () => {
      const { client, user } = await t.userWithRole('staff');
      const otherSession = await t.login(user.email, USER_PASSWORD);
      const { response } = await client.POST('/api/v1/auth/password', {
        body: { currentPassword: USER_PASSWORD, newPassword: 'a-brand-new-passphrase' },
      });
      expect(response.status).toBe(204);
      expect((await client.GET('/api/v1/auth/me')).response.status).toBe(200);
      expect((await t.client(otherSession).GET('/api/v1/auth/me')).response.status).toBe(401);
      await expect(t.login(user.email, USER_PASSWORD)).rejects.toThrow('401');
      await expect(t.login(user.email, 'a-brand-new-passphrase')).resolves.toEqual(expect.any(String));
    });

    it('requires a new password of at least 12 characters', async () => {
      const { client } = await t.userWithRole('staff');
      const { error } = await client.POST('/api/v1/auth/password', { body: { currentPassword: USER_PASSWORD, newPassword: 'short' } });
      expect(error?.errors).toEqual([expect.objectContaining({ field: 'newPassword', code: 'minLength' })]);
    });
  });

  describe('users (admins only)', () => {
    it('forbids staff and auditors (403 insufficient_role)', async () => {
      for (const role of ['staff', 'auditor'] as const) {
        const { client } = await t.userWithRole(role);
        const { error, response } = await client.GET('/api/v1/users');
        expect(response.status).toBe(403);
        expect(error?.code).toBe('insufficient_role');
      }
    });

    it('answers 409 email_taken for a second account with the same email', async () => {
      const body = { email: 'Twice@School.example', password: USER_PASSWORD, role: 'staff' as const };
      expect((await t.admin.POST('/api/v1/users', { body })).response.status).toBe(201);
      const { error, response } = await t.admin.POST('/api/v1/users', { body: { ...body, email: 'twice@school.example' } });
      expect(response.status).toBe(409);
      expect(error?.code).toBe('email_taken');
    });

    it('applies a role change to existing tokens at once', async () => {
      const { client, user } = await t.userWithRole('auditor');
      expect((await client.GET('/api/v1/students')).response.status).toBe(403);
      await t.admin.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { role: 'staff' } });
      expect((await client.GET('/api/v1/students')).response.status).toBe(200);
    });

    it('signs a disabled user out and refuses their login', async () => {
      const { client, user } = await t.userWithRole('staff');
      const { data } = await t.admin.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { isActive: false } });
      expect(data?.isActive).toBe(false);
      expect((await client.GET('/api/v1/auth/me')).response.status).toBe(401);
      await expect(t.login(user.email, USER_PASSWORD)).rejects.toThrow('401');
    });

    it('keeps at least one active admin (409 last_admin)', async () => {
      const { data: me } = await t.admin.GET('/api/v1/auth/me');
      const { data: admins } = await t.admin.GET('/api/v1/users', { params: { query: { role: 'admin', isActive: true } } });
      expect(admins?.total).toBe(1);
      const { error, response } = await t.admin.PATCH('/api/v1/users/{id}', { params: { path: { id: me!.id } }, body: { role: 'staff' } });
      expect(response.status).toBe(409);
      expect(error?.code).toBe('last_admin');
    });

    it('answers 400 for a malformed id and 404 for an unknown one', async () => {
      expect((await t.admin.GET('/api/v1/users/{id}', { params: { path: { id: 'nope' } } })).response.status).toBe(400);
      const unknown = await t.admin.GET('/api/v1/users/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
      expect(unknown.response.status).toBe(404);
    });

    it('filters and pages the user list with exact totals', async () => {
      const { data } = await t.admin.GET('/api/v1/users', { params: { query: { search: 'twice', limit: 1 } } });
      expect(data).toMatchObject({ total: 1, limit: 1, offset: 0, items: [{ email: 'twice@school.example' }] });
    });
  });

  describe('the create-admin command', () => {
    const config = () => parseEnvironment({ NODE_ENV: 'test', DATABASE_URL: t.databaseUrl });

    it('creates an admin who can sign in, and leaves an existing account alone', async () => {
      expect(await createAdminCommand(config(), 'Second.Admin@school.example', 'second-admin-password')).toBe(
        'Created admin second.admin@school.example.',
      );
      const token = await t.login('second.admin@school.example', 'second-admin-password');
      expect((await t.client(token).GET('/api/v1/users')).response.status).toBe(200);
      expect(await createAdminCommand(config(), 'second.admin@school.example', 'another-password-123')).toContain('already exists');
      await expect(t.login('second.admin@school.example', 'another-password-123')).rejects.toThrow('401');
    });

    it('refuses a short password', async () => {
      await expect(createAdminCommand(config(), 'third@school.example', 'short')).rejects.toThrow('at least 12');
    });
  });
});
