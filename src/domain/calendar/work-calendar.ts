import type {
  CalendarResult,
  CalendarYearData,
  DayInfo,
  IsoDate,
  WorkCalendar,
} from './calendar.types';
import { CN_2025 } from './data/cn-2025.calendar-data';
import { CN_2026 } from './data/cn-2026.calendar-data';
import { addDays, isValidIsoDate, weekdayOf, yearOf } from './local-time';

/** Years shipped with the code; an administrator adds later years with `mergeCalendarYear`. */
export const BUILT_IN_CALENDAR_YEARS: readonly CalendarYearData[] = [CN_2025, CN_2026];

/** Guards against runaway loops on absurd inputs (e.g. 10^9 working days). */
const MAX_SCAN_DAYS = 366 * 20;

/**
 * Builds an indexed calendar. Input is trusted: validate administrator data with
 * `mergeCalendarYear`. A later entry for the same year replaces an earlier one.
 */
export function createWorkCalendar(years: readonly CalendarYearData[] = BUILT_IN_CALENDAR_YEARS): WorkCalendar {
  const byYear = new Map<number, CalendarYearData>();
  for (const y of years) byYear.set(y.year, y);
  const holidayNames = new Map<IsoDate, string>();
  const makeUpWorkdays = new Set<IsoDate>();
  for (const data of [...byYear.values()].sort((a, b) => a.year - b.year)) {
    for (const range of data.holidays) {
      for (let d = range.from; d <= range.to; d = addDays(d, 1)) holidayNames.set(d, range.name);
    }
    for (const d of data.makeUpWorkdays) makeUpWorkdays.add(d);
  }
  return { years: byYear, holidayNames, makeUpWorkdays };
}

export const DEFAULT_WORK_CALENDAR: WorkCalendar = createWorkCalendar();

export function hasYear(calendar: WorkCalendar, year: number): boolean {
  return calendar.years.has(year);
}

/**
 * Classifies a date. Order matters: a make-up workday is a weekend that works (补班), a holiday
 * is off even on a weekday. A year without data falls back to Mon–Fri and says so.
 */
export function dayInfo(calendar: WorkCalendar, date: IsoDate): DayInfo {
  const weekend = weekdayOf(date) >= 6;
  if (calendar.makeUpWorkdays.has(date)) return { date, kind: 'makeUpWorkday', workday: true, provisional: false };
  const holidayName = calendar.holidayNames.get(date);
  if (holidayName !== undefined) return { date, kind: 'holiday', workday: false, provisional: false, holidayName };
  const provisional = !calendar.years.has(yearOf(date));
  return { date, kind: weekend ? 'weekend' : 'workday', workday: !weekend, provisional };
}

export function isWorkday(calendar: WorkCalendar, date: IsoDate): CalendarResult<boolean> {
  assertDate(date);
  const info = dayInfo(calendar, date);
  return result(info.workday, info.provisional ? [yearOf(date)] : []);
}

/**
 * The `n`-th working day strictly after `from` (n ≥ 1). `from` itself never counts, so
 * `addWorkdays(cal, receiptDay, 5)` is the usual "5 个工作日, counted from the next day".
 * n = 0 returns `from` unchanged.
 */
export function addWorkdays(calendar: WorkCalendar, from: IsoDate, n: number): CalendarResult<IsoDate> {
  assertDate(from);
  assertCount(n);
  const assumed = new Set<number>();
  let date = from;
  let left = n;
  for (let i = 0; left > 0; i += 1) {
    if (i > MAX_SCAN_DAYS) throw new RangeError(`addWorkdays: ${n} working days is out of range`);
    date = addDays(date, 1);
    const info = dayInfo(calendar, date);
    if (info.provisional) assumed.add(yearOf(date));
    if (info.workday) left -= 1;
  }
  return result(date, [...assumed]);
}

/** The `n`-th working day strictly before `from` (n ≥ 1). */
export function subtractWorkdays(calendar: WorkCalendar, from: IsoDate, n: number): CalendarResult<IsoDate> {
  assertDate(from);
  assertCount(n);
  const assumed = new Set<number>();
  let date = from;
  let left = n;
  for (let i = 0; left > 0; i += 1) {
    if (i > MAX_SCAN_DAYS) throw new RangeError(`subtractWorkdays: ${n} working days is out of range`);
    date = addDays(date, -1);
    const info = dayInfo(calendar, date);
    if (info.provisional) assumed.add(yearOf(date));
    if (info.workday) left -= 1;
  }
  return result(date, [...assumed]);
}

/** `from` if it is a working day, else the next working day. */
export function nextWorkdayOnOrAfter(calendar: WorkCalendar, from: IsoDate): CalendarResult<IsoDate> {
  const info = dayInfo(calendar, from);
  if (info.workday) return result(from, info.provisional ? [yearOf(from)] : []);
  return addWorkdays(calendar, from, 1);
}

/**
 * Working days in the closed range [from, to]. Empty (0) when to < from.
 * Use `countWorkdaysBetween` for the half-open "after from, up to to" count.
 */
export function countWorkdays(calendar: WorkCalendar, from: IsoDate, to: IsoDate): CalendarResult<number> {
  assertDate(from);
  assertDate(to);
  const assumed = new Set<number>();
  let count = 0;
  for (let d = from, i = 0; d <= to; d = addDays(d, 1), i += 1) {
    if (i > MAX_SCAN_DAYS) throw new RangeError('countWorkdays: range too long');
    const info = dayInfo(calendar, d);
    if (info.provisional) assumed.add(yearOf(d));
    if (info.workday) count += 1;
  }
  return result(count, [...assumed]);
}

/** Working days in (from, to]: how many working days have elapsed since `from`. */
export function countWorkdaysBetween(calendar: WorkCalendar, from: IsoDate, to: IsoDate): CalendarResult<number> {
  return countWorkdays(calendar, addDays(from, 1), to);
}

function assertDate(date: IsoDate): void {
  if (!isValidIsoDate(date)) throw new RangeError(`not a valid YYYY-MM-DD date: ${date}`);
}

function assertCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working-day count must be a non-negative integer, got ${n}`);
}

function result<T>(value: T, provisionalYears: readonly number[]): CalendarResult<T> {
  const years = [...new Set(provisionalYears)].sort((a, b) => a - b);
  return { value, provisional: years.length > 0, provisionalYears: years };
}
