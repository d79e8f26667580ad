import { LiveDashboard } from '../../../src/app/live/live-dashboard';
import type { DashboardDelta } from '../../../src/app/live/dashboard.types';
import { DEFAULT_MONITORING_SETTINGS } from '../../../src/app/queues/queues.ports';
import { asAgentId, asQueueId } from '../../../src/shared/ids';
import { T0, agentState, ev } from './live-fixtures';

const q = asQueueId('general');
const a1 = asAgentId('1001');
const a2 = asAgentId('1002');

function setup(settings = DEFAULT_MONITORING_SETTINGS) {
  let now = T0;
  const sut = new LiveDashboard({ clock: () => now, settings });
  const deltas: DashboardDelta[] = [];
  sut.onDelta((d) => deltas.push(d));
  return { sut, deltas, at: (ms: number) => (now = T0 + ms) };
}

/** c1: queued, A1 misses after 10 s, A2 answers after 3 s, talks 60 s, rated satisfied. */
function answeredCall(sut: LiveDashboard, at: (ms: number) => number) {
  sut.apply(ev('c1', at(0), { type: 'CallEntered', channelId: 'c1', callerNumber: '13800000001', calledNumber: '12345', queueId: q, priority: 0 }));
  sut.apply(ev('c1', at(1000), { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
  sut.apply(ev('c1', at(1000), { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'PJSIP/1001', channelId: 'r1', waitMs: 0 }));
  sut.apply(ev('c1', at(11_000), { type: 'AgentRingMissed', attempt: 1, agentId: a1, outcome: 'no-answer', ringMs: 10_000 }));
  sut.apply(ev('c1', at(11_000), { type: 'CallQueued', queueId: q, priority: 0, retry: true }));
  sut.apply(ev('c1', at(11_000), { type: 'AgentOffered', attempt: 2, agentId: a2, agentNumber: '1002', endpoint: 'PJSIP/1002', channelId: 'r2', waitMs: 10_000 }));
  sut.apply(ev('c1', at(14_000), { type: 'AgentAnswered', attempt: 2, agentId: a2, agentNumber: '1002', ringMs: 3000, waitMs: 13_000 }));
  sut.apply(ev('c1', at(74_000), { type: 'CallCompleted', agentId: a2, endedBy: 'caller', talkMs: 60_000 }));
  sut.apply(ev('c1', at(80_000), { type: 'CallRated', scale: 'two-level', digit: '1', value: 1, code: 'satisfied', label: '满意', satisfied: true }));
  sut.apply(ev('c1', at(80_000), { type: 'CallEnded', reason: 'completed', hungUpBy: 'caller', stage: 'rating' }));
}

describe('LiveDashboard', () => {
  it('deltas carry consecutive sequence numbers and the snapshot carries the last one', () => {
    const { sut, deltas, at } = setup();
    answeredCall(sut, at);
    expect(deltas.length).toBeGreaterThan(10);
    deltas.forEach((d, i) => expect(d.seq).toBe(i + 1));
    expect(sut.snapshot().seq).toBe(deltas.length);
  });

  it('an answered call after one missed ring moves the counters as hand-computed', () => {
    const { sut, at } = setup();
    answeredCall(sut, at);
    expect(sut.snapshot().counters).toEqual({
      offered: 1,
      answered: 1,
      abandoned: 0,
      shortAbandoned: 0,
      answeredWithin10s: 1,
      ringsCounted: 2,
      tenSecondAnswerRate: 0.5,
      serviceLevel: 1, // waited 13 s ≤ 15 s, denominator answered
      averageWaitMs: 13_000,
      averageTalkMs: 60_000,
      ratings: 1,
      satisfied: 1,
      satisfactionRate: 1,
      ringMisses: 1,
    });
    expect(sut.snapshot().callsInProgress).toBe(0);
  });

  it('per agent: calls today, misses today, AHT including wrap-up', () => {
    const { sut, at } = setup();
    sut.apply(agentState(a2, at(0), 'ready'));
    answeredCall(sut, at);
    sut.apply(agentState(a2, at(74_000), 'wrap_up'));
    sut.apply(agentState(a2, at(94_000), 'ready'));
    const agents = sut.snapshot().agents;
    expect(agents.find((a) => a.agentId === a1)).toMatchObject({ callsToday: 0, missesToday: 1, missedStreak: 1 });
    expect(agents.find((a) => a.agentId === a2)).toMatchObject({
      state: 'ready',
      stateSince: T0 + 94_000,
      callsToday: 1,
      missesToday: 0,
      handledCount: 1,
      averageHandleMs: 80_000, // 60 s talk + 20 s wrap-up
      currentCallId: null,
    });
  });

  it('queue view lists waiting callers oldest first with the longest wait', () => {
    const { sut, at } = setup();
    sut.apply(ev('w1', at(0), { type: 'CallEntered', channelId: 'w1', callerNumber: '13800000001', calledNumber: '12345', queueId: q, priority: 0 }));
    sut.apply(ev('w1', at(0), { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
    sut.apply(ev('w2', at(5000), { type: 'CallEntered', channelId: 'w2', callerNumber: '13800000002', calledNumber: '12345', queueId: q, priority: 0 }, { confidential: true }));
    sut.apply(ev('w2', at(5000), { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
    at(20_000);
    const view = sut.snapshot().queues.find((x) => x.queueId === q);
    expect(view?.longestWaitMs).toBe(20_000);
    expect(view?.waiting.map((w) => [w.callId, w.callerNumber])).toEqual([
      ['w1', '13800000001'],
      ['w2', '138****0002'], // confidential: masked on the dashboard
    ]);
  });

  it('abandoned calls: listed, counted, short abandons split out, SL under both denominators', () => {
    const { sut, at } = setup({ ...DEFAULT_MONITORING_SETTINGS, serviceLevelDenominator: 'queued' });
    answeredCall(sut, at); // answered after 13 s
    for (const [id, wait] of [['x1', 3000], ['x2', 30_000]] as const) {
      sut.apply(ev(id, at(100_000), { type: 'CallEntered', channelId: id, callerNumber: '13900000000', calledNumber: '12345', queueId: q, priority: 0 }));
      sut.apply(ev(id, at(100_000), { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
      sut.apply(ev(id, at(100_000 + wait), { type: 'CallAbandoned', stage: 'queued', queueId: q, position: 1, waitMs: wait, attempts: 0 }));
      sut.apply(ev(id, at(100_000 + wait), { type: 'CallEnded', reason: 'caller-hangup', hungUpBy: 'caller', stage: 'queued' }));
    }
    const s = sut.snapshot();
    expect(s.abandoned.map((x) => x.callId)).toEqual(['x1', 'x2']);
    expect(s.counters).toMatchObject({ offered: 3, answered: 1, abandoned: 2, shortAbandoned: 1, averageWaitMs: (13_000 + 3000 + 30_000) / 3 });
    // queued basis: answered in 13 s + abandoned in 3 s within 15 s, of 3 queued
    expect(s.counters.serviceLevel).toBeCloseTo(2 / 3);
    sut.updateSettings({ ...DEFAULT_MONITORING_SETTINGS, serviceLevelDenominator: 'answered' });
    expect(sut.snapshot().counters.serviceLevel).toBe(1);
  });

  it('alerts: ring-no-answer on a miss, cleared after the hold time', () => {
    const { sut, deltas, at } = setup();
    answeredCall(sut, at);
    expect(deltas.filter((d) => d.type === 'alert_raised').map((d) => d.type === 'alert_raised' && d.alert.type)).toEqual(['ring_no_answer']);
    sut.tick(at(11_000 + 60_000));
    expect(sut.snapshot().alerts).toEqual([]);
  });

  it('alerts: wait above threshold raised once by tick, cleared when the caller leaves the queue', () => {
    const { sut, deltas, at } = setup({ ...DEFAULT_MONITORING_SETTINGS, waitAlertSec: 30 });
    sut.apply(ev('w', at(0), { type: 'CallEntered', channelId: 'w', callerNumber: '1', calledNumber: '12345', queueId: q, priority: 0 }));
    sut.apply(ev('w', at(0), { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
    sut.tick(at(30_000));
    expect(sut.snapshot().alerts).toEqual([]);
    sut.tick(at(31_000));
    sut.tick(at(32_000));
    expect(sut.snapshot().alerts).toEqual([expect.objectContaining({ type: 'wait_above_threshold', callId: 'w', value: 31_000 })]);
    sut.apply(ev('w', at(33_000), { type: 'CallAbandoned', stage: 'queued', queueId: q, position: 1, waitMs: 33_000, attempts: 0 }));
    expect(sut.snapshot().alerts).toEqual([]);
    expect(deltas.filter((d) => d.type === 'alert_raised')).toHaveLength(1);
    expect(deltas.filter((d) => d.type === 'alert_cleared')).toHaveLength(1);
  });

  it('alerts: agent not ready too long, and a missed-ring streak cleared by an answer', () => {
    const { sut, at } = setup({ ...DEFAULT_MONITORING_SETTINGS, notReadyAlertSec: 600, missedStreakAlert: 2 });
    sut.apply(agentState(a1, at(0), 'not_ready', '培训'));
    sut.tick(at(601_000));
    expect(sut.snapshot().alerts).toEqual([expect.objectContaining({ type: 'agent_not_ready_too_long', agentId: a1 })]);
    expect(sut.snapshot().agents[0]).toMatchObject({ notReadyReason: '培训', state: 'not_ready' });
    sut.apply(agentState(a1, at(602_000), 'ready'));
    expect(sut.snapshot().alerts).toEqual([]);

    for (const id of ['m1', 'm2']) {
      sut.apply(ev(id, at(603_000), { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 0 }));
      sut.apply(ev(id, at(613_000), { type: 'AgentRingMissed', attempt: 1, agentId: a1, outcome: 'rejected', ringMs: 2000 }));
    }
    expect(sut.snapshot().alerts).toEqual([expect.objectContaining({ type: 'missed_ring_streak', agentId: a1, value: 2 })]);
    sut.apply(ev('m3', at(620_000), { type: 'AgentAnswered', attempt: 1, agentId: a1, agentNumber: '1001', ringMs: 2000, waitMs: 2000 }));
    expect(sut.snapshot().alerts).toEqual([]);
  });

  it('deltasSince gives the missed deltas, or null when they are too old', () => {
    let now = T0;
    const sut = new LiveDashboard({ clock: () => now, deltaBacklog: 5 });
    for (let i = 0; i < 8; i += 1) sut.apply(agentState(`a${i}`, (now += 1000), 'ready'));
    expect(sut.deltasSince(8)).toEqual([]);
    expect(sut.deltasSince(5)?.map((d) => d.seq)).toEqual([6, 7, 8]);
    expect(sut.deltasSince(3)?.map((d) => d.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(sut.deltasSince(2)).toBeNull();
    expect(sut.deltasSince(9)).toBeNull();
  });

  it('a call whose work order became confidential is masked from then on: waiting in a queue, and in the abandoned list', () => {
    const { sut, deltas, at } = setup();
    sut.apply(ev('w1', at(0), { type: 'CallEntered', channelId: 'w1', callerNumber: '13912345678', calledNumber: '12345', queueId: q, priority: 0 }));
    sut.apply(ev('w1', at(0), { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
    sut.apply(ev('a1', at(0), { type: 'CallEntered', channelId: 'a1', callerNumber: '13787654321', calledNumber: '12345', queueId: q, priority: 0 }));
    sut.apply(ev('a1', at(0), { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
    sut.apply(ev('a1', at(5000), { type: 'CallAbandoned', stage: 'queued', queueId: q, position: 2, waitMs: 5000, attempts: 0 }));
    sut.apply(ev('a1', at(5000), { type: 'CallEnded', reason: 'caller-hangup', hungUpBy: 'caller', stage: 'queued' }));
    expect(JSON.stringify(sut.snapshot())).toContain('13912345678');
    expect(JSON.stringify(sut.snapshot())).toContain('13787654321');
    const before = deltas.length;
    sut.apply({ kind: 'confidential', callId: 'w1', at: at(6000) });
    sut.apply({ kind: 'confidential', callId: 'a1', at: at(6000) });
    const s = sut.snapshot();
    expect(s.queues.find((x) => x.queueId === q)?.waiting.map((w) => w.callerNumber)).toEqual(['139****5678']);
    expect(s.abandoned.map((a) => [a.callId, a.callerNumber])).toEqual([['a1', '137****4321']]);
    const sent = deltas.slice(before);
    expect(sent.map((d) => d.type)).toEqual(['queue', 'abandoned']);
    expect(JSON.stringify(sent)).not.toMatch(/13912345678|13787654321/);
    // Marking again changes nothing and sends nothing.
    sut.apply({ kind: 'confidential', callId: 'a1', at: at(7000) });
    expect(deltas.length).toBe(before + 2);
  });

  it('a new local day resets counters, abandoned list and per-agent figures with a day_reset delta', () => {
    const { sut, deltas, at } = setup();
    answeredCall(sut, at);
    const midnight = Date.UTC(2025, 5, 10, 16, 0, 0); // 2025-06-11 00:00 Beijing
    sut.tick(at(midnight - T0));
    const reset = deltas.find((d) => d.type === 'day_reset');
    expect(reset?.type).toBe('day_reset');
    const s = sut.snapshot();
    expect(s.day).toBe('2025-06-11');
    expect(s.counters.offered).toBe(0);
    expect(s.agents.every((a) => a.callsToday === 0 && a.missesToday === 0)).toBe(true);
    if (reset?.type === 'day_reset') expect(reset.snapshot.seq).toBe(reset.seq);
  });
});
