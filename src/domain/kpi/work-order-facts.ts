/**
 * Compact KPI facts, derived from an order at every write and stored beside it, so a monthly
 * report over a million orders is one indexed match plus a `$group` of `$sum`s. Each row is one
 * `KpiOrderFacts` (domain) turned into 0/1 counters that add up to the numerators and
 * denominators of the domain formulas; the parts that depend on "now" (overdue, unsigned past the
 * limit) keep their due instant (`*OpenDueAt`) and are counted at report time with a `<` match.
 */
import { kpiFactsFromOrder, type KpiOrderFacts } from './work-order-kpi';
import type { WorkOrder } from '../work-order';
import { periodKeys } from '../calendar/periods';

export const FACT_COUNTERS = [
  'dispatched', 'active', 'returnRequested', 'returnApproved', 'returnPendingReview', 'replyPendingReview', 'reviewPassed',
  'otcPassed', 'otcOnTime', 'reached', 'feedbackConfirmed', 'satisfied', 'contacted', 'resolved', 'partlyResolved',
  'callbackRequired', 'callbackReached', 'signCounted', 'signOnTime', 'signLate', 'completedLate', 'feedbackLate',
  'reopens', 'redoBase', 'redone', 'repeat',
] as const;
export type FactCounter = (typeof FACT_COUNTERS)[number];
export type FactCounters = Readonly<Record<FactCounter, number>>;

export interface WorkOrderFactRow {
  /** `<orderId>#<index>`. */
  readonly id: string;
  readonly orderId: string;
  readonly idx: number;
  /** Null on an order that never reached a unit (topic row only). */
  readonly unitId: string | null;
  readonly category: string;
  readonly areaCode: string;
  /** Report periods of the unit row (by dispatch instant); empty for a topic-only row. */
  readonly periods: readonly string[];
  /** Periods in which the order counts for hot topics (by creation instant); only on row 0. */
  readonly topicPeriods: readonly string[];
  readonly counters: FactCounters;
  /** Unsigned, not returned: late once this passes (及时签收率, 延吉 late sign). */
  readonly signOpenDueAt?: Date;
  /** In the 按期办结率 base once this passes (overdue and unfinished). */
  readonly otcOpenDueAt?: Date;
  /** 超时未办 (延吉) once this passes. */
  readonly unfinishedDueAt?: Date;
  /** 答复 late once this passes. */
  readonly feedbackOpenDueAt?: Date;
}

const b = (x: boolean): number => (x ? 1 : 0);
const ms = (d: Date | undefined): number | undefined => d?.getTime();

/** Counters and open due instants of one domain fact row. */
export function countersOf(f: KpiOrderFacts): Pick<WorkOrderFactRow, 'counters' | 'signOpenDueAt' | 'otcOpenDueAt' | 'unfinishedDueAt' | 'feedbackOpenDueAt'> {
  const excluded = f.returnApproved || f.returnPendingReview || f.replyPendingReview;
  const active = !f.returnApproved;
  const cb = f.callback;
  const reached = cb?.result === 'satisfied' || cb?.result === 'unsatisfied';
  const handlingDue = ms(f.handlingDueAt);
  const completed = ms(f.completedAt);
  const completedOnTime = completed !== undefined && (handlingDue === undefined || completed <= handlingDue);
  const signDue = ms(f.signDueAt);
  const signed = ms(f.signedAt);
  const feedbackDue = ms(f.feedbackDueAt);
  const feedbackAt = ms(f.feedbackAt);
  const counters: FactCounters = {
    dispatched: 1,
    active: b(active),
    returnRequested: b(f.returnRequested),
    returnApproved: b(f.returnApproved),
    returnPendingReview: b(f.returnPendingReview),
    replyPendingReview: b(f.replyPendingReview),
    reviewPassed: b(f.reviewPassed),
    otcPassed: b(!excluded && f.reviewPassed),
    otcOnTime: b(!excluded && f.reviewPassed && completedOnTime),
    reached: b(reached),
    feedbackConfirmed: b(reached && cb?.feedbackReceived === true),
    satisfied: b(cb?.result === 'satisfied'),
    contacted: b(reached && cb?.contacted === true),
    resolved: b(reached && cb?.resolution === 'resolved'),
    partlyResolved: b(reached && cb?.resolution === 'partlyResolved'),
    callbackRequired: b(f.callbackRequired),
    callbackReached: b(f.callbackRequired && reached),
    signCounted: b(signDue !== undefined && signed !== undefined),
    signOnTime: b(signDue !== undefined && signed !== undefined && signed <= signDue),
    signLate: b(active && signDue !== undefined && signed !== undefined && signed > signDue),
    completedLate: b(active && completed !== undefined && handlingDue !== undefined && completed > handlingDue),
    feedbackLate: b(active && feedbackDue !== undefined && feedbackAt !== undefined && feedbackAt > feedbackDue),
    reopens: active ? f.reopenCount : 0,
    redoBase: b(f.reviewPassed || f.reopenCount > 0),
    redone: b(f.reopenCount > 0),
    repeat: b(active && f.repeatNumber > 0),
  };
  return {
    counters,
    ...(f.signDueAt && signed === undefined && !f.returnApproved ? { signOpenDueAt: f.signDueAt } : {}),
    ...(f.handlingDueAt && !excluded && !f.reviewPassed ? { otcOpenDueAt: f.handlingDueAt } : {}),
    ...(f.handlingDueAt && active && completed === undefined && !f.returnPendingReview ? { unfinishedDueAt: f.handlingDueAt } : {}),
    ...(f.feedbackDueAt && active && feedbackAt === undefined ? { feedbackOpenDueAt: f.feedbackDueAt } : {}),
  };
}

const ZERO = Object.fromEntries(FACT_COUNTERS.map((c) => [c, 0])) as FactCounters;

/** The rows to store for an order: one per receiving unit, plus a topic row when no unit got it. */
export function factRowsOf(order: WorkOrder): WorkOrderFactRow[] {
  const topicPeriods = periodKeys(order.createdAt);
  const base = { orderId: order.id, category: order.category, areaCode: order.areaCode };
  const facts = kpiFactsFromOrder(order);
  if (facts.length === 0) {
    return [{ ...base, id: `${order.id}#0`, idx: 0, unitId: null, periods: [], topicPeriods, counters: ZERO }];
  }
  return facts.map((f, idx) => ({
    ...base, id: `${order.id}#${idx}`, idx, unitId: f.unitId,
    periods: periodKeys(f.dispatchedAt), topicPeriods: idx === 0 ? topicPeriods : [], ...countersOf(f),
  }));
}

export interface WorkOrderFactsView {
  /** Sums of every numeric counter of unit rows in the period, grouped by unit (ascending unit id). */
  sumByUnit(periodKey: string, unitId?: string): UnitCounterSums[];
  /** Per unit, rows in the period whose `field` is set and earlier than the view's `asOf`. */
  countOpenBefore(periodKey: string, field: OpenDueField, unitId?: string): Map<string, number>;
  /** Orders per category or area whose topic period is `periodKey`, most frequent first. */
  topics(periodKey: string, dimension: 'category' | 'areaCode', limit: number): { key: string; count: number }[];
}

export type OpenDueField = 'signOpenDueAt' | 'otcOpenDueAt' | 'unfinishedDueAt' | 'feedbackOpenDueAt';

export interface UnitCounterSums {
  readonly unitId: string;
  readonly counters: Readonly<Record<string, number>>;
}

/** A fact row reduced to what the sums need. */
export interface PackedFactRow {
  /** Unit (null: topic-only row). */
  readonly u: string | null;
  /** Category and area code. */
  readonly c: string;
  readonly a: string;
  /** Report periods of the unit row, and topic periods. */
  readonly p: readonly string[];
  readonly t: readonly string[];
  /** Counters that are not 0. */
  readonly n: Readonly<Record<string, number>>;
  /** Open due instants (epoch ms). */
  readonly o: Readonly<Partial<Record<OpenDueField, number>>>;
}

/** One write of an order, as the change log holds it: the rows it replaced and its own. */
export interface FactChange {
  readonly orderId: string;
  readonly rev: number;
  readonly old: readonly PackedFactRow[];
  readonly rows: readonly PackedFactRow[];
}
