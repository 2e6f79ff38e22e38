import { compareEventIds } from '../../src/jobs/job-events.service';

describe('compareEventIds', () => {
  it('orders ids of the same millisecond by sequence, numerically', () => {
    expect(compareEventIds('1000-9', '1000-10')).toBeLessThan(0);
    expect(compareEventIds('1000-10', '1000-9')).toBeGreaterThan(0);
    expect(compareEventIds('1000-0', '1000-1')).toBeLessThan(0);
  });

  it('orders ids of different milliseconds by time, numerically, whatever the sequence', () => {
    expect(compareEventIds('999-5', '1000-0')).toBeLessThan(0);
    expect(compareEventIds('1000-0', '999-5')).toBeGreaterThan(0);
    expect(compareEventIds('1714979289123-0', '1714979289124-99')).toBeLessThan(0);
    expect(compareEventIds('1714979289124-0', '1714979289123-99')).toBeGreaterThan(0);
  });

  it('returns 0 for equal ids', () => {
    expect(compareEventIds('1000-9', '1000-9')).toBe(0);
    expect(compareEventIds('1714979289123-0', '1714979289123-0')).toBe(0);
  });

  it('sorts a shuffled list into Redis stream order', () => {
    const ordered = ['5-0', '999-5', '999-12', '1000-0', '1000-1', '1000-2', '1000-9', '1000-10', '1000-11', '1001-0', '10000-0'];
    const shuffled = ['1000-10', '999-12', '10000-0', '1000-2', '5-0', '1000-9', '1001-0', '1000-0', '999-5', '1000-11', '1000-1'];
    expect([...shuffled].sort(compareEventIds)).toEqual(ordered);
    expect([...ordered].reverse().sort(compareEventIds)).toEqual(ordered);
  });

  it('differs from plain string order', () => {
    const ids = ['1000-10', '1000-9', '999-5'];
    expect([...ids].sort()).toEqual(['1000-10', '1000-9', '999-5']);
    expect([...ids].sort(compareEventIds)).toEqual(['999-5', '1000-9', '1000-10']);
  });
});
