import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { toBoolean } from '../../common/validation/transforms';
import { ImportEntity, ImportFormat, IssueSeverity } from '../import.types';
import { ImportPreviewStatus, InvalidRowPolicy } from '../import-options';
import { ImportMode } from '../rows/import-mode';

/** How to import: shared by the preview, the upload and the directory imports. */
export class ImportBehaviourDto {
  /** upsert creates new records and updates existing ones; create only creates; update only updates. */
  @ApiPropertyOptional({ enum: ImportMode, enumName: 'ImportMode', default: ImportMode.Upsert })
  @IsOptional()
  @IsEnum(ImportMode)
  mode: ImportMode = ImportMode.Upsert;

  /** abort writes nothing while any row is invalid; skip writes the valid rows and reports the others. */
  @ApiPropertyOptional({ enum: InvalidRowPolicy, enumName: 'InvalidRowPolicy', default: InvalidRowPolicy.Abort })
  @IsOptional()
  @IsEnum(InvalidRowPolicy)
  onInvalid: InvalidRowPolicy = InvalidRowPolicy.Abort;

  /**
   * Write even if the import updates or restores more than IMPORT_MASS_CHANGE_PERCENT of the
   * entity's records, or deactivates students. Used by uploads and directory imports; a preview
   * takes it at commit instead.
   */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  confirmMassChange: boolean = false;
}

/** The optional body of a commit. */
export class ImportCommitDto {
  /** Needed when the preview's `massChange.confirmationNeeded` is true. */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @IsBoolean()
  confirmMassChange: boolean = false;
}

/** The mass-change guard's verdict on a plan. */
export class MassChangeDto {
  @ApiProperty({ type: 'integer', description: 'Records of the entity, deleted ones included, when the plan was made.', example: 1200 })
  existing!: number;

  @ApiProperty({ type: 'integer', description: 'Records the import updates or restores.', example: 360 })
  changed!: number;

  @ApiProperty({ description: 'changed as a percentage of existing.', example: 30 })
  percent!: number;

  @ApiProperty({ type: 'integer', description: 'IMPORT_MASS_CHANGE_PERCENT.', example: 20 })
  thresholdPercent!: number;

  @ApiProperty({ type: 'integer', description: 'Active students the import makes inactive.', example: 0 })
  deactivated!: number;

  @ApiProperty({ description: 'The commit needs confirmMassChange: true.', example: true })
  confirmationNeeded!: boolean;
}

/** The form fields of an upload, besides the file. */
export class ImportOptionsDto extends ImportBehaviourDto {
  @ApiProperty({ enum: ImportEntity, enumName: 'ImportEntity', example: ImportEntity.Students })
  @IsEnum(ImportEntity)
  entity!: ImportEntity;

  /** XLSX only: the worksheet to read; the first one by default. */
  @ApiPropertyOptional({ maxLength: 100, example: 'Μαθητές' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  sheet?: string;
}

/** The multipart body, for the spec: send the fields before the file. */
export class ImportUploadBodyDto extends ImportOptionsDto {
  /** CSV (`,` `;` or tab; UTF-8, UTF-16, Windows-1253 or ISO-8859-7), JSON, NDJSON or XLSX. */
  @ApiProperty({ type: 'string', format: 'binary' })
  file!: unknown;
}

export class DetectedColumnDto {
  /** 0-based position in the file. */
  @ApiProperty({ type: 'integer', example: 0 })
  index!: number;

  /** The header as written in the file. */
  @ApiProperty({ example: 'Επώνυμο:' })
  column!: string;

  /** The field it fills; null for a column the import ignores. */
  @ApiProperty({ type: String, nullable: true, example: 'lastName' })
  field!: string | null;
}

export class ImportDetectionDto {
  @ApiProperty({ enum: ImportFormat, enumName: 'ImportFormat', example: ImportFormat.Csv })
  format!: ImportFormat;

  @ApiProperty({ type: String, nullable: true, example: 'windows-1253' })
  encoding!: string | null;

  @ApiProperty({ type: String, nullable: true, example: ';' })
  delimiter!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  sheet!: string | null;

  @ApiProperty({ type: [DetectedColumnDto] })
  columns!: DetectedColumnDto[];
}

/** totalRows = create + update + unchanged + skip + invalidRows. */
export class ImportSummaryDto {
  @ApiProperty({ type: 'integer', example: 120 })
  totalRows!: number;

  @ApiProperty({ type: 'integer', example: 118 })
  validRows!: number;

  @ApiProperty({ type: 'integer', example: 2 })
  invalidRows!: number;

  /** Valid rows with at least one warning. */
  @ApiProperty({ type: 'integer', example: 3 })
  warningRows!: number;

  @ApiProperty({ type: 'integer', example: 100 })
  create!: number;

  @ApiProperty({ type: 'integer', example: 15 })
  update!: number;

  @ApiProperty({ type: 'integer', example: 2 })
  unchanged!: number;

  /** Valid rows left out: duplicates in the file, records that mode create/update does not touch, unknown references. */
  @ApiProperty({ type: 'integer', example: 1 })
  skip!: number;
}

export class ImportIssueDto {
  /** Source line (CSV, NDJSON), sheet row (XLSX) or record number (JSON); 0 for the header or the whole file. */
  @ApiProperty({ type: 'integer', example: 7 })
  row!: number;

  @ApiProperty({ type: String, nullable: true, example: 'Ηλ. Ταχυδρομείο:' })
  column!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'email' })
  field!: string | null;

  @ApiProperty({ enum: IssueSeverity, enumName: 'IssueSeverity', example: IssueSeverity.Error })
  severity!: IssueSeverity;

  /** Stable code; docs/imports.md lists each with its fix. */
  @ApiProperty({ example: 'invalid_email' })
  code!: string;

  @ApiProperty({ example: 'email "maria.papadopoulou@" is not a valid email address' })
  message!: string;

  @ApiProperty({ type: String, nullable: true, example: 'maria.papadopoulou@' })
  value!: string | null;
}

export const ImportIssuePageDto = PageOf(ImportIssueDto, 'ImportIssuePage');

export class ImportPreviewDto {
  @ApiProperty({ format: 'uuid', example: '5f0c1f5e-8a39-4d8e-9a59-2f8a3d1f7c11' })
  id!: string;

  @ApiProperty({ enum: ImportEntity, enumName: 'ImportEntity' })
  entity!: ImportEntity;

  @ApiProperty({ enum: ImportPreviewStatus, enumName: 'ImportPreviewStatus', example: ImportPreviewStatus.Ready })
  status!: ImportPreviewStatus;

  @ApiProperty({ enum: ImportMode, enumName: 'ImportMode' })
  mode!: ImportMode;

  @ApiProperty({ enum: InvalidRowPolicy, enumName: 'InvalidRowPolicy' })
  onInvalid!: InvalidRowPolicy;

  @ApiProperty({ example: 'μαθητές-2026.csv' })
  fileName!: string;

  @ApiProperty({ type: 'integer', example: 48213 })
  fileSize!: number;

  @ApiProperty({ example: '3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b' })
  sha256!: string;

  @ApiProperty({ type: ImportDetectionDto, nullable: true })
  detected!: ImportDetectionDto | null;

  @ApiProperty({ type: ImportSummaryDto, nullable: true })
  summary!: ImportSummaryDto | null;

  /** Whether the commit will need `confirmMassChange: true`, and why; null until planned. */
  @ApiProperty({ type: MassChangeDto, nullable: true })
  massChange!: MassChangeDto | null;

  /** True when a commit would write: no header error, and no invalid row unless onInvalid is skip. */
  @ApiProperty({ example: true })
  canCommit!: boolean;

  /** The job that commits (or committed) this preview. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: null })
  jobId!: string | null;

  @ApiProperty({ example: '2026-11-27T10:00:00.000Z' })
  createdAt!: Date;

  /** After this the preview and its stored file are removed. */
  @ApiProperty({ example: '2026-11-28T10:00:00.000Z' })
  expiresAt!: Date;

  /** One page of the issues, ordered by row. */
  @ApiProperty({ type: ImportIssuePageDto })
  issues!: InstanceType<typeof ImportIssuePageDto>;
}

export class ImportIssueQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: IssueSeverity, enumName: 'IssueSeverity', description: 'Only issues of this severity.' })
  @IsOptional()
  @IsEnum(IssueSeverity)
  severity?: IssueSeverity;

  @ApiPropertyOptional({ maxLength: 50, example: 'invalid_email', description: 'Only issues with this code (docs/imports.md lists them).' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  code?: string;
}
