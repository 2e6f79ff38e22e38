import { INestApplication } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME } from './auth/auth.decorators';
import { addExportFilterSchemas, exportRowSchemas } from './exports/export-row-schemas';
import { addJobSchemas, jobContractModels } from './jobs/job-schemas';
import { ProblemDetailsDto } from './common/problem/problem-details.dto';
import { problemContent } from './common/problem/problem-responses.decorator';
import { NO_RATE_LIMIT } from './common/rate-limit/rate-limit.decorator';
import { HEADER_COMPONENTS, headerRefs, PARAMETER_COMPONENTS } from './common/openapi/header-components';

const DESCRIPTION = `Bulk operations of the student management system: students, courses and enrollments,
imports and exports, background jobs and the audit trail.

Sign in with \`POST /api/v1/auth/login\` and send the token as \`Authorization: Bearer <token>\`
(in Swagger UI: the **Authorize** button). Every error is an RFC 9457 \`application/problem+json\`
document with a stable \`code\`. Every response carries \`X-Request-ID\`.`;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const rateLimitHeaders = headerRefs('X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset');
const requestIdHeader = headerRefs('X-Request-ID');

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The Swagger plugin wraps every enum or DTO property in `allOf: [{ $ref }]`, which OpenAPI 3.0
 * needs only to keep sibling keywords (a description, a default); without siblings a plain $ref
 * reads better in Swagger UI and gives generators one type instead of an intersection.
 */
function unwrapSingleRefs(schemas: NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>): void {
  for (const schema of Object.values(schemas)) {
    if ('$ref' in schema) continue;
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if ('$ref' in property || property.allOf?.length !== 1) continue;
      const { allOf, ...siblings } = property;
      if (Object.keys(siblings).length === 0) schema.properties![name] = allOf[0];
    }
  }
}

type Parameter = Exclude<NonNullable<OpenAPIObject['paths'][string]['parameters']>[number], { $ref: string }>;

/**
 * Swagger UI's "Try it out" and Postman send an optional parameter's example as its value, and on
 * a list an example filter hides every row it does not match. The example of an optional query
 * parameter is said in its description instead, so both list everything by default.
 */
function exampleInWords(parameter: Parameter): Parameter {
  if (parameter.in !== 'query' || parameter.required === true) return parameter;
  const schema = parameter.schema !== undefined && !('$ref' in parameter.schema) ? parameter.schema : undefined;
  const example: unknown = parameter.example ?? schema?.example;
  if (example === undefined) return parameter;
  const { example: _parameterExample, ...withoutExample } = parameter;
  // A list in a query is comma-separated (`fields=studentId,email`).
  const text = typeof example === 'string' ? example : Array.isArray(example) ? example.join(',') : JSON.stringify(example);
  const words = `For example \`${text}\`.`;
  return {
    ...withoutExample,
    ...(schema === undefined ? {} : { schema: Object.fromEntries(Object.entries(schema).filter(([key]) => key !== 'example')) }),
    description: withoutExample.description === undefined ? words : `${withoutExample.description} ${words}`,
  };
}

/**
 * Adds what every operation shares (500, the default rate limit's 429, response headers, an
 * explicit security requirement) and sorts paths and schemas, so the committed spec only
 * changes when the API does.
 */
export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  const problem = (status: number, description: string) => ({ description, content: problemContent(status) });
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (operation === undefined) continue;
      const extensions = operation as unknown as Record<string, unknown>;
      const limited = extensions['x-rate-limit-policy'] !== NO_RATE_LIMIT;
      if (limited) extensions['x-rate-limit-policy'] ??= 'default';
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('2') || response === undefined || '$ref' in response) continue;
        if (response.description === '') response.description = STATUS_CODES[Number(status)] ?? 'Success';
        response.headers = { ...response.headers, ...requestIdHeader, ...(limited ? rateLimitHeaders : {}) };
      }
      if (limited && operation.responses['429'] === undefined) {
        operation.responses['429'] = {
          ...problem(429, 'Rate limit exceeded; `Retry-After` says how many seconds to wait.'),
          headers: headerRefs('Retry-After'),
        };
      }
      if (operation.requestBody !== undefined) {
        operation.responses['413'] ??= problem(413, 'The request body is larger than the route accepts.');
        operation.responses['415'] ??= problem(415, 'The request body has a content type the route does not accept.');
      }
      if (operation.parameters !== undefined) {
        operation.parameters = operation.parameters.map((parameter) => {
          if ('$ref' in parameter) return parameter;
          if (parameter.in === 'header' && parameter.name in PARAMETER_COMPONENTS) return { $ref: `#/components/parameters/${parameter.name}` };
          return exampleInWords(parameter);
        });
      }
      operation.responses['500'] ??= problem(500, 'An unexpected error; the body names the request id to quote.');
      operation.responses = sortedByKey(operation.responses);
      // Guarded routes name the bearer scheme; saying "none" on the others tells clients and
      // Swagger UI that they are public, rather than leaving it unsaid.
      operation.security ??= [];
    }
  }
  // PartialType copies the create DTO's defaults; on a PATCH they would wrongly suggest that an
  // omitted field is reset, when it is left as it is.
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if (!name.startsWith('Update') || '$ref' in schema) continue;
    for (const property of Object.values(schema.properties ?? {})) {
      if (!('$ref' in property)) delete property.default;
    }
  }
  unwrapSingleRefs(document.components?.schemas ?? {});
  document.components = { ...document.components, headers: sortedByKey({ ...HEADER_COMPONENTS }), parameters: sortedByKey({ ...PARAMETER_COMPONENTS }) };
  document.paths = sortedByKey(document.paths);
  if (document.components?.schemas !== undefined) document.components.schemas = sortedByKey(document.components.schemas);
  return document;
}

export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('SMS bulk-operations API')
    .setDescription(DESCRIPTION)
    .setVersion('1.0.0')
    // A variable rather than a fixed URL: generated clients get a default, Swagger UI an editable host.
    .addServer('http://{host}', 'The service', { host: { default: 'localhost:3000', description: 'Host and port where the service listens' } })
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken from POST /api/v1/auth/login.' }, BEARER_SCHEME)
    // In reading order: Swagger UI shows the groups as declared here.
    .addTag('auth', 'Sign in, sign out, passwords')
    .addTag('users', 'User accounts and roles (admins)')
    .addTag('students', 'Students')
    .addTag('courses', 'Courses')
    .addTag('enrollments', 'Enrollments of students in courses')
    .addTag('imports', 'Roster imports: preview a file, then commit it as a job')
    .addTag('bulk', 'Change or delete every record a filter matches: preview, then commit as a job; undone as imports are')
    .addTag('exports', 'Downloads of students, courses and enrollments, and export jobs')
    .addTag('jobs', 'Background jobs: state, progress, live events, cancellation')
    .addTag('audit', 'The audit trail (admins and auditors)')
    .addTag('backups', 'Backups of the data and their restore (admins)')
    .addTag('health', 'Liveness and readiness')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [ProblemDetailsDto, ...jobContractModels()],
  });
  // Export rows are no DTO class: their keys are the export's columns, named where they are defined.
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...exportRowSchemas() } };
  addExportFilterSchemas(document);
  addJobSchemas(document);
  return finishDocument(document);
}
