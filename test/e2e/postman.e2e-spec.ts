import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import newman, { type NewmanRunSummary } from 'newman';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app';

const OPENAPI_DIR = join(__dirname, '..', '..', 'openapi');

/** Runs the committed collection as a Postman user would: only the server and the credentials set. */
function runCollection(collection: object, baseUrl: string): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection,
        envVar: [
          { key: 'baseUrl', value: baseUrl },
          { key: 'email', value: ADMIN_EMAIL },
          { key: 'password', value: ADMIN_PASSWORD },
        ],
        // Upload requests name the sample roster relative to the collection's folder.
        workingDir: OPENAPI_DIR,
        reporters: [],
      },
      (error, summary) => (error === null ? resolve(summary) : reject(error)),
    );
  });
}

describe('the Postman collection', () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await startTestApp('postman', {}, { signInAdmin: false });
  });

  afterAll(async () => {
    await test?.close();
  });

  it('runs from the first request to the last with every assertion passing and no 5xx', async () => {
    const collection = JSON.parse(readFileSync(join(OPENAPI_DIR, 'postman-collection.json'), 'utf8')) as { item: { item: object[] }[] };
    const summary = await runCollection(collection, test.baseUrl);

    const failures = summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`);
    expect(failures).toEqual([]);
    const serverErrors = summary.run.executions
      .filter((execution) => (execution.response?.code ?? 0) >= 500)
      .map((execution) => `${execution.item.name}: ${execution.response.code}`);
    expect(serverErrors).toEqual([]);
    // Every request ran (a poll repeats one), each checked by at least its status assertion.
    expect(summary.run.executions.length).toBeGreaterThanOrEqual(collection.item.flatMap((folder) => folder.item).length);
    expect(summary.run.executions.filter((execution) => (execution.assertions ?? []).length === 0).map((execution) => execution.item.name)).toEqual([]);
    expect(summary.run.stats.assertions.failed).toBe(0);
  }, 120_000);
});
