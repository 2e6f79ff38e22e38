import { sortValues, toOrderBy } from '../../src/common/pagination/sort';

describe('sortValues', () => {
  it('lists each field ascending then descending, in order', () => {
    expect(sortValues(['lastName', 'createdAt', 'id'] as const)).toEqual([
      'lastName',
      '-lastName',
      'createdAt',
      '-createdAt',
      'id',
      '-id',
    ]);
  });

  it('returns an empty list for no fields', () => {
    expect(sortValues([])).toEqual([]);
  });
});

describe('toOrderBy', () => {
  it('sorts ascending and breaks ties by id ascending', () => {
    const orderBy = toOrderBy('lastName');
    expect(orderBy).toStrictEqual({ lastName: 'ASC', id: 'ASC' });
    expect(Object.keys(orderBy)).toEqual(['lastName', 'id']);
  });

  it('sorts descending on a leading minus, still breaking ties by id ascending', () => {
    const orderBy = toOrderBy('-createdAt');
    expect(orderBy).toStrictEqual({ createdAt: 'DESC', id: 'ASC' });
    expect(Object.keys(orderBy)).toEqual(['createdAt', 'id']);
  });

  it('sorts by id alone', () => {
    expect(toOrderBy('id')).toStrictEqual({ id: 'ASC' });
  });

  it('sorts by id descending alone for -id', () => {
    expect(toOrderBy('-id')).toStrictEqual({ id: 'DESC' });
  });

  it('only strips one leading minus', () => {
    expect(toOrderBy('--id')).toStrictEqual({ '-id': 'DESC', id: 'ASC' });
  });

  it('maps every value of sortValues to an order with the field first', () => {
    for (const value of sortValues(['email', 'id'] as const)) {
      const orderBy = toOrderBy(value);
      const field = value.replace(/^-/, '');
      expect(Object.keys(orderBy)[0]).toBe(field);
      expect(orderBy[field]).toBe(value.startsWith('-') ? 'DESC' : 'ASC');
    }
  });
});
