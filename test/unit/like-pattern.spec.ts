import { containsPattern } from '../../src/common/like-pattern';

describe('containsPattern', () => {
  it('wraps plain text in %', () => {
    expect(containsPattern('smith')).toBe('%smith%');
  });

  it('matches everything for empty text', () => {
    expect(containsPattern('')).toBe('%%');
  });

  it('escapes %', () => {
    expect(containsPattern('100%')).toBe('%100\\%%');
  });

  it('escapes _', () => {
    expect(containsPattern('a_b')).toBe('%a\\_b%');
  });

  it('escapes a backslash', () => {
    expect(containsPattern('a\\b')).toBe('%a\\\\b%');
  });

  it('escapes every occurrence, including runs of special characters', () => {
    expect(containsPattern('%%__\\\\')).toBe('%\\%\\%\\_\\_\\\\\\\\%');
  });

  it('escapes a backslash that precedes a wildcard separately from the wildcard', () => {
    expect(containsPattern('\\%')).toBe('%\\\\\\%%');
  });

  it('leaves other characters, including quotes and regex syntax, alone', () => {
    expect(containsPattern("O'Brien [a-z]*.?")).toBe("%O'Brien [a-z]*.?%");
  });

  it('leaves Unicode text alone', () => {
    expect(containsPattern('Παπαδόπουλος')).toBe('%Παπαδόπουλος%');
  });
});
