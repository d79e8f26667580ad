import { DateTime } from 'luxon';
import type { IsoDate } from './calendar.types';

/** Every 12345 deadline is counted on Beijing time, whatever the server's zone. */
export const HOTLINE_ZONE = 'Asia/Shanghai';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function localDateTime(instant: Date): DateTime {
  return DateTime.fromJSDate(instant, { zone: HOTLINE_ZONE });
}

/**
 * The local (Asia/Shanghai) calendar date of an instant in epoch ms: the day key of call records and
 * live figures. China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact
 * for every instant the product sees, and much cheaper than a zoned DateTime on the live path.
 */
export function localDayKey(ms: number): IsoDate {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

/** The local (Asia/Shanghai) calendar date of an instant. */
export function toLocalDate(instant: Date): IsoDate {
  return localDateTime(instant).toISODate() ?? '';
}

export function parseLocalDate(date: IsoDate): DateTime {
  if (!ISO_DATE.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const dt = DateTime.fromISO(date, { zone: HOTLINE_ZONE });
  if (!dt.isValid) throw new RangeError(`invalid date: ${date}`);
  return dt;
}

export function isValidIsoDate(date: string): boolean {
  return ISO_DATE.test(date) && DateTime.fromISO(date, { zone: HOTLINE_ZONE }).isValid;
}

/** 00:00:00.000 local time of a date. */
export function startOfLocalDay(date: IsoDate): Date {
  return parseLocalDate(date).startOf('day').toJSDate();
}

/** 23:59:59.999 local time of a date: the moment a day-based deadline expires. */
export function endOfLocalDay(date: IsoDate): Date {
  return parseLocalDate(date).endOf('day').toJSDate();
}

// Date-only arithmetic does not depend on the zone, so plain UTC math is exact and much faster
// than building a zoned DateTime per day (the sweep calls these in tight loops).
function utcParts(date: IsoDate): number {
  if (!ISO_DATE.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(utcParts(date) + days * 86_400_000).toISOString().slice(0, 10);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: IsoDate): number {
  const d = new Date(utcParts(date)).getUTCDay();
  return d === 0 ? 7 : d;
}

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}
