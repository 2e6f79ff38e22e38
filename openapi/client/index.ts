/**
 * The typed TypeScript client of the API, generated from openapi/openapi.json.
 *
 *   const api = createApiClient('http://localhost:3000');
 *   const { data } = await api.POST('/api/v1/auth/login', { body: { email, password } });
 *   const authed = createApiClient('http://localhost:3000', data!.accessToken);
 *   const { data: page } = await authed.GET('/api/v1/students', { params: { query: { limit: 20 } } });
 *   const { data: preview } = await authed.POST('/api/v1/imports/preview', {
 *     body: { entity: 'students', file: new File([bytes], 'students.csv') },
 *     bodySerializer: multipartBody,
 *   });
 *   for await (const job of followJob(authed, jobId)) console.log(job.status, job.progress.percentage);
 */
import createClient, { type Client } from 'openapi-fetch';
// With the extension: NodeNext resolves only explicit ones, and `.js` finds schema.d.ts under
// NodeNext, Bundler and CommonJS alike (test/unit/openapi-client-compiles.spec.ts).
import type { components, paths } from './schema.js';

export type { components, paths };
export type Schemas = components['schemas'];
export type ApiClient = Client<paths>;
type Job = Schemas['JobDto'];

export function createApiClient(baseUrl: string, accessToken?: string, fetchImplementation?: typeof fetch): ApiClient {
  return createClient<paths>({
    baseUrl,
    headers: accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` },
    ...(fetchImplementation === undefined ? {} : { fetch: fetchImplementation }),
  });
}

type FormValue = string | number | boolean | Blob | null | undefined;

/**
 * The `bodySerializer` of a multipart upload: the typed body as FormData, its fields before its
 * files, because the service reads the fields before it streams the file. A File keeps its name,
 * which tells the service the format when the content cannot.
 */
export function multipartBody(body: { [field: string]: FormValue }): FormData {
  const form = new FormData();
  const entries = Object.entries(body).filter((entry): entry is [string, string | number | boolean | Blob] => entry[1] !== undefined && entry[1] !== null);
  for (const [name, value] of entries) if (!(value instanceof Blob)) form.append(name, String(value));
  for (const [name, value] of entries) if (value instanceof Blob) form.append(name, value);
  return form;
}

const FINAL_STATUSES: ReadonlySet<Job['status']> = new Set(['completed', 'failed', 'cancelled']);

/** An error answer of the API, with its problem document when the body was one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Schemas['ProblemDetailsDto'] | undefined,
  ) {
    super(problem === undefined ? `HTTP ${status}` : `${status} ${problem.code}: ${problem.detail ?? problem.title}`);
  }
}

/**
 * Follows a job through its server-sent events (GET /jobs/{id}/events): yields the job after
 * every change and returns after its final state. When the stream ends early (a proxy timeout, a
 * restart) it reconnects with the last event's id, so no change is missed or repeated.
 * EventSource cannot send a bearer token, hence a fetch read here.
 */
export async function* followJob(client: ApiClient, jobId: string, signal?: AbortSignal): AsyncGenerator<Job, void, undefined> {
  let lastEventId: string | undefined;
  for (;;) {
    const { data, error, response } = await client.GET('/api/v1/jobs/{id}/events', {
      params: { path: { id: jobId }, header: lastEventId === undefined ? undefined : { 'Last-Event-ID': lastEventId } },
      parseAs: 'stream',
      signal,
    });
    if (!response.ok || data === undefined || data === null) throw new ApiError(response.status, error);
    for await (const event of serverSentEvents(data)) {
      lastEventId = event.id ?? lastEventId;
      const job = JSON.parse(event.data) as Job;
      yield job;
      if (FINAL_STATUSES.has(job.status)) return;
    }
  }
}

/** The events of a text/event-stream body (the WHATWG format: blocks of `field: value` lines). */
async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ id?: string; data: string }> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
      // The last block may be an event cut in the middle: it waits for the next chunk.
      buffer = done ? '' : (blocks.pop() ?? '');
      for (const block of blocks) {
        const fields = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
        const valuesOf = (name: string) => fields.filter((line) => line === name || line.startsWith(`${name}:`)).map((line) => line.slice(name.length + 1).replace(/^ /, ''));
        const data = valuesOf('data');
        if (data.length > 0) yield { id: valuesOf('id').at(-1), data: data.join('\n') };
      }
      if (done) return;
    }
  } finally {
    // Also when the caller stops early: the connection closes rather than streaming on unread.
    await reader.cancel();
  }
}
