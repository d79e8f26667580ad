/** Transfers in the pure call machine: blind and consultative to a unit's number, and to another queue. */
import { asQueueId } from '../../../src/shared/ids';
import { buildCallRecord } from '../../../src/domain/call/call.record';
import { controlRefusal } from '../../../src/domain/call/call.controls';
import type { CallEffect } from '../../../src/domain/call/call.effects';
import { AGENT_A, AGENT_B, CALLER_CHANNEL, driveTo, settingsWith, T0 } from './call-fixtures';

const BRIDGE = `bridge-${CALLER_CHANNEL}`;
const XFER = `xfer-${CALLER_CHANNEL}-1`;
const AGENT_LEG = `ring-${CALLER_CHANNEL}-1`;
const TAX = asQueueId('tax');

describe('blind transfer to a unit', () => {
  it('the caller leaves the bridge with a ringing tone, the unit is dialled with the caller\'s number; the agent stays until the answer', () => {
    const d = driveTo('talking').at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'blind' });
    expect(d.state.type).toBe('transferring');
    expect(d.lastEffects).toEqual([
      { type: 'LeaveBridge', bridgeId: BRIDGE, channelId: CALLER_CHANNEL },
      { type: 'StartRingback', channelId: CALLER_CHANNEL },
      { type: 'DialOut', channelId: XFER, n: 1, number: '12319', trunk: 'trunk', callerId: '13800000000', timeoutMs: 30_000 },
    ]);
    expect(d.eventTypes()).toEqual(['TransferStarted']);
    expect(buildCallRecord(d.events)).toMatchObject({ stage: 'transferring', transfers: [{ n: 1, kind: 'blind', number: '12319', fromQueueId: 'general', agentId: AGENT_A, outcome: 'ringing' }] });
  });

  it('the unit answers: agent leg hung up and released, caller and unit bridged; the unit hanging up leaves the caller to rate the agent', () => {
    const d = driveTo('talking').at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'blind' }).at(23000).send({ type: 'TransferLegAnswered', n: 1 });
    expect(d.state.type).toBe('transferred');
    expect(d.lastEffects).toEqual([
      { type: 'StopRingback', channelId: CALLER_CHANNEL },
      { type: 'HangupAgentLeg', channelId: AGENT_LEG, attempt: 1 },
      { type: 'ReleaseAgent', agentId: AGENT_A, attempt: 1, outcome: 'completed', ringMs: null },
      { type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [CALLER_CHANNEL, XFER] },
    ]);
    expect(d.eventTypes()).toEqual(['TransferAnswered', 'CallCompleted', 'TransferCompleted']);
    let rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({ stage: 'transferred', talkMs: 13000, transferredTo: { kind: 'unit', number: '12319' }, transfers: [{ outcome: 'completed', answeredAt: T0 + 23000, completedAt: T0 + 23000 }] });

    d.at(60000).send({ type: 'TransferLegHungUp', n: 1 });
    expect(d.state.type).toBe('rating');
    expect(d.eventTypes()).toEqual(['TransferEnded', 'RatingRequested']);
    rec = buildCallRecord(d.events);
    expect(rec.transfers[0]?.endedAt).toBe(T0 + 60000);
  });

  it('with rateAfterThreeWay off the caller is thanked instead', () => {
    const d = driveTo('talking', settingsWith({ rateAfterThreeWay: false })).at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'blind' });
    d.at(23000).send({ type: 'TransferLegAnswered', n: 1 }).at(30000).send({ type: 'TransferLegHungUp', n: 1 });
    expect(d.state).toMatchObject({ type: 'closing', reason: 'completed' });
  });

  it('the caller hangs up while with the unit: the unit leg is hung up, the call ends as a caller hang-up with the transfer on the record', () => {
    const d = driveTo('talking').at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'blind' }).at(23000).send({ type: 'TransferLegAnswered', n: 1 });
    d.at(40000).send({ type: 'CallerHungUp' });
    expect(d.effectTypes()).toEqual(['HangupOutboundLeg', 'DestroyBridge', 'CancelAllTimers']);
    expect(buildCallRecord(d.events)).toMatchObject({ complete: true, endReason: 'caller-hangup', outcome: 'answered', transferredTo: { kind: 'unit' } });
  });

  it.each(['busy', 'no-answer', 'unreachable'] as const)('a unit that is %s gives the caller back to the agent', (cause) => {
    const d = driveTo('talking').at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'blind' }).at(26000).send({ type: 'TransferLegFailed', n: 1, cause });
    expect(d.state.type).toBe('talking');
    expect(d.lastEffects).toEqual([
      { type: 'StopRingback', channelId: CALLER_CHANNEL },
      { type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [CALLER_CHANNEL] },
    ]);
    expect(d.lastEvents[0]).toMatchObject({ type: 'TransferFailed', n: 1, cause, backTo: 'agent' });
    expect(buildCallRecord(d.events)).toMatchObject({ stage: 'talking', transferredTo: null, transfers: [{ outcome: cause, backTo: 'agent' }] });
  });

  it('from hold: the hold ends (on the record), then the transfer goes on', () => {
    const d = driveTo('held').at(25000).send({ type: 'TransferRequested', number: '12319', mode: 'blind' });
    expect(d.effectTypes()).toEqual(['StopMoh', 'StartRingback', 'DialOut']);
    expect(buildCallRecord(d.events)).toMatchObject({ holdMs: 5000, stage: 'transferring' });
  });

  it('the agent hangs up while the unit rings: released, the transfer goes on; a failure then sends the caller to the queue', () => {
    const d = driveTo('talking').at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'blind' }).at(21000).send({ type: 'AgentHungUp', attempt: 1 });
    expect(d.state).toMatchObject({ type: 'transferring', agent: null });
    d.at(30000).send({ type: 'TransferLegFailed', n: 1, cause: 'no-answer' });
    expect(d.state.type).toBe('queued');
    expect(buildCallRecord(d.events).transfers[0]).toMatchObject({ outcome: 'no-answer', backTo: 'queue' });
  });
});

describe('consultative transfer to a unit', () => {
  it('the caller goes on hold, the unit is dialled; on answer the unit joins the agent in the bridge', () => {
    const d = driveTo('talking').at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'consult' });
    expect(d.state).toMatchObject({ type: 'consulting', joinedAt: null, heldAt: T0 + 20000 });
    expect(d.lastEffects).toEqual([
      { type: 'LeaveBridge', bridgeId: BRIDGE, channelId: CALLER_CHANNEL },
      { type: 'StartMoh', channelId: CALLER_CHANNEL, mohClass: 'default' },
      { type: 'DialOut', channelId: XFER, n: 1, number: '12319', trunk: 'trunk', callerId: '13800000000', timeoutMs: 30_000 },
    ]);
    expect(d.eventTypes()).toEqual(['CallHeld', 'TransferStarted']);
    expect(controlRefusal(d.state, { type: 'transfer-complete' })).toMatch(/尚未接听/);
    d.at(24000).send({ type: 'TransferLegAnswered', n: 1 });
    expect(d.lastEffects).toEqual([{ type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [XFER] }]);
    expect(controlRefusal(d.state, { type: 'transfer-complete' })).toBeNull();
    expect(buildCallRecord(d.events)).toMatchObject({ stage: 'consulting', transfers: [{ kind: 'consult', outcome: 'consulting', answeredAt: T0 + 24000 }] });
  });

  it('complete: the music stops, the agent leg goes, the caller joins the unit; hold time and talk time on the record', () => {
    const d = driveTo('consulting').at(30000).send({ type: 'TransferCompleteRequested' });
    expect(d.state.type).toBe('transferred');
    expect(d.lastEffects).toEqual([
      { type: 'StopMoh', channelId: CALLER_CHANNEL },
      { type: 'HangupAgentLeg', channelId: AGENT_LEG, attempt: 1 },
      { type: 'ReleaseAgent', agentId: AGENT_A, attempt: 1, outcome: 'completed', ringMs: null },
      { type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [CALLER_CHANNEL] },
    ]);
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({ holdMs: 10000, talkMs: 20000, transferredTo: { kind: 'unit', number: '12319' }, transfers: [{ outcome: 'completed', completedAt: T0 + 30000 }] });
  });

  it('cancel: the unit is hung up and the caller is back with the agent', () => {
    const d = driveTo('consulting').at(30000).send({ type: 'TransferCancelRequested' });
    expect(d.state.type).toBe('talking');
    expect(d.lastEffects).toEqual([
      { type: 'HangupOutboundLeg', channelId: XFER, n: 1 },
      { type: 'StopMoh', channelId: CALLER_CHANNEL },
      { type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [CALLER_CHANNEL] },
    ]);
    expect(buildCallRecord(d.events)).toMatchObject({ stage: 'talking', holdMs: 10000, transferredTo: null, transfers: [{ outcome: 'cancelled', backTo: 'agent' }] });
    // A transfer may be tried again.
    expect(controlRefusal(d.state, { type: 'transfer', number: '12319', mode: 'blind' })).toBeNull();
  });

  it('the unit does not answer, or leaves the consultation: the caller is back with the agent', () => {
    const d = driveTo('talking').at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'consult' }).at(25000).send({ type: 'TransferLegFailed', n: 1, cause: 'busy' });
    expect(d.state.type).toBe('talking');
    expect(d.lastEvents.map((e) => e.type)).toEqual(['TransferFailed', 'CallResumed']);
    const left = driveTo('consulting').at(28000).send({ type: 'TransferLegHungUp', n: 1 });
    expect(left.state.type).toBe('talking');
    expect(buildCallRecord(left.events).transfers[0]).toMatchObject({ outcome: 'unit-left', backTo: 'agent' });
  });

  it('the agent hangs up with the unit on the line: the transfer completes (the leg is gone already)', () => {
    const d = driveTo('consulting').at(30000).send({ type: 'AgentHungUp', attempt: 1 });
    expect(d.state.type).toBe('transferred');
    expect(d.effectTypes()).not.toContain('HangupAgentLeg');
    expect(d.effectTypes()).toContain('JoinBridge');
  });

  it('the agent hangs up before the unit answers: the unit leg is dropped and the caller is asked to rate', () => {
    const d = driveTo('talking').at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'consult' }).at(22000).send({ type: 'AgentHungUp', attempt: 1 });
    expect(d.state.type).toBe('rating');
    expect(d.effectTypes().slice(0, 2)).toEqual(['HangupOutboundLeg', 'StopMoh']);
    expect(buildCallRecord(d.events).transfers[0]).toMatchObject({ outcome: 'cancelled' });
  });

  it('the caller hangs up while the agent consults: unit and agent legs hung up, hold closed', () => {
    const d = driveTo('consulting').at(29000).send({ type: 'CallerHungUp' });
    expect(d.effectTypes()).toEqual(['StopMoh', 'HangupOutboundLeg', 'HangupAgentLeg', 'ReleaseAgent', 'DestroyBridge', 'CancelAllTimers']);
    expect(buildCallRecord(d.events)).toMatchObject({ holdMs: 9000, endReason: 'caller-hangup', transfers: [{ outcome: 'caller-hangup', backTo: 'none' }] });
  });

  it('hold, resume, another transfer and an emergency transfer are refused while consulting', () => {
    const d = driveTo('consulting');
    expect(controlRefusal(d.state, { type: 'hold' })).not.toBeNull();
    expect(controlRefusal(d.state, { type: 'resume' })).not.toBeNull();
    expect(controlRefusal(d.state, { type: 'transfer', number: '12319', mode: 'consult' })).toMatch(/已在转接/);
    expect(controlRefusal(d.state, { type: 'emergency-transfer', line: '110' })).not.toBeNull();
    expect(controlRefusal(d.state, { type: 'queue-transfer', queueId: TAX })).not.toBeNull();
  });
});

describe('transfer to another queue', () => {
  it('the agent is released, the bridge goes, and the call waits in the new queue by its first queue time', () => {
    const d = driveTo('talking').at(20000).send({ type: 'QueueTransferRequested', queueId: TAX });
    expect(d.state.type).toBe('queued');
    expect(d.state.core.queueId).toBe('tax');
    expect(d.lastEffects.filter((e) => e.type !== 'StartTimer')).toEqual([
      { type: 'HangupAgentLeg', channelId: AGENT_LEG, attempt: 1 },
      { type: 'ReleaseAgent', agentId: AGENT_A, attempt: 1, outcome: 'completed', ringMs: null },
      { type: 'DestroyBridge', bridgeId: BRIDGE },
      { type: 'StartMoh', channelId: CALLER_CHANNEL, mohClass: 'default' },
      { type: 'RequestAgent', queueId: 'tax', priority: 0, retry: true, queuedAt: T0 + 3000 },
    ]);
    expect(d.eventTypes()).toEqual(['CallCompleted', 'CallTransferredToQueue', 'CallQueued']);
  });

  it('the next agent gets the 10-second ring limit, a bridge and a recording of its own; the record keeps the first wait and adds the talk', () => {
    const d = driveTo('talking', settingsWith({ recordCalls: true })).at(20000).send({ type: 'QueueTransferRequested', queueId: TAX });
    d.at(21000).offer(AGENT_B, '1002');
    const ring = d.lastEffects.find((e): e is Extract<CallEffect, { type: 'StartTimer' }> => e.type === 'StartTimer' && e.name === 'ring');
    expect(ring?.at).toBe(T0 + 21000 + 10_000);
    d.at(31000).send({ type: 'RingTimeout', attempt: 2 });
    expect(d.state.type).toBe('queued');
    d.at(32000).offer(AGENT_B, '1002').at(33000).send({ type: 'AgentAnswered', attempt: 3 }).at(35000).finishPlayback();
    expect(d.state.type).toBe('talking');
    expect(d.lastEffects).toEqual(
      expect.arrayContaining([
        { type: 'Bridge', bridgeId: BRIDGE, channelIds: [CALLER_CHANNEL, `ring-${CALLER_CHANNEL}-3`] },
        { type: 'StartRecording', bridgeId: BRIDGE, name: `call-${CALLER_CHANNEL}-1` },
      ]),
    );
    d.at(45000).send({ type: 'AgentHungUp', attempt: 3 });
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({
      queueId: 'tax',
      agentId: AGENT_B,
      waitMs: 5000,
      talkMs: 10000 + 10000,
      recordingName: `call-${CALLER_CHANNEL}`,
      transferredTo: { kind: 'queue', queueId: 'tax' },
      transfers: [{ kind: 'queue', queueId: 'tax', fromQueueId: 'general', agentId: AGENT_A, outcome: 'queued' }],
    });
    expect(rec.attempts.map((a) => [a.attempt, a.agentId, a.outcome])).toEqual([
      [1, AGENT_A, 'answered'],
      [2, AGENT_B, 'no-answer'],
      [3, AGENT_B, 'answered'],
    ]);
  });

  it('a caller who hangs up in the new queue was answered, not abandoned', () => {
    const d = driveTo('held').at(25000).send({ type: 'QueueTransferRequested', queueId: TAX }).at(30000).send({ type: 'CallerHungUp' });
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({ outcome: 'answered', holdMs: 5000, abandon: { stage: 'queued' } });
  });

  it('refused to the queue the call is in, and before the agent talks', () => {
    expect(controlRefusal(driveTo('talking').state, { type: 'queue-transfer', queueId: asQueueId('general') })).toMatch(/已在该队列/);
    expect(controlRefusal(driveTo('ringing').state, { type: 'queue-transfer', queueId: TAX })).toMatch(/尚未接通/);
    expect(controlRefusal(driveTo('ringing').state, { type: 'transfer', number: '12319', mode: 'blind' })).toMatch(/尚未接通/);
    expect(controlRefusal(driveTo('talking').state, { type: 'transfer', number: 'x1', mode: 'blind' })).toMatch(/not a phone number/);
  });
});

describe('an answered agent leg ending as a failed leg (a call taken over after a restart)', () => {
  it.each([
    ['held', 'rating'],
    ['threeWay', 'threeWay'],
    ['transferring', 'transferring'],
    ['consulting', 'transferred'],
  ] as const)('in %s it is the agent\'s hang-up', (stage, next) => {
    const d = driveTo(stage).at(40000).send({ type: 'AgentLegFailed', attempt: 1, cause: 'unreachable' });
    expect(d.state.type).toBe(next);
    expect(d.effects).toContainEqual({ type: 'ReleaseAgent', agentId: AGENT_A, attempt: 1, outcome: 'completed', ringMs: null });
  });
});
