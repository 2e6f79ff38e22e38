import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { PageOf } from '../../common/pagination/page.dto';
import { UUID_PATTERN } from '../../common/validation/id-param.pipes';
import { IsNotBefore } from '../../common/validation/date.validators';
import { toBoolean, toTrimmedLowercase } from '../../common/validation/transforms';
import { AuditLog } from '../audit-log.entity';
import { AuditAction, AuditResource } from '../audit.enums';
import { AUDIT_DETAILS_MODELS } from './audit-details.dto';

@ApiExtraModels(...AUDIT_DETAILS_MODELS)
export class AuditLogDto {
  @ApiProperty({ type: 'integer', example: 1024 })
  id!: number;

  @ApiProperty({ example: '2026-11-27T08:45:12.345Z' })
  timestamp!: Date;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: '0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21' })
  userId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'secretary@school.example' })
  email!: string | null;

  @ApiProperty({ enum: AuditAction, enumName: 'AuditAction', example: AuditAction.Update })
  action!: AuditAction;

  @ApiProperty({ enum: AuditResource, enumName: 'AuditResource', example: AuditResource.Student })
  resource!: AuditResource;

  @ApiProperty({ type: String, nullable: true, example: '42' })
  resourceId!: string | null;

  /** The client address (from X-Forwarded-For only when the peer is a trusted proxy). */
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ipAddress!: string | null;

  /** The address of the connection's peer (the proxy, when there is one). */
  @ApiProperty({ type: String, nullable: true, example: '10.0.0.2' })
  peerAddress!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64)' })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e' })
  requestId!: string | null;

  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ type: 'integer', nullable: true, example: 200 })
  statusCode!: number | null;

  /** The problem `code` of a failure. */
  @ApiProperty({ type: String, nullable: true, example: null })
  errorCode!: string | null;

  @ApiProperty({
    nullable: true,
    // anyOf, not oneOf: the plain object that stands for the other actions matches every shape too.
    anyOf: [...AUDIT_DETAILS_MODELS.map((model) => ({ $ref: getSchemaPath(model) })), { type: 'object', additionalProperties: true }],
    example: { fields: ['email', 'studyYear'] },
    description:
      'Facts of the action, never values a request carried; each named schema says which actions write it. Other rows (an audit export, a refused export) ' +
      'hold the query asked for; a failed background action has `error`. Null when there is nothing to add (sign-in, sign-out, password change).',
  })
  details!: Record<string, unknown> | null;

  /** The row's place in the hash chain: 1, 2, 3… in commit order, without gaps. */
  @ApiProperty({ type: 'integer', example: 1000 })
  seq!: number;

  /** The hash of the row at seq - 1 (64 zeros for the first row). */
  @ApiProperty({ example: '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8' })
  prevHash!: string;

  /** SHA-256 (hex) of the row's canonical encoding, prevHash included (docs/audit.md, section 10). */
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  hash!: string;

  static from(row: AuditLog): AuditLogDto {
    return {
      id: Number(row.id),
      timestamp: row.timestamp,
      userId: row.userId ?? null,
      email: row.email ?? null,
      action: row.action,
      resource: row.resource,
      resourceId: row.resourceId ?? null,
      ipAddress: row.ipAddress ?? null,
      peerAddress: row.peerAddress ?? null,
      userAgent: row.userAgent ?? null,
      requestId: row.requestId ?? null,
      success: row.success,
      statusCode: row.statusCode ?? null,
      errorCode: row.errorCode ?? null,
      details: row.details ?? null,
      seq: Number(row.seq),
      prevHash: row.prevHash,
      hash: row.hash,
    };
  }
}

export const AuditLogPageDto = PageOf(AuditLogDto, 'AuditLogPage');

/** The filters shared by the list and the export. */
export class AuditFilterDto {
  @ApiPropertyOptional({ enum: AuditAction, enumName: 'AuditAction', description: 'Only rows of this action, e.g. `update` (`GET /audit/actions` lists them).' })
  @IsOptional()
  @IsEnum(AuditAction)
  action?: AuditAction;

  @ApiPropertyOptional({ enum: AuditResource, enumName: 'AuditResource', description: 'Only rows about this kind of resource, e.g. `student` (`GET /audit/resources` lists them).' })
  @IsOptional()
  @IsEnum(AuditResource)
  resource?: AuditResource;

  @ApiPropertyOptional({ maxLength: 100, example: '42', description: 'Only rows about the resource with this id (with `resource`, one record).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  resourceId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only rows of the acting user with this id.' })
  @IsOptional()
  @Matches(UUID_PATTERN, { message: 'userId must be a UUID' })
  userId?: string;

  /** The acting user's email, exactly (case-insensitive). */
  @ApiPropertyOptional({ maxLength: 254, example: 'secretary@school.example' })
  @Transform(toTrimmedLowercase)
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  /** From this instant on (ISO 8601, e.g. `2026-11-01` or `2026-11-01T08:00:00Z`). */
  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startDate?: string;

  /** Up to this instant, inclusive; not before `startDate`. */
  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-30T23:59:59Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsNotBefore('startDate')
  endDate?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'true: only actions that succeeded; false: only refused or failed ones.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  success?: boolean;

  @ApiPropertyOptional({ maxLength: 64, description: 'Only rows of the request with this id (the `X-Request-ID` of its response).' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  requestId?: string;
}

export class AuditListQueryDto extends IntersectionType(AuditFilterDto, PageQueryDto) {}

export enum AuditExportFormat {
  Csv = 'csv',
  Ndjson = 'ndjson',
}

export class AuditExportQueryDto extends AuditFilterDto {
  @ApiProperty({ enum: AuditExportFormat, enumName: 'AuditExportFormat', example: AuditExportFormat.Csv, description: 'CSV with a header row, or NDJSON (one JSON object per line).' })
  @IsIn(Object.values(AuditExportFormat))
  format!: AuditExportFormat;
}

export class NamedValueDto {
  @ApiProperty({ example: 'update' })
  value!: string;

  @ApiProperty({ example: 'Update' })
  label!: string;
}
