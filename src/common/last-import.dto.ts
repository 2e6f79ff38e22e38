import { ApiProperty } from '@nestjs/swagger';
import type { LastImport } from './last-import.embeddable';

/** Which committed import last wrote a record, and from which row of which file. */
export class LastImportDto {
  @ApiProperty({ format: 'uuid', description: 'The bulk_import job; `GET /imports/jobs/{jobId}/records` lists what it wrote.' })
  jobId!: string;

  @ApiProperty({ example: 'μαθητές-2026.csv' })
  fileName!: string;

  @ApiProperty({ type: 'integer', example: 7, description: 'The row of the file, numbered as in the preview issues.' })
  row!: number;

  static of(lastImport: LastImport | null | undefined): LastImportDto | null {
    return lastImport == null ? null : { jobId: lastImport.jobId, fileName: lastImport.file, row: lastImport.row };
  }
}
