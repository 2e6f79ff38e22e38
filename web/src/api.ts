import { ApiError, createApiClient, followJob, multipartBody, type ApiClient, type paths, type Schemas } from '../../openapi/client';

export { followJob, multipartBody, type ApiClient, type paths, type Schemas };

const SESSION_STORAGE_KEY = 'sms-console-session';

export interface Session {
  accessToken: string;
  user: Schemas['UserDto'];
}

/** The token lives in sessionStorage: it belongs to this tab and goes when the tab closes. */
export function loadSession(): Session | null {
  const stored = sessionStorage.getItem(SESSION_STORAGE_KEY);
  if (stored === null) return null;
  try {
    return JSON.parse(stored) as Session;
  } catch {
    sessionStorage.removeItem(SESSION_STORAGE_KEY);
    return null;
  }
}

export function storeSession(session: Session | null): void {
  if (session === null) sessionStorage.removeItem(SESSION_STORAGE_KEY);
  else sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
}

/** The API is on the same origin as the console, which the service itself serves. */
export function apiClient(accessToken?: string): ApiClient {
  return createApiClient(window.location.origin, accessToken);
}

/** An API failure as the person reading it should see it: the problem's title and detail. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly fieldMessages: string[] = [],
    /** The problem's stable code, which the console words in Greek; absent when the answer was no problem document. */
    readonly code?: Schemas['ProblemCode'],
  ) {
    super(detail === undefined ? title : `${title}: ${detail}`);
  }
}

function isProblem(value: unknown): value is Schemas['ProblemDetailsDto'] {
  return typeof value === 'object' && value !== null && typeof (value as { title?: unknown }).title === 'string';
}

/** Turns an openapi-fetch error body (a problem document, or whatever a proxy sent) into an ApiProblem. */
export function toProblem(response: Response, error: unknown): ApiProblem {
  if (isProblem(error)) return new ApiProblem(response.status, error.title, error.detail, (error.errors ?? []).map((item) => item.message), error.code);
  return new ApiProblem(response.status, response.statusText === '' ? `HTTP ${response.status}` : response.statusText, typeof error === 'string' && error !== '' ? error : undefined);
}

/** Any failure as an ApiProblem: the generated client's ApiError keeps its problem, other errors their message. */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof ApiError) {
    const problem = error.problem;
    return problem === undefined ? new ApiProblem(error.status, `HTTP ${error.status}`, undefined) : new ApiProblem(error.status, problem.title, problem.detail, (problem.errors ?? []).map((item) => item.message), problem.code);
  }
  return new ApiProblem(0, error instanceof Error ? error.message : String(error), undefined);
}

/**
 * The data of an openapi-fetch result, or its problem thrown: callers then handle one failure path.
 */
export function dataOrThrow<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  throw toProblem(result.response, result.error);
}

/** Offers a downloaded body to the person as a file, named by the server's Content-Disposition when it has one. */
export function saveBlob(blob: Blob, response: Response, fallbackName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileNameOf(response) ?? fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the blob to the download before the next task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function fileNameOf(response: Response): string | undefined {
  const disposition = response.headers.get('content-disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (encoded !== null) {
    try {
      return decodeURIComponent(encoded[1]);
    } catch {
      // A malformed encoded name: fall back to the plain one below.
    }
  }
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1];
}

export const TERMINAL_JOB_STATUSES: ReadonlySet<Schemas['JobStatus']> = new Set(['completed', 'failed', 'cancelled']);
