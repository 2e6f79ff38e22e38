import type { OpenAPIObject } from '@nestjs/swagger';
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
