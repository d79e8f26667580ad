import {
  annualRate, annualValue, averageRate, beijingScore, callbackRate, feedbackRate, hotTopics, kpiFactsFromOrder, onTimeCompletionRate, rankBy, rate,
  redoRate, resolutionRate, responseRate, returnRate, satisfactionBandScore, satisfactionRate, timelySignRate,
  yanjiInputFromFacts, yanjiMonthlyScore, type KpiOrderFacts,
} from '../../../src/domain/kpi/work-order-kpi';
import { AGENT, SUP, UNIT, UNIT2, at, newOrder, run } from '../work-order/work-order.fixtures';

const ASOF = at('2026-04-01 00:00');

function f(id: string, extra: Partial<KpiOrderFacts> = {}): KpiOrderFacts {
  return {
    orderId: id, unitId: 'u', category: '投诉', areaCode: '110105', dispatchedAt: at('2026-03-02 09:00'),
    signDueAt: at('2026-03-03 09:00'), signedAt: at('2026-03-02 10:00'), handlingDueAt: at('2026-03-09 23:59:59.999'),
    returnRequested: false, returnApproved: false, returnPendingReview: false, replyPendingReview: false, reviewPassed: false,
    callbackRequired: false, reopenCount: 0, repeatNumber: 0, ...extra,
  };
}
const cb = (result: 'satisfied' | 'unsatisfied' | 'unreachable', extra = {}) => ({ at: at('2026-03-15 10:00'), result, ...extra });
const onTime = { reviewPassed: true, completedAt: at('2026-03-05 10:00') };

/**
 * Ten orders of one unit, hand-classified:
 * A on time + satisfied, B late + unsatisfied + redone, C approved return, D return pending,
 * E in progress within limit, F overdue unfinished, G reply pending review, H on time + unreachable,
 * I on time + satisfied (no feedback confirmed), J on time, not sampled, a repeat complaint.
 */
const DATA: KpiOrderFacts[] = [
  f('A', { ...onTime, callbackRequired: true, callback: cb('satisfied', { contacted: true, feedbackReceived: true, resolution: 'resolved' }) }),
  f('B', { reviewPassed: true, completedAt: at('2026-03-12 10:00'), signedAt: at('2026-03-04 10:00'), reopenCount: 1, callbackRequired: true,
    callback: cb('unsatisfied', { contacted: true, feedbackReceived: true, resolution: 'partlyResolved' }) }),
  f('C', { returnRequested: true, returnApproved: true, signedAt: undefined }),
  f('D', { returnRequested: true, returnPendingReview: true, signedAt: undefined }),
  f('E', { handlingDueAt: at('2026-04-05 23:59:59.999') }),
  f('F', { handlingDueAt: at('2026-03-20 23:59:59.999') }),
  f('G', { replyPendingReview: true, completedAt: at('2026-03-06 10:00') }),
  f('H', { ...onTime, callbackRequired: true, callback: cb('unreachable') }),
  f('I', { ...onTime, callbackRequired: true, callback: cb('satisfied', { contacted: false, feedbackReceived: false, resolution: 'resolved' }) }),
  f('J', { ...onTime, repeatNumber: 1 }),
];

describe('work-order KPIs', () => {
  it('按期办结率 uses the 000 denominator: 10 − 1 approved return − 1 return pending − 1 within limit − 1 reply pending = 6', () => {
    expect(onTimeCompletionRate(DATA, ASOF)).toEqual(rate(4, 6)); // A, H, I, J on time
  });
  it('反馈率 = confirmed feedback / callers reached (A, B, I)', () => expect(feedbackRate(DATA)).toEqual(rate(2, 3)));
  it('满意率 on callbacks (000) and on dispatched orders (延吉)', () => {
    expect(satisfactionRate(DATA)).toEqual(rate(2, 3));
    expect(satisfactionRate(DATA, 'dispatched')).toEqual(rate(2, 9));
  });
  it('响应率 and 解决率 from the callback answers', () => {
    expect(responseRate(DATA)).toEqual(rate(2, 3));
    expect(resolutionRate(DATA)).toEqual(rate(2, 3));
    expect(resolutionRate(DATA, 0.5)).toEqual(rate(2.5, 3));
  });
  it('回访率 = reached / due a callback (A, B, H, I)', () => expect(callbackRate(DATA)).toEqual(rate(3, 4)));
  it('及时签收率 leaves out the approved return; D unsigned past its limit counts as late', () => {
    expect(timelySignRate(DATA, ASOF)).toEqual(rate(7, 9));
    expect(timelySignRate([f('x', { signedAt: undefined })], at('2026-03-02 12:00'))).toEqual(rate(0, 0));
  });
  it('退单率 and 重办率', () => {
    expect(returnRate(DATA)).toEqual(rate(2, 10));
    expect(redoRate(DATA)).toEqual(rate(1, 5)); // completed: A, B, H, I, J
  });
  it('zero denominators give null, never NaN', () => {
    for (const r of [onTimeCompletionRate([], ASOF), feedbackRate([]), satisfactionRate([]), responseRate([]), resolutionRate([]),
      callbackRate([]), timelySignRate([], ASOF), returnRate([]), redoRate([])]) {
      expect(r).toEqual({ numerator: 0, denominator: 0, value: null });
    }
    expect(averageRate([null, null])).toBeNull();
    expect(averageRate([0.5, null, 1])).toBe(0.75);
  });
});

describe('annual aggregation (密云 2014 附件2 第三条 "1*年度平均办结率")', () => {
  it('average of monthly rates vs the pooled rate: Jan 9/10, Feb 1/2, Mar none', () => {
    const a = annualRate([rate(9, 10), rate(1, 2), rate(0, 0)]);
    // (0.9 + 0.5) / 2 = 0.7; (9 + 1) / (10 + 2) = 0.8333…
    expect(a.monthlyAverage).toBeCloseTo(0.7, 12);
    expect(a.pooled).toEqual(rate(10, 12));
    expect(a.months).toBe(2);
    expect(annualValue(a, 'monthlyAverage')).toBeCloseTo(0.7, 12);
    expect(annualValue(a, 'pooled')).toBeCloseTo(10 / 12, 12);
    expect(annualRate([])).toEqual({ monthlyAverage: null, pooled: rate(0, 0), months: 0 });
  });
});

describe('北京 3-point score (密云 2014 附件2 第三条)', () => {
  it('scores the dataset: 4/6 + 0.8 × 2/3 + 0.7 (66.7 %) + (0.4 − 3 × 0.01)', () => {
    const sut = beijingScore({
      onTimeCompletionRate: onTimeCompletionRate(DATA, ASOF).value, feedbackRate: feedbackRate(DATA).value,
      satisfactionRate: satisfactionRate(DATA).value, upheldComplaints: 3,
    });
    expect(sut.satisfaction).toBe(0.7);
    expect(sut.complaints).toBeCloseTo(0.37, 10);
    expect(sut.total).toBeCloseTo(4 / 6 + 0.8 * (2 / 3) + 0.7 + 0.37, 10); // 2.27
  });
  it.each([[0.29, 0.2], [0.3, 0.4], [0.399, 0.4], [0.4, 0.6], [0.55, 0.6], [0.559, 0.6], [0.56, 0.7], [0.7499, 0.7], [0.75, 0.8], [1, 0.8]])(
    'satisfaction %f → %f', (s, points) => expect(satisfactionBandScore(s)).toBe(points),
  );
  it('full marks are 3; complaints cannot take more than 0.4; unknown rates give no total', () => {
    expect(beijingScore({ onTimeCompletionRate: 1, feedbackRate: 1, satisfactionRate: 0.8, upheldComplaints: 0 }).total).toBeCloseTo(3, 10);
    expect(beijingScore({ onTimeCompletionRate: 1, feedbackRate: 1, satisfactionRate: 0.8, upheldComplaints: 50 }).complaints).toBe(0);
    expect(beijingScore({ onTimeCompletionRate: null, feedbackRate: 1, satisfactionRate: 1, upheldComplaints: 0 }).total).toBeNull();
  });
});

describe('延吉 monthly score (延市政办发〔2019〕66号 附件 五)', () => {
  it('applies every deduction', () => {
    const sut = yanjiMonthlyScore({
      lateSigns: 3, lateReturns: 1, lateCompletions: 2, overdueUnfinished: 1, extensionViolations: 0, lateReplies: 2,
      satisfactionRate: 0.9, redos: 1, repeatComplaints: 2, supervisionCases: 2,
    });
    expect(sut.items).toEqual({
      sign: 1.5, // 3 − 3 × 0.5
      return: 2.5, // 3 − 0.5
      completion: 25, // 29 − 2 × 1 − 1 × 2
      extension: 3,
      reply: 2, // 3 − 2 × 0.5
      satisfaction: 9.45, // 10 − 0.11 × (95 − 90)
      noRedo: 2.5,
      noRepeat: 2,
    });
    expect(sut.handling).toBe(47.95);
    expect(sut.supervision).toBe(13);
    expect(sut.total).toBe(60.95);
  });
  it('never goes below 0 per item, and gives full marks with nothing to deduct', () => {
    const zero = { lateSigns: 0, lateReturns: 0, lateCompletions: 0, overdueUnfinished: 0, extensionViolations: 0, lateReplies: 0, satisfactionRate: 0.96, redos: 0, repeatComplaints: 0, supervisionCases: 0 };
    expect(yanjiMonthlyScore(zero).total).toBe(72);
    expect(yanjiMonthlyScore({ ...zero, satisfactionRate: null }).items.satisfaction).toBe(10);
    const bad = yanjiMonthlyScore({ ...zero, lateSigns: 10, overdueUnfinished: 20, satisfactionRate: 0, supervisionCases: 30 }, 1);
    expect([bad.items.sign, bad.items.completion, bad.items.satisfaction, bad.supervision]).toEqual([0, 0, 0, 0]);
  });
  it('derives the counts from facts', () => {
    expect(yanjiInputFromFacts(DATA, ASOF, { supervisionCases: 1 })).toEqual({
      lateSigns: 2, lateReturns: 0, lateCompletions: 1, overdueUnfinished: 1, extensionViolations: 0, lateReplies: 0,
      satisfactionRate: 2 / 9, redos: 1, repeatComplaints: 1, supervisionCases: 1,
    });
  });
});

describe('rankings and hot topics', () => {
  it('ranks with shared places and unknown values last', () => {
    const units = [{ u: 'a', v: 0.9 }, { u: 'b', v: null }, { u: 'c', v: 0.95 }, { u: 'd', v: 0.9 }, { u: 'e', v: 0.5 }];
    expect(rankBy(units, (x) => x.v).map((r) => [r.item.u, r.rank])).toEqual([['c', 1], ['a', 2], ['d', 2], ['e', 4], ['b', null]]);
    expect(rankBy(units, (x) => x.v, 'asc').map((r) => r.item.u)).toEqual(['e', 'a', 'd', 'c', 'b']);
  });

  it('lists the top categories with their change against the previous period', () => {
    const row = (orderId: string, category: string, unitId = 'u') => ({ ...f(orderId, { category }), unitId });
    const current = [row('1', '投诉'), row('1', '投诉', 'u2'), row('2', '投诉'), row('3', '投诉'), row('4', '咨询'), row('5', '求助'), row('6', '求助')];
    const previous = [row('p1', '投诉'), row('p2', '求助'), row('p3', '求助'), row('p4', '建议')];
    expect(hotTopics(current, previous, 'category', 2)).toEqual([
      { key: '投诉', count: 3, previousCount: 1, change: 2, changeRate: 2, share: 0.5 },
      { key: '求助', count: 2, previousCount: 2, change: 0, changeRate: 0, share: 2 / 6 },
    ]);
    expect(hotTopics(current, previous, 'category').find((t) => t.key === '咨询')?.changeRate).toBeNull();
    expect(hotTopics([], [], 'areaCode')).toEqual([]);
  });
});

describe('kpiFactsFromOrder', () => {
  it('gives the returning unit an approved-return row and the new unit the live row', () => {
    const T0 = at('2026-03-02 09:00');
    const o = run(newOrder({ createdAt: T0 }), 'beijing-2023', [
      [{ type: 'accept' }, AGENT, T0],
      [{ type: 'dispatch', leadUnitId: 'unit-1' }, AGENT, T0],
      [{ type: 'requestReturn', reason: 'notOurDuty', explanation: 'x', evidence: [{ id: 'e' }] }, UNIT, T0],
      [{ type: 'approveReturn', redispatchTo: { leadUnitId: 'unit-2' } }, SUP, at('2026-03-02 10:00')],
      [{ type: 'sign' }, UNIT2, at('2026-03-02 11:00')],
      [{ type: 'complete', summary: 'ok' }, UNIT2, at('2026-03-04 10:00')],
      [{ type: 'passReview' }, SUP, at('2026-03-04 11:00')],
      [{ type: 'recordFeedback', channel: 'phone' }, UNIT2, at('2026-03-04 12:00')],
      [{ type: 'recordCallback', result: 'satisfied', feedbackReceived: true }, AGENT, at('2026-03-06 10:00')],
    ], { callbackSampled: true });
    const rows = kpiFactsFromOrder(o);
    expect(rows.map((r) => [r.unitId, r.returnApproved])).toEqual([['unit-1', true], ['unit-2', false]]);
    expect(rows[1]).toMatchObject({ reviewPassed: true, callbackRequired: true, callback: { result: 'satisfied' } });
    expect(onTimeCompletionRate(rows, ASOF)).toEqual(rate(1, 1));
    expect(onTimeCompletionRate(rows.filter((r) => r.unitId === 'unit-1'), ASOF)).toEqual(rate(0, 0));
  });
});
