import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { SoftDeletableEntity } from './soft-deletable.entity';

export interface SoftDeletableFields {
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A response DTO class and how it is made from a record. */
export interface ResponseDtoClass<Dto, Source> {
  new (): Dto;
  from(record: Source): Dto;
}

/**
 * The response side of SoftDeletableEntity. A mixin rather than a base class so that the three
 * come after the record's own properties, where the spec has always listed them.
 */
export function SoftDeletableDto<Dto extends object, Source>(
  Base: ResponseDtoClass<Dto, Source>,
  /** When the example record was created and last updated. */
  changedExample = '2026-09-01T08:00:00.000Z',
): ResponseDtoClass<Dto & SoftDeletableFields, Source & SoftDeletableEntity> {
  class SoftDeletable extends (Base as Type<object>) {
    @ApiProperty({ type: Date, nullable: true, example: null })
    deletedAt!: Date | null;

    @ApiProperty({ type: Date, example: changedExample })
    createdAt!: Date;

    @ApiProperty({ type: Date, example: changedExample })
    updatedAt!: Date;

    static from(record: Source & SoftDeletableEntity): Dto & SoftDeletableFields {
      return { ...Base.from(record), deletedAt: record.deletedAt ?? null, createdAt: record.createdAt, updatedAt: record.updatedAt };
    }
  }
  return SoftDeletable as unknown as ResponseDtoClass<Dto & SoftDeletableFields, Source & SoftDeletableEntity>;
}
