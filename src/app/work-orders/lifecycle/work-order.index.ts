/**
 * Fields derived from an order at write time: when the sweep must next look at it (`wakeAt`, the
 * earliest of the next 催办/督办 notice, a due first-contact retry and a due callback), who may
 * see it, and the normalized phone for repeat-complaint lookups.
 */
import type { WorkCalendar } from '../../../domain/calendar';
import { nextNoticeAt, normalizePhone, radarDeadline, TERMINAL_STATUSES, type RegulationPreset, type WorkOrder, type WorkOrderEvent } from '../../../domain/work-order';
import { RADAR_NO_DEADLINE, type RadarFields, type StoredWorkOrder, type WorkOrderIndexFields } from '../work-orders.ports';
import { orderHandlerKeys, unitIdsOf } from './work-order.policy';

export function needsContactRetry(o: WorkOrder): boolean {
  return (o.status === 'IN_PROGRESS' || o.status === 'EXTENSION_REQUESTED') && o.firstContactAt === undefined;
}

export function needsCallback(o: WorkOrder): boolean {
  return o.status === 'PENDING_CALLBACK';
}

/**
 * Whether a written order's wake time must be listed in the wake schedule: a changed one always, an
 * unchanged one only once it is due (the sweep drops the minutes it has done; a later one is still
 * listed under its minute).
 */
export function wakeNeedsListing(next: Date | undefined, previous: Date | undefined, now: number): next is Date {
  return next !== undefined && !(next.getTime() === previous?.getTime() && next.getTime() > now);
}

export interface IndexInput {
  readonly order: WorkOrder;
  readonly previous?: Pick<StoredWorkOrder, 'contactRetryAt' | 'callbackDueAt'>;
  readonly events: readonly WorkOrderEvent[];
  readonly now: Date;
  readonly preset: RegulationPreset;
  readonly calendar: WorkCalendar;
  /** The sweep has handled a due retry / callback: drop it. */
  readonly clearContactRetry?: boolean;
  readonly clearCallback?: boolean;
}

export function indexFieldsOf(x: IndexInput): WorkOrderIndexFields {
  const o = x.order;
  let contactRetryAt = x.clearContactRetry ? undefined : x.previous?.contactRetryAt;
  let callbackDueAt = x.clearCallback ? undefined : x.previous?.callbackDueAt;
  for (const e of x.events) {
    if (e.type === 'ContactRetryDue') contactRetryAt = e.notBefore;
    if (e.type === 'CallbackDue') callbackDueAt = e.notBefore;
  }
  if (!needsContactRetry(o)) contactRetryAt = undefined;
  if (!needsCallback(o)) callbackDueAt = undefined;
  const notice = nextNoticeAt(o, x.now, x.preset, x.calendar);
  const times = [notice, contactRetryAt, callbackDueAt].filter((d): d is Date => d !== undefined).map((d) => d.getTime());
  const phone = o.caller.phone ? normalizePhone(o.caller.phone) : '';
  return {
    ...radarFieldsOf(o, x.preset),
    ...(times.length > 0 ? { wakeAt: new Date(Math.min(...times)) } : {}),
    ...(notice ? { nextNoticeAt: notice } : {}),
    ...(contactRetryAt ? { contactRetryAt } : {}),
    ...(callbackDueAt ? { callbackDueAt } : {}),
    unitIds: unitIdsOf(o),
    ...(phone ? { phoneKey: phone } : {}),
    handlerKeys: orderHandlerKeys(o),
  };
}

/** The radar's fields: the current stage's due and 催办 instants (none on a closed order). */
export function radarFieldsOf(o: WorkOrder, preset: RegulationPreset): RadarFields {
  if (TERMINAL_STATUSES.has(o.status)) return {};
  const radar = radarDeadline(o, preset);
  return {
    radarDueAt: radar?.dueAt ?? RADAR_NO_DEADLINE,
    ...(radar ? { radarStage: radar.stage, ...(radar.remindAt ? { radarRemindAt: radar.remindAt } : {}) } : {}),
  };
}
