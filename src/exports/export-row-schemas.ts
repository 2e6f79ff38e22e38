import { getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { ExportJobParameters } from './dto/export-job.dto';
import { API_PREFIX } from '../common/http/api-prefix';
import { ColumnKind, EXPORT_SOURCES, ExportColumn } from './export-columns';
import { ExportEntity } from './export.enums';

type SchemaObject = Exclude<NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string], { $ref: string }>;

/** The component name of one entity's JSON/NDJSON row: `StudentExportRow`. */
export const EXPORT_ROW_SCHEMA_NAMES: Record<ExportEntity, string> = {
  [ExportEntity.Students]: 'StudentExportRow',
  [ExportEntity.Courses]: 'CourseExportRow',
  [ExportEntity.Enrollments]: 'EnrollmentExportRow',
};

const KIND_SCHEMAS: Record<Exclude<ColumnKind, 'status'>, SchemaObject> = {
  text: { type: 'string' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date' },
  timestamp: { type: 'string', format: 'date-time' },
  // The only JSON column is a course's evaluation rules, written as stored.
  json: { type: 'array', items: { $ref: '#/components/schemas/EvaluationRuleDto' } },
};

function columnSchema(column: ExportColumn): SchemaObject {
  const base = column.kind === 'status' ? { type: 'string', enum: Object.keys(column.valueLabels ?? {}) } : KIND_SCHEMAS[column.kind];
  const optional = column.optional === true ? ' Only when named in `fields`.' : '';
  return { ...base, nullable: true, description: `${column.label.en} (${column.label.el}).${optional}` };
}

/**
 * One row of a JSON or NDJSON export, read from the same columns the writer selects, so the
 * spec cannot name a key the file lacks. No key is required: `fields` chooses which are written.
 */
export function exportRowSchemas(): Record<string, SchemaObject> {
  return Object.fromEntries(
    Object.values(ExportEntity).map((entity) => [
      EXPORT_ROW_SCHEMA_NAMES[entity],
      {
        type: 'object',
        description: `One ${entity.replace(/s$/, '')} of a JSON or NDJSON export: the API's field names and values, the keys \`fields\` names (by default every column but \`deletedAt\`).`,
        properties: Object.fromEntries(EXPORT_SOURCES[entity].columns.map((column) => [column.name, columnSchema(column)])),
      },
    ]),
  );
}

const FILTER_SCHEMA_NAMES: Record<ExportEntity, string> = {
  [ExportEntity.Students]: 'StudentExportFilters',
  [ExportEntity.Courses]: 'CourseExportFilters',
  [ExportEntity.Enrollments]: 'EnrollmentExportFilters',
};

// The query parameters of an export that choose the file rather than the rows (requestOf in the controller).
const OPTION_PARAMETERS = new Set(['format', 'fields', 'lang', 'bom']);

type ParameterSchema = NonNullable<Exclude<NonNullable<OpenAPIObject['paths'][string]['parameters']>[number], { $ref: string }>['schema']>;

/** A parameter's schema as a property, with its description (beside a $ref only through allOf, as OpenAPI 3.0 ignores a $ref's siblings). */
function propertyOf(schema: ParameterSchema | undefined, description: string | undefined): SchemaObject {
  if (schema !== undefined && '$ref' in schema) return { allOf: [schema], description };
  return { ...schema, description };
}

/**
 * An export job's `filters` are the filters of the entity's GET export, sent as an object: each
 * entity's filter schema is read from that route's documented query parameters, so the two
 * cannot drift apart.
 */
export function addExportFilterSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const refs = Object.values(ExportEntity).map((entity) => {
    const parameters = document.paths[`/${API_PREFIX}/exports/${entity}`]?.get?.parameters ?? [];
    const properties = Object.fromEntries(
      parameters.flatMap((parameter) =>
        '$ref' in parameter || parameter.in !== 'query' || OPTION_PARAMETERS.has(parameter.name) ? [] : [[parameter.name, propertyOf(parameter.schema, parameter.description)]],
      ),
    );
    schemas[FILTER_SCHEMA_NAMES[entity]] = {
      type: 'object',
      description: `The filters of \`GET /${API_PREFIX}/exports/${entity}\`, for an export job of ${entity}.`,
      additionalProperties: false,
      properties,
    };
    return { $ref: `#/components/schemas/${FILTER_SCHEMA_NAMES[entity]}` };
  });
  // The job's request and the parameters it keeps hold the same filters.
  for (const name of ['CreateExportJobDto', getSchemaPath(ExportJobParameters).split('/').pop()!]) {
    const schema = schemas[name];
    if (schema === undefined || '$ref' in schema || schema.properties?.filters === undefined || '$ref' in schema.properties.filters) {
      throw new Error(`${name}.filters is missing from the spec: its per-entity schemas have nowhere to go`);
    }
    const { description, example } = schema.properties.filters;
    schema.properties.filters = { description, example, anyOf: refs };
  }
}
