import {
  abandonRate,
  averageHandleTime,
  averageSpeedOfAnswer,
  averageTalk,
  averageWait,
  computeCallMetrics,
  satisfactionRate,
  serviceLevel,
  tenSecondAnswerRate,
  type CallFact,
} from '../../../src/domain/kpi/call-metrics';

const s = (sec: number) => sec * 1000;

/**
 * Seven hand-made calls. Per call: wait (queue entry → answer/hang-up), rings, talk, wrap-up, rating.
 *  A answered after 8 s; one ring answered at 8 s; talk 120 s, wrap 30 s; satisfied
 *  B answered after 20 s; ring missed at 10 s, then answered at 3 s; talk 200 s, wrap 20 s; dissatisfied
 *  C abandoned after 3 s (short abandon); no ring
 *  D abandoned after 12 s; ring cancelled by the caller after 4 s
 *  E abandoned after 40 s; ring cancelled by the caller after 12 s
 *  F answered after exactly 15 s; one ring answered at 15 s; talk 60 s; no rating
 *  G never queued (ended in the menu)
 */
const A: CallFact = { queued: true, outcome: 'answered', waitMs: s(8), talkMs: s(120), wrapUpMs: s(30), attempts: [{ ringMs: s(8), outcome: 'answered' }], rating: { satisfied: true } };
const B: CallFact = {
  queued: true,
  outcome: 'answered',
  waitMs: s(20),
  talkMs: s(200),
  wrapUpMs: s(20),
  attempts: [
    { ringMs: s(10), outcome: 'missed' },
    { ringMs: s(3), outcome: 'answered' },
  ],
  rating: { satisfied: false },
};
const C: CallFact = { queued: true, outcome: 'abandoned', waitMs: s(3), talkMs: 0, attempts: [], rating: null };
const D: CallFact = { queued: true, outcome: 'abandoned', waitMs: s(12), talkMs: 0, attempts: [{ ringMs: s(4), outcome: 'cancelled' }], rating: null };
const E: CallFact = { queued: true, outcome: 'abandoned', waitMs: s(40), talkMs: 0, attempts: [{ ringMs: s(12), outcome: 'cancelled' }], rating: null };
const F: CallFact = { queued: true, outcome: 'answered', waitMs: s(15), talkMs: s(60), attempts: [{ ringMs: s(15), outcome: 'answered' }], rating: null };
const G: CallFact = { queued: false, outcome: 'other', waitMs: null, talkMs: 0, attempts: [], rating: null };
const calls = [A, B, C, D, E, F, G];

describe('call metrics', () => {
  it('10-second answer rate counts per ring: 2 answered ≤ 10 s of 5 rings (D\'s 4 s cancel left out)', () => {
    // rings: A 8 s ✓, B 10 s miss, B 3 s ✓, D cancelled at 4 s (excluded), E cancelled at 12 s (counted), F 15 s ✗
    expect(tenSecondAnswerRate(calls)).toEqual({ numerator: 2, denominator: 5, value: 0.4 });
  });

  it('10-second answer rate counts each agent × call once: a busy phone rung three times for one call is one failure, not three', () => {
    const busyThenOther: CallFact = {
      queued: true,
      outcome: 'answered',
      waitMs: s(40),
      talkMs: s(60),
      attempts: [
        { ringMs: 0, outcome: 'missed', agentId: 'a1' },
        { ringMs: 0, outcome: 'missed', agentId: 'a1' },
        { ringMs: 0, outcome: 'missed', agentId: 'a1' },
        { ringMs: s(2), outcome: 'answered', agentId: 'a2' },
      ],
      rating: null,
    };
    expect(tenSecondAnswerRate([busyThenOther])).toEqual({ numerator: 1, denominator: 2, value: 0.5 });
    // Missed once, then answered in time by the same agent: one pair, answered in time.
    const againInTime: CallFact = {
      ...busyThenOther,
      attempts: [
        { ringMs: s(10), outcome: 'missed', agentId: 'a1' },
        { ringMs: s(4), outcome: 'answered', agentId: 'a1' },
      ],
    };
    expect(tenSecondAnswerRate([againInTime])).toEqual({ numerator: 1, denominator: 1, value: 1 });
  });

  it('service level, denominator answered: A 8 s and F 15 s (boundary) within 15 s of 3 answered → 2/3', () => {
    expect(serviceLevel(calls, s(15), 'answered')).toEqual({ numerator: 2, denominator: 3, value: 2 / 3 });
  });

  it('service level, denominator queued: A, F, and the fast abandons C, D of 6 queued → 4/6 (same calls, different number)', () => {
    expect(serviceLevel(calls, s(15), 'queued')).toEqual({ numerator: 4, denominator: 6, value: 4 / 6 });
  });

  it('service level threshold is configurable: 20 s brings B in under both denominators', () => {
    expect(serviceLevel(calls, s(20), 'answered').value).toBe(1);
    expect(serviceLevel(calls, s(20), 'queued').value).toBe(5 / 6);
  });

  it('abandon rate drops short abandons from both sides: (3 − 1) / (6 − 1)', () => {
    expect(abandonRate(calls, s(5))).toEqual({ numerator: 2, denominator: 5, value: 0.4 });
  });

  it('abandon rate with short-abandon threshold 0 is abandoned ÷ queued: 3/6', () => {
    expect(abandonRate(calls, 0)).toEqual({ numerator: 3, denominator: 6, value: 0.5 });
  });

  it('ASA = (8 + 20 + 15) / 3 s over answered calls', () => {
    expect(averageSpeedOfAnswer(calls)).toEqual({ count: 3, totalMs: s(43), valueMs: s(43) / 3 });
  });

  it('average wait = (8 + 20 + 15 + 3 + 12 + 40) / 6 s over answered and abandoned', () => {
    expect(averageWait(calls)).toEqual({ count: 6, totalMs: s(98), valueMs: s(98) / 6 });
  });

  it('average talk = (120 + 200 + 60) / 3 s; AHT adds wrap-up: (150 + 220 + 60) / 3 s', () => {
    expect(averageTalk(calls).valueMs).toBeCloseTo(s(380) / 3);
    expect(averageHandleTime(calls)).toEqual({ count: 3, totalMs: s(430), valueMs: s(430) / 3 });
  });

  it('satisfaction rate = 1 satisfied of 2 rated (unrated calls not counted)', () => {
    expect(satisfactionRate(calls)).toEqual({ numerator: 1, denominator: 2, value: 0.5 });
  });

  it('zero denominators give null, never NaN or 0', () => {
    const sut = computeCallMetrics([]);
    expect(sut.tenSecondAnswerRate.value).toBeNull();
    expect(sut.serviceLevel.value).toBeNull();
    expect(sut.abandonRate.value).toBeNull();
    expect(sut.averageSpeedOfAnswer.valueMs).toBeNull();
    expect(sut.averageHandleTime.valueMs).toBeNull();
    expect(sut.satisfactionRate.value).toBeNull();
    expect(computeCallMetrics([G]).serviceLevel.value).toBeNull();
  });

  it('computeCallMetrics uses the defaults (15 s, answered, short abandon 5 s) and reports them', () => {
    const sut = computeCallMetrics(calls);
    expect(sut).toMatchObject({ offered: 7, queued: 6, answered: 3, abandoned: 3, shortAbandoned: 1 });
    expect(sut.serviceLevel).toMatchObject({ thresholdMs: 15_000, basis: 'answered', value: 2 / 3 });
    expect(computeCallMetrics(calls, { serviceLevelDenominator: 'queued' }).serviceLevel.value).toBe(4 / 6);
  });
});
