import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { toBoolean } from '../../common/validation/transforms';
import { ImportRecordOutcome } from '../import-undo';

/** What an undo does with records changed after the import. */
export enum UndoConflictPolicy {
  /** Undo nothing while any record was changed after the import (409 undo_conflict). */
  Refuse = 'refuse',
  /** Undo the others and leave the changed ones as they are. */
  Skip = 'skip',
}

/** One record a committed import wrote. */
export class ImportRecordDto {
  @ApiProperty({ type: 'integer', example: 42 })
  recordId!: number;

  @ApiProperty({ description: 'studentId, courseCode, or "studentId / courseCode" for an enrollment.', example: 'AK123456' })
  key!: string;

  @ApiProperty({ enum: ImportRecordOutcome, enumName: 'ImportRecordOutcome', example: ImportRecordOutcome.Updated })
  outcome!: ImportRecordOutcome;

  @ApiProperty({ type: String, nullable: true, description: 'null for a created record that a later import wrote again.', example: 'μαθητές-2026.csv' })
  fileName!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 7 })
  row!: number | null;

  @ApiProperty({ description: 'Changed after the import (API, another import or an undo): an undo leaves it alone or refuses.', example: false })
  changed!: boolean;

  @ApiProperty({ example: '2026-09-01T08:00:00.000Z' })
  updatedAt!: Date;
}

export const ImportRecordPageDto = PageOf(ImportRecordDto, 'ImportRecordPage');

export class ImportRecordQueryDto extends PageQueryDto {
  /** Only the records with this outcome. */
  @ApiPropertyOptional({ enum: ImportRecordOutcome, enumName: 'ImportRecordOutcome' })
  @IsOptional()
  @IsEnum(ImportRecordOutcome)
  outcome?: ImportRecordOutcome;
}

export class ImportUndoQueryDto {
  /** Answer the counts and the conflicts, write nothing. */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  dryRun: boolean = false;

  /** refuse: undo nothing while a record was changed after the import (409 undo_conflict); skip: undo the others. */
  @ApiPropertyOptional({ enum: UndoConflictPolicy, enumName: 'UndoConflictPolicy', default: UndoConflictPolicy.Refuse })
  @IsOptional()
  @IsEnum(UndoConflictPolicy)
  onConflict: UndoConflictPolicy = UndoConflictPolicy.Refuse;
}

export class ImportUndoCountsDto {
  @ApiProperty({ type: 'integer', description: 'Created records that would be (soft-)deleted.' })
  created!: number;

  @ApiProperty({ type: 'integer', description: 'Updated records whose prior values would come back.' })
  updated!: number;

  @ApiProperty({ type: 'integer', description: 'Restored records that would be deleted again.' })
  restored!: number;

  @ApiProperty({ type: 'integer', description: 'Records a bulk_delete job deleted, which would be restored (0 for an import).' })
  deleted!: number;

  @ApiProperty({ type: 'integer', description: 'Records changed after the import, left alone by onConflict=skip.' })
  conflicts!: number;
}

/** The answer of a dry run: what the undo would do. */
export class ImportUndoPreviewDto {
  @ApiProperty({ format: 'uuid' })
  importJobId!: string;

  @ApiProperty({ type: ImportUndoCountsDto })
  counts!: ImportUndoCountsDto;

  @ApiProperty({ type: () => ImportRecordPageDto, description: 'The first conflicts; the rest from `GET /imports/jobs/{jobId}/conflicts`.' })
  conflicts!: InstanceType<typeof ImportRecordPageDto>;
}
