import { CountsRow, countsFrom } from '../../src/imports/import-plan';

const row = (outcome: string, count: number, digest: string, source = 0, hasWarning = false): CountsRow => ({ source, outcome, has_warning: hasWarning, count, digest });

describe('countsFrom', () => {
  it('adds up the outcomes and the warning rows of each source', () => {
    const { counts } = countsFrom(
      [row('staged', 10, '0'), row('invalid', 2, '0'), row('create', 3, '11'), row('create', 1, '5', 0, true), row('duplicate', 2, '7'), row('unique_taken', 2, '9', 0, true), row('staged', 1, '0', 1), row('update', 1, '3', 1)],
      2,
    );
    expect(counts[0]).toEqual({ staged: 10, invalid: 2, warningRows: 3, outcomes: { create: 4, duplicate: 2, unique_taken: 2 } });
    expect(counts[1]).toEqual({ staged: 1, invalid: 0, warningRows: 0, outcomes: { update: 1 } });
  });

  it('gives the same digest whatever the order of the groups and however warnings split them', () => {
    const first = countsFrom([row('create', 2, '12'), row('update', 1, '-40')], 1).digests[0];
    const second = countsFrom([row('update', 1, '-40'), row('create', 1, '8', 0, true), row('create', 1, '4')], 1).digests[0];
    expect(second).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{40}$/);
  });

  it('changes the digest when a row is planned differently, even with the same counts', () => {
    const before = countsFrom([row('update', 1, '1001'), row('unchanged', 1, '2002')], 1).digests[0];
    const swapped = countsFrom([row('update', 1, '2002'), row('unchanged', 1, '1001')], 1).digests[0];
    const otherRecord = countsFrom([row('update', 1, '1001'), row('unchanged', 1, '2003')], 1).digests[0];
    expect(swapped).not.toBe(before);
    expect(otherRecord).not.toBe(before);
  });
});
