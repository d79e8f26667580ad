/**
 * Work-order KPIs, unit scores, rankings and hot topics. Pure functions over `KpiOrderFacts`
 * (one row per order and receiving unit; `kpiFactsFromOrder` derives them, or a repository
 * projects them). Every rate is `{ numerator, denominator, value }` and `value` is null, never
 * NaN, when the denominator is 0.
 */
import { handlingDeadline } from '../work-order/deadline';
import type { CallbackRecord, Category, WorkOrder } from '../work-order/work-order.types';

export interface KpiOrderFacts {
  readonly orderId: string;
  readonly unitId: string;
  readonly category: Category;
  readonly areaCode: string;
  readonly dispatchedAt: Date;
  readonly signedAt?: Date;
  readonly signDueAt?: Date;
  readonly returnRequested: boolean;
  readonly returnApproved: boolean;
  readonly returnPendingReview: boolean;
  readonly handlingDueAt?: Date;
  /** Last submission of the result by the unit. */
  readonly completedAt?: Date;
  readonly replyPendingReview: boolean;
  readonly reviewPassed: boolean;
  readonly feedbackAt?: Date;
  readonly feedbackDueAt?: Date;
  /** Sampled for callback and not refused. */
  readonly callbackRequired: boolean;
  readonly callback?: CallbackRecord;
  readonly reopenCount: number;
  readonly repeatNumber: number;
}

export interface Rate {
  readonly numerator: number;
  readonly denominator: number;
  /** numerator / denominator in 0…1; null when the denominator is 0. */
  readonly value: number | null;
}

export function rate(numerator: number, denominator: number): Rate {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}

const t = (d: Date | undefined): number | undefined => d?.getTime();

/** One row per unit that received the order: earlier units with an approved return, then the current lead. */
export function kpiFactsFromOrder(order: WorkOrder): KpiOrderFacts[] {
  const rows: KpiOrderFacts[] = [];
  const base = { orderId: order.id, category: order.category, areaCode: order.areaCode, reopenCount: 0, repeatNumber: order.repeatNumber };
  const dispatchedAt = order.dispatchedAt;
  for (const r of order.returns) {
    if (r.decision === 'approved') {
      rows.push({
        ...base, unitId: r.unitId, dispatchedAt: r.requestedAt, returnRequested: true, returnApproved: true,
        returnPendingReview: false, replyPendingReview: false, reviewPassed: false, callbackRequired: false,
      });
    }
  }
  if (!order.leadUnitId || !dispatchedAt) return rows;
  const lead = order.leadUnitId;
  const lastCallback = order.callbacks[order.callbacks.length - 1];
  const sampled = order.status === 'PENDING_CALLBACK' || order.closure?.kind === 'callback' || order.callbacks.length > 0;
  const due = handlingDeadline(order.deadlines)?.dueAt;
  rows.push({
    ...base,
    unitId: lead,
    dispatchedAt,
    ...(order.signedAt ? { signedAt: order.signedAt } : {}),
    ...(order.deadlines.sign ? { signDueAt: order.deadlines.sign.dueAt } : {}),
    returnRequested: order.returns.some((r) => r.unitId === lead),
    returnApproved: false,
    returnPendingReview: order.status === 'RETURN_REQUESTED',
    ...(due ? { handlingDueAt: due } : {}),
    ...(order.completedAt ? { completedAt: order.completedAt } : {}),
    replyPendingReview: order.status === 'PENDING_REVIEW',
    reviewPassed: order.reviewedAt !== undefined,
    ...(order.feedbackAt ? { feedbackAt: order.feedbackAt } : {}),
    ...(order.deadlines.feedback ? { feedbackDueAt: order.deadlines.feedback.dueAt } : {}),
    callbackRequired: sampled && order.callbacks.every((c) => c.result !== 'declined'),
    ...(lastCallback ? { callback: lastCallback } : {}),
    reopenCount: order.reopenCount,
  });
  return rows;
}

const reached = (f: KpiOrderFacts): boolean => f.callback?.result === 'satisfied' || f.callback?.result === 'unsatisfied';
const completedOnTime = (f: KpiOrderFacts): boolean =>
  f.completedAt !== undefined && (f.handlingDueAt === undefined || f.completedAt.getTime() <= f.handlingDueAt.getTime());

/**
 * 按期办结率, 密云 2014 附件2 第二条(一):
 * 按期办结数 / (派单数 − 批准退回数 − 退回待审核数 − 期限内办理中数 − 回复待审核数).
 * Numerator: result passed review and was submitted by the handling deadline.
 */
export function onTimeCompletionRate(facts: readonly KpiOrderFacts[], asOf: Date): Rate {
  let num = 0;
  let den = 0;
  for (const f of facts) {
    if (f.returnApproved || f.returnPendingReview || f.replyPendingReview) continue;
    if (f.reviewPassed) {
      den += 1;
      if (completedOnTime(f)) num += 1;
    } else if (f.handlingDueAt !== undefined && asOf.getTime() > f.handlingDueAt.getTime()) {
      den += 1; // overdue and unfinished
    }
  }
  return rate(num, den);
}

/** 反馈率, 密云 2014 附件2 第二条(二): callers who confirm the unit's feedback / callers reached by callback. */
export function feedbackRate(facts: readonly KpiOrderFacts[]): Rate {
  const r = facts.filter(reached);
  return rate(r.filter((f) => f.callback?.feedbackReceived === true).length, r.length);
}

/**
 * 满意率. Basis `callbacks` (default, 密云 2014 附件2 第二条(三)): satisfied / callers reached.
 * Basis `dispatched` (延吉 2019 附件 五(一)6): satisfied / 转办件总数 (approved returns excluded).
 */
export function satisfactionRate(facts: readonly KpiOrderFacts[], basis: 'callbacks' | 'dispatched' = 'callbacks'): Rate {
  const satisfied = facts.filter((f) => f.callback?.result === 'satisfied').length;
  const den = basis === 'callbacks' ? facts.filter(reached).length : facts.filter((f) => !f.returnApproved).length;
  return rate(satisfied, den);
}

/** 响应率 (DB11 三率): callers who confirm the unit contacted them / callers reached. */
export function responseRate(facts: readonly KpiOrderFacts[]): Rate {
  const r = facts.filter(reached);
  return rate(r.filter((f) => f.callback?.contacted === true).length, r.length);
}

/** 解决率 (DB11 三率): resolved (+ weight × partly resolved, default 0) / callers reached. */
export function resolutionRate(facts: readonly KpiOrderFacts[], partlyResolvedWeight = 0): Rate {
  const r = facts.filter(reached);
  const num = r.reduce((s, f) => s + (f.callback?.resolution === 'resolved' ? 1 : f.callback?.resolution === 'partlyResolved' ? partlyResolvedWeight : 0), 0);
  return rate(num, r.length);
}

/** 回访率: callers reached / orders due a callback (sampled, consent not refused). */
export function callbackRate(facts: readonly KpiOrderFacts[]): Rate {
  const due = facts.filter((f) => f.callbackRequired);
  return rate(due.filter(reached).length, due.length);
}

/**
 * 及时签收率: signed by the sign deadline / dispatched with a sign deadline, leaving out orders
 * returned with approval before signing and orders still unsigned within the limit.
 */
export function timelySignRate(facts: readonly KpiOrderFacts[], asOf: Date): Rate {
  let num = 0;
  let den = 0;
  for (const f of facts) {
    const due = t(f.signDueAt);
    if (due === undefined) continue;
    const signed = t(f.signedAt);
    if (signed === undefined && (f.returnApproved || asOf.getTime() <= due)) continue;
    den += 1;
    if (signed !== undefined && signed <= due) num += 1;
  }
  return rate(num, den);
}

/** 退单率 (榆林 回退率): orders the unit asked to return / orders dispatched to it. */
export function returnRate(facts: readonly KpiOrderFacts[]): Rate {
  return rate(facts.filter((f) => f.returnRequested).length, facts.length);
}

/** 重办率: orders redone at least once after an unsatisfied callback / orders completed (passed review). */
export function redoRate(facts: readonly KpiOrderFacts[]): Rate {
  const completed = facts.filter((f) => f.reviewPassed || f.reopenCount > 0);
  return rate(completed.filter((f) => f.reopenCount > 0).length, completed.length);
}

/** Mean of the non-null values (e.g. 年度平均办结率 from monthly rates); null when there are none. */
export function averageRate(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length;
}

/**
 * 满意率 band of 密云 2014 附件2 第三条(三): <30 % 0.2, 30–39 % 0.4, 40–55 % 0.6, 56–74 % 0.7,
 * ≥ 75 % 0.8. The text gives whole-percent bands; a fractional rate falls in the band of its
 * lower whole percent (e.g. 55.9 % → 0.6).
 */
export function satisfactionBandScore(satisfaction: number): number {
  if (satisfaction < 0.3) return 0.2;
  if (satisfaction < 0.4) return 0.4;
  if (satisfaction < 0.56) return 0.6;
  if (satisfaction < 0.75) return 0.7;
  return 0.8;
}

export interface BeijingScoreInput {
  readonly onTimeCompletionRate: number | null;
  readonly feedbackRate: number | null;
  readonly satisfactionRate: number | null;
  /** 监督投诉电话 complaints found true (经查属实). */
  readonly upheldComplaints: number;
}

export interface BeijingScore {
  readonly completion: number | null;
  readonly feedback: number | null;
  readonly satisfaction: number | null;
  readonly complaints: number;
  /** Out of 3; null when any rate is unknown. */
  readonly total: number | null;
}

/**
 * 北京 3-point score, 密云 2014 附件2 第三条: 1 × 按期办结率 + 0.8 × 反馈率 + 满意率 band (≤ 0.8)
 * + (0.4 − 0.01 × upheld complaints, not below 0).
 */
export function beijingScore(input: BeijingScoreInput): BeijingScore {
  const completion = input.onTimeCompletionRate === null ? null : 1 * input.onTimeCompletionRate;
  const feedback = input.feedbackRate === null ? null : 0.8 * input.feedbackRate;
  const satisfaction = input.satisfactionRate === null ? null : satisfactionBandScore(input.satisfactionRate);
  const complaints = Math.max(0, 0.4 - 0.01 * input.upheldComplaints);
  const total = completion === null || feedback === null || satisfaction === null ? null : completion + feedback + satisfaction + complaints;
  return { completion, feedback, satisfaction, complaints, total };
}

export interface YanjiMonthlyInput {
  readonly lateSigns: number; // 五(一)1 not signed within 1 h
  readonly lateReturns: number; // 五(一)2 returned after 1 (2) WD
  readonly lateCompletions: number; // 五(一)3 超时办结
  readonly overdueUnfinished: number; // 五(一)3 超时未办
  readonly extensionViolations: number; // 五(一)4 late or 4th+ extension request
  readonly lateReplies: number; // 五(一)5 按时答复
  /** 五(一)6 满意件数 / 转办件总数; null = no orders (no deduction). */
  readonly satisfactionRate: number | null;
  readonly redos: number; // 五(一)7 退回重办
  readonly repeatComplaints: number; // 五(一)8 重复投诉件
  /** 五(二) cases of the six 催办督办 situations. */
  readonly supervisionCases: number;
}

export interface YanjiMonthlyScore {
  readonly items: {
    readonly sign: number; readonly return: number; readonly completion: number; readonly extension: number;
    readonly reply: number; readonly satisfaction: number; readonly noRedo: number; readonly noRepeat: number;
  };
  /** 承办处理, max 57. */
  readonly handling: number;
  /** 催办督办, max 15. */
  readonly supervision: number;
  /** 工作实绩, max 72. */
  readonly total: number;
}

const capped = (max: number, deduction: number): number => Math.max(0, round2(max - deduction));
const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * 延吉 monthly 工作实绩 score (延市政办发〔2019〕66号 附件 五, 72 points). Each item starts at
 * its maximum and cannot go below 0. 满意率: full 10 at ≥ 95 %, −0.11 per percentage point below,
 * applied linearly to fractional points. 五(二) names six situations but no amounts: each case
 * deducts `supervisionDeductionPerCase` (default 1) from 15.
 */
export function yanjiMonthlyScore(input: YanjiMonthlyInput, supervisionDeductionPerCase = 1): YanjiMonthlyScore {
  const pointsBelow = input.satisfactionRate === null ? 0 : Math.max(0, 95 - input.satisfactionRate * 100);
  const items = {
    sign: capped(3, 0.5 * input.lateSigns),
    return: capped(3, 0.5 * input.lateReturns),
    completion: capped(29, 1 * input.lateCompletions + 2 * input.overdueUnfinished),
    extension: capped(3, 0.5 * input.extensionViolations),
    reply: capped(3, 0.5 * input.lateReplies),
    satisfaction: capped(10, 0.11 * pointsBelow),
    noRedo: capped(3, 0.5 * input.redos),
    noRepeat: capped(3, 0.5 * input.repeatComplaints),
  };
  const handling = round2(Object.values(items).reduce((s, v) => s + v, 0));
  const supervision = capped(15, supervisionDeductionPerCase * input.supervisionCases);
  return { items, handling, supervision, total: round2(handling + supervision) };
}

/** Counts for `yanjiMonthlyScore` derived from facts; what facts cannot show comes in `extra`. */
export function yanjiInputFromFacts(
  facts: readonly KpiOrderFacts[],
  asOf: Date,
  extra: Partial<Pick<YanjiMonthlyInput, 'lateReturns' | 'extensionViolations' | 'supervisionCases'>> = {},
): YanjiMonthlyInput {
  const now = asOf.getTime();
  const late = (done: Date | undefined, due: Date | undefined): boolean =>
    due !== undefined && (done ? done.getTime() > due.getTime() : now > due.getTime());
  const active = facts.filter((f) => !f.returnApproved);
  return {
    lateSigns: active.filter((f) => late(f.signedAt, f.signDueAt)).length,
    lateReturns: extra.lateReturns ?? 0,
    lateCompletions: active.filter((f) => f.completedAt && late(f.completedAt, f.handlingDueAt)).length,
    overdueUnfinished: active.filter((f) => !f.completedAt && !f.returnPendingReview && late(undefined, f.handlingDueAt)).length,
    extensionViolations: extra.extensionViolations ?? 0,
    lateReplies: active.filter((f) => late(f.feedbackAt, f.feedbackDueAt)).length,
    satisfactionRate: satisfactionRate(facts, 'dispatched').value,
    redos: active.reduce((s, f) => s + f.reopenCount, 0),
    repeatComplaints: active.filter((f) => f.repeatNumber > 0).length,
    supervisionCases: extra.supervisionCases ?? 0,
  };
}

export interface Ranked<T> {
  readonly item: T;
  readonly value: number | null;
  /** 1-based competition rank (1, 2, 2, 4); null for items without a value, listed last. */
  readonly rank: number | null;
}

export function rankBy<T>(items: readonly T[], value: (item: T) => number | null, direction: 'desc' | 'asc' = 'desc'): Ranked<T>[] {
  const sign = direction === 'desc' ? -1 : 1;
  const withValue = items.map((item) => ({ item, value: value(item) }));
  const known = withValue.filter((x): x is { item: T; value: number } => x.value !== null).sort((a, b) => sign * (a.value - b.value));
  const out: Ranked<T>[] = [];
  known.forEach((x, i) => {
    const prev = out[i - 1];
    const tie = prev !== undefined && prev.value !== null && Math.abs(prev.value - x.value) < 1e-9;
    out.push({ item: x.item, value: x.value, rank: tie && prev ? prev.rank : i + 1 });
  });
  for (const x of withValue) if (x.value === null) out.push({ item: x.item, value: null, rank: null });
  return out;
}

export interface HotTopic {
  readonly key: string;
  readonly count: number;
  readonly previousCount: number;
  readonly change: number;
  /** (count − previous) / previous; null when the topic is new. */
  readonly changeRate: number | null;
  /** count / all orders of the current period. */
  readonly share: number | null;
}

/** Most frequent categories or areas (热点, 密云 2014 第八条) with their change vs the previous period. */
export function hotTopics(
  current: readonly Pick<KpiOrderFacts, 'orderId' | 'category' | 'areaCode'>[],
  previous: readonly Pick<KpiOrderFacts, 'orderId' | 'category' | 'areaCode'>[],
  dimension: 'category' | 'areaCode',
  topN = 10,
): HotTopic[] {
  const count = (rows: typeof current): Map<string, number> => {
    const seen = new Set<string>();
    const m = new Map<string, number>();
    for (const r of rows) {
      if (seen.has(r.orderId)) continue; // an order counts once even if several units had it
      seen.add(r.orderId);
      m.set(r[dimension], (m.get(r[dimension]) ?? 0) + 1);
    }
    return m;
  };
  const cur = count(current);
  const prev = count(previous);
  const total = [...cur.values()].reduce((s, v) => s + v, 0);
  return [...cur.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, topN)
    .map(([key, n]) => {
      const p = prev.get(key) ?? 0;
      return { key, count: n, previousCount: p, change: n - p, changeRate: p === 0 ? null : (n - p) / p, share: total === 0 ? null : n / total };
    });
}

export interface AnnualRate {
  /** Mean of the months that have a rate (密云 2014 附件2 第三条 "年度平均办结率"). */
  readonly monthlyAverage: number | null;
  /** The year's numerators over its denominators. */
  readonly pooled: Rate;
  /** Months that had a rate. */
  readonly months: number;
}

/** Both yearly aggregations of monthly rates; the scoring preset picks one (`annualValue`). */
export function annualRate(monthly: readonly Rate[]): AnnualRate {
  const num = monthly.reduce((s, r) => s + r.numerator, 0);
  const den = monthly.reduce((s, r) => s + r.denominator, 0);
  return { monthlyAverage: averageRate(monthly.map((r) => r.value)), pooled: rate(num, den), months: monthly.filter((r) => r.value !== null).length };
}

export function annualValue(a: AnnualRate, aggregation: 'monthlyAverage' | 'pooled'): number | null {
  return aggregation === 'monthlyAverage' ? a.monthlyAverage : a.pooled.value;
}
