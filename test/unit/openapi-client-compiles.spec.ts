import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

// A consumer's program: an upload with a File and no cast, a download as a Blob, a followed job.
const PROGRAM = `import { createApiClient, followJob, multipartBody, type Schemas } from './client/index.js';

export async function importStudents(csv: string): Promise<Schemas['JobDto'] | undefined> {
  const api = createApiClient('http://localhost:3000', 'token');
  const preview = await api.POST('/api/v1/imports/preview', {
    body: { entity: 'students', onInvalid: 'skip', file: new File([csv], 'students.csv') },
    bodySerializer: multipartBody,
  });
  if (preview.data === undefined) throw new Error(preview.error.code);
  const rejected = await api.GET('/api/v1/imports/previews/{id}/rejected', { params: { path: { id: preview.data.id } }, parseAs: 'blob' });
  const size: number | undefined = rejected.data?.size;
  const committed = await api.POST('/api/v1/imports/previews/{id}/commit', { params: { path: { id: preview.data.id } } });
  if (committed.data === undefined) throw new Error(committed.error.code);
  let last: Schemas['JobDto'] | undefined;
  for await (const job of followJob(api, committed.data.id)) last = job;
  return size === undefined ? undefined : last;
}

// docs/api-clients.md: checking job.type narrows parameters and result.data to that type's schemas.
export async function exportedFile(jobId: string): Promise<string | undefined> {
  const api = createApiClient('http://localhost:3000', 'token');
  const { data: job } = await api.GET('/api/v1/jobs/{id}', { params: { path: { id: jobId } } });
  if (job?.type === 'export_large' && job.result?.data) {
    return \`\${job.parameters.entity} \${job.result.data.fileName} \${job.result.data.rowCount}\`;
  }
  return undefined;
}
`;

const SETTINGS: Record<string, { packageType: 'module' | 'commonjs'; compilerOptions: Record<string, unknown> }> = {
  NodeNext: { packageType: 'module', compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'] } },
  Bundler: { packageType: 'module', compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] } },
  CommonJS: {
    packageType: 'commonjs',
    compilerOptions: { module: 'CommonJS', moduleResolution: 'Node10', esModuleInterop: true, lib: ['ES2022'], types: ['node'] },
  },
};

/**
 * The committed client is copied into a fresh project and compiled with each module setting a
 * consumer may use: an import that one resolution mode cannot follow fails here, not in their build.
 */
describe('openapi/client compiles for its consumers', () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'sms-client-'));
    cpSync(join(ROOT, 'openapi', 'client'), join(directory, 'client'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(directory, 'node_modules'), 'dir');
    writeFileSync(join(directory, 'program.ts'), PROGRAM);
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.each(Object.keys(SETTINGS))('under moduleResolution %s', async (name) => {
    const { packageType, compilerOptions } = SETTINGS[name];
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ type: packageType }));
    const config = join(directory, `tsconfig.${name}.json`);
    writeFileSync(
      config,
      JSON.stringify({ compilerOptions: { ...compilerOptions, target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false }, files: ['program.ts'] }),
    );
    const run = promisify(execFile)(process.execPath, [TSC, '-p', config], { cwd: directory });
    await expect(run.catch((error: { stdout?: string }) => Promise.reject(new Error(error.stdout)))).resolves.toBeDefined();
  }, 60_000);
});
