import { registerDecorator, ValidationOptions } from 'class-validator';

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real `YYYY-MM-DD` day (no 2026-02-30). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = CALENDAR_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Today as `YYYY-MM-DD` in UTC; date-only values compare as text. */
export function todayAsCalendarDate(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * The latest date-only value that is not in the future anywhere: tomorrow in UTC, as `YYYY-MM-DD`,
 * a grace day that covers time zones ahead of UTC.
 */
export function latestNotFutureDate(): string {
  return todayAsCalendarDate(new Date(Date.now() + 24 * 60 * 60 * 1000));
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a date as YYYY-MM-DD`, ...options },
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
}

/** A date-only value that is not after today (a grace day covers time zones ahead of UTC). */
export function IsNotFutureDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNotFutureDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must not be in the future`, ...options },
      validator: {
        validate: (value: unknown) => !isCalendarDate(value) || value <= latestNotFutureDate(),
      },
    });
}

/** For a range's end: not before the named start property (when both are present). */
export function IsNotBefore(startProperty: string, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNotBefore',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [startProperty],
      options: { message: `${String(propertyName)} must not be before ${startProperty}`, ...options },
      validator: {
        validate: (value: unknown, args) => {
          const start = (args?.object as Record<string, unknown>)[startProperty];
          if (typeof value !== 'string' || typeof start !== 'string') return true;
          const [end, begin] = [Date.parse(value), Date.parse(start)];
          return Number.isNaN(end) || Number.isNaN(begin) || end >= begin;
        },
      },
    });
}
