import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEnum, IsInt, IsISO8601, IsOptional, Matches, Min, ValidateNested } from 'class-validator';
import { PageOf } from '../../common/pagination/page.dto';
import { AuditCheckpoint, AuditCheckpointKind } from '../audit-checkpoint.entity';

const HEX_64 = /^[0-9a-f]{64}$/;

export class AuditCheckpointDto {
  @ApiProperty({ type: 'integer', example: 12 })
  id!: number;

  @ApiProperty({ example: '2026-11-28T09:00:00.000Z' })
  createdAt!: Date;

  @ApiProperty({ enum: AuditCheckpointKind, enumName: 'AuditCheckpointKind', example: AuditCheckpointKind.Periodic })
  kind!: AuditCheckpointKind;

  /** Retention checkpoints: the first seq the purge removed. */
  @ApiProperty({ type: 'integer', nullable: true, example: null })
  fromSeq!: number | null;

  @ApiProperty({ type: 'integer', example: 12000 })
  seq!: number;

  @ApiProperty({ type: 'integer', example: 12034 })
  rowId!: number;

  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  hash!: string;

  /** The Ed25519 public key (hex) that made the signature. */
  @ApiProperty({ example: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c' })
  publicKey!: string;

  @ApiProperty({ description: 'Ed25519 signature (hex) of the canonical encoding of kind, fromSeq, seq, rowId, hash and createdAt.' })
  signature!: string;

  static from(row: AuditCheckpoint): AuditCheckpointDto {
    return {
      id: Number(row.id),
      createdAt: row.createdAt,
      kind: row.kind,
      fromSeq: row.fromSeq === null || row.fromSeq === undefined ? null : Number(row.fromSeq),
      seq: Number(row.seq),
      rowId: Number(row.rowId),
      hash: row.hash,
      publicKey: row.publicKey,
      signature: row.signature,
    };
  }
}

export const AuditCheckpointPageDto = PageOf(AuditCheckpointDto, 'AuditCheckpointPage');

/** A checkpoint as exported, given back to POST /audit/verify as the caller's own witness. */
export class SuppliedCheckpointDto {
  /** As exported; not part of what is signed, so not used. */
  @ApiPropertyOptional({ type: 'integer' })
  @IsOptional()
  @IsInt()
  id?: number;

  @ApiProperty({ enum: AuditCheckpointKind, enumName: 'AuditCheckpointKind' })
  @IsEnum(AuditCheckpointKind)
  kind!: AuditCheckpointKind;

  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  fromSeq?: number | null;

  @ApiProperty({ type: 'integer' })
  @IsInt()
  @Min(1)
  seq!: number;

  @ApiProperty({ type: 'integer' })
  @IsInt()
  @Min(1)
  rowId!: number;

  @ApiProperty()
  @Matches(HEX_64, { message: 'hash must be 64 lowercase hex digits' })
  hash!: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  createdAt!: string;

  @ApiProperty()
  @Matches(HEX_64, { message: 'publicKey must be 64 lowercase hex digits' })
  publicKey!: string;

  @ApiProperty()
  @Matches(/^[0-9a-f]{128}$/, { message: 'signature must be 128 lowercase hex digits' })
  signature!: string;
}

export class AuditVerifyRequestDto {
  /** First seq to check; the whole trail by default. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  fromSeq?: number;

  /** Last seq to check; the end of the chain by default. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  toSeq?: number;

  /** A checkpoint you exported earlier: the chain must still reach it. Without one, the newest checkpoint kept in Redis is the witness. */
  @ApiPropertyOptional({ type: SuppliedCheckpointDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SuppliedCheckpointDto)
  checkpoint?: SuppliedCheckpointDto;
}
