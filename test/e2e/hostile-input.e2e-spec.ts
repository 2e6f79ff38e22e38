import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { startTestApp, TestApp } from './support/test-app';

/** One probe: a raw request, the status it must get, and whether the route is audited. */
interface Probe {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: string;
  status: number;
  audited: boolean;
}

const NUL = '%00';
const LONE_SURROGATE_JSON = '"\\ud800"';

function probes(studentId: number): Probe[] {
  const query = (path: string, audited = false): Probe => ({ name: `GET ${path}`, method: 'GET', path, status: 400, audited });
  const body = (method: 'POST' | 'PATCH', path: string, json: string, audited = true): Probe => ({ name: `${method} ${path} ${json}`, method, path, body: json, status: 400, audited });
  return [
    query(`/api/v1/students?search=${NUL}`),
    query(`/api/v1/students?classDivision=A1${NUL}`),
    query(`/api/v1/courses?search=x${NUL}y`),
    query(`/api/v1/courses?semester=${NUL}`),
    query(`/api/v1/enrollments?studentId=${NUL}`),
    query(`/api/v1/enrollments?courseCode=${NUL}`),
    query(`/api/v1/users?search=${NUL}`),
    query(`/api/v1/audit?email=${NUL}`),
    query(`/api/v1/audit?resourceId=${NUL}`),
    query(`/api/v1/jobs?status=${NUL}`),
    query(`/api/v1/students/1${NUL}`),
    query(`/api/v1/exports/students?format=csv&classDivision=${NUL}`, true),
    query(`/api/v1/exports/students?format=csv&foo=${NUL}`, true),
    query(`/api/v1/exports/courses?format=csv&semester=${NUL}`, true),
    query(`/api/v1/exports/enrollments?format=json&courseCode=${NUL}`, true),
    query(`/api/v1/audit/export?format=csv&email=${NUL}`, true),
    body('POST', '/api/v1/students', JSON.stringify({ studentId: 'NUL1', email: 'nul1@school.example', firstName: 'a\u0000b', lastName: 'b' })),
    body('POST', '/api/v1/students', `{"studentId":"NUL2","email":"nul2@school.example","firstName":${LONE_SURROGATE_JSON},"lastName":"b"}`),
    body('POST', '/api/v1/students', JSON.stringify({ studentId: 'NUL3', email: 'nul3@school.example', firstName: 'a', lastName: 'b', 'x\u0000': 1 })),
    body('PATCH', `/api/v1/students/${studentId}`, JSON.stringify({ note: '\u0000' })),
    body('POST', '/api/v1/courses', JSON.stringify({ courseCode: 'C\u0000', courseName: 'n', semester: 's' })),
    body('POST', '/api/v1/exports', JSON.stringify({ entity: 'students', filters: { classDivision: 'A1\u0000' } })),
    body('POST', '/api/v1/jobs', JSON.stringify({ type: 'custom', parameters: { note: '\u0000' } })),
    body('POST', '/api/v1/auth/login', JSON.stringify({ email: 'admin\u0000@school.example', password: 'x' })),
  ];
}

describe('hostile input at the edges', () => {
  let t: TestApp;
  let studentId: number;

  beforeAll(async () => {
    t = await startTestApp('hostile_input');
    const { data } = await t.admin.POST('/api/v1/students', { body: { studentId: 'CLEAN1', email: 'clean1@school.example', firstName: 'Ά', lastName: 'B' } });
    studentId = data!.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (probe: Probe, requestId: string) =>
    fetch(`${t.baseUrl}${probe.path}`, {
      method: probe.method,
      headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': requestId, ...(probe.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: probe.body,
    });

  it('refuses NUL and lone surrogates in queries, paths and bodies with 400 invalid_character, and audits each audited request once', async () => {
    for (const probe of probes(studentId)) {
      const requestId = `probe-${randomUUID()}`;
      const response = await send(probe, requestId);
      const problem = (await response.json()) as { code: string; errors?: { field: string; code: string }[] };
      expect({ probe: probe.name, status: response.status, contentType: response.headers.get('content-type') }).toEqual({
        probe: probe.name,
        status: probe.status,
        contentType: expect.stringMatching(/^application\/problem\+json/),
      });
      expect({ probe: probe.name, code: problem.code, fieldCodes: problem.errors?.map((error) => error.code) }).toEqual({
        probe: probe.name,
        code: 'validation_failed',
        fieldCodes: expect.arrayContaining(['invalid_character']),
      });
      const { data: audit } = await t.admin.GET('/api/v1/audit', { params: { query: { requestId } } });
      expect({ probe: probe.name, auditRows: audit?.total }).toEqual({ probe: probe.name, auditRows: probe.audited ? 1 : 0 });
      if (probe.audited) expect(audit!.items[0]).toMatchObject({ success: false, statusCode: 400, errorCode: 'validation_failed' });
    }
    const { data: student } = await t.admin.GET('/api/v1/students/{id}', { params: { path: { id: studentId } } });
    expect(student?.note ?? null).toBeNull();
  });

  it('refuses unstorable text in the form fields of an upload', async () => {
    const form = new FormData();
    form.append('entity', 'students');
    form.append('sheet', 'Sheet\u0000');
    form.append('file', new Blob(['studentId,email,firstName,lastName\nS1,s1@school.example,A,B\n']), 'students.csv');
    const response = await fetch(`${t.baseUrl}/api/v1/imports/preview`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` }, body: form });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'sheet', code: 'invalid_character' }] });
  });

  it('keeps the audit row of a successful request and of a refused one, with astral and Greek text in its details', async () => {
    const requestId = `probe-${randomUUID()}`;
    const response = await fetch(`${t.baseUrl}/api/v1/exports/students?format=csv&classDivision=${encodeURIComponent('😀Ά')}&foo=1`, {
      headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': requestId },
    });
    expect(response.status).toBe(400);
    const { data: audit } = await t.admin.GET('/api/v1/audit', { params: { query: { requestId } } });
    expect(audit?.total).toBe(1);
    expect(audit!.items[0]).toMatchObject({ success: false, action: 'bulk_export', errorCode: 'validation_failed' });
    expect(JSON.stringify(audit!.items[0].details)).toContain('😀Ά');

    const successId = `probe-${randomUUID()}`;
    const success = await fetch(`${t.baseUrl}/api/v1/exports/students?format=csv&classDivision=${encodeURIComponent('😀Ά')}`, {
      headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': successId },
    });
    expect(success.status).toBe(200);
    await success.arrayBuffer();
    const { data: successAudit } = await t.admin.GET('/api/v1/audit', { params: { query: { requestId: successId } } });
    expect(successAudit?.total).toBe(1);
    expect(successAudit!.items[0]).toMatchObject({ success: true, action: 'bulk_export' });
  });

  it('answers a bad URL, an over-long path parameter and oversized headers with problem+json', async () => {
    const badUrl = await fetch(`${t.baseUrl}/api/v1/students/%E0%A4%A`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await badUrl.json()).toMatchObject({ code: 'malformed_url', status: 400 });

    const longParam = await fetch(`${t.baseUrl}/api/v1/students/${'9'.repeat(300)}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(longParam.status).toBe(414);
    expect(longParam.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await longParam.json()).toMatchObject({ code: 'uri_too_long', status: 414 });

    const oversized = await rawRequest(t.baseUrl, '/api/v1/health', { 'x-filler': 'a'.repeat(40_000) });
    expect(oversized.status).toBe(431);
    expect(oversized.contentType).toBe('application/problem+json');
    expect(JSON.parse(oversized.body)).toMatchObject({ code: 'headers_too_large', status: 431, type: 'urn:problem:sms:headers_too_large' });

    const health = await fetch(`${t.baseUrl}/api/v1/health`);
    expect(health.status).toBe(200);
  });
});

/** Through node:http, because fetch refuses to send some of what a hostile client sends. */
function rawRequest(baseUrl: string, path: string, headers: Record<string, string>): Promise<{ status: number; contentType: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}
