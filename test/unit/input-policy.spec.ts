import 'reflect-metadata';
import { IsOptional, IsString } from 'class-validator';
import { DETAILS_LIMITS, storableColumn, storableDetailsJson } from '../../src/audit/storable-details';
import { ProblemException } from '../../src/common/problem/problem.exception';
import { findUnstorableText, storableText, unstorableReason } from '../../src/common/validation/storable-text';
import { createValidationPipe } from '../../src/common/validation/validation.pipe';
import { isConnectionScoped } from '../../src/process-failures';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';
const PAIR = '\ud83d\ude00';

describe('unstorableReason', () => {
  it.each([['plain'], ['Ελληνικά'], [PAIR], [''], ['tab\tand\nnewline']])('accepts %p', (text) => {
    expect(unstorableReason(text)).toBeUndefined();
  });

  it.each([['a\u0000b'], ['\u0000'], [`x${LONE_HIGH}`], [`${LONE_LOW}x`], [`${PAIR.slice(1)}${PAIR.slice(0, 1)}`]])('refuses %p', (text) => {
    expect(unstorableReason(text)).toEqual(expect.any(String));
  });
});

describe('findUnstorableText', () => {
  it('names every offending value and key by its dotted path', () => {
    const problems = findUnstorableText({ name: 'ok', nested: { list: ['fine', 'bad\u0000'] }, [`key${LONE_HIGH}`]: 1, other: LONE_LOW });
    expect(problems.map((problem) => [problem.field, problem.code])).toEqual([
      ['nested.list.1', 'invalid_character'],
      ['key\ufffd', 'invalid_character'],
      ['other', 'invalid_character'],
    ]);
    for (const problem of problems) expect(unstorableReason(problem.field + problem.message)).toBeUndefined();
  });

  it('prefixes a named parameter and names a bare value', () => {
    expect(findUnstorableText('a\u0000', 'id')[0].field).toBe('id');
    expect(findUnstorableText('a\u0000')[0].field).toBe('value');
  });

  it('finds nothing in clean or non-text values', () => {
    expect(findUnstorableText({ a: 1, b: [true, null, 2.5], c: { d: 'Ά' } })).toEqual([]);
    expect(findUnstorableText(undefined)).toEqual([]);
  });

  it('stops at the problem limit', () => {
    expect(findUnstorableText(Array.from({ length: 1_000 }, () => '\u0000'), '', 20)).toHaveLength(20);
  });
});

describe('storableText', () => {
  it('replaces NUL and lone surrogates and keeps pairs', () => {
    expect(storableText(`a\u0000b${LONE_HIGH}${PAIR}`)).toBe(`a\ufffdb\ufffd${PAIR}`);
    expect(unstorableReason(storableText(`\u0000${LONE_LOW}`))).toBeUndefined();
  });
});

describe('audit values', () => {
  it('makes details storable, bounded and still JSON', () => {
    const json = storableDetailsJson({
      filters: { classDivision: 'A1\u0000' },
      [`k\u0000`]: LONE_HIGH,
      long: 'x'.repeat(5_000),
      many: Array.from({ length: 500 }, (_, index) => index),
      when: new Date('2026-01-02T03:04:05Z'),
      deep: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } },
    });
    expect(json).not.toBeNull();
    expect(json).not.toContain('\\u0000');
    const parsed = JSON.parse(json!) as Record<string, unknown>;
    expect(parsed.filters).toEqual({ classDivision: 'A1\ufffd' });
    expect(parsed['k\ufffd']).toBe('\ufffd');
    expect((parsed.long as string).length).toBe(DETAILS_LIMITS.maxStringLength + 1);
    expect(parsed.many).toHaveLength(DETAILS_LIMITS.maxItems + 1);
    expect(parsed.when).toBe('2026-01-02T03:04:05.000Z');
    expect(JSON.stringify(parsed.deep)).toContain('…');
  });

  it('keeps only the size of details too large to store whole', () => {
    const huge = Object.fromEntries(Array.from({ length: 90 }, (_, index) => [`field${index}`, 'y'.repeat(900)]));
    const parsed = JSON.parse(storableDetailsJson(huge)!) as { truncated: boolean; originalLength: number };
    expect(parsed.truncated).toBe(true);
    expect(parsed.originalLength).toBeGreaterThan(DETAILS_LIMITS.maxJsonLength);
  });

  it('gives null for no details, and cuts columns without leaving half a pair', () => {
    expect(storableDetailsJson(undefined)).toBeNull();
    expect(storableColumn(null, 10)).toBeNull();
    expect(storableColumn(`ab${PAIR}`, 3)).toBe('ab\ufffd');
    expect(storableColumn('a\u0000', 10)).toBe('a\ufffd');
  });
});

class NameDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsString()
  note?: string;
}

describe('the global pipe refuses unstorable text in every source', () => {
  const pipe = createValidationPipe();

  it.each([
    ['body', { name: 'a\u0000' }, 'name'],
    ['query', { name: 'ok', note: LONE_HIGH }, 'note'],
  ] as const)('in the %s', async (type, value, field) => {
    const error = await pipe.transform(value, { type, metatype: NameDto }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).problem).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field, code: 'invalid_character' }] });
  });

  it('in a path parameter, before any parameter pipe', async () => {
    const error = await pipe.transform('1\u0000', { type: 'param', metatype: String, data: 'id' }).catch((caught: unknown) => caught);
    expect((error as ProblemException).problem.errors).toEqual([expect.objectContaining({ field: 'id', code: 'invalid_character' })]);
  });

  it('lets clean values through to the DTO rules', async () => {
    await expect(pipe.transform({ name: 'Άννα' }, { type: 'body', metatype: NameDto })).resolves.toBeInstanceOf(NameDto);
  });
});

describe('isConnectionScoped', () => {
  it.each([
    [Object.assign(new Error('write after destroy'), { code: 'ERR_STREAM_DESTROYED' })],
    [Object.assign(new Error('reset'), { code: 'ECONNRESET' })],
    [Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021', severity: 'ERROR' })],
  ])('goes on after %p', (error) => {
    expect(isConnectionScoped(error)).toBe(true);
  });

  it.each([[new TypeError('x is undefined')], [Object.assign(new Error('out of memory'), { code: 'ERR_OUT_OF_MEMORY' })], [null], ['text'], [{ code: '22021' }]])(
    'treats %p as fatal',
    (error) => {
      expect(isConnectionScoped(error)).toBe(false);
    },
  );
});
