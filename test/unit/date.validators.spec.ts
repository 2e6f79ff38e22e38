import 'reflect-metadata';
import { validateSync } from 'class-validator';
import {
  IsCalendarDate,
  IsNotFutureDate,
  isCalendarDate,
  todayAsCalendarDate,
} from '../../src/common/validation/date.validators';

describe('isCalendarDate', () => {
  it.each(['2024-02-29', '2026-01-01', '2026-12-31', '2000-02-29', '1999-04-30', '9999-12-31'])('accepts %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each([
    ['a non-leap 29 February', '2025-02-29'],
    ['29 February of a century that is not a leap year', '1900-02-29'],
    ['30 February', '2026-02-30'],
    ['31 April', '2026-04-31'],
    ['month 13', '2026-13-01'],
    ['month 00', '2026-00-10'],
    ['day 00', '2026-01-00'],
    ['day 32', '2026-01-32'],
    ['a one-digit month', '2026-1-01'],
    ['a one-digit day', '2026-01-1'],
    ['a two-digit year', '26-01-01'],
    ['a five-digit year', '12026-01-01'],
    ['slashes', '2026/01/01'],
    ['a time part', '2026-01-01T00:00:00Z'],
    ['surrounding spaces', ' 2026-01-01 '],
    ['a trailing newline', '2026-01-01\n'],
    ['an empty string', ''],
    ['non-ASCII digits', '٢٠٢٦-٠١-٠١'],
  ])('rejects %s (%s)', (_label, value) => {
    expect(isCalendarDate(value)).toBe(false);
  });

  it.each([
    ['a Date', new Date('2026-01-01T00:00:00Z')],
    ['a number', 20260101],
    ['null', null],
    ['undefined', undefined],
    ['an array', ['2026-01-01']],
    ['an object', { toString: () => '2026-01-01' }],
  ])('rejects %s', (_label, value) => {
    expect(isCalendarDate(value)).toBe(false);
  });
});

describe('todayAsCalendarDate', () => {
  it('formats the given instant as its UTC day', () => {
    expect(todayAsCalendarDate(new Date('2026-03-05T12:34:56Z'))).toBe('2026-03-05');
  });

  it('uses UTC, not the local offset, near midnight', () => {
    expect(todayAsCalendarDate(new Date('2026-03-05T23:30:00-05:00'))).toBe('2026-03-06');
    expect(todayAsCalendarDate(new Date('2026-03-06T00:30:00+02:00'))).toBe('2026-03-05');
  });

  it('pads month and day', () => {
    expect(todayAsCalendarDate(new Date(Date.UTC(2026, 0, 2)))).toBe('2026-01-02');
  });

  it('returns a calendar date', () => {
    expect(isCalendarDate(todayAsCalendarDate())).toBe(true);
  });

  it('defaults to the current time', () => {
    jest.useFakeTimers({ now: new Date('2030-07-15T08:00:00Z') });
    try {
      expect(todayAsCalendarDate()).toBe('2030-07-15');
    } finally {
      jest.useRealTimers();
    }
  });
});

class DatesDto {
  @IsCalendarDate()
  day!: unknown;

  @IsNotFutureDate()
  bornOn!: unknown;
}

function failures(day: unknown, bornOn: unknown): Record<string, Record<string, string> | undefined> {
  const dto = Object.assign(new DatesDto(), { day, bornOn });
  return Object.fromEntries(validateSync(dto).map((error) => [error.property, error.constraints]));
}

describe('date decorators', () => {
  afterEach(() => jest.useRealTimers());

  it('IsCalendarDate reports a bad date with its message', () => {
    expect(failures('2026-02-30', '2000-01-01')).toEqual({
      day: { isCalendarDate: 'day must be a date as YYYY-MM-DD' },
    });
  });

  it('IsNotFutureDate allows today and tomorrow (grace day) but not the day after', () => {
    jest.useFakeTimers({ now: new Date('2026-03-05T10:00:00Z') });
    expect(failures('2026-01-01', '2026-03-05')).toEqual({});
    expect(failures('2026-01-01', '2026-03-06')).toEqual({});
    expect(failures('2026-01-01', '2026-03-07')).toEqual({
      bornOn: { isNotFutureDate: 'bornOn must not be in the future' },
    });
  });

  it('IsNotFutureDate leaves malformed values to IsCalendarDate', () => {
    jest.useFakeTimers({ now: new Date('2026-03-05T10:00:00Z') });
    expect(failures('2026-01-01', 'not-a-date')).toEqual({});
  });
});

describe('isCalendarDate in the first century', () => {
  it.each(['0001-01-01', '0050-06-15', '0099-12-31', '0100-01-01'])('accepts %s, which PostgreSQL accepts too', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it('still refuses an impossible day there', () => {
    expect(isCalendarDate('0050-02-30')).toBe(false);
  });
});
