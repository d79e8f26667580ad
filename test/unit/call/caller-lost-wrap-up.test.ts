/**
 * A caller's leg lost without a hang-up (RTP timeout, session timer, Asterisk gone) and the agent's
 * wrap-up: what the machine emits and what the record says.
 */
import { buildCallRecord } from '../../../src/domain/call/call.record';
import { AGENT_A, driveTo, T0 } from './call-fixtures';

describe('a lost caller leg', () => {
  it('while talking → CallerLost, conversation ended by the network, talk time to the last sign of life', () => {
    const d = driveTo('talking');
    const bridgedAt = d.now;
    d.at(bridgedAt - T0 + 40_000).send({ type: 'ChannelGone', lost: { why: 'media-timeout', at: bridgedAt + 30_000 } });
    expect(d.eventTypes()).toEqual(['CallerLost', 'CallCompleted', 'CallEnded']);
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({
      outcome: 'answered',
      endReason: 'caller-lost',
      hungUpBy: 'network',
      conversationEndedBy: 'network',
      talkMs: 30_000,
      callerLost: { why: 'media-timeout', lastSignAt: bridgedAt + 30_000 },
    });
  });

  it('a last sign of life before the bridge counts no talk time', () => {
    const d = driveTo('talking');
    const bridgedAt = d.now;
    d.at(bridgedAt - T0 + 10_000).send({ type: 'ChannelGone', lost: { why: 'asterisk-lost', at: bridgedAt - 500 } });
    expect(buildCallRecord(d.events)).toMatchObject({ talkMs: 0, endReason: 'caller-lost' });
  });

  it('a plain ChannelGone stays channel-gone, with no loss recorded', () => {
    const d = driveTo('talking');
    d.at(d.now - T0 + 10_000).send({ type: 'ChannelGone' });
    expect(buildCallRecord(d.events)).toMatchObject({ endReason: 'channel-gone', callerLost: null, talkMs: 10_000 });
  });
});

describe('the agent\'s wrap-up on the record', () => {
  it('during the call → a WrapUpEnded event, the state unchanged; the record keeps start, end and who ended it', () => {
    const d = driveTo('rating');
    const before = d.state.type;
    d.send({ type: 'WrapUpEnded', wrapUp: { agentId: AGENT_A, startedAt: d.now - 2000, endedAt: d.now, endedBy: 'agent' } });
    expect(d.state.type).toBe(before);
    expect(d.eventTypes()).toEqual(['WrapUpEnded']);
    expect(buildCallRecord(d.events)).toMatchObject({ wrapUp: { agentId: AGENT_A, endedBy: 'agent' }, wrapUpMs: 2000 });
  });

  it('after CallEnded → still folded into the complete record (nothing else is)', () => {
    const d = driveTo('talking');
    d.at(d.now - T0 + 5000).send({ type: 'CallerHungUp' });
    const ended = buildCallRecord(d.events);
    expect(ended.complete).toBe(true);
    const last = d.events[d.events.length - 1]!;
    const wrap = { type: 'WrapUpEnded' as const, agentId: AGENT_A, startedAt: last.at, endedAt: last.at + 15_000, endedBy: 'timer' as const, callId: last.callId, seq: last.seq + 1, at: last.at + 15_000 };
    const rated = { type: 'CallRated' as const, scale: '2', digit: '1', value: 1, code: 'satisfied', label: '满意', satisfied: true, callId: last.callId, seq: last.seq + 2, at: last.at + 16_000 };
    const rec = buildCallRecord([...d.events, wrap, rated]);
    expect(rec).toMatchObject({ wrapUp: { endedBy: 'timer' }, wrapUpMs: 15_000, rating: { status: 'not-asked' }, lastSeq: last.seq + 1 });
    expect(rec.timeline[rec.timeline.length - 1]).toMatchObject({ type: 'WrapUpEnded', data: { endedBy: 'timer', agentId: AGENT_A } });
  });
});
