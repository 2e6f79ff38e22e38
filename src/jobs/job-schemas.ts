import type { Type } from '@nestjs/common';
import { getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { JobType } from './job.enums';
import { FreeFormJobData, JOB_CONTRACTS } from './job-payloads';

type Schemas = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>;
type SchemaObject = Exclude<Schemas[string], { $ref: string }>;

const FREE_FORM_JOB_DATA = 'FreeFormJobData';

/** The component name of one type's JobDto variant: `bulk_import` → `BulkImportJob`. */
export function jobVariantName(type: JobType): string {
  return `${type.replace(/(^|_)([a-z])/g, (_match, _separator: string, letter: string) => letter.toUpperCase())}Job`;
}

/** The classes the per-type schemas are generated from, for SwaggerModule's extraModels. */
export function jobContractModels(): Type<object>[] {
  const classes = Object.values(JOB_CONTRACTS).flatMap((contract) => [contract.parameters, contract.result]);
  return [...new Set(classes)].filter((model): model is Type<object> => model !== null && model !== FreeFormJobData);
}

function refOf(model: Type<object>): { $ref: string } {
  return { $ref: model === FreeFormJobData ? `#/components/schemas/${FREE_FORM_JOB_DATA}` : getSchemaPath(model) };
}

function objectSchema(schemas: Schemas, name: string): SchemaObject {
  const schema = schemas[name];
  if (schema === undefined || '$ref' in schema) throw new Error(`${name} is missing from the spec: the per-type job schemas are built from it`);
  return schema;
}

/**
 * A whole job built from the class's property examples: without one, example generators (the
 * Postman converter) give up on the nested union and show "Too many levels of nesting".
 */
function exampleOf(schema: Schemas[string] | undefined, schemas: Schemas): unknown {
  if (schema === undefined) return undefined;
  if ('$ref' in schema) return exampleOf(schemas[schema.$ref.split('/').pop()!], schemas);
  if (schema.example !== undefined) return schema.example;
  if (schema.allOf?.length === 1) return exampleOf(schema.allOf[0], schemas);
  if (schema.properties === undefined) return undefined;
  return Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, exampleOf(property, schemas) ?? null]));
}

function dataSchema(type: JobType, result: Type<object> | null): SchemaObject {
  // Not `enum: [null]`: openapi-fetch's Readable drops a member typed only `null` from a response.
  if (result === null) return { type: 'object', nullable: true, allOf: [refOf(FreeFormJobData)], description: `Always null: a \`${type}\` job ends with no data.` };
  return { type: 'object', nullable: true, allOf: [refOf(result)] };
}

/**
 * JobDto as a union (anyOf) of one variant per job type, discriminated by `type`: each variant names its
 * type's parameters and result data schemas, read from JOB_CONTRACTS, so a client that checks
 * `job.type` gets that type's shapes. The fields every job has come from the JobDto and
 * JobResultDto classes, stated once there.
 */
export function addJobSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const job = objectSchema(schemas, 'JobDto');
  const result = objectSchema(schemas, 'JobResultDto');
  // A custom job's data is whatever its runner sent; null would fail the allOf that `nullable` sits beside.
  const example = { ...(exampleOf(job, schemas) as object), result: { ...(exampleOf(result, schemas) as object), data: { synchronised: 1000 } } };
  schemas[FREE_FORM_JOB_DATA] = { type: 'object', additionalProperties: true, description: 'The parameters or result data of a job type with no fixed shape: the JSON object its starter or runner chose.', example: { source: 'registrar-sync' } };
  // Each variant is the class's schema with its per-type members replaced, flat rather than an
  // allOf of shared parts: openapi-diff (the breaking-change gate) takes minutes over such allOfs.
  delete schemas.JobResultDto;
  const mapping: Record<string, string> = {};
  for (const type of Object.values(JobType)) {
    const contract: { parameters: Type<object>; result: Type<object> | null } = JOB_CONTRACTS[type];
    const name = jobVariantName(type);
    mapping[type] = `#/components/schemas/${name}`;
    schemas[name] = {
      ...job,
      description: `A job of type \`${type}\`.`,
      properties: {
        ...job.properties,
        type: { type: 'string', enum: [type] },
        parameters: refOf(contract.parameters),
        result: { ...result, nullable: true, description: 'Set when the job has finished.', properties: { ...result.properties, data: dataSchema(type, contract.result) } },
      },
    };
  }
  schemas.JobDto = {
    description: 'A background job. `type` says which variant it is, and so the shape of its `parameters` and `result.data`.',
    // anyOf rather than oneOf, the same here since each variant fixes `type`: openapi-diff (the
    // breaking-change gate) expands oneOf with the negation of every other variant and never ends.
    anyOf: Object.values(mapping).map(($ref) => ({ $ref })),
    discriminator: { propertyName: 'type', mapping },
    example,
  };
  schemas.JobEvent = {
    description:
      'The `data` of each event of `GET /api/v1/jobs/{id}/events`, one JSON document per event: the job after a change. Each event also has an `id` to send back as `Last-Event-ID`.',
    allOf: [{ $ref: '#/components/schemas/JobDto' }],
  };
}
