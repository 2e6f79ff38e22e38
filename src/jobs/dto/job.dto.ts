import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { UUID_PATTERN } from '../../common/validation/id-param.pipes';
import { JobRecord } from '../job-record';
import { JobRunner, JobStatus, JobType, ProgressUnit } from '../job.enums';

export class JobProgressDto {
  @ApiProperty({ minimum: 0, maximum: 100, example: 50 })
  percentage!: number;

  @ApiProperty({ type: String, nullable: true, example: 'Imported 5 000 of 10 000 rows' })
  message!: string | null;

  @ApiProperty({ type: 'integer', example: 5000 })
  processed!: number;

  @ApiProperty({ type: 'integer', nullable: true, example: 10000 })
  total!: number | null;

  @ApiPropertyOptional({
    enum: ProgressUnit,
    enumName: 'ProgressUnit',
    example: ProgressUnit.Rows,
    description:
      'What `processed` and `total` count: `rows` (a commit of a preview, an export, a bulk change, an undo, a backup, a verify), `bytes` (an import reading its files for the first time; `total` is their size) or `steps`; absent when the job did not say.',
  })
  unit?: ProgressUnit;

  @ApiProperty({ type: 'integer', example: 3 })
  failed!: number;
}

export class JobResultDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ type: String, nullable: true, example: 'Imported 10 000 students' })
  message!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { created: 9000, updated: 1000 } })
  counts!: Record<string, number>;

  @ApiProperty({ type: [String], example: [] })
  errors!: string[];

  @ApiProperty({ type: [String], example: ['Row 17: unknown column "nickname" ignored'] })
  warnings!: string[];

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, example: null })
  data!: Record<string, unknown> | null;
}

export class JobDto {
  @ApiProperty({ format: 'uuid', example: '3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47' })
  id!: string;

  @ApiProperty({ enum: JobType, enumName: 'JobType', example: JobType.Custom })
  type!: JobType;

  @ApiProperty({ enum: JobStatus, enumName: 'JobStatus', example: JobStatus.Processing })
  status!: JobStatus;

  /** `server`: run by the service's workers; `external`: driven by a script through the PATCH endpoints. */
  @ApiProperty({ enum: JobRunner, enumName: 'JobRunner', example: JobRunner.External })
  runner!: JobRunner;

  @ApiProperty({ type: JobProgressDto })
  progress!: JobProgressDto;

  @ApiProperty({ type: JobResultDto, nullable: true })
  result!: JobResultDto | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  error!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { source: 'registrar-sync' } })
  parameters!: Record<string, unknown>;

  /** 1 (lowest) to 10 (highest). */
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10, example: 5 })
  priority!: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: '0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21' })
  createdBy!: string | null;

  @ApiProperty({ example: '2026-11-27T09:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-27T09:00:01.000Z' })
  startedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  finishedAt!: string | null;

  /** When the finished job's record disappears. */
  @ApiProperty({ type: String, nullable: true, example: null })
  expiresAt!: string | null;

  /** Set when someone cancelled a running job; it ends `cancelled` at its next batch boundary. */
  @ApiProperty({ type: String, nullable: true, example: null })
  cancelRequestedAt!: string | null;

  /** Runs so far (retries and runs after a worker died count). */
  @ApiProperty({ type: 'integer', example: 1 })
  attempts!: number;

  static from(record: JobRecord): JobDto {
    const { version: _version, ...job } = record;
    return job;
  }
}

export const JobPageDto = PageOf(JobDto, 'JobPage');

export class CreateJobDto {
  /** Server-run types (bulk_import, export_large, cleanup) start from their own endpoints, not here. */
  @ApiProperty({ enum: JobType, enumName: 'JobType', example: JobType.Custom })
  @IsEnum(JobType)
  type!: JobType;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { source: 'registrar-sync' } })
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;
}

export class JobProgressUpdateDto {
  /** Derived from processed/total when left out. */
  @ApiPropertyOptional({ minimum: 0, maximum: 100, example: 50 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  percentage?: number;

  @ApiPropertyOptional({ maxLength: 500, example: 'Halfway there' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  message?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, example: 500 })
  @IsOptional()
  @IsInt()
  @Min(0)
  processed?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, example: 1000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  total?: number;

  @ApiPropertyOptional({ enum: ProgressUnit, enumName: 'ProgressUnit', example: ProgressUnit.Rows, description: 'What processed and total count.' })
  @IsOptional()
  @IsEnum(ProgressUnit)
  unit?: ProgressUnit;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, example: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  failed?: number;
}

export class JobResultInputDto {
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  success?: boolean;

  @ApiPropertyOptional({ maxLength: 2000, example: 'Synchronised 1 000 records' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  message?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'integer' }, example: { synchronised: 1000 } })
  @IsOptional()
  @IsObject()
  counts?: Record<string, number>;

  @ApiPropertyOptional({ type: [String], maxItems: 1000 })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  errors?: string[];

  @ApiPropertyOptional({ type: [String], maxItems: 1000 })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  warnings?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

export class CompleteJobDto {
  @ApiPropertyOptional({ type: JobResultInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => JobResultInputDto)
  result?: JobResultInputDto;
}

export class FailJobDto {
  @ApiProperty({ maxLength: 2000, example: 'The registrar API answered 503' })
  @IsString()
  @MaxLength(2000)
  error!: string;

  @ApiPropertyOptional({ type: JobResultInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => JobResultInputDto)
  result?: JobResultInputDto;
}

export class JobListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JobStatus, enumName: 'JobStatus', description: 'Only jobs in this state.' })
  @IsOptional()
  @IsEnum(JobStatus)
  status?: JobStatus;

  @ApiPropertyOptional({ enum: JobType, enumName: 'JobType', description: 'Only jobs of this type.' })
  @IsOptional()
  @IsEnum(JobType)
  type?: JobType;

  /** Admins only: the jobs of this user (others always see their own). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Matches(UUID_PATTERN, { message: 'userId must be a UUID' })
  userId?: string;
}
