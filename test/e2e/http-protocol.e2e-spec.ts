import request from 'supertest';
import type { Server } from 'node:http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The protocol as any HTTP client meets it, through supertest against the running service:
 * headers, content types, multipart edge cases, streaming downloads and SSE framing. The API
 * flows themselves go through the generated client in the other e2e files.
 */
describe('HTTP protocol', () => {
  let t: TestApp;
  let server: Server;
  const bearer = () => `Bearer ${t.adminToken}`;

  beforeAll(async () => {
    t = await startTestApp('http_protocol', { IMPORT_MAX_FILE_MB: '1' });
    server = t.app.getHttpServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers every error as problem+json with the request id it echoes', async () => {
    const response = await request(server).get('/api/v1/students').set('x-request-id', 'proto-1').expect(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['x-request-id']).toBe('proto-1');
    expect(response.body).toMatchObject({ status: 401, instance: 'proto-1', code: expect.any(String) });
  });

  it('answers a JSON route sent CSV with 415 and a multipart route sent JSON with 415', async () => {
    const login = await request(server).post('/api/v1/auth/login').set('content-type', 'text/csv').send('a,b').expect(415);
    expect(login.body).toMatchObject({ code: 'unsupported_media_type' });
    const upload = await request(server).post('/api/v1/imports/preview').set('authorization', bearer()).send({ entity: 'students' }).expect(415);
    expect(upload.body).toMatchObject({ code: 'multipart_required' });
  });

  it('refuses an upload over the limit with 413, two files with 400, and a file under another field name with 400', async () => {
    const big = await request(server)
      .post('/api/v1/imports/preview')
      .set('authorization', bearer())
      .field('entity', 'students')
      .attach('file', Buffer.alloc(1024 * 1024 + 10, 'a'), 'big.csv');
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'file_too_large' });

    const csv = Buffer.from('studentId,email,firstName,lastName\nP1,p1@school.example,A,B\n');
    const twoFiles = await request(server)
      .post('/api/v1/imports/preview')
      .set('authorization', bearer())
      .field('entity', 'students')
      .attach('file', csv, 'a.csv')
      .attach('file', csv, 'b.csv');
    expect(twoFiles.status).toBe(400);
    expect(twoFiles.body).toMatchObject({ code: 'too_many_files' });

    const wrongField = await request(server).post('/api/v1/imports/preview').set('authorization', bearer()).field('entity', 'students').attach('upload', csv, 'a.csv');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body).toMatchObject({ code: 'unexpected_file' });
  });

  it('streams a CSV download with an RFC 5987 filename', async () => {
    await request(server)
      .post('/api/v1/students')
      .set('authorization', bearer())
      .send({ studentId: 'PROTO1', email: 'proto1@school.example', firstName: 'Άννα', lastName: 'Παπαδοπούλου' })
      .expect(201);
    const response = await request(server).get('/api/v1/exports/students?format=csv').set('authorization', bearer()).buffer(true).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    expect(response.text).toContain('Παπαδοπούλου');
  });

  it('frames job events as SSE: one data line of JSON per event, ending after the final one', async () => {
    const created = await request(server).post('/api/v1/jobs').set('authorization', bearer()).send({ type: 'custom' }).expect(202);
    const jobId = (created.body as { id: string }).id;
    expect(created.headers.location).toContain(jobId);
    await request(server).patch(`/api/v1/jobs/${jobId}/complete`).set('authorization', bearer()).send({ result: { success: true, message: 'done' } }).expect(200);
    const events = await request(server).get(`/api/v1/jobs/${jobId}/events`).set('authorization', bearer()).buffer(true).expect(200);
    expect(events.headers['content-type']).toMatch(/^text\/event-stream/);
    const blocks = events.text.split('\n\n').filter((block) => block.trim() !== '');
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    for (const block of blocks) {
      const data = block.split('\n').filter((line) => line.startsWith('data: '));
      expect(data).toHaveLength(1);
      expect(JSON.parse(data[0].slice('data: '.length))).toMatchObject({ id: jobId });
    }
    expect(JSON.parse(blocks[blocks.length - 1].split('\n').find((line) => line.startsWith('data: '))!.slice(6))).toMatchObject({ status: 'completed' });
  });
});
