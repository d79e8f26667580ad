/**
 * The deadline radar (工单中心 时限雷达): each open order by the time left on its current stage.
 * The current stage is the open deadline whose clock runs in the order's status (the same rule
 * the 催办/督办 sweep uses) and that falls due first; its 催办 instant is the preset's first
 * reminder fraction of that stage's time, when the preset supervises the stage.
 */
import type { RegulationPreset } from './presets/preset.schema';
import { RUNNING_STAGE_STATES } from './supervision';
import { TERMINAL_STATUSES, type DeadlineStage, type WorkOrder } from './work-order.types';

export interface RadarDeadline {
  readonly stage: DeadlineStage;
  readonly dueAt: Date;
  /** From this instant the order is due for 催办 (yellow); unset when the preset does not supervise the stage. */
  readonly remindAt?: Date;
}

/** overdue 超期 (red), warning 临期 (in the 催办 window, yellow), normal. */
export type RadarLevel = 'overdue' | 'warning' | 'normal';

export function radarDeadline(order: WorkOrder, preset: RegulationPreset): RadarDeadline | undefined {
  if (TERMINAL_STATUSES.has(order.status)) return undefined;
  let best: RadarDeadline | undefined;
  for (const [stage, d] of Object.entries(order.deadlines) as [DeadlineStage, NonNullable<WorkOrder['deadlines'][DeadlineStage]>][]) {
    if (d.metAt || !RUNNING_STAGE_STATES[stage].includes(order.status)) continue;
    if (best && best.dueAt.getTime() <= d.dueAt.getTime()) continue;
    const fractions = preset.supervision.reminderAtElapsed;
    const fraction = preset.supervision.stages.includes(stage) && fractions.length > 0 ? Math.min(...fractions) : undefined;
    const remindAt = fraction === undefined ? undefined : new Date(Math.floor(d.startAt.getTime() + fraction * (d.dueAt.getTime() - d.startAt.getTime())));
    best = { stage, dueAt: d.dueAt, ...(remindAt ? { remindAt } : {}) };
  }
  return best;
}

export function radarLevel(r: Pick<RadarDeadline, 'dueAt' | 'remindAt'>, now: Date): RadarLevel {
  if (now.getTime() > r.dueAt.getTime()) return 'overdue';
  if (r.remindAt && now.getTime() >= r.remindAt.getTime()) return 'warning';
  return 'normal';
}
