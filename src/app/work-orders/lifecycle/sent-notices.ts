/**
 * Notices the sweep sent live in the NoticeLog, not in the order: sending one is then a small unique
 * insert instead of a rewrite of the order, which is what keeps a minute in which hundreds of
 * deadlines fall (working-day limits all end at 24:00) short. The order gets them when it is read:
 * every notice its deadlines call for whose time has come and that it does not hold yet is looked up
 * by key and recorded in its history (`recordNotice`, by the sweep, at the instant it was sent). A
 * use case that writes the order writes them with it.
 */
import type { WorkCalendar } from '../../../domain/calendar';
import { foldSentNotices, plannedNotices, type Actor, type RegulationPreset, type SentNotice } from '../../../domain/work-order';
import type { NoticeLog, SentNoticeRecord, StoredWorkOrder } from '../work-orders.ports';
import { needsCallback, needsContactRetry } from './work-order.index';

export const SWEEP_ACTOR: Actor = { id: 'supervision-sweep', role: 'system' };

/** Key of the announcement of a due first-contact retry. */
const contactRetryKey = (orderId: string, dueAt: Date): string => `${orderId}:contactRetry:${dueAt.toISOString()}`;
/** Key of the announcement of a due callback. */
const callbackKey = (orderId: string, dueAt: Date): string => `${orderId}:callback:${dueAt.toISOString()}`;

/**
 * The first-contact retry and callback announcements due at `now` (records as the sweep sends them),
 * and the times of those still to come. One definition for the sweep that sends them and the read
 * that folds them.
 */
export function announcementsAt(stored: StoredWorkOrder, now: Date): { due: SentNoticeRecord[]; later: Date[] } {
  const o = stored.order;
  const due: SentNoticeRecord[] = [];
  const later: Date[] = [];
  const retryAt = needsContactRetry(o) ? stored.contactRetryAt : undefined;
  if (retryAt && retryAt.getTime() <= now.getTime()) due.push({ key: contactRetryKey(o.id, retryAt), orderId: o.id, kind: 'contactRetry', dueAt: retryAt, at: now });
  else if (retryAt) later.push(retryAt);
  const callbackAt = needsCallback(o) ? stored.callbackDueAt : undefined;
  if (callbackAt && callbackAt.getTime() <= now.getTime()) due.push({ key: callbackKey(o.id, callbackAt), orderId: o.id, kind: 'callback', dueAt: callbackAt, at: now });
  else if (callbackAt) later.push(callbackAt);
  return { due, later };
}

export const isNotice = (r: SentNoticeRecord): r is SentNoticeRecord & Required<Pick<SentNoticeRecord, 'stage' | 'level'>> & { kind: 'reminder' | 'supervision' } =>
  (r.kind === 'reminder' || r.kind === 'supervision') && r.stage !== undefined && r.level !== undefined;

/**
 * The stored order with what the sweep sent folded in: its notices in the history and
 * `sentNoticeKeys`, and a retry or callback it announced no longer pending (so the next write does
 * not list it again). Unchanged when the sweep sent nothing since the order was written.
 */
export async function withSentNotices(
  stored: StoredWorkOrder, log: NoticeLog, now: Date, preset: RegulationPreset, calendar: WorkCalendar,
): Promise<StoredWorkOrder> {
  const o = stored.order;
  const sent = new Set(o.sentNoticeKeys);
  const keys = plannedNotices(o, preset, calendar)
    .filter((n) => n.notifyAt.getTime() <= now.getTime() && !sent.has(n.key))
    .map((n) => n.key);
  const announcements = announcementsAt(stored, now).due;
  keys.push(...announcements.map((a) => a.key));
  if (keys.length === 0) return stored;
  const found = await log.find(keys);
  if (found.length === 0) return stored;
  const notices = found.filter(isNotice).map((r) => ({ key: r.key, kind: r.kind, stage: r.stage, level: r.level as SentNotice['level'], at: r.at }));
  const announced = new Set(found.map((r) => r.key));
  const done = (kind: SentNoticeRecord['kind']): boolean => announcements.some((a) => a.kind === kind && announced.has(a.key));
  const { contactRetryAt, callbackDueAt, ...rest } = stored;
  return {
    ...rest,
    order: notices.length > 0 ? foldSentNotices(o, notices, preset, calendar, SWEEP_ACTOR) : o,
    ...(contactRetryAt && !done('contactRetry') ? { contactRetryAt } : {}),
    ...(callbackDueAt && !done('callback') ? { callbackDueAt } : {}),
  };
}
