import { generateSigningKeyText, parseSigningKey, publicKeyHex, signatureValid, signingKeyProblem, signText } from '../../src/audit/audit-signing-key';
import { cellReadings, csvRecords, csvRowReadings } from '../../src/cli/verify-audit.command';
import { csvLine } from '../../src/common/csv';

describe('reading an audit CSV export', () => {
  it('splits records as csvLine writes them, quotes and line breaks included', () => {
    const text = csvLine(['a', 'b,c', 'say "hi"', null]) + csvLine(['line\r\nbreak', '=1+1', 2]);
    expect([...csvRecords(text)]).toEqual([
      ['a', 'b,c', 'say "hi"', ''],
      ['line\r\nbreak', "'=1+1", '2'],
    ]);
  });

  it('reads an empty cell as null or empty text, and a neutralised cell with or without its apostrophe', () => {
    expect(cellReadings('')).toEqual([null, '']);
    expect(cellReadings("'=HYPERLINK()")).toEqual(['=HYPERLINK()', "'=HYPERLINK()"]);
    expect(cellReadings("'plain")).toEqual(["'plain"]);
  });

  it('offers every reading of a row, the likeliest first', () => {
    const cells = { id: '7', seq: '3', timestamp: '2026-11-28T09:00:00.000Z', success: 'true', statusCode: '', details: '{"a":1}', prevHash: 'p', hash: 'h', action: 'login', resource: 'session', email: '' };
    const readings = csvRowReadings(cells);
    expect(readings[0]).toMatchObject({ id: 7, seq: 3, statusCode: null, details: { a: 1 }, email: null, userAgent: null });
    expect(readings.length).toBeLessThanOrEqual(64);
    expect(readings.some((reading) => reading.email === '' && reading.userAgent === null)).toBe(true);
    const manyEmpty = csvRowReadings({ ...cells, action: '', resource: '' });
    expect(manyEmpty).toHaveLength(64);
    expect(manyEmpty.some((reading) => reading.email === '' && reading.requestId === '')).toBe(true);
  });
});

describe('the audit signing key', () => {
  it('signs with a generated key and verifies with its public half only', () => {
    const key = parseSigningKey(generateSigningKeyText());
    const signature = signText('checkpoint', key);
    expect(signatureValid('checkpoint', signature, publicKeyHex(key))).toBe(true);
    expect(signatureValid('checkpoinT', signature, publicKeyHex(key))).toBe(false);
    expect(signatureValid('checkpoint', 'not hex', publicKeyHex(key))).toBe(false);
  });

  it('explains a key it cannot use', () => {
    expect(signingKeyProblem(generateSigningKeyText())).toBeUndefined();
    expect(signingKeyProblem('c2hvcnQ=')).toMatch('32-byte seed');
  });
});
