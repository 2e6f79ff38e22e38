import { resolveRequestId } from '../../src/common/http/request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveRequestId', () => {
  it.each([
    'abc',
    'a',
    'req-123_456',
    'trace.id:0001',
    'ABCdef012',
    '8f14e45f-ceea-467f-a0e6-9c3b2f1c0d1e',
  ])('keeps the sane token %s', (token) => {
    expect(resolveRequestId(token)).toBe(token);
  });

  it('keeps a token of exactly 64 characters', () => {
    const token = 'a'.repeat(64);
    expect(resolveRequestId(token)).toBe(token);
  });

  it('replaces a token of 65 characters', () => {
    const token = 'a'.repeat(65);
    const resolved = resolveRequestId(token);
    expect(resolved).not.toBe(token);
    expect(resolved).toMatch(UUID_V4);
  });

  it.each([
    ['empty', ''],
    ['inner space', 'abc def'],
    ['leading space', ' abc'],
    ['trailing newline', 'abc\n'],
    ['CRLF injection', 'abc\r\nSet-Cookie: x=1'],
    ['tab', 'a\tb'],
    ['non-ASCII letter', 'αβγ'],
    ['emoji', 'id-😀'],
    ['slash', 'a/b'],
    ['quote', 'a"b'],
    ['angle brackets', '<script>'],
  ])('replaces a token with %s', (_label, token) => {
    const resolved = resolveRequestId(token);
    expect(resolved).not.toBe(token);
    expect(resolved).toMatch(UUID_V4);
  });

  it('generates a UUID v4 when the header is absent', () => {
    expect(resolveRequestId(undefined)).toMatch(UUID_V4);
  });

  it('generates a different id each time', () => {
    const ids = new Set(Array.from({ length: 20 }, () => resolveRequestId(undefined)));
    expect(ids.size).toBe(20);
  });

  it('takes the first value of a repeated header', () => {
    expect(resolveRequestId(['first-id', 'second-id'])).toBe('first-id');
  });

  it('does not fall back to a later value when the first is not sane', () => {
    const resolved = resolveRequestId(['bad id', 'good-id']);
    expect(resolved).not.toBe('good-id');
    expect(resolved).toMatch(UUID_V4);
  });

  it('generates an id for an empty array', () => {
    expect(resolveRequestId([])).toMatch(UUID_V4);
  });
});
