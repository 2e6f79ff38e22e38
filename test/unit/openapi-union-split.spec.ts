import { withDiscriminatedUnionsSplit } from '../../scripts/openapi-union-split';

const spec = {
  openapi: '3.0.0',
  paths: { '/jobs/{id}': { get: { responses: { 200: { description: 'A job', content: { 'application/json': { schema: { $ref: '#/components/schemas/JobDto' } } } } } } } },
  components: {
    schemas: {
      JobDto: {
        anyOf: [{ $ref: '#/components/schemas/ExportJob' }, { $ref: '#/components/schemas/BackupJob' }],
        discriminator: { propertyName: 'type', mapping: { export_large: '#/components/schemas/ExportJob', backup: '#/components/schemas/BackupJob' } },
      },
      ExportJob: { type: 'object', properties: { type: { type: 'string' }, rows: { type: 'integer' } } },
      BackupJob: { type: 'object', properties: { type: { type: 'string' } } },
      Mixed: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    },
  },
};

describe('withDiscriminatedUnionsSplit (the breaking-change check)', () => {
  const split = JSON.parse(withDiscriminatedUnionsSplit(JSON.stringify(spec))) as typeof spec & { paths: Record<string, unknown> };

  it('answers each variant on a path of its own', () => {
    expect(split.paths['/discriminated-union/JobDto/export_large']).toMatchObject({
      get: { responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ExportJob' } } } } } },
    });
    expect(split.paths['/discriminated-union/JobDto/backup']).toMatchObject({
      get: { responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/BackupJob' } } } } } },
    });
    expect(split.paths['/jobs/{id}']).toEqual(spec.paths['/jobs/{id}']);
  });

  it('leaves of the union its discriminator values, and other unions and schemas as they were', () => {
    expect(split.components.schemas.JobDto).toEqual({
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string', enum: ['export_large', 'backup'] } },
    });
    expect(split.components.schemas.Mixed).toEqual(spec.components.schemas.Mixed);
    expect(split.components.schemas.ExportJob).toEqual(spec.components.schemas.ExportJob);
  });
});
