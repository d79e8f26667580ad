/** The service-level metrics as Prometheus reads them, fed with the call events of whole calls. */
import { Metrics } from '../../../src/adapters/metrics/metrics';
import type { CallEvent, CallEventBody } from '../../../src/domain/call/call.events';
import { asAgentId, asCallId, asQueueId } from '../../../src/shared/ids';

function callOf(id: string, bodies: CallEventBody[]): CallEvent[] {
  return bodies.map((b, i) => ({ ...b, callId: asCallId(id), seq: i + 1, at: 1_000 + i }) as CallEvent);
}
const entered = (queue: string): CallEventBody => ({ type: 'CallEntered', channelId: 'c', callerNumber: '13800138000', calledNumber: '12345', queueId: asQueueId(queue), priority: 0 });
const agent = asAgentId('agent-1001');

async function value(m: Metrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const metric = await (m.registry.getSingleMetric(name) ?? m.registry.getSingleMetric(base))!.get();
  return metric.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l) &&
      Object.keys(v.labels).length === Object.keys(labels).length,
  )?.value;
}

describe('service-level metrics from call events', () => {
  it('answered, abandoned while ringing, overflowed and lost calls counted by queue; answer wait and ring attempts recorded', async () => {
    const m = new Metrics(null);
    const feed = (events: CallEvent[]): void => events.forEach((event) => m.observe({ kind: 'call', event }));
    feed(
      callOf('answered', [
        entered('general'),
        { type: 'MenuChoiceMade', digit: '2', queueId: asQueueId('tax') },
        { type: 'AgentRingMissed', attempt: 1, agentId: agent, outcome: 'no-answer', ringMs: 10_000 },
        { type: 'AgentAnswered', attempt: 2, agentId: agent, agentNumber: '1001', ringMs: 2_000, waitMs: 14_000 },
        { type: 'CallCompleted', agentId: agent, endedBy: 'caller', talkMs: 60_000 },
        { type: 'CallEnded', reason: 'completed', hungUpBy: 'caller', stage: 'talking' },
      ]),
    );
    feed(
      callOf('gave-up', [
        entered('general'),
        { type: 'AgentRingCancelled', attempt: 1, agentId: agent, ringMs: 3_000, reason: 'caller-hangup' },
        { type: 'CallAbandoned', stage: 'ringing', queueId: asQueueId('general'), position: 1, waitMs: 3_000, attempts: 1 },
        { type: 'CallEnded', reason: 'caller-hangup', hungUpBy: 'caller', stage: 'ringing' },
      ]),
    );
    feed(callOf('overflowed', [entered('general'), { type: 'CallOverflowed', reason: 'no-agents', queueId: asQueueId('general'), position: null, waitMs: 0 }, { type: 'CallEnded', reason: 'overflow', hungUpBy: 'system', stage: 'overflow' }]));
    feed(callOf('lost', [entered('general'), { type: 'CallEnded', reason: 'channel-gone', hungUpBy: 'network', stage: 'greeting' }]));
    // A call this instance never saw enter (started before it) is not guessed at.
    feed(callOf('unknown', [{ type: 'CallEnded', reason: 'completed', hungUpBy: 'caller', stage: 'talking' }]));

    expect(await value(m, 'hotline_calls_ended_total', { queue: 'tax', outcome: 'answered' })).toBe(1);
    expect(await value(m, 'hotline_calls_ended_total', { queue: 'general', outcome: 'abandoned' })).toBe(1);
    expect(await value(m, 'hotline_calls_ended_total', { queue: 'general', outcome: 'overflow' })).toBe(1);
    expect(await value(m, 'hotline_calls_ended_total', { queue: 'general', outcome: 'lost' })).toBe(1);
    expect(await value(m, 'hotline_abandons_total', { queue: 'general', stage: 'ringing' })).toBe(1);
    expect(await value(m, 'hotline_ring_attempts_total', { outcome: 'no-answer' })).toBe(1);
    expect(await value(m, 'hotline_ring_attempts_total', { outcome: 'answered' })).toBe(1);
    expect(await value(m, 'hotline_ring_attempts_total', { outcome: 'cancelled' })).toBe(1);
    // 14 s: outside the 10-second service level, inside 15.
    expect(await value(m, 'hotline_answer_wait_seconds_bucket', { queue: 'tax', le: '10' })).toBe(0);
    expect(await value(m, 'hotline_answer_wait_seconds_bucket', { queue: 'tax', le: '15' })).toBe(1);
    expect(await value(m, 'hotline_answer_wait_seconds_sum', { queue: 'tax' })).toBe(14);
  });

  it('ARI state and spool backlog are read at scrape time; Node defaults keep their standard names', async () => {
    let connected = false;
    let backlog = 0;
    const m = new Metrics(null, { ariConnected: () => connected, spoolBacklogBytes: () => backlog });
    expect(await value(m, 'hotline_ari_connected', {})).toBe(0);
    connected = true;
    backlog = 512;
    expect(await value(m, 'hotline_ari_connected', {})).toBe(1);
    expect(await value(m, 'hotline_spool_backlog_bytes', {})).toBe(512);
    const text = await m.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).not.toMatch(/hotline_process_|hotline_nodejs_/);
  });
});
