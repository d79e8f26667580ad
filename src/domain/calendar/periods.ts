/**
 * Report periods on Beijing time. Keys are derived at write time and stored with the facts, so a
 * report is an equality match on an indexed key (no date operators in the database):
 * `d:2026-03-05` (a day, for trend lines), `w:2026-W10` (ISO week), `m:2026-03`, `q:2026-Q1`, `y:2026`.
 */
import { DateTime } from 'luxon';
import { HOTLINE_ZONE } from './local-time';

export const PERIOD_KINDS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
/** The kinds a report is asked for (days are stored for trend lines only). */
export const REPORT_PERIOD_KINDS = ['week', 'month', 'quarter', 'year'] as const satisfies readonly PeriodKind[];

const PREFIX: Record<PeriodKind, string> = { day: 'd', week: 'w', month: 'm', quarter: 'q', year: 'y' };

export interface Period {
  readonly kind: PeriodKind;
  /** Without prefix: `2026-03-05`, `2026-W10`, `2026-03`, `2026-Q1`, `2026`. */
  readonly label: string;
  /** Stored key, with prefix. */
  readonly key: string;
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
}

function label(kind: PeriodKind, dt: DateTime): string {
  switch (kind) {
    case 'day':
      return dt.toFormat('yyyy-LL-dd');
    case 'week':
      return dt.toFormat("kkkk-'W'WW");
    case 'month':
      return dt.toFormat('yyyy-LL');
    case 'quarter':
      return `${dt.toFormat('yyyy')}-Q${dt.quarter}`;
    case 'year':
      return dt.toFormat('yyyy');
  }
}

const UNIT: Record<PeriodKind, 'day' | 'week' | 'month' | 'quarter' | 'year'> = { day: 'day', week: 'week', month: 'month', quarter: 'quarter', year: 'year' };

function fromStart(kind: PeriodKind, start: DateTime): Period {
  const l = label(kind, start);
  return { kind, label: l, key: `${PREFIX[kind]}:${l}`, from: start.toJSDate(), to: start.plus({ [`${UNIT[kind]}s`]: 1 }).toJSDate() };
}

/** The period of each kind that contains `at`. */
export function periodOf(kind: PeriodKind, at: Date): Period {
  return fromStart(kind, DateTime.fromJSDate(at, { zone: HOTLINE_ZONE }).startOf(UNIT[kind]));
}

/** All five stored keys for an instant. */
export function periodKeys(at: Date): string[] {
  return PERIOD_KINDS.map((k) => periodOf(k, at).key);
}

const LABEL_PATTERN: Record<PeriodKind, RegExp> = {
  day: /^(\d{4})-(\d{2}-\d{2})$/,
  week: /^(\d{4})-W(\d{2})$/,
  month: /^(\d{4})-(\d{2})$/,
  quarter: /^(\d{4})-Q([1-4])$/,
  year: /^(\d{4})$/,
};

/** Parses a label such as `2026-03` for a kind; undefined when malformed. */
export function parsePeriod(kind: PeriodKind, value: string): Period | undefined {
  const m = LABEL_PATTERN[kind].exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const n = kind === 'day' ? 1 : Number(m[2] ?? 1);
  let start: DateTime;
  switch (kind) {
    case 'day':
      start = DateTime.fromISO(value, { zone: HOTLINE_ZONE });
      break;
    case 'week':
      start = DateTime.fromObject({ weekYear: year, weekNumber: n, weekday: 1 }, { zone: HOTLINE_ZONE });
      break;
    case 'month':
      start = DateTime.fromObject({ year, month: n, day: 1 }, { zone: HOTLINE_ZONE });
      break;
    case 'quarter':
      start = DateTime.fromObject({ year, month: (n - 1) * 3 + 1, day: 1 }, { zone: HOTLINE_ZONE });
      break;
    case 'year':
      start = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: HOTLINE_ZONE });
      break;
  }
  if (!start.isValid) return undefined;
  const p = fromStart(kind, start.startOf(UNIT[kind]));
  return p.label === value ? p : undefined;
}

export function previousPeriod(p: Period): Period {
  return periodOf(p.kind, new Date(p.from.getTime() - 1));
}

/** The days of a period, in order (trend lines). */
export function daysOf(p: Period): Period[] {
  const out: Period[] = [];
  for (let d = periodOf('day', p.from); d.from.getTime() < p.to.getTime(); d = periodOf('day', d.to)) out.push(d);
  return out;
}
