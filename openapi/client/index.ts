/**
 * The typed TypeScript client of the API, generated from openapi/openapi.json.
 *
 *   const api = createApiClient('http://localhost:3000');
 *   const { data } = await api.POST('/api/v1/auth/login', { body: { email, password } });
 *   const authed = createApiClient('http://localhost:3000', data!.accessToken);
 *   const { data: page } = await authed.GET('/api/v1/students', { params: { query: { limit: 20 } } });
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type Schemas = components['schemas'];
export type ApiClient = Client<paths>;

export function createApiClient(baseUrl: string, accessToken?: string, fetchImplementation?: typeof fetch): ApiClient {
  return createClient<paths>({
    baseUrl,
    headers: accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` },
    ...(fetchImplementation === undefined ? {} : { fetch: fetchImplementation }),
  });
}
