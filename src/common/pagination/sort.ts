export type SortDirection = 'ASC' | 'DESC';

/** Every value a `sort` parameter accepts for the given fields: `field` ascending, `-field` descending. */
export function sortValues<F extends string>(fields: readonly F[]): (F | `-${F}`)[] {
  return fields.flatMap((field) => [field, `-${field}` as const]);
}

/** Turns `-lastName` into `{ lastName: 'DESC' }`, always ending with `id` so pages are stable. */
export function toOrderBy(sort: string): Record<string, SortDirection> {
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  return field === 'id' ? { id: descending ? 'DESC' : 'ASC' } : { [field]: descending ? 'DESC' : 'ASC', id: 'ASC' };
}
