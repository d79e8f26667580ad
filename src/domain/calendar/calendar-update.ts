import { z } from 'zod';
import type { CalendarYearData, IsoDate, WorkCalendar } from './calendar.types';
import { createWorkCalendar } from './work-calendar';
import { addDays, isValidIsoDate, weekdayOf } from './local-time';

const isoDate = z.string().refine(isValidIsoDate, { message: 'must be a valid YYYY-MM-DD date' });

/** Shape of a year's data as an administrator submits it (JSON). */
export const calendarYearSchema = z.object({
  year: z.number().int().min(1949).max(2200),
  version: z.number().int().positive(),
  source: z.object({
    title: z.string().trim().min(1),
    publishedOn: isoDate,
    url: z.string().url().optional(),
    documentNo: z.string().trim().min(1).optional(),
  }),
  holidays: z
    .array(z.object({ name: z.string().trim().min(1), from: isoDate, to: isoDate }))
    .min(1),
  makeUpWorkdays: z.array(isoDate),
});

export interface CalendarIssue {
  readonly path: string;
  readonly message: string;
}

export type MergeCalendarYearResult =
  | { readonly ok: true; readonly calendar: WorkCalendar; readonly year: CalendarYearData; readonly replaced: boolean }
  | { readonly ok: false; readonly code: 'CALENDAR.INVALID_YEAR' | 'CALENDAR.STALE_VERSION'; readonly issues: readonly CalendarIssue[] };

/**
 * Validates a year of holiday data (shape and meaning) and returns a new calendar with it.
 * The input calendar is not changed. Replacing a year needs a higher `version`, so an old
 * export cannot silently overwrite a correction.
 */
export function mergeCalendarYear(calendar: WorkCalendar, input: unknown): MergeCalendarYearResult {
  const parsed = calendarYearSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      code: 'CALENDAR.INVALID_YEAR',
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    };
  }
  const data: CalendarYearData = parsed.data;
  const issues = semanticIssues(data);
  if (issues.length > 0) return { ok: false, code: 'CALENDAR.INVALID_YEAR', issues };
  const existing = calendar.years.get(data.year);
  if (existing && existing.version >= data.version) {
    return {
      ok: false,
      code: 'CALENDAR.STALE_VERSION',
      issues: [{ path: 'version', message: `version must be greater than ${existing.version}` }],
    };
  }
  const years = [...calendar.years.values()].filter((y) => y.year !== data.year);
  return { ok: true, calendar: createWorkCalendar([...years, data]), year: data, replaced: existing !== undefined };
}

/** Rules a notice always follows: dates near the year, 补班 only on weekends, no overlaps. */
function semanticIssues(data: CalendarYearData): CalendarIssue[] {
  const issues: CalendarIssue[] = [];
  // A notice may reach a few days into the neighbouring year (e.g. 元旦 starting 12-30).
  const earliest = `${data.year - 1}-12-25`;
  const latest = `${data.year + 1}-01-07`;
  const inWindow = (d: IsoDate): boolean => d >= earliest && d <= latest;
  if (data.source.publishedOn > `${data.year}-12-31`) {
    issues.push({ path: 'source.publishedOn', message: 'a notice is published before or during its year' });
  }
  const off = new Set<IsoDate>();
  data.holidays.forEach((h, i) => {
    if (h.from > h.to) issues.push({ path: `holidays.${i}`, message: '`from` is after `to`' });
    if (!inWindow(h.from) || !inWindow(h.to)) {
      issues.push({ path: `holidays.${i}`, message: `dates must fall in or next to ${data.year}` });
      return;
    }
    for (let d = h.from; d <= h.to; d = addDays(d, 1)) {
      if (off.has(d)) issues.push({ path: `holidays.${i}`, message: `${d} is listed in two holidays` });
      off.add(d);
    }
  });
  const seen = new Set<IsoDate>();
  data.makeUpWorkdays.forEach((d, i) => {
    const path = `makeUpWorkdays.${i}`;
    if (!inWindow(d)) issues.push({ path, message: `${d} must fall in or next to ${data.year}` });
    if (weekdayOf(d) < 6) issues.push({ path, message: `${d} is a weekday; make-up workdays are weekend days` });
    if (off.has(d)) issues.push({ path, message: `${d} is also listed as a holiday` });
    if (seen.has(d)) issues.push({ path, message: `${d} is listed twice` });
    seen.add(d);
  });
  return issues;
}
