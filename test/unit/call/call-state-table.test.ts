/**
 * The state × input table: every non-terminal state × CallerHungUp / ChannelGone ends the call with
 * one complete record; every state × every input is handled without throwing.
 */
import { asAgentId, asQueueId } from '../../../src/shared/ids';
import { buildCallRecord, type CallOutcome } from '../../../src/domain/call/call.record';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import type { CallStateType } from '../../../src/domain/call/call.state';
import { transition } from '../../../src/domain/call/call.machine';
import { driveTo, menuSettings, NON_TERMINAL, settingsWith, type Drive } from './call-fixtures';

function drive(stage: Exclude<CallStateType, 'ended'>): Drive {
  return driveTo(stage, stage === 'menu' ? menuSettings() : settingsWith());
}

const expected: Record<Exclude<CallStateType, 'ended'>, { caller: CallOutcome; network: CallOutcome; abandonStage: string | null }> = {
  answering: { caller: 'abandoned', network: 'lost', abandonStage: 'answering' },
  greeting: { caller: 'abandoned', network: 'lost', abandonStage: 'greeting' },
  menu: { caller: 'abandoned', network: 'lost', abandonStage: 'menu' },
  queued: { caller: 'abandoned', network: 'lost', abandonStage: 'queued' },
  ringing: { caller: 'abandoned', network: 'lost', abandonStage: 'ringing' },
  connecting: { caller: 'answered', network: 'answered', abandonStage: null },
  talking: { caller: 'answered', network: 'answered', abandonStage: null },
  held: { caller: 'answered', network: 'answered', abandonStage: null },
  transferring: { caller: 'answered', network: 'answered', abandonStage: null },
  transferred: { caller: 'answered', network: 'answered', abandonStage: null },
  threeWay: { caller: 'answered', network: 'answered', abandonStage: null },
  consulting: { caller: 'answered', network: 'answered', abandonStage: null },
  rating: { caller: 'answered', network: 'answered', abandonStage: null },
  overflow: { caller: 'overflow', network: 'overflow', abandonStage: null },
  closing: { caller: 'answered', network: 'answered', abandonStage: null },
};

describe('call machine: hang up at any moment', () => {
  describe.each(NON_TERMINAL)('%s', (stage) => {
    it.each([
      ['CallerHungUp', 'caller'],
      ['ChannelGone', 'network'],
    ] as const)('%s → ended with exactly one CallEnded and a complete record', (input, party) => {
      const sut = drive(stage);
      sut.position = 2;
      sut.at(200_000).send({ type: input });
      expect(sut.state.type).toBe('ended');
      expect(sut.events.filter((e) => e.type === 'CallEnded')).toHaveLength(1);
      expect(sut.lastEffects[sut.lastEffects.length - 1]).toEqual({ type: 'CancelAllTimers' });
      const rec = buildCallRecord(sut.events);
      expect(rec.complete).toBe(true);
      expect(rec.hungUpBy).toBe(party);
      expect(rec.outcome).toBe(expected[stage][party]);
      const reason = stage === 'closing' ? 'completed' : stage === 'transferred' ? 'emergency-transferred' : party === 'caller' ? 'caller-hangup' : 'channel-gone';
      expect(rec.endReason).toBe(reason);
      // A hold or a transfer still ringing is closed on the record.
      expect(rec.holds.every((h) => h.endedAt !== null)).toBe(true);
      expect(rec.emergencyTransfers.every((x) => x.outcome !== 'ringing')).toBe(true);
      expect(rec.transfers.every((x) => x.outcome !== 'ringing' && x.outcome !== 'consulting')).toBe(true);
      if (party === 'caller' && expected[stage].abandonStage) {
        expect(rec.abandon?.stage).toBe(expected[stage].abandonStage);
      } else {
        expect(rec.abandon).toBeNull();
      }
      // Nothing is left ringing, bridged or queued.
      expect(rec.attempts.every((a) => a.outcome !== 'ringing')).toBe(true);
      // Later inputs are ignored and do not add a second end.
      sut.send({ type: 'CallerHungUp' }).send({ type: 'ChannelGone' });
      expect(sut.events.filter((e) => e.type === 'CallEnded')).toHaveLength(1);
      expect(sut.eventTypes()).toEqual(['InputIgnored']);
    });
  });

  it('caller hangs up while the agent rings → cancel the leg, release the agent (cancelled), abandon with position and wait', () => {
    const sut = drive('ringing');
    sut.position = 1;
    sut.at(9000).send({ type: 'CallerHungUp' });
    expect(sut.lastEffects).toEqual([
      { type: 'HangupAgentLeg', channelId: expect.stringMatching(/^ring-.*-1$/), attempt: 1 },
      { type: 'ReleaseAgent', agentId: 'a1001', attempt: 1, outcome: 'cancelled', ringMs: 4000 },
      { type: 'CancelAgentRequest', queueId: 'general', reason: 'abandoned' },
      { type: 'CancelAllTimers' },
    ]);
    expect(sut.eventTypes()).toEqual(['AgentRingCancelled', 'CallAbandoned', 'CallEnded']);
    expect(sut.lastEvents[1]).toMatchObject({ stage: 'ringing', position: 1, waitMs: 6000, attempts: 1 });
    const rec = buildCallRecord(sut.events);
    expect(rec.attempts[0]).toMatchObject({ outcome: 'cancelled', ringMs: 4000 });
  });

  it('caller hangs up while talking → agent leg hung up, bridge destroyed, agent released, no rating prompt', () => {
    const sut = drive('talking').at(40000).send({ type: 'CallerHungUp' });
    expect(sut.effectTypes()).toEqual(['HangupAgentLeg', 'DestroyBridge', 'ReleaseAgent', 'CancelAllTimers']);
    const rec = buildCallRecord(sut.events);
    expect(rec).toMatchObject({ conversationEndedBy: 'caller', hungUpBy: 'caller', talkMs: 30000, rating: { status: 'not-asked' } });
  });

  it('caller hangs up during rating → not rated (caller-hangup), bridge destroyed', () => {
    const sut = drive('rating').send({ type: 'CallerHungUp' });
    expect(sut.effectTypes()).toEqual(['DestroyBridge', 'CancelAllTimers']);
    expect(buildCallRecord(sut.events).rating).toMatchObject({ status: 'not-rated', notRatedReason: 'caller-hangup' });
  });
});

const agent = asAgentId('a9');
const SAMPLE_INPUTS: CallInput[] = [
  { type: 'Answered' },
  { type: 'PlaybackFinished', playbackId: 'pb-x-1' },
  { type: 'Dtmf', digit: '1' },
  { type: 'Dtmf', digit: '#' },
  { type: 'AgentOffered', agentId: agent, agentNumber: '9', endpoint: 'PJSIP/a9' },
  { type: 'NoAgentsAvailable' },
  { type: 'AgentAnswered', attempt: 1 },
  { type: 'AgentAnswered', attempt: 5 },
  { type: 'AgentLegFailed', attempt: 1, cause: 'busy' },
  { type: 'AgentHungUp', attempt: 1 },
  { type: 'RingTimeout', attempt: 1 },
  { type: 'RingTimeout', attempt: 9 },
  { type: 'MaxWaitTimeout', token: 'stale' },
  { type: 'AnnounceTick', token: 'stale' },
  { type: 'RatingTimeout', token: 'stale' },
  { type: 'MenuTimeout', token: 'stale' },
  { type: 'CallbackDigitTimeout', token: 'stale' },
  { type: 'PlaybackGuardTimeout', playbackId: 'pb-x-1' },
  { type: 'RecordingFailed', name: 'call-x' },
  { type: 'HoldRequested' },
  { type: 'ResumeRequested' },
  { type: 'EmergencyTransferRequested', line: '119' },
  { type: 'TransferLegAnswered', n: 1 },
  { type: 'TransferLegAnswered', n: 7 },
  { type: 'TransferLegFailed', n: 1, cause: 'busy' },
  { type: 'TransferLegHungUp', n: 1 },
  { type: 'MonitorRequested', mode: 'listen', userId: 'boss', endpoint: 'PJSIP/agent1002' },
  { type: 'MonitorLegAnswered', n: 1 },
  { type: 'MonitorLegEnded', n: 1 },
  { type: 'MonitorStopRequested' },
  { type: 'ThreeWayRequested', number: '12319' },
  { type: 'TransferRequested', number: '12319', mode: 'blind' },
  { type: 'TransferRequested', number: '12319', mode: 'consult' },
  { type: 'TransferCompleteRequested' },
  { type: 'TransferCancelRequested' },
  { type: 'QueueTransferRequested', queueId: asQueueId('tax') },
  { type: 'AgentLegFailed', attempt: 1, cause: 'no-answer' },
  { type: 'CallerHungUp' },
  { type: 'ChannelGone' },
];

describe('call machine: every state × every input', () => {
  const stages = [...NON_TERMINAL, 'ended'] as const;
  describe.each(stages)('%s', (stage) => {
    it.each(SAMPLE_INPUTS.map((i) => [`${i.type} ${JSON.stringify(i).slice(0, 60)}`, i] as const))('%s → no throw; ignored keeps the state', (_name, input) => {
      const d = stage === 'ended' ? drive('queued').send({ type: 'CallerHungUp' }) : drive(stage);
      const before = d.state;
      const t = transition(before, input, d.ctx());
      // Events are numbered on from the state's counter.
      expect(t.events.map((e) => e.seq)).toEqual(t.events.map((_, i) => before.core.nextSeq + i));
      if (t.events.some((e) => e.type === 'InputIgnored')) {
        expect(t.events).toHaveLength(1);
        const { core: _a, ...bodyBefore } = before;
        const { core: _b, ...bodyAfter } = t.state;
        expect(bodyAfter).toEqual(bodyBefore);
        expect({ ...t.state.core, nextSeq: 0 }).toEqual({ ...before.core, nextSeq: 0 });
      }
      if (stage === 'ended') expect(t.state.type).toBe('ended');
    });
  });
});
