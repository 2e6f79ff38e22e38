import { ApiProperty, ApiPropertyOptions, ApiSchema, PickType } from '@nestjs/swagger';
import { ActorDto } from '../../auth/dto/actor.dto';
import { BACKUP_TABLES, BackupTable } from '../backup.types';
import { BackupDto } from './backup.dto';

/** Rows per table, every table named. */
const TABLE_COUNTS: ApiPropertyOptions = {
  type: 'object',
  required: [...BACKUP_TABLES],
  selfRequired: true,
  properties: Object.fromEntries(BACKUP_TABLES.map((table) => [table, { type: 'integer' }])),
  example: { users: 3, courses: 40, students: 1000, enrollments: 5000 },
};

/** The id of the request that started a job, so the job's audit row links to the request's. */
const REQUEST_ID = { type: String, nullable: true, example: '8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e' } as const;

@ApiSchema({ name: 'BackupJobParameters', description: 'The `parameters` of a `backup` job.' })
export class BackupJobParameters {
  @ApiProperty()
  includePasswordHashes!: boolean;

  @ApiProperty({ type: ActorDto })
  requestedBy!: ActorDto;

  @ApiProperty(REQUEST_ID)
  requestId!: string | null;
}

@ApiSchema({ name: 'BackupRestoreJobParameters', description: 'The `parameters` of a `backup_restore` job.' })
export class RestoreJobParameters {
  @ApiProperty({ format: 'uuid' })
  backupId!: string;

  @ApiProperty({ type: ActorDto })
  requestedBy!: ActorDto;

  @ApiProperty(REQUEST_ID)
  requestId!: string | null;
}

@ApiSchema({ name: 'BackupJobResult', description: 'The `result.data` of a `backup` job: the backup it took.' })
export class BackupJobOutput extends PickType(BackupDto, ['fileName', 'sizeBytes', 'sha256', 'schemaVersion'] as const) {
  @ApiProperty({ format: 'uuid' })
  backupId!: string;

  @ApiProperty(TABLE_COUNTS)
  counts!: Record<BackupTable, number>;
}

@ApiSchema({ name: 'BackupRestoreJobResult', description: 'The `result.data` of a `backup_restore` job: the rows now in each table.' })
export class RestoreJobOutput {
  @ApiProperty({ format: 'uuid' })
  backupId!: string;

  @ApiProperty(TABLE_COUNTS)
  counts!: Record<BackupTable, number>;
}
