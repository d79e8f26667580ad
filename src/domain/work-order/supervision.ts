import type { WorkCalendar } from '../calendar/calendar.types';
import { addDuration } from './deadline';
import type { RegulationPreset, SupervisionLevel } from './presets/preset.schema';
import { TERMINAL_STATUSES, type Deadline, type DeadlineStage, type Duration, type WorkOrder, type WorkOrderStatus } from './work-order.types';

export interface PlannedNotice {
  /** Idempotency key: order, stage, level and the due instant it refers to (an extension yields new keys). */
  readonly key: string;
  readonly orderId: string;
  readonly stage: DeadlineStage;
  /** 催办 before the deadline, 督办 after it. */
  readonly kind: 'reminder' | 'supervision';
  readonly level: 'reminder' | SupervisionLevel;
  readonly dueAt: Date;
  readonly notifyAt: Date;
}

/** States in which a stage's clock is running. */
export const RUNNING_STAGE_STATES: Readonly<Record<DeadlineStage, readonly WorkOrderStatus[]>> = {
  dispatch: ['PENDING_DISPATCH'],
  sign: ['PENDING_SIGN'],
  firstContact: ['IN_PROGRESS', 'EXTENSION_REQUESTED'],
  return: [],
  complete: ['PENDING_SIGN', 'RETURN_REQUESTED', 'IN_PROGRESS', 'EXTENSION_REQUESTED'],
  feedback: ['PENDING_SIGN', 'RETURN_REQUESTED', 'IN_PROGRESS', 'EXTENSION_REQUESTED', 'PENDING_REVIEW', 'PENDING_FEEDBACK'],
  callback: ['PENDING_CALLBACK'],
};

/**
 * `dueAt` moved by a 督办 level's offset, remembered per calendar: in the busiest minute thousands of
 * orders share one deadline instant (24:00), and each working-day step in Asia/Shanghai costs tens of
 * microseconds. A calendar is replaced, never changed, when an administrator updates it, so what is
 * remembered for a calendar object stays right.
 */
const levelTimes = new WeakMap<WorkCalendar, Map<string, number>>();
const LEVEL_TIMES_MAX = 50_000;

function levelTime(dueAt: Date, after: Duration, calendar: WorkCalendar): Date {
  let memo = levelTimes.get(calendar);
  if (!memo) {
    memo = new Map();
    levelTimes.set(calendar, memo);
  }
  const key = `${dueAt.getTime()}|${after.value}|${after.unit}`;
  let at = memo.get(key);
  if (at === undefined) {
    if (memo.size >= LEVEL_TIMES_MAX) memo.clear();
    at = addDuration(dueAt, after, calendar).dueAt.getTime();
    memo.set(key, at);
  }
  return new Date(at);
}

/** Every 催办/督办 notice the order's open deadlines call for, sent or not, in time order. */
export function plannedNotices(order: WorkOrder, preset: RegulationPreset, calendar: WorkCalendar): PlannedNotice[] {
  if (TERMINAL_STATUSES.has(order.status)) return [];
  const out: PlannedNotice[] = [];
  for (const stage of preset.supervision.stages) {
    const d = order.deadlines[stage];
    if (!d || d.metAt || !RUNNING_STAGE_STATES[stage].includes(order.status)) continue;
    for (const fraction of preset.supervision.reminderAtElapsed) {
      const at = d.startAt.getTime() + fraction * (d.dueAt.getTime() - d.startAt.getTime());
      out.push(notice(order, d, 'reminder', `reminder@${fraction}`, 'reminder', new Date(Math.floor(at))));
    }
    for (const level of preset.supervision.levels) {
      const at = level.after.value === 0 ? d.dueAt : levelTime(d.dueAt, level.after, calendar);
      out.push(notice(order, d, 'supervision', level.level, level.level, at));
    }
  }
  return out.sort((a, b) => a.notifyAt.getTime() - b.notifyAt.getTime());
}

/**
 * Notices due at `now` and not yet sent (key not in `sentNoticeKeys`). A reminder whose deadline
 * has already passed is dropped: 督办 takes over. A sweep records each with `recordNotice`.
 */
export function dueNotices(order: WorkOrder, now: Date, preset: RegulationPreset, calendar: WorkCalendar): PlannedNotice[] {
  const sent = new Set(order.sentNoticeKeys);
  return plannedNotices(order, preset, calendar).filter(
    (n) =>
      !sent.has(n.key) &&
      n.notifyAt.getTime() <= now.getTime() &&
      (n.kind === 'supervision' || now.getTime() <= n.dueAt.getTime()),
  );
}

/**
 * When the sweep next needs to look at this order (store it indexed, e.g. `nextNoticeAt`).
 * Undefined when nothing is pending.
 */
export function nextNoticeAt(order: WorkOrder, now: Date, preset: RegulationPreset, calendar: WorkCalendar): Date | undefined {
  const sent = new Set(order.sentNoticeKeys);
  const pending = plannedNotices(order, preset, calendar).filter(
    (n) => !sent.has(n.key) && (n.kind === 'supervision' || n.dueAt.getTime() >= now.getTime()),
  );
  return pending[0]?.notifyAt;
}

/**
 * In one pass, what the sweep needs: the notices due at `now` (as `dueNotices`), and when the first
 * notice not sent comes after `now` (when to look again, counting those due now as sent).
 */
export function noticesAt(order: WorkOrder, now: Date, preset: RegulationPreset, calendar: WorkCalendar): { due: PlannedNotice[]; next?: Date } {
  const sent = new Set(order.sentNoticeKeys);
  const t = now.getTime();
  const due: PlannedNotice[] = [];
  let next: Date | undefined;
  for (const n of plannedNotices(order, preset, calendar)) {
    if (sent.has(n.key)) continue;
    if (n.notifyAt.getTime() > t) {
      next ??= n.notifyAt;
    } else if (n.kind === 'supervision' || t <= n.dueAt.getTime()) {
      due.push(n);
    }
  }
  return next ? { due, next } : { due };
}

function notice(
  order: WorkOrder, d: Deadline, kind: PlannedNotice['kind'], tag: string, level: PlannedNotice['level'], notifyAt: Date,
): PlannedNotice {
  return {
    key: `${order.id}:${d.stage}:${tag}:${d.dueAt.toISOString()}`,
    orderId: order.id, stage: d.stage, kind, level, dueAt: d.dueAt, notifyAt,
  };
}
