import { applyCallEvent, buildCallRecord, openRecord } from '../../../src/domain/call/call.record';
import type { CallEvent } from '../../../src/domain/call/call.events';
import { AGENT_A, AGENT_B, CALL, Drive, driveTo } from './call-fixtures';

function happyPath(): CallEvent[] {
  const d = driveTo('ringing').at(15000).send({ type: 'RingTimeout', attempt: 1 });
  d.at(15010).offer(AGENT_B, '1002').at(17010).send({ type: 'AgentAnswered', attempt: 2 });
  d.at(19010).finishPlayback().at(79010).send({ type: 'AgentHungUp', attempt: 2 });
  d.at(80000).send({ type: 'Dtmf', digit: '1' }).at(81000).finishPlayback();
  return d.events;
}

describe('call record fold', () => {
  it('happy path with one miss → every field computed by hand', () => {
    const sut = buildCallRecord(happyPath());
    expect(sut).toMatchObject({
      callId: CALL,
      callerNumber: '13800000000',
      calledNumber: '12345',
      complete: true,
      stage: 'ended',
      outcome: 'answered',
      agentId: AGENT_B,
      agentNumber: '1002',
      waitMs: 14010, // queued at 3000, answered at 17010
      ringMs: 12000, // 10000 + 2000
      answerRingMs: 2000,
      talkMs: 60000, // bridged 19010 → agent hung up 79010
      totalMs: 81000,
      endReason: 'completed',
      hungUpBy: 'system',
      conversationEndedBy: 'agent',
      rating: { status: 'rated', digit: '1', value: 1, satisfied: true },
      times: {
        answeredAt: expect.any(Number),
        queuedAt: expect.any(Number),
        connectedAt: expect.any(Number),
        ratingAskedAt: expect.any(Number),
        ratedAt: expect.any(Number),
      },
    });
    expect(sut.attempts.map((a) => [a.attempt, a.agentId, a.outcome, a.ringMs])).toEqual([
      [1, AGENT_A, 'no-answer', 10000],
      [2, AGENT_B, 'answered', 2000],
    ]);
    expect(sut.timeline.map((t) => t.type)).toEqual([
      'CallEntered',
      'CallAnswered',
      'GreetingFinished',
      'CallQueued',
      'AgentOffered',
      'AgentRingMissed',
      'CallQueued',
      'AgentOffered',
      'AgentAnswered',
      'CallBridged',
      'CallCompleted',
      'RatingRequested',
      'CallRated',
      'CallEnded',
    ]);
  });

  it('reporting keys are the Asia/Shanghai day and hour of entry', () => {
    const d = new Drive(undefined, Date.UTC(2025, 0, 31, 16, 30)); // 2025-02-01 00:30 in Shanghai
    const sut = buildCallRecord(d.events);
    expect(sut.reportDay).toBe('2025-02-01');
    expect(sut.reportHour).toBe(0);
  });

  it('shuffled and duplicated events → the same record', () => {
    const events = happyPath();
    const shuffled = [...events].reverse();
    expect(buildCallRecord([...shuffled, ...events.slice(3, 8)])).toEqual(buildCallRecord(events));
  });

  it('one event at a time (projection) → the same record as the batch fold', () => {
    const events = happyPath();
    const [first, ...rest] = events;
    if (first?.type !== 'CallEntered') throw new Error('fixture');
    let r = openRecord(first);
    for (const e of rest) r = applyCallEvent(r, e);
    expect(r).toEqual(buildCallRecord(events));
  });

  it('InputIgnored events are not on the timeline', () => {
    const d = driveTo('talking').send({ type: 'Dtmf', digit: '3' });
    const rec = buildCallRecord(d.events);
    expect(rec.timeline.some((t) => t.type === 'InputIgnored')).toBe(false);
    expect(rec.lastSeq).toBe(d.events.length);
  });

  it('an open call → in progress, incomplete, stage where it is', () => {
    const rec = buildCallRecord(driveTo('ringing').events);
    expect(rec).toMatchObject({ complete: false, outcome: 'in-progress', stage: 'ringing', times: { endedAt: null } });
    expect(rec.attempts[0]?.outcome).toBe('ringing');
  });

  it('no CallEntered → RangeError', () => {
    const events = happyPath().slice(1);
    expect(() => buildCallRecord(events)).toThrow(RangeError);
  });

  it('abandon in queue → waitMs and position from the abandon', () => {
    const d = driveTo('queued');
    d.position = 4;
    d.at(23000).send({ type: 'CallerHungUp' });
    expect(buildCallRecord(d.events)).toMatchObject({ outcome: 'abandoned', waitMs: 20000, abandon: { stage: 'queued', position: 4, waitMs: 20000 } });
  });

  it('channel lost in queue → outcome lost, wait until the end', () => {
    const d = driveTo('queued').at(13000).send({ type: 'ChannelGone' });
    expect(buildCallRecord(d.events)).toMatchObject({ outcome: 'lost', waitMs: 10000, hungUpBy: 'network' });
  });
});
