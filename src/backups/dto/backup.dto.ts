import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsBoolean, IsOptional } from 'class-validator';
import { ActorDto } from '../../auth/dto/actor.dto';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { BACKUP_TABLES, BackupPart, BackupRecord, BackupTable, countsOf } from '../backup.types';

export class CreateBackupDto {
  /** Also back up the users' password hashes, so that a restore brings back their passwords. Without them a restore keeps each user's current password. */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  includePasswordHashes?: boolean;
}

export class RestoreBackupDto {
  /** Must be `true`: a restore replaces the students, courses, enrollments and users. */
  @ApiProperty({ type: Boolean, enum: [true], example: true })
  @Equals(true, { message: 'confirm must be true: a restore replaces the students, courses, enrollments and users' })
  confirm!: true;
}

export class BackupListQueryDto extends PageQueryDto {}

export class BackupPartDto {
  @ApiProperty({ enum: BACKUP_TABLES, enumName: 'BackupTable' })
  table!: BackupTable;

  /** The table's columns in the order the part holds them. */
  @ApiProperty({ type: [String], example: ['id', 'course_code', 'course_name'] })
  columns!: string[];

  @ApiProperty({ type: 'integer', example: 1000 })
  rowCount!: number;

  /** Size of the part's uncompressed COPY text. */
  @ApiProperty({ type: 'integer', example: 182_000 })
  sizeBytes!: number;

  /** sha256 of the part's uncompressed COPY text, hex. */
  @ApiProperty({ example: '9f2c6a1d0b5e4f7a8c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b' })
  sha256!: string;

  static from(part: BackupPart): BackupPartDto {
    return { table: part.table, columns: part.columns, rowCount: part.rowCount, sizeBytes: part.sizeBytes, sha256: part.sha256 };
  }
}

export class BackupDto {
  /** The backup's id, which is also the id of the `backup` job that took it. */
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** When the snapshot was taken, ISO 8601 UTC. */
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: ActorDto })
  createdBy!: ActorDto;

  /** The last migration applied to the database at the time: a backup restores only into a database at the same one. */
  @ApiProperty({ example: 'Migration20261127133653_import_plan_digest' })
  schemaVersion!: string;

  /** Whether the current database is at the backup's schema version, so that it can be restored now. */
  @ApiProperty()
  restorable!: boolean;

  @ApiProperty()
  includesPasswordHashes!: boolean;

  /** The name the download is given. */
  @ApiProperty({ example: 'sms-backup-20261130T101500Z.tar.gz' })
  fileName!: string;

  /** Size of the archive (`.tar.gz`). */
  @ApiProperty({ type: 'integer', example: 40_000_000 })
  sizeBytes!: number;

  /** sha256 of the archive, hex: what `sha256sum` of the download prints. */
  @ApiProperty({ example: '0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b9f2c6a1d0b5e4f7a8c3d2e1f' })
  sha256!: string;

  /** Rows per table. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { users: 3, courses: 40, students: 1000, enrollments: 5000 } })
  counts!: Record<BackupTable, number>;

  @ApiProperty({ type: [BackupPartDto] })
  parts!: BackupPartDto[];

  static from(record: BackupRecord, currentSchemaVersion: string): BackupDto {
    return {
      id: record.id,
      createdAt: record.createdAt,
      createdBy: record.createdBy,
      schemaVersion: record.schemaVersion,
      restorable: record.schemaVersion === currentSchemaVersion,
      includesPasswordHashes: record.includesPasswordHashes,
      fileName: record.archive.fileName,
      sizeBytes: record.archive.sizeBytes,
      sha256: record.archive.sha256,
      counts: countsOf(record.parts),
      parts: record.parts.map(BackupPartDto.from),
    };
  }
}

export const BackupPageDto = PageOf(BackupDto, 'BackupPage');
