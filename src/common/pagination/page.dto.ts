import { Type as ClassType } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Builds the named page schema (`StudentPage`, ...) for a list endpoint's response. */
export function PageOf<T>(item: ClassType<T>, name: string): ClassType<Page<T>> {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item] })
    items!: T[];

    /** How many items match the filters, across all pages. */
    @ApiProperty({ type: 'integer', example: 1 })
    total!: number;

    @ApiProperty({ type: 'integer', example: 50 })
    limit!: number;

    @ApiProperty({ type: 'integer', example: 0 })
    offset!: number;
  }
  Object.defineProperty(PageOfItems, 'name', { value: name });
  return PageOfItems;
}
