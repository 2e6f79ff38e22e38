import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsObject, IsOptional } from 'class-validator';
import { MassChangeDto } from '../../imports/dto/import-preview.dto';
import { ImportEntity } from '../../imports/import.types';
import { BulkInvalidPolicy, BulkOperation, BulkPreviewStatus } from '../bulk.enums';

const FILTER_DESCRIPTION =
  'The filters of the entity\'s list and export (`GET /exports/{entity}`), with the same names and rules, except `includeDeleted`: deleted records are never matched. `{}` matches every record.';

export class BulkDeletePreviewRequestDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: FILTER_DESCRIPTION, example: { courseCode: 'MATH101' } })
  @IsObject()
  filter!: Record<string, unknown>;
}

export class BulkUpdatePreviewRequestDto extends BulkDeletePreviewRequestDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Field → value, checked by the rules of the entity\'s PATCH; `null` clears an optional field. Natural keys and unique fields (studentId, email, courseCode) cannot be set in bulk.',
    example: { classDivision: 'B1' },
  })
  @IsOptional()
  @IsObject()
  set?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Whole-number field → amount to add (negative to subtract); a record without a value keeps none. A field cannot be both set and incremented.',
    example: { studyYear: 1 },
  })
  @IsOptional()
  @IsObject()
  increment?: Record<string, unknown>;
}

export class BulkCommitDto {
  @ApiPropertyOptional({ enum: BulkInvalidPolicy, enumName: 'BulkInvalidPolicy', default: BulkInvalidPolicy.Refuse, description: 'refuse: write nothing while the preview lists invalid records; skip: leave them as they are and change the others.' })
  @IsOptional()
  @IsEnum(BulkInvalidPolicy)
  onInvalid: BulkInvalidPolicy = BulkInvalidPolicy.Refuse;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Needed when the preview\'s `massChange.confirmationNeeded` is true.' })
  @IsOptional()
  @IsBoolean()
  confirmMassChange: boolean = false;
}

export class BulkSampleRecordDto {
  @ApiProperty({ type: 'integer', example: 42 })
  recordId!: number;

  @ApiProperty({ description: 'studentId, courseCode, or "studentId / courseCode" for an enrollment.', example: 'AK123456' })
  key!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The changed fields as they are (a delete: `{ deleted: false }`).', example: { classDivision: 'A1', studyYear: 1 } })
  before!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The changed fields as the commit would leave them.', example: { classDivision: 'B1', studyYear: 2 } })
  after!: Record<string, unknown>;
}

export class BulkInvalidRecordDto {
  @ApiProperty({ type: 'integer', example: 43 })
  recordId!: number;

  @ApiProperty({ example: 'AK123457' })
  key!: string;

  @ApiProperty({ example: 'studyYear' })
  field!: string;

  @ApiProperty({ description: 'The issue code, as an import reports the same problem in a row.', example: 'out_of_range' })
  code!: string;

  @ApiProperty({ example: 'studyYear would be outside 1..6' })
  message!: string;

  @ApiProperty({ type: 'integer', description: 'The value the change would give the field.', example: 7 })
  value!: number;
}

export class BulkInvalidRecordsDto {
  @ApiProperty({ type: 'integer', description: 'Every (record, field) the change would make invalid.', example: 1 })
  total!: number;

  @ApiProperty({ type: [BulkInvalidRecordDto], description: 'The first 100, by record id and field.' })
  items!: BulkInvalidRecordDto[];
}

export class BulkEnrollmentConsequenceDto {
  @ApiProperty({ type: 'integer', description: 'Visible enrollments of the matching records.', example: 35 })
  affected!: number;

  @ApiProperty({
    example:
      '35 enrollments of these students stay stored as they are but are hidden (lists, exports, the enrollments API) while their student is deleted, as when a student is deleted through the API; restoring the student or undoing this job shows them again.',
  })
  consequence!: string;
}

/** A previewed bulk change: what a commit would do, kept for its owner until `expiresAt`. */
export class BulkPreviewDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The user who made it: only they (and admins) read it, only they commit it.' })
  createdBy!: string;

  @ApiProperty({ enum: ImportEntity, enumName: 'ImportEntity', example: ImportEntity.Students })
  entity!: ImportEntity;

  @ApiProperty({ enum: BulkOperation, enumName: 'BulkOperation', example: BulkOperation.Update })
  operation!: BulkOperation;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The filter as checked.', example: { studyYear: 1, classDivision: 'A1', isActive: true } })
  filter!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The change set as checked (`set`, `increment`); empty for a delete.', example: { set: { classDivision: 'B1' }, increment: { studyYear: 1 } } })
  change!: Record<string, unknown>;

  @ApiProperty({ type: 'integer', description: 'Records the filter matches.', example: 10000 })
  matched!: number;

  @ApiProperty({ type: 'integer', description: 'Records the commit would write: matched, less those the change leaves as they are and those it would make invalid.', example: 9990 })
  changing!: number;

  @ApiProperty({ type: 'integer', description: 'Records the change would make invalid: the commit refuses while there are any, unless onInvalid=skip.', example: 1 })
  invalid!: number;

  @ApiProperty({ type: [BulkSampleRecordDto], description: 'The first 20 records that would change, by id.' })
  sample!: BulkSampleRecordDto[];

  @ApiProperty({ type: BulkInvalidRecordsDto })
  invalidRecords!: BulkInvalidRecordsDto;

  @ApiProperty({ type: MassChangeDto, description: 'Whether the commit needs `confirmMassChange: true` (IMPORT_MASS_CHANGE_PERCENT, as for imports).' })
  massChange!: MassChangeDto;

  @ApiProperty({ type: BulkEnrollmentConsequenceDto, nullable: true, description: 'A delete of students or courses: what happens to their enrollments. null otherwise.' })
  enrollments!: BulkEnrollmentConsequenceDto | null;

  @ApiProperty({ enum: BulkPreviewStatus, enumName: 'BulkPreviewStatus', example: BulkPreviewStatus.Ready })
  status!: BulkPreviewStatus;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The bulk_update or bulk_delete job of its commit.' })
  jobId!: string | null;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty({ description: 'After this it can no longer be read or committed (IMPORT_PREVIEW_TTL_HOURS).' })
  expiresAt!: Date;
}
