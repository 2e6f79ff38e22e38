/**
 * Writes the committed API artefacts from the built app, without PostgreSQL or Redis:
 * openapi/openapi.json, the typed client's schema (openapi/client/schema.d.ts) and the Postman
 * collection. With --check it writes nothing and fails when any of them is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { createHttpApp } from '../src/app.factory';
import { createOpenApiDocument } from '../src/openapi-document';
import { parseEnvironment } from '../src/config/environment';
import { shapeCollection, type SpecDocument } from './postman-collection';

interface PostmanConverter {
  convert: (input: object, options: object, callback: (error: Error | null, result: { result: boolean; reason?: string; output: { data: object }[] }) => void) => void;
}

const ROOT = join(__dirname, '..', '..');

/**
 * `format: binary` is bytes: an upload takes a Blob or File (FormData sends either), and a
 * download read with `parseAs: 'blob'` is one. openapi-typescript's default, `string`, would make
 * every typed upload a cast.
 */
const BLOB_OR_FILE = ts.factory.createUnionTypeNode([
  ts.factory.createTypeReferenceNode('Blob'),
  ts.factory.createTypeReferenceNode('File'),
]);
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

function binaryAsBlob(schema: { format?: string; nullable?: boolean }): ts.TypeNode | undefined {
  if (schema.format !== 'binary') return undefined;
  return schema.nullable === true ? ts.factory.createUnionTypeNode([BLOB_OR_FILE, NULL]) : BLOB_OR_FILE;
}
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

function assertReadableOperationIds(document: { paths: Record<string, Record<string, { operationId?: string }>> }): void {
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const id = operation.operationId;
      const where = `${method.toUpperCase()} ${path}`;
      if (id === undefined || !/^[a-z][A-Za-z0-9]*$/.test(id)) throw new Error(`${where} has no readable operationId (got ${id})`);
      if (seen.has(id)) throw new Error(`operationId ${id} is used by both ${seen.get(id)} and ${where}`);
      seen.set(id, where);
    }
  }
}

/** Postman gives every item a random id; without them the collection is the same on every run. */
function withoutRandomIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRandomIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'id' && key !== '_postman_id')
      .map(([key, inner]) => [key, withoutRandomIds(inner)]),
  );
}

/** mulberry32: a tiny seeded generator, so the converter's invented examples are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The converter invents examples (ids, enum picks, booleans, date-times) with Math.random where the spec gives
 * none, and its faker keeps the Math.random it finds when first loaded. It offers no seed, so the
 * converter is loaded, and run, while Math.random is a seeded generator.
 */
async function toPostmanCollection(document: object): Promise<object> {
  const originalRandom = Math.random;
  const OriginalDate = Date;
  Math.random = seededRandom(20261127);
  globalThis.Date = fixedClock(OriginalDate);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded late on purpose (see above); it ships no types
    return await convertToPostman(require('openapi-to-postmanv2') as PostmanConverter, document);
  } finally {
    Math.random = originalRandom;
    globalThis.Date = OriginalDate;
  }
}

/** Its faker also dates the invented date-times from the current time, so "now" is a fixed instant while it runs. */
function fixedClock(OriginalDate: DateConstructor): DateConstructor {
  const now = OriginalDate.parse('2026-11-27T00:00:00.000Z');
  return class FixedDate extends OriginalDate {
    constructor(...value: [] | [string | number | Date]) {
      if (value.length === 0) super(now);
      else super(value[0]);
    }

    static override now(): number {
      return now;
    }
  } as DateConstructor;
}

function convertToPostman(postman: PostmanConverter, document: object): Promise<object> {
  return new Promise((resolve, reject) => {
    postman.convert(
      { type: 'json', data: JSON.stringify(document) },
      { folderStrategy: 'Tags', requestParametersResolution: 'Example', exampleParametersResolution: 'Example', includeAuthInfoInExample: true, optimizeConversion: false, stackLimit: 20 },
      (error, conversion) => {
        if (error !== null) return reject(error);
        if (!conversion.result) return reject(new Error(`Postman conversion failed: ${conversion.reason}`));
        resolve(shapeCollection(withoutRandomIds(conversion.output[0].data) as Record<string, unknown>, document as SpecDocument));
      },
    );
  });
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const app = await createHttpApp(parseEnvironment({ NODE_ENV: 'test' }), { preview: true });
  const document = createOpenApiDocument(app);
  assertReadableOperationIds(document as never);

  const spec = `${JSON.stringify(document, null, 2)}\n`;
  const schema = `${astToString(await openapiTS(JSON.parse(spec), { enum: false, exportType: true, alphabetize: true, defaultNonNullable: false, transform: binaryAsBlob }))}`;
  const header = '// Generated from openapi/openapi.json by `npm run openapi`. Do not edit.\n\n';
  const collection = `${JSON.stringify(await toPostmanCollection(JSON.parse(spec)), null, 2)}\n`;

  const artefacts: [string, string][] = [
    ['openapi/openapi.json', spec],
    ['openapi/client/schema.d.ts', header + schema],
    ['openapi/postman-collection.json', collection],
  ];
  const stale: string[] = [];
  for (const [relativePath, content] of artefacts) {
    const path = join(ROOT, relativePath);
    if (check) {
      let committed = '';
      try {
        committed = readFileSync(path, 'utf8');
      } catch {
        // A missing file is stale like a different one.
      }
      if (committed !== content) stale.push(relativePath);
    } else {
      writeFileSync(path, content);
    }
  }
  if (stale.length > 0) {
    console.error(`Stale generated files: ${stale.join(', ')}. Run \`npm run openapi\` and commit the result.`);
    process.exitCode = 1;
  } else {
    console.log(check ? 'OpenAPI spec, client and Postman collection are up to date.' : 'Wrote openapi/openapi.json, openapi/client/schema.d.ts, openapi/postman-collection.json');
  }
}

main()
  .then(() => process.exit())
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
