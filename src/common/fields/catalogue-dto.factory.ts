import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ResponseDtoClass } from '../soft-deletable-dto.mixin';
import { CatalogueField, CatalogueResponseField } from './catalogue-field.decorator';
import { Catalogue, FieldValue, StoredValue } from './field-spec';

type NamesWhere<C extends Catalogue, Presence> = { [Name in keyof C]: C[Name]['presence'] extends Presence ? Name : never }[keyof C];

/** A create body: the required fields (and those the DTO asks for besides), the others optional, null only where the field may have no value. */
export type CatalogueCreate<C extends Catalogue, Asked extends keyof C = never> = {
  -readonly [Name in NamesWhere<C, 'required'> | Asked]: FieldValue<C[Name]>;
} & { -readonly [Name in Exclude<keyof C, NamesWhere<C, 'required'> | Asked>]?: StoredValue<C[Name]> };

/** A response: the record's id and every field, null where it has no value. */
export type CatalogueResponse<C extends Catalogue> = { id: number } & { -readonly [Name in keyof C]: StoredValue<C[Name]> };

/** What a response is read from: a record with a property of each field's name, unless the field is read otherwise. */
export type CatalogueSource<C extends Catalogue, ReadOtherwise extends keyof C = never> = { id: number } & {
  readonly [Name in Exclude<NamesWhere<C, 'required' | 'defaulted'>, ReadOtherwise>]: FieldValue<C[Name]>;
} & { readonly [Name in Exclude<NamesWhere<C, 'nullable'>, ReadOtherwise>]?: StoredValue<C[Name]> };

interface CommonOptions<C extends Catalogue> {
  /** Swagger descriptions that belong to this DTO rather than to the field. */
  descriptions?: { readonly [Name in keyof C]?: string };
  /** The whole Swagger text and checks of a field whose value the catalogue cannot describe alone (nested objects). */
  decorators?: { readonly [Name in keyof C]?: PropertyDecorator };
}

interface CreateOptions<C extends Catalogue, Asked extends keyof C> extends CommonOptions<C> {
  mode: 'create';
  /** Fields the API asks for although the catalogue lets an import leave them out. */
  asks?: readonly Asked[];
}

/** How to read fields that are not the record's properties of the same name (joined in, or copied to drop stored extras). */
type Readers<C extends Catalogue> = { readonly [Name in keyof C]?: (record: never) => StoredValue<C[Name]> };

/** The record the readers take; any record when there are none. */
type ReadFrom<R> = R[keyof R] extends ((record: infer Record) => unknown) | undefined ? Record : unknown;

interface ResponseOptions<C extends Catalogue, R extends Readers<C>> extends CommonOptions<C> {
  mode: 'response';
  idExample: number;
  read?: R;
}

/**
 * A DTO class whose properties are the catalogue's fields, in its order, with their Swagger schema,
 * transforms and checks: a field added to the catalogue appears in the API and its spec with no
 * DTO to edit. Extend the result to give it its schema name.
 */
export function catalogueDtoClass<C extends Catalogue, Asked extends keyof C = never>(
  catalogue: C,
  options: CreateOptions<C, Asked>,
): Type<CatalogueCreate<C, Asked>>;
export function catalogueDtoClass<C extends Catalogue, R extends Readers<C> = Record<never, never>>(
  catalogue: C,
  options: ResponseOptions<C, R>,
): ResponseDtoClass<CatalogueResponse<C>, ReadFrom<R> & CatalogueSource<C, keyof R & keyof C>>;
export function catalogueDtoClass(
  catalogue: Catalogue,
  options: CreateOptions<Catalogue, string> | ResponseOptions<Catalogue, Readers<Catalogue>>,
): Type<object> {
  const names = Object.keys(catalogue);
  const read: Readers<Catalogue> = options.mode === 'response' ? (options.read ?? {}) : {};
  class CatalogueDto {
    static from(record: Readonly<Record<string, unknown>>): object {
      const fields = names.map((name) => {
        const reader = read[name];
        return [name, reader === undefined ? (record[name] ?? null) : reader(record as never)];
      });
      return { id: record.id, ...Object.fromEntries(fields) };
    }
  }
  if (options.mode === 'response') ApiProperty({ type: 'integer', example: options.idExample })(CatalogueDto.prototype, 'id');
  for (const name of names) {
    const field = { ...catalogue[name], ...(options.mode === 'create' && options.asks?.includes(name) ? { presence: 'required' as const } : {}) };
    const description = options.descriptions?.[name];
    const decorate =
      options.decorators?.[name] ?? (options.mode === 'create' ? CatalogueField(field, description) : CatalogueResponseField(field, description));
    decorate(CatalogueDto.prototype, name);
  }
  return CatalogueDto;
}
