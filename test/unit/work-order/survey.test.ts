/** Automated 回访 rules: who is called by a machine, when each attempt may go out, and the keypad answers. */
import {
  DEFAULT_SURVEY_POLICY, nextCallingSlot, planSurveyAttempt, surveyAnswers, surveyChannel, type SurveyPolicy, type WorkOrder,
} from '../../../src/domain/work-order';
import { at, local, newOrder } from './work-order.fixtures';

const P: SurveyPolicy = { ...DEFAULT_SURVEY_POLICY, enabled: true }; // 09:00–20:00, 3 days, 120 min apart, within 7 days
const awaiting = (caller: Partial<WorkOrder['caller']> = {}, extra: Partial<WorkOrder> = {}): WorkOrder => {
  const o = newOrder();
  return { ...o, status: 'PENDING_CALLBACK', completedAt: at('2026-03-03 10:00'), caller: { ...o.caller, ...caller }, ...extra };
};

describe('survey channel', () => {
  it('a plain order awaiting its callback is called automatically', () => {
    expect(surveyChannel(awaiting(), P)).toBe('automatic');
  });
  it('confidential orders, citizens who refuse automated calls and orders without a phone go to an agent, never to a machine', () => {
    expect(surveyChannel(awaiting({ confidential: true }), P)).toBe('agent');
    expect(surveyChannel(awaiting({ noAutomatedCalls: true }), P)).toBe('agent');
    const { phone: _p, ...noPhone } = awaiting().caller;
    expect(surveyChannel({ ...awaiting(), caller: noPhone }, P)).toBe('agent');
  });
  it('a citizen who pressed 0 and was answered by an agent is the agent\'s: not called again by the machine (until the order is completed again)', () => {
    const handed = { at: at('2026-03-04 10:00'), result: 'toAgent' as const, surveyCallId: 'survey-1', handover: { agentId: 'agent-1001' } };
    expect(surveyChannel(awaiting({}, { feedbackAt: at('2026-03-03 12:00'), callbacks: [handed] }), P)).toBe('agent');
    // A handover of an earlier round (before the last feedback) does not count.
    expect(surveyChannel(awaiting({}, { feedbackAt: at('2026-03-05 12:00'), callbacks: [handed] }), P)).toBe('automatic');
    // Pressed 0 and nobody answered: an unreachable attempt, the machine calls again.
    const missed = { ...handed, result: 'unreachable' as const, handover: { agentId: null } };
    expect(surveyChannel(awaiting({}, { feedbackAt: at('2026-03-03 12:00'), callbacks: [missed] }), P)).toBe('automatic');
  });
  it('a citizen who declined callbacks is not surveyed; a preset without surveys or another category leaves it to agents', () => {
    expect(surveyChannel(awaiting({ callbackConsent: 'declined' }), P)).toBe('none');
    expect(surveyChannel(awaiting(), DEFAULT_SURVEY_POLICY)).toBe('agent');
    expect(surveyChannel(awaiting(), { ...P, categories: ['求助'] })).toBe('agent');
    expect(surveyChannel(awaiting({}, { status: 'CLOSED' }), P)).toBe('none');
  });
});

describe('calling hours 09:00–20:00 Beijing', () => {
  it.each([
    ['2026-03-04 08:15', '2026-03-04T09:00:00.000+08:00'],
    ['2026-03-04 12:00', '2026-03-04T12:00:00.000+08:00'],
    ['2026-03-04 19:59', '2026-03-04T19:59:00.000+08:00'],
    ['2026-03-04 20:00', '2026-03-05T09:00:00.000+08:00'],
    ['2026-03-04 23:30', '2026-03-05T09:00:00.000+08:00'],
  ])('%s → %s', (when, slot) => {
    expect(local(nextCallingSlot(at(when), P))).toBe(slot);
  });
});

describe('attempt plan: 3 attempts over 3 days, 2 h apart, the first within 7 days of completion', () => {
  const o = awaiting();
  it('first attempt at the next calling slot, then a day apart, then unreachable', () => {
    expect(planSurveyAttempt(o, P, 3, [], at('2026-03-04 07:00'))).toEqual({ kind: 'call', at: at('2026-03-04 09:00') });
    // max(09:00 + 2 h, first + 1 day) = 03-05 09:00
    expect(planSurveyAttempt(o, P, 3, [at('2026-03-04 09:00')], at('2026-03-04 09:01'))).toEqual({ kind: 'call', at: at('2026-03-05 09:00') });
    // first + 2 days = 03-06 09:00
    expect(planSurveyAttempt(o, P, 3, [at('2026-03-04 09:00'), at('2026-03-05 09:00')], at('2026-03-05 09:01'))).toEqual({ kind: 'call', at: at('2026-03-06 09:00') });
    expect(planSurveyAttempt(o, P, 3, [at('2026-03-04 09:00'), at('2026-03-05 09:00'), at('2026-03-06 09:00')], at('2026-03-06 09:01'))).toEqual({ kind: 'unreachable' });
  });
  it('an attempt at 19:30 is retried no earlier than 2 h later, which is the next morning', () => {
    const p1 = { ...P, overDays: 1 };
    // first + 1/3 day = 03-05 03:30; last + 2 h = 21:30 → calling hours → 03-05 09:00 (within 1 day of the first).
    expect(planSurveyAttempt(o, p1, 3, [at('2026-03-04 19:30')], at('2026-03-04 19:31'))).toEqual({ kind: 'call', at: at('2026-03-05 09:00') });
    // The third would be due at 03-05 11:30 at the earliest and is still inside the day: 03-05 11:30.
    expect(planSurveyAttempt(o, p1, 3, [at('2026-03-04 19:30'), at('2026-03-05 09:00')], at('2026-03-05 09:01'))).toEqual({ kind: 'call', at: at('2026-03-05 11:30') });
  });
  it('no first attempt after the survey window (completion 03-03 10:00 + 7 days); retries past the spread give up', () => {
    expect(planSurveyAttempt(o, P, 3, [], at('2026-03-10 09:59'))).toEqual({ kind: 'call', at: at('2026-03-10 09:59') });
    expect(planSurveyAttempt(o, P, 3, [], at('2026-03-10 10:01'))).toEqual({ kind: 'unreachable' });
    expect(planSurveyAttempt(o, { ...P, overDays: 1 }, 3, [at('2026-03-04 19:30'), at('2026-03-05 19:00')], at('2026-03-05 19:01'))).toEqual({ kind: 'unreachable' });
  });
});

describe('keypad answers', () => {
  it('solved 1/2 and satisfaction 1 非常满意 … 5 非常不满意', () => {
    expect(surveyAnswers('1', '3')).toEqual({ resolution: 'resolved', level: '基本满意' });
    expect(surveyAnswers('2', '5')).toEqual({ resolution: 'unresolved', level: '非常不满意' });
    expect(surveyAnswers('1', '1')).toEqual({ resolution: 'resolved', level: '非常满意' });
    expect(surveyAnswers('3', '1')).toBeUndefined();
    expect(surveyAnswers('1', '6')).toBeUndefined();
    expect(surveyAnswers('1', '')).toBeUndefined();
  });
});
