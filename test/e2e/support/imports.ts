import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { multipartBody, type ApiClient, type Schemas } from '../../../openapi/client';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'imports');

export type Job = Schemas['JobDto'];
export type Preview = Schemas['ImportPreviewDto'];
export type Problem = Schemas['ProblemDetailsDto'];
/** A preview whose file was read: what a successful preview request answers. */
export type ReadPreview = Preview & { summary: NonNullable<Preview['summary']>; detected: NonNullable<Preview['detected']> };

export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** Posts a multipart import form (fields first, then the file) and answers status and parsed body. */
export async function postImportForm<Body = ReadPreview>(
  baseUrl: string,
  token: string,
  path: '/api/v1/imports/preview' | '/api/v1/imports/upload',
  file: { name: string; content: Buffer | string } | null,
  fields: Record<string, string>,
): Promise<{ status: number; body: Body; headers: Headers }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file !== null) form.append('file', new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]), file.name);
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as Body, headers: response.headers };
}

/** Previews a file through the typed client, as a consumer of openapi/client uploads. */
export function previewImport(api: ApiClient, file: { name: string; content: Buffer | string }, options: Omit<Schemas['ImportUploadBodyDto'], 'file'>) {
  const content = typeof file.content === 'string' ? file.content : new Uint8Array(file.content);
  return api.POST('/api/v1/imports/preview', { body: { ...options, file: new File([content], file.name) }, bodySerializer: multipartBody });
}

/** Polls a job until `until` holds. */
export async function waitForJob(baseUrl: string, token: string, id: string, until: (job: Job) => boolean = finished, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const job = (await response.json()) as Job;
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} is still ${job.status}: ${JSON.stringify(job.progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function finished(job: Job): boolean {
  return job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled';
}

/** A students CSV with a header and the given rows (each a record of column → value). */
export function studentsCsv(rows: Record<string, string>[], columns = ['studentId', 'email', 'firstName', 'lastName', 'studyYear']): string {
  return [columns.join(','), ...rows.map((row) => columns.map((column) => row[column] ?? '').join(','))].join('\n') + '\n';
}
