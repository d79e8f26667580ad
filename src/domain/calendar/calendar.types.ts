/** A local calendar date in Asia/Shanghai, `YYYY-MM-DD`. */
export type IsoDate = string;

/** Where a year's data comes from, so an auditor can check it against the notice. */
export interface CalendarSource {
  readonly title: string;
  /** Date the notice was published (YYYY-MM-DD). */
  readonly publishedOn: IsoDate;
  readonly url?: string;
  readonly documentNo?: string;
}

/** One holiday block of a State Council notice (e.g. 春节 02-15 … 02-23). */
export interface HolidayRange {
  readonly name: string;
  readonly from: IsoDate;
  readonly to: IsoDate;
}

/** One year of the official calendar: days off and 调休 make-up working days. */
export interface CalendarYearData {
  readonly year: number;
  /** Bumped by the administrator on every correction; a merge never lowers it. */
  readonly version: number;
  readonly source: CalendarSource;
  readonly holidays: readonly HolidayRange[];
  /** Weekend days that are working days (补班). */
  readonly makeUpWorkdays: readonly IsoDate[];
}

/**
 * Indexed calendar, built once by `createWorkCalendar`. Days are indexed by date, not by the
 * year that lists them, because a notice may reach into the neighbouring year (元旦 on 12-31).
 */
export interface WorkCalendar {
  /** Years with official data; any other year is provisional. */
  readonly years: ReadonlyMap<number, CalendarYearData>;
  readonly holidayNames: ReadonlyMap<IsoDate, string>;
  readonly makeUpWorkdays: ReadonlySet<IsoDate>;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeUpWorkday';

export interface DayInfo {
  readonly date: IsoDate;
  readonly kind: DayKind;
  readonly workday: boolean;
  /** True when the year has no official data and Mon–Fri was assumed. */
  readonly provisional: boolean;
  readonly holidayName?: string;
}

/** A calendar answer: the value plus whether any day involved was assumed. */
export interface CalendarResult<T> {
  readonly value: T;
  readonly provisional: boolean;
  /** Years without official data that the answer touched. */
  readonly provisionalYears: readonly number[];
}
