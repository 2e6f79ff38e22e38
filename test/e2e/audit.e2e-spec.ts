import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Module, Post } from '@nestjs/common';
import { Client } from 'pg';
import { AuditRetentionService } from '../../src/audit/audit-retention.service';
import { Audited } from '../../src/audit/audited.decorator';
import { AuditAction, AuditResource } from '../../src/audit/audit.enums';
import { Authenticated } from '../../src/auth/auth.decorators';
import { ProblemException } from '../../src/common/problem/problem.exception';
import { Student } from '../../src/students/student.entity';
import type { Schemas } from '../../openapi/client';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

/** A route that writes inside a transaction and then fails, as a bulk operation can. */
@Controller('test-only')
@Authenticated()
class FailingAfterWriteController {
  constructor(private readonly em: EntityManager) {}

  @Post('write-then-fail')
  @Audited({ action: AuditAction.BulkImport, resource: AuditResource.Student })
  async writeThenFail(): Promise<void> {
    await this.em.transactional(async (em) => {
      em.create(Student, { studentId: 'ROLLED1', email: 'rolled@school.example', firstName: 'R', lastName: 'B' });
      await em.flush();
      throw new ProblemException({ status: 422, code: 'preview_not_committable', title: 'Unprocessable Content', detail: 'after the write' });
    });
  }
}

@Module({ controllers: [FailingAfterWriteController] })
class FailingAfterWriteModule {}

describe('audit trail', () => {
  let t: TestApp;
  let database: Client;
  type Row = Schemas['AuditLogDto'];

  const rowsFor = async (query: Record<string, unknown>): Promise<Row[]> => {
    const { data, response } = await t.admin.GET('/api/v1/audit', { params: { query: { limit: 500, ...query } } });
    expect(response.status).toBe(200);
    return data!.items;
  };
  const rowOfRequest = async (requestId: string): Promise<Row> => {
    const rows = await rowsFor({ requestId });
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const headers = (requestId: string) => ({ 'x-request-id': requestId, 'user-agent': 'audit-e2e/1.0' });

  beforeAll(async () => {
    t = await startTestApp('audit', {}, { extraModules: [FailingAfterWriteModule] });
    database = new Client({ connectionString: t.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await t.close();
  });

  describe('what is recorded', () => {
    it('records a success with who, from where, which resource and which fields', async () => {
      const { data: student, response } = await t.admin.POST('/api/v1/students', {
        body: { studentId: 'AUD1', email: 'aud1@school.example', firstName: 'Ν', lastName: 'Κ', healthIssue: 'asthma' },
        headers: headers('audit-create-1'),
      });
      expect(response.status).toBe(201);
      const row = await rowOfRequest('audit-create-1');
      const { data: me } = await t.admin.GET('/api/v1/auth/me');
      expect(row).toMatchObject({
        action: 'create',
        resource: 'student',
        resourceId: String(student!.id),
        userId: me!.id,
        email: ADMIN_EMAIL,
        ipAddress: '127.0.0.1',
        peerAddress: '127.0.0.1',
        userAgent: 'audit-e2e/1.0',
        success: true,
        statusCode: 201,
        errorCode: null,
      });
      // Field names only: the health issue itself is not copied into the trail.
      expect(row.details).toEqual({ fields: ['studentId', 'email', 'firstName', 'lastName', 'healthIssue'] });
    });

    it('records a failure with its status and problem code', async () => {
      await t.admin.POST('/api/v1/students', {
        body: { studentId: 'aud1', email: 'other@school.example', firstName: 'A', lastName: 'B' },
        headers: headers('audit-conflict-1'),
      });
      expect(await rowOfRequest('audit-conflict-1')).toMatchObject({ success: false, statusCode: 409, errorCode: 'student_id_taken' });

      await t.admin.POST('/api/v1/students', { body: { studentId: '' } as never, headers: headers('audit-invalid-1') });
      expect(await rowOfRequest('audit-invalid-1')).toMatchObject({ success: false, statusCode: 400, errorCode: 'validation_failed' });
    });

    it('records requests the auth guard refused on an audited route', async () => {
      const { client: auditor, user } = await t.userWithRole('auditor');
      await auditor.POST('/api/v1/students', { body: { studentId: 'X', email: 'x@school.example', firstName: 'X', lastName: 'Y' }, headers: headers('audit-refused-1') });
      expect(await rowOfRequest('audit-refused-1')).toMatchObject({
        userId: user.id,
        email: user.email,
        success: false,
        statusCode: 403,
        errorCode: 'insufficient_role',
        action: 'create',
        resource: 'student',
      });

      await t.anonymous.DELETE('/api/v1/students/{id}', { params: { path: { id: 1 } }, headers: headers('audit-refused-2') });
      expect(await rowOfRequest('audit-refused-2')).toMatchObject({ userId: null, success: false, statusCode: 401, errorCode: 'authentication_required' });
    });

    it('records sign-in, with the email tried on failure and never the password', async () => {
      await t.anonymous.POST('/api/v1/auth/login', { body: { email: ADMIN_EMAIL, password: 'wrong-password-1' }, headers: headers('audit-login-bad') });
      const failed = await rowOfRequest('audit-login-bad');
      expect(failed).toMatchObject({ action: 'login', resource: 'session', email: ADMIN_EMAIL, userId: null, success: false, statusCode: 401, errorCode: 'invalid_credentials' });
      expect(JSON.stringify(failed)).not.toContain('wrong-password-1');

      // A password typed into the email field is not kept.
      await t.anonymous.POST('/api/v1/auth/login', { body: { email: 'hunter2-secret', password: 'x' }, headers: headers('audit-login-swapped') });
      const swapped = await rowOfRequest('audit-login-swapped');
      expect(swapped).toMatchObject({ email: null, success: false });
      expect(JSON.stringify(swapped)).not.toContain('hunter2');

      const { data: session } = await t.anonymous.POST('/api/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, headers: headers('audit-login-ok') });
      expect(await rowOfRequest('audit-login-ok')).toMatchObject({ success: true, statusCode: 200, resourceId: session!.sessionId, userId: session!.user.id });

      await t.client(session!.accessToken).POST('/api/v1/auth/logout', { headers: headers('audit-logout') });
      expect(await rowOfRequest('audit-logout')).toMatchObject({ action: 'logout', resourceId: session!.sessionId, statusCode: 204, success: true });
    });

    it('records a role change with the roles before and after', async () => {
      const { user } = await t.userWithRole('staff');
      await t.admin.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { role: 'auditor' }, headers: headers('audit-role-1') });
      const rows = await rowsFor({ requestId: 'audit-role-1' });
      expect(rows.map((row) => row.action).sort()).toEqual(['role_change', 'update']);
      expect(rows.find((row) => row.action === 'role_change')).toMatchObject({
        resource: 'user',
        resourceId: user.id,
        email: ADMIN_EMAIL,
        details: { email: user.email, previousRole: 'staff', newRole: 'auditor' },
      });
    });

    it('keeps the failure row of a handler that rolled back its own writes', async () => {
      const response = await fetch(`${t.baseUrl}/api/v1/test-only/write-then-fail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': 'audit-rollback-1' },
      });
      expect(response.status).toBe(422);
      const students = await database.query(`select 1 from students where student_id = 'ROLLED1'`);
      expect(students.rowCount).toBe(0);
      expect(await rowOfRequest('audit-rollback-1')).toMatchObject({ action: 'bulk_import', success: false, statusCode: 422, errorCode: 'preview_not_committable' });
    });
  });

  describe('querying', () => {
    it('filters, counts exactly and returns newest first', async () => {
      for (let index = 0; index < 5; index += 1) {
        await t.admin.POST('/api/v1/courses', {
          body: { courseCode: `AUDQ${index}`, courseName: 'Q', semester: 'A' },
          headers: headers(`audit-query-${index}`),
        });
      }
      const { data: page } = await t.admin.GET('/api/v1/audit', { params: { query: { resource: 'course', action: 'create', limit: 2, offset: 1 } } });
      expect(page).toMatchObject({ total: 5, limit: 2, offset: 1 });
      expect(page!.items.map((row) => row.requestId)).toEqual(['audit-query-3', 'audit-query-2']);

      const { data: failures } = await t.admin.GET('/api/v1/audit', { params: { query: { resource: 'course', success: false } } });
      expect(failures?.total).toBe(0);

      const all = await rowsFor({ resource: 'course' });
      const timestamps = all.map((row) => new Date(row.timestamp).getTime());
      expect([...timestamps].sort((a, b) => b - a)).toEqual(timestamps);

      const middle = all[2].timestamp;
      const { data: window } = await t.admin.GET('/api/v1/audit', { params: { query: { resource: 'course', endDate: middle } } });
      expect(window?.total).toBe(3);
      const { data: later } = await t.admin.GET('/api/v1/audit', { params: { query: { resource: 'course', startDate: middle } } });
      expect(later?.total).toBe(3);

      const { data: byEmail } = await t.admin.GET('/api/v1/audit', { params: { query: { email: ' ADMIN@school.example ', resource: 'course' } } });
      expect(byEmail?.total).toBe(5);
      const { data: me } = await t.admin.GET('/api/v1/auth/me');
      const { data: byUser } = await t.admin.GET('/api/v1/audit', { params: { query: { userId: me!.id, resource: 'course' } } });
      expect(byUser?.total).toBe(5);
      const { data: byResource } = await t.admin.GET('/api/v1/audit', { params: { query: { resourceId: all[0].resourceId! } } });
      expect(byResource?.items.map((row) => row.requestId)).toEqual(['audit-query-4']);
    });

    it('counts every row exactly when nothing is filtered', async () => {
      const { data } = await t.admin.GET('/api/v1/audit', { params: { query: { limit: 1 } } });
      // The list call itself is not audited, so the count cannot move between the two reads.
      const { rows } = await database.query('select count(*)::int as count from audit_logs');
      expect(data?.total).toBe(rows[0].count);
      expect(data!.total).toBeGreaterThan(10);
    });

    it('records a password reset by an admin as the field name only', async () => {
      const { user } = await t.userWithRole('staff');
      await t.admin.PATCH('/api/v1/users/{id}', {
        params: { path: { id: user.id } },
        body: { password: 'a-reset-password-123' },
        headers: headers('audit-reset-1'),
      });
      const row = await rowOfRequest('audit-reset-1');
      expect(row.details).toEqual({ fields: ['password'] });
      expect(JSON.stringify(row)).not.toContain('a-reset-password-123');
    });

    it.each([
      [{ action: 'explode' }, 'action'],
      [{ resource: 'galaxy' }, 'resource'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 501 }, 'limit'],
      [{ userId: 'not-a-uuid' }, 'userId'],
      [{ startDate: 'yesterday' }, 'startDate'],
      [{ startDate: '2026-11-02', endDate: '2026-11-01' }, 'endDate'],
    ])('answers %j with a 400 naming %s', async (query, field) => {
      const { error, response } = await t.admin.GET('/api/v1/audit', { params: { query: query as never } });
      expect(response.status).toBe(400);
      expect(error?.code).toBe('validation_failed');
      expect(error?.errors?.map((entry) => entry.field)).toContain(field);
    });

    it('reads one row, and answers 404 for an unknown one', async () => {
      const [row] = await rowsFor({ limit: 1 });
      const { data } = await t.admin.GET('/api/v1/audit/{id}', { params: { path: { id: row.id } } });
      expect(data).toEqual(row);
      expect((await t.admin.GET('/api/v1/audit/{id}', { params: { path: { id: 999_999_999 } } })).response.status).toBe(404);
    });

    it('lists the actions and resources', async () => {
      const { data: actions } = await t.admin.GET('/api/v1/audit/actions');
      expect(actions).toContainEqual({ value: 'role_change', label: 'Role change' });
      const { data: resources } = await t.admin.GET('/api/v1/audit/resources');
      expect(resources?.map((entry) => entry.value)).toEqual(expect.arrayContaining(['student', 'course', 'enrollment', 'user', 'session']));
    });

    it('is for admins and auditors only', async () => {
      const { client: staff } = await t.userWithRole('staff');
      const refused = await staff.GET('/api/v1/audit');
      expect(refused.response.status).toBe(403);
      const { client: auditor } = await t.userWithRole('auditor');
      expect((await auditor.GET('/api/v1/audit')).response.status).toBe(200);
    });
  });

  describe('export', () => {
    it('streams CSV and NDJSON with the same rows as the list, and records itself', async () => {
      const query = { resource: 'course', action: 'create' } as const;
      const { data: page } = await t.admin.GET('/api/v1/audit', { params: { query } });

      const csv = await fetch(`${t.baseUrl}/api/v1/audit/export?format=csv&resource=course&action=create`, {
        headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': 'audit-export-csv' },
      });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-\d{8}T\d{6}\.csv"/);
      const lines = (await csv.text()).trimEnd().split('\r\n');
      expect(lines[0]).toBe('id,timestamp,userId,email,action,resource,resourceId,ipAddress,peerAddress,userAgent,requestId,success,statusCode,errorCode,details,seq,prevHash,hash');
      expect(lines.slice(1).map((line) => Number(line.split(',')[0]))).toEqual(page!.items.map((row) => row.id));

      const ndjson = await fetch(`${t.baseUrl}/api/v1/audit/export?format=ndjson&resource=course&action=create`, {
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      const records = (await ndjson.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as Row);
      expect(records).toEqual(JSON.parse(JSON.stringify(page!.items)));

      expect(await rowOfRequest('audit-export-csv')).toMatchObject({
        action: 'bulk_export',
        resource: 'audit_log',
        success: true,
        details: { format: 'csv', resource: 'course', action: 'create' },
      });
    });

    it('exports more rows than one batch, complete and in order', async () => {
      await database.query(
        `insert into audit_logs (action, resource, success, request_id, "timestamp")
         select 'update', 'grade', true, 'bulk-' || n, now() - make_interval(secs => n) from generate_series(1, 4500) as n`,
      );
      const response = await fetch(`${t.baseUrl}/api/v1/audit/export?format=ndjson&resource=grade`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      const records = (await response.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as Row);
      expect(records).toHaveLength(4500);
      expect(records[0].requestId).toBe('bulk-1');
      expect(records[4499].requestId).toBe('bulk-4500');
    });

    it('refuses an unknown format with a 400', async () => {
      const { response, error } = await t.admin.GET('/api/v1/audit/export', { params: { query: { format: 'xml' as never } }, parseAs: 'text' as never });
      expect(response.status).toBe(400);
      expect(JSON.stringify(error)).toContain('format');
    });
  });

  describe('append-only storage', () => {
    it.each([
      ['UPDATE', `update audit_logs set success = true`],
      ['DELETE', `delete from audit_logs`],
      ['TRUNCATE', `truncate audit_logs`],
    ])('refuses a raw %s', async (operation, sql) => {
      const before = await database.query('select count(*)::int as count from audit_logs');
      await expect(database.query(sql)).rejects.toThrow(`audit_logs is append-only: ${operation} is not allowed`);
      const after = await database.query('select count(*)::int as count from audit_logs');
      expect(after.rows[0].count).toBe(before.rows[0].count);
    });

    it('refuses to delete recent rows even when a retention period is declared', async () => {
      await database.query('begin');
      try {
        await database.query(`select set_config('sms.audit_retention_days', '90', true)`);
        await expect(database.query(`delete from audit_logs where "timestamp" > now() - interval '1 day'`)).rejects.toThrow('append-only');
      } finally {
        await database.query('rollback');
      }
    });

    it('purges only rows older than the retention period, and records the purge', async () => {
      await database.query(
        `insert into audit_logs (action, resource, success, request_id, "timestamp") values
         ('login', 'session', true, 'old-1', now() - interval '91 days'),
         ('login', 'session', true, 'old-2', now() - interval '200 days'),
         ('login', 'session', true, 'young-1', now() - interval '89 days')`,
      );
      const deleted = await t.app.get(AuditRetentionService).purgeExpired();
      expect(deleted).toBe(2);
      const left = await database.query(`select request_id from audit_logs where request_id in ('old-1', 'old-2', 'young-1')`);
      expect(left.rows).toEqual([{ request_id: 'young-1' }]);
      const [purge] = await rowsFor({ action: 'retention_purge' });
      expect(purge).toMatchObject({ resource: 'audit_log', success: true, details: { retentionDays: 90, deletedRows: 2 } });
      const { data } = await t.admin.GET('/api/v1/audit', { params: { query: { limit: 1 } } });
      const { rows } = await database.query('select count(*)::int as count from audit_logs');
      expect(data?.total).toBe(rows[0].count);
    });
  });
});

describe('audit behind a proxy, and its rate limit', () => {
  it('records the forwarded client only from a trusted proxy, and limits queries per user', async () => {
    const t = await startTestApp('audit_proxy', { TRUST_PROXY: '127.0.0.1', RATE_LIMIT_PER_USER_PER_MINUTE: '3' });
    try {
      await t.admin.POST('/api/v1/courses', {
        body: { courseCode: 'PROXY1', courseName: 'P', semester: 'A' },
        headers: { 'x-forwarded-for': '198.51.100.23', 'x-request-id': 'proxied-1' },
      });
      const { data } = await t.admin.GET('/api/v1/audit', { params: { query: { requestId: 'proxied-1' } } });
      expect(data?.items[0]).toMatchObject({ ipAddress: '198.51.100.23', peerAddress: '127.0.0.1' });

      const statuses = [];
      for (let attempt = 0; attempt < 3; attempt += 1) statuses.push((await t.admin.GET('/api/v1/audit/actions')).response.status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await t.close();
    }
  });

  it('does not believe X-Forwarded-For from an untrusted peer', async () => {
    const t = await startTestApp('audit_spoof');
    try {
      await t.admin.POST('/api/v1/courses', {
        body: { courseCode: 'SPOOF1', courseName: 'S', semester: 'A' },
        headers: { 'x-forwarded-for': '198.51.100.23', 'x-request-id': 'spoofed-1' },
      });
      const { data } = await t.admin.GET('/api/v1/audit', { params: { query: { requestId: 'spoofed-1' } } });
      expect(data?.items[0]).toMatchObject({ ipAddress: '127.0.0.1', peerAddress: '127.0.0.1' });
    } finally {
      await t.close();
    }
  });
});
