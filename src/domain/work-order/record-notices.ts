import type { WorkCalendar } from '../calendar/calendar.types';
import type { RegulationPreset } from './presets/preset.schema';
import type { PlannedNotice } from './supervision';
import { transition } from './work-order.machine';
import type { Actor, WorkOrder } from './work-order.types';

/** A notice as the sweep sent it (kept outside the order until the order is next read). */
export interface SentNotice {
  readonly key: string;
  readonly kind: PlannedNotice['kind'];
  readonly stage: PlannedNotice['stage'];
  readonly level: PlannedNotice['level'];
  /** When it was sent. */
  readonly at: Date;
}

/**
 * The order with sent notices folded in: each recorded with `recordNotice` at the instant it was
 * sent, oldest first (those sent at the same instant in the order given: the plan's), by `actor`
 * (the sweep). One already on the order is left out.
 */
export function foldSentNotices(order: WorkOrder, sent: readonly SentNotice[], preset: RegulationPreset, calendar: WorkCalendar, actor: Actor): WorkOrder {
  let o = order;
  // A stable sort: notices one run sent together keep the order the sweep sent them in.
  for (const n of [...sent].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const r = transition(o, { type: 'recordNotice', key: n.key, kind: n.kind, stage: n.stage, level: n.level }, { now: n.at, actor, preset, calendar });
    if (r.ok) o = r.order;
  }
  return o;
}
