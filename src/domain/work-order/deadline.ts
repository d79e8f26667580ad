import { DateTime } from 'luxon';
import type { WorkCalendar } from '../calendar/calendar.types';
import { addWorkdays } from '../calendar/work-calendar';
import { HOTLINE_ZONE, addDays, endOfLocalDay, localDateTime, startOfLocalDay, toLocalDate } from '../calendar/local-time';
import type { RegulationPreset, TimeLimitRule } from './presets/preset.schema';
import { selectRule, type RuleSelector } from './presets/rule-select';
import type { ClockStart, Deadline, Deadlines, DeadlineStage, Duration, LimitUnit } from './work-order.types';

export interface DeadlineSpec {
  readonly limit: number;
  readonly unit: LimitUnit;
  readonly clockStart: ClockStart;
  readonly inclusive: boolean;
}

export interface DueResult {
  readonly dueAt: Date;
  /** A working-day count touched a year without official data (Mon–Fri assumed). */
  readonly provisional: boolean;
}

const MINUTE_MS = 60_000;

/**
 * When a limit expires.
 * - minutes / hours: wall clock 7×24 from `start` (or from 00:00 of the next day with `nextDay`).
 * - naturalDays / workingDays: the first counted day is the receipt day (`receipt`) or the day
 *   after (`nextDay`); with `inclusive` that day is day 1, otherwise day 1 is the day after it.
 *   Day N ends at 23:59:59.999 Asia/Shanghai. A first day that is not a working day never counts.
 * Default convention (`nextDay` + inclusive): N working days = the N-th working day after receipt.
 */
export function computeDueAt(start: Date, spec: DeadlineSpec, calendar: WorkCalendar): DueResult {
  const receiptDay = toLocalDate(start);
  switch (spec.unit) {
    case 'minutes':
    case 'hours': {
      const from = spec.clockStart === 'nextDay' ? startOfLocalDay(addDays(receiptDay, 1)) : start;
      const ms = spec.limit * (spec.unit === 'hours' ? 60 : 1) * MINUTE_MS;
      return { dueAt: new Date(from.getTime() + ms), provisional: false };
    }
    case 'naturalDays': {
      const first = firstCountedDay(receiptDay, spec);
      return { dueAt: endOfLocalDay(addDays(first, spec.limit - 1)), provisional: false };
    }
    case 'workingDays': {
      // Counting from the day before `first` makes `first` itself eligible as day 1.
      const r = addWorkdays(calendar, addDays(firstCountedDay(receiptDay, spec), -1), spec.limit);
      return { dueAt: endOfLocalDay(r.value), provisional: r.provisional };
    }
    default:
      return assertNever(spec.unit);
  }
}

function firstCountedDay(receiptDay: string, spec: DeadlineSpec): string {
  const anchor = spec.clockStart === 'nextDay' ? addDays(receiptDay, 1) : receiptDay;
  return spec.inclusive ? anchor : addDays(anchor, 1);
}

/**
 * `at` moved by a duration. Day units keep the local time of day, so an end-of-day deadline
 * stays end-of-day (used for extensions and 督办 offsets).
 */
export function addDuration(at: Date, d: Duration, calendar: WorkCalendar): DueResult {
  switch (d.unit) {
    case 'minutes':
      return { dueAt: new Date(at.getTime() + d.value * MINUTE_MS), provisional: false };
    case 'hours':
      return { dueAt: new Date(at.getTime() + d.value * 60 * MINUTE_MS), provisional: false };
    case 'naturalDays':
      return { dueAt: localDateTime(at).plus({ days: d.value }).toJSDate(), provisional: false };
    case 'workingDays': {
      const local = localDateTime(at);
      const r = addWorkdays(calendar, toLocalDate(at), d.value);
      const moved = DateTime.fromISO(r.value, { zone: HOTLINE_ZONE }).set({
        hour: local.hour, minute: local.minute, second: local.second, millisecond: local.millisecond,
      });
      return { dueAt: moved.toJSDate(), provisional: r.provisional };
    }
    default:
      return assertNever(d.unit);
  }
}

export function deadlineFromRule(
  stage: DeadlineStage,
  start: Date,
  rule: TimeLimitRule,
  presetId: string,
  calendar: WorkCalendar,
  limitOverride?: number,
): Deadline {
  const limit = limitOverride ?? rule.limit;
  const due = computeDueAt(start, { ...rule, limit }, calendar);
  return {
    stage,
    startAt: start,
    dueAt: due.dueAt,
    provisional: due.provisional,
    extendedBy: 0,
    rule: {
      presetId, ruleId: rule.id, limit, unit: rule.unit,
      clockStart: rule.clockStart, inclusive: rule.inclusive, source: rule.source,
    },
  };
}

/** Deadlines for the given stages, each from the preset's most specific rule; stages without a rule are left out. */
export function computeDeadlines(
  stages: readonly DeadlineStage[],
  start: Date,
  sel: RuleSelector,
  preset: RegulationPreset,
  calendar: WorkCalendar,
): Deadlines {
  const out: Partial<Record<DeadlineStage, Deadline>> = {};
  for (const stage of stages) {
    const rule = selectRule(preset, stage, sel);
    if (rule) out[stage] = deadlineFromRule(stage, start, rule, preset.id, calendar);
  }
  return out;
}

/** An approved extension moves the due date by `step` (in the extension policy's unit). */
export function extendDeadline(deadline: Deadline, step: number, unit: LimitUnit, calendar: WorkCalendar): Deadline {
  const moved = addDuration(deadline.dueAt, { value: step, unit }, calendar);
  return {
    ...deadline,
    dueAt: moved.dueAt,
    provisional: deadline.provisional || moved.provisional,
    extendedBy: deadline.extendedBy + step,
  };
}

/** Late means done after the due instant, or not done and the due instant has passed. */
export function isLate(deadline: Deadline, now: Date): boolean {
  const done = deadline.metAt;
  return done ? done.getTime() > deadline.dueAt.getTime() : now.getTime() > deadline.dueAt.getTime();
}

/** The deadline that measures handling: 办结 where the preset has it, else 反馈 (DB11). */
export function handlingDeadline(deadlines: Deadlines): Deadline | undefined {
  return deadlines.complete ?? deadlines.feedback;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${String(x)}`);
}

export interface ProvisionalRecount {
  readonly deadlines: Deadlines;
  readonly changes: readonly DeadlineRecount[];
}

export interface DeadlineRecount {
  readonly stage: DeadlineStage;
  readonly previousDueAt: Date;
  /** Where the deadline now stands. */
  readonly dueAt: Date;
  /** What the new calendar gives (differs from `dueAt` only under the rule below). */
  readonly computedDueAt: Date;
  /** Still touches a year without official data. */
  readonly provisional: boolean;
}

/**
 * Counts every open provisional deadline again on `calendar`, from its own start and rule snapshot,
 * plus the extensions already granted (`extendedBy`, in `extensionUnit`). Deadlines already met are
 * history and stay as they were.
 *
 * Not retroactively overdue: a deadline is never moved to an instant that has already passed at
 * `now`. When the new count falls before `now`, the deadline keeps the later of the new count and
 * the due instant the unit was given; a unit cannot miss a deadline it could not have known.
 */
export function recountProvisionalDeadlines(
  deadlines: Deadlines,
  extensionUnit: LimitUnit,
  calendar: WorkCalendar,
  now: Date,
): ProvisionalRecount {
  const out: Partial<Record<DeadlineStage, Deadline>> = { ...deadlines };
  const changes: DeadlineRecount[] = [];
  for (const [stage, d] of Object.entries(deadlines) as [DeadlineStage, Deadline][]) {
    if (!d.provisional || d.metAt) continue;
    const base = computeDueAt(d.startAt, d.rule, calendar);
    const extended = d.extendedBy > 0 ? addDuration(base.dueAt, { value: d.extendedBy, unit: extensionUnit }, calendar) : base;
    const computed = extended.dueAt;
    const provisional = base.provisional || extended.provisional;
    const dueAt = computed.getTime() >= now.getTime() ? computed : new Date(Math.max(computed.getTime(), d.dueAt.getTime()));
    if (dueAt.getTime() === d.dueAt.getTime() && provisional === d.provisional) continue;
    out[stage] = { ...d, dueAt, provisional };
    changes.push({ stage, previousDueAt: d.dueAt, dueAt, computedDueAt: computed, provisional });
  }
  return { deadlines: out, changes };
}
