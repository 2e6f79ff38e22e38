import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { InvalidRowPolicy } from '../import-options';
import { ImportEntity } from '../import.types';
import { ImportMode } from '../rows/import-mode';
import { UndoConflictPolicy } from './import-undo.dto';

/** One file of an import, as its preview received it. */
export class ImportJobFileDto {
  @ApiProperty({ example: 'students.csv' })
  fileName!: string;

  /** sha256 of the file's bytes, hex. */
  @ApiProperty({ example: '9f2c6a1d0b5e4f7a8c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b' })
  sha256!: string;

  /** Bytes. */
  @ApiProperty({ type: 'integer', example: 48_213 })
  size!: number;
}

@ApiSchema({ name: 'BulkImportJobParameters', description: 'The `parameters` of a `bulk_import` job.' })
export class ImportJobParameters {
  @ApiProperty({ type: [String], format: 'uuid' })
  previewIds!: string[];

  /** True when a preview request made the plan: the job applies it only if it still holds. */
  @ApiProperty()
  recheck!: boolean;

  /** Write even if the mass-change guard asks for confirmation (absent in jobs queued before it existed). */
  @ApiPropertyOptional()
  confirmMassChange?: boolean;

  // The rest describes the import to whoever reads the job; the handler works from the previews.
  @ApiProperty({ enum: ImportEntity, enumName: 'ImportEntity' })
  entity!: ImportEntity;

  @ApiProperty({ enum: ImportMode, enumName: 'ImportMode' })
  mode!: ImportMode;

  @ApiProperty({ enum: InvalidRowPolicy, enumName: 'InvalidRowPolicy' })
  onInvalid!: InvalidRowPolicy;

  @ApiProperty({ type: [ImportJobFileDto] })
  files!: ImportJobFileDto[];
}

@ApiSchema({ name: 'BulkImportUndoJobParameters', description: 'The `parameters` of a `bulk_import_undo` job.' })
export class ImportUndoJobParameters {
  /** The bulk_import job whose import is undone. */
  @ApiProperty({ format: 'uuid' })
  importJobId!: string;

  @ApiProperty({ enum: ImportEntity, enumName: 'ImportEntity' })
  entity!: ImportEntity;

  @ApiProperty({ enum: UndoConflictPolicy, enumName: 'UndoConflictPolicy' })
  onConflict!: UndoConflictPolicy;

  /** The dry-run counts when the undo was asked for; the job counts again. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { created: 2, updated: 1, restored: 0, conflicts: 0 } })
  counts!: Record<string, number>;
}

@ApiSchema({ name: 'BulkImportUndoJobResult', description: 'The `result.data` of a `bulk_import_undo` job.' })
export class ImportUndoJobOutput {
  @ApiProperty({ format: 'uuid' })
  importJobId!: string;

  @ApiProperty({ enum: ImportEntity, enumName: 'ImportEntity' })
  entity!: ImportEntity;

  /** The records changed after the import, which the undo left alone (skip) or refused for. */
  @ApiProperty({ example: '/api/v1/imports/jobs/3b8f2e4a-7c1d-4e9a-b5f6-0d2c8a1e9f47/conflicts' })
  conflictsUrl!: string;
}
