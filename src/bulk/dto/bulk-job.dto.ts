import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ActorDto } from '../../auth/dto/actor.dto';
import { ImportEntity } from '../../imports/import.types';
import type { BulkChangeSet } from '../bulk-change';
import { BulkInvalidPolicy, BulkOperation } from '../bulk.enums';

@ApiSchema({ name: 'BulkChangeJobParameters', description: 'The `parameters` of a `bulk_update` or `bulk_delete` job: the preview it commits, and how.' })
export class BulkJobParameters {
  @ApiProperty({ format: 'uuid' })
  previewId!: string;

  @ApiProperty({ enum: ImportEntity, enumName: 'ImportEntity', example: ImportEntity.Students })
  entity!: ImportEntity;

  @ApiProperty({ enum: BulkOperation, enumName: 'BulkOperation', example: BulkOperation.Update })
  operation!: BulkOperation;

  // The filter and change set describe the preview to whoever reads the job; the handler works from the preview.
  @ApiProperty({ type: 'object', additionalProperties: true, example: { studyYear: 1, classDivision: 'A1', isActive: true } })
  filter!: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    properties: { set: { type: 'object', additionalProperties: true }, increment: { type: 'object', additionalProperties: { type: 'integer' } } },
    required: ['set', 'increment'],
    example: { set: { classDivision: 'B1' }, increment: { studyYear: 1 } },
  })
  change!: BulkChangeSet;

  @ApiProperty({ enum: BulkInvalidPolicy, enumName: 'BulkInvalidPolicy' })
  onInvalid!: BulkInvalidPolicy;

  @ApiProperty()
  confirmMassChange!: boolean;

  /** Who committed it, for the audit row the job writes when it ends. */
  @ApiProperty({ type: ActorDto })
  requestedBy!: ActorDto;

  @ApiProperty({ type: String, nullable: true, example: '8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e' })
  requestId!: string | null;
}

@ApiSchema({ name: 'BulkChangeJobResult', description: 'The `result.data` of a `bulk_update` or `bulk_delete` job that completed.' })
export class BulkJobOutput {
  @ApiProperty({ format: 'uuid' })
  previewId!: string;

  @ApiProperty({ enum: ImportEntity, enumName: 'ImportEntity', example: ImportEntity.Students })
  entity!: ImportEntity;

  /** What it wrote: `GET /imports/jobs/{jobId}/records`. */
  @ApiProperty({ example: '/api/v1/imports/jobs/3f1d6c2e-8a4b-4c1d-9e2f-7a6b5c4d3e2f/records' })
  recordsUrl!: string;

  /** `POST` it to undo the change. */
  @ApiProperty({ example: '/api/v1/imports/jobs/3f1d6c2e-8a4b-4c1d-9e2f-7a6b5c4d3e2f/undo' })
  undoUrl!: string;
}
