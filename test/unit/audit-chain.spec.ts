import { canonicalRow, ChainedRowFields, GENESIS_HASH, jsonbText, JsonbText, plainNumber, rowHash } from '../../src/audit/audit-chain';

const ROW: ChainedRowFields = {
  seq: 1,
  id: 7,
  timestamp: new Date('2026-11-28T09:00:00.123Z'),
  userId: '0B9D3F7E-8C1A-4D2E-9F60-2A7B5C4D3E21',
  email: 'secretary@school.example',
  action: 'update',
  resource: 'student',
  resourceId: '42',
  ipAddress: '203.0.113.7',
  peerAddress: '10.0.0.2',
  userAgent: 'Mozilla/5.0',
  requestId: 'r-1',
  success: true,
  statusCode: 200,
  errorCode: null,
  details: { fields: ['email', 'studyYear'] },
  prevHash: GENESIS_HASH,
};

describe('jsonbText', () => {
  it('prints what PostgreSQL prints for jsonb', () => {
    // Copied from psql: select jsonb_build_array('a', 1, true, null, '{"bb":1,"a":[1,2.5,{}],"é":"x\\ny\\"","n":1e+21,"m":1.5e-7}'::jsonb)::text
    const parsed = JSON.parse('{"bb":1,"a":[1,2.5,{}],"é":"x\\ny\\"","n":1e+21,"m":1.5e-7}') as Record<string, never>;
    expect(jsonbText(['a', 1, true, null, parsed])).toBe('["a", 1, true, null, {"a": [1, 2.5, {}], "m": 0.00000015, "n": 1000000000000000000000, "bb": 1, "é": "x\\ny\\""}]');
  });

  it('orders keys by byte length, then bytes', () => {
    expect(jsonbText({ é: 1, bb: 2, z: 3, Z: 4 })).toBe('{"Z": 4, "z": 3, "bb": 2, "é": 1}');
  });

  it('splices text that is already jsonb', () => {
    expect(jsonbText([new JsonbText('{"a": 1.0}')])).toBe('[{"a": 1.0}]');
  });

  it.each([
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e-7, '-0.00000025'],
    [1.25e22, '12500000000000000000000'],
    [123.5, '123.5'],
    [-0, '0'],
  ])('prints %p as %s', (value, text) => {
    expect(plainNumber(value)).toBe(text);
  });

  it('refuses numbers jsonb cannot hold', () => {
    expect(() => plainNumber(Number.NaN)).toThrow('cannot be stored');
  });
});

describe('canonicalRow and rowHash', () => {
  it('encodes every field in order, the uuid in lower case', () => {
    expect(canonicalRow(ROW)).toBe(
      '["sms-audit-1", 1, 7, "2026-11-28T09:00:00.123Z", "0b9d3f7e-8c1a-4d2e-9f60-2a7b5c4d3e21", "secretary@school.example", "update", "student", "42", ' +
        `"203.0.113.7", "10.0.0.2", "Mozilla/5.0", "r-1", true, 200, null, {"fields": ["email", "studyYear"]}, "${GENESIS_HASH}"]`,
    );
  });

  it('changes with any field, and reads a timestamp string as the Date it names', () => {
    const hash = rowHash(ROW);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rowHash({ ...ROW, timestamp: '2026-11-28T09:00:00.123Z' })).toBe(hash);
    expect(rowHash({ ...ROW, email: 'Secretary@school.example' })).not.toBe(hash);
    expect(rowHash({ ...ROW, errorCode: '' })).not.toBe(hash);
    expect(rowHash({ ...ROW, prevHash: 'f'.repeat(64) })).not.toBe(hash);
  });
});
