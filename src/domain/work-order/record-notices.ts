import type { WorkCalendar } from '../calendar/calendar.types';
import type { RegulationPreset } from './presets/preset.schema';
import { dueNotices, type PlannedNotice } from './supervision';
import type { WorkOrderEvent } from './work-order.actions';
import { transition } from './work-order.machine';
import type { Actor, WorkOrder } from './work-order.types';

export interface RecordedNotices {
  readonly order: WorkOrder;
  readonly events: readonly WorkOrderEvent[];
  /** The notices recorded now, in order; one already sent is left out. */
  readonly recorded: readonly PlannedNotice[];
}

/** Every notice due at `now` recorded on the order with `recordNotice`, as the sweep does. */
export function recordDueNotices(order: WorkOrder, now: Date, preset: RegulationPreset, calendar: WorkCalendar, actor: Actor): RecordedNotices {
  let o = order;
  const events: WorkOrderEvent[] = [];
  const recorded: PlannedNotice[] = [];
  for (const n of dueNotices(o, now, preset, calendar)) {
    const r = transition(o, { type: 'recordNotice', key: n.key, kind: n.kind, stage: n.stage, level: n.level }, { now, actor, preset, calendar });
    if (!r.ok) continue; // e.g. NOTICE_ALREADY_SENT: nothing to send
    o = r.order;
    events.push(...r.events);
    recorded.push(n);
  }
  return { order: o, events, recorded };
}
