import { asQueueId } from '../../../src/shared/ids';
import { closeOpenCall, enteredUnknownCall } from '../../../src/domain/call/call.close';
import { buildCallRecord } from '../../../src/domain/call/call.record';
import { CALL, driveTo, T0 } from './call-fixtures';

describe('closing an open call', () => {
  it('ringing → ring cancelled (recovered), ended; seq follows the stored events', () => {
    const d = driveTo('ringing');
    const sut = closeOpenCall(d.events, { now: T0 + 7000, hungUpBy: 'network' });
    expect(sut.map((e) => [e.type, e.seq])).toEqual([
      ['AgentRingCancelled', d.events.length + 1],
      ['CallEnded', d.events.length + 2],
    ]);
    const rec = buildCallRecord([...d.events, ...sut]);
    expect(rec).toMatchObject({ complete: true, outcome: 'lost', endReason: 'recovered', hungUpBy: 'network' });
    expect(rec.attempts[0]).toMatchObject({ outcome: 'cancelled', ringMs: 2000 });
  });

  it('ringing past the limit Asterisk applies → a no-answer miss of exactly the limit, not a ring until now (an app outage)', () => {
    const d = driveTo('ringing');
    // Offered at T0 + 5000; found open 17.3 s later, Asterisk had cancelled it at 10 s.
    const sut = closeOpenCall(d.events, { now: T0 + 22_289, hungUpBy: 'network', ringLimitMs: 10_000 });
    expect(sut.map((e) => e.type)).toEqual(['AgentRingMissed', 'CallEnded']);
    const rec = buildCallRecord([...d.events, ...sut]);
    expect(rec.attempts[0]).toMatchObject({ outcome: 'no-answer', ringMs: 10_000 });
    expect(rec.ringMs).toBe(10_000);
  });

  it('ringing within the limit → still a cancelled ring of its real length', () => {
    const d = driveTo('ringing');
    const sut = closeOpenCall(d.events, { now: T0 + 7000, hungUpBy: 'network', ringLimitMs: 10_000 });
    expect(buildCallRecord([...d.events, ...sut]).attempts[0]).toMatchObject({ outcome: 'cancelled', ringMs: 2000 });
  });

  it('talking → conversation completed by the network with talk time, then ended', () => {
    const d = driveTo('talking');
    const sut = closeOpenCall(d.events, { now: T0 + 40000, hungUpBy: 'network' });
    expect(sut.map((e) => e.type)).toEqual(['CallCompleted', 'CallEnded']);
    expect(buildCallRecord([...d.events, ...sut])).toMatchObject({ outcome: 'answered', talkMs: 30000, conversationEndedBy: 'network' });
  });

  it('rating → not rated (recovered)', () => {
    const d = driveTo('rating');
    const sut = closeOpenCall(d.events, { now: T0 + 80000, hungUpBy: 'system' });
    expect(sut.map((e) => e.type)).toEqual(['RatingNotGiven', 'CallEnded']);
    expect(sut[1]).toMatchObject({ stage: 'rating', hungUpBy: 'system' });
  });

  it('an ended call → nothing to add', () => {
    const d = driveTo('queued').send({ type: 'CallerHungUp' });
    expect(closeOpenCall(d.events, { now: T0, hungUpBy: 'system' })).toEqual([]);
  });

  it('a channel only seen in Stasis → CallEntered + CallEnded make a complete record', () => {
    const entered = enteredUnknownCall(CALL, { channelId: 'c1', callerNumber: '1', calledNumber: '12345', queueId: asQueueId('general'), at: T0 });
    const rest = closeOpenCall([entered], { now: T0 + 5, hungUpBy: 'system' });
    expect(buildCallRecord([entered, ...rest])).toMatchObject({ complete: true, outcome: 'lost', stage: 'ended', totalMs: 5 });
  });
});
