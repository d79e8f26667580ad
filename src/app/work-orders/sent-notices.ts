/**
 * Notices the sweep sent live in the NoticeLog, not in the order: sending one is then a small unique
 * insert instead of a rewrite of the order, which is what keeps a minute in which hundreds of
 * deadlines fall (working-day limits all end at 24:00) short. The order gets them when it is read:
 * every notice its deadlines call for whose time has come and that it does not hold yet is looked up
 * by key and recorded in its history (`recordNotice`, by the sweep, at the instant it was sent). A
 * use case that writes the order writes them with it.
 */
import type { WorkCalendar } from '../../domain/calendar';
import { foldSentNotices, plannedNotices, type Actor, type RegulationPreset, type SentNotice } from '../../domain/work-order';
import type { NoticeLog, SentNoticeRecord, StoredWorkOrder } from './ports';
import { needsCallback, needsContactRetry } from './work-order.index';

export const SWEEP_ACTOR: Actor = { id: 'supervision-sweep', role: 'system' };

/** Key of the announcement of a due first-contact retry. */
export const contactRetryKey = (orderId: string, dueAt: Date): string => `${orderId}:contactRetry:${dueAt.toISOString()}`;
/** Key of the announcement of a due callback. */
export const callbackKey = (orderId: string, dueAt: Date): string => `${orderId}:callback:${dueAt.toISOString()}`;

const isNotice = (r: SentNoticeRecord): r is SentNoticeRecord & Required<Pick<SentNoticeRecord, 'stage' | 'level'>> & { kind: 'reminder' | 'supervision' } =>
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
  const retryKey = stored.contactRetryAt && stored.contactRetryAt.getTime() <= now.getTime() && needsContactRetry(o) ? contactRetryKey(o.id, stored.contactRetryAt) : undefined;
  const cbKey = stored.callbackDueAt && stored.callbackDueAt.getTime() <= now.getTime() && needsCallback(o) ? callbackKey(o.id, stored.callbackDueAt) : undefined;
  if (retryKey) keys.push(retryKey);
  if (cbKey) keys.push(cbKey);
  if (keys.length === 0) return stored;
  const found = await log.find(keys);
  if (found.length === 0) return stored;
  const notices = found.filter(isNotice).map((r) => ({ key: r.key, kind: r.kind, stage: r.stage, level: r.level as SentNotice['level'], at: r.at }));
  const announced = new Set(found.map((r) => r.key));
  const { contactRetryAt, callbackDueAt, ...rest } = stored;
  return {
    ...rest,
    order: notices.length > 0 ? foldSentNotices(o, notices, preset, calendar, SWEEP_ACTOR) : o,
    ...(contactRetryAt && !(retryKey && announced.has(retryKey)) ? { contactRetryAt } : {}),
    ...(callbackDueAt && !(cbKey && announced.has(cbKey)) ? { callbackDueAt } : {}),
  };
}
