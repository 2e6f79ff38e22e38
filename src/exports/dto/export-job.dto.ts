import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ExportFilters } from '../export-filters';
import { ExportEntity, ExportFormat, ExportLanguage } from '../export.enums';

/** What an export job keeps in its parameters: the export as asked for, with the fields resolved. */
@ApiSchema({ name: 'ExportLargeJobParameters', description: 'The `parameters` of an `export_large` job.' })
export class ExportJobParameters {
  @ApiProperty({ enum: ExportEntity, enumName: 'ExportEntity' })
  entity!: ExportEntity;

  @ApiProperty({ enum: ExportFormat, enumName: 'ExportFormat' })
  format!: ExportFormat;

  /** The filters that apply to `entity` (the spec names them per entity). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  filters!: ExportFilters;

  /** The columns written, in order. */
  @ApiProperty({ type: [String], example: ['studentId', 'email', 'lastName'] })
  fields!: string[];

  @ApiProperty({ enum: ExportLanguage, enumName: 'ExportLanguage' })
  language!: ExportLanguage;

  /** Whether a CSV starts with a UTF-8 byte order mark. */
  @ApiProperty()
  byteOrderMark!: boolean;
}

@ApiSchema({ name: 'ExportLargeJobResult', description: 'The `result.data` of an `export_large` job: the file to download.' })
export class ExportJobOutput {
  @ApiProperty({ enum: ExportEntity, enumName: 'ExportEntity' })
  entity!: ExportEntity;

  @ApiProperty({ enum: ExportFormat, enumName: 'ExportFormat' })
  format!: ExportFormat;

  @ApiProperty({ example: 'students-20261127T090000Z.csv' })
  fileName!: string;

  @ApiProperty({ example: 'text/csv; charset=utf-8' })
  contentType!: string;

  @ApiProperty({ type: 'integer', example: 10_000 })
  rowCount!: number;

  @ApiProperty({ type: 'integer', example: 1_482_113 })
  sizeBytes!: number;

  /** sha256 of the file, hex. */
  @ApiProperty({ example: '0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b9f2c6a1d0b5e4f7a8c3d2e1f' })
  sha256!: string;
}
