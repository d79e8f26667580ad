import { asQueueId } from '../../../src/shared/ids';
import { buildCallRecord } from '../../../src/domain/call/call.record';
import { startCall, transition } from '../../../src/domain/call/call.machine';
import { FIVE_LEVEL_SCALE } from '../../../src/domain/rating/rating';
import type { CallEffect } from '../../../src/domain/call/call.effects';
import { AGENT_A, AGENT_B, CALLER_CHANNEL, CALL, Drive, driveTo, menuSettings, settingsWith, T0 } from './call-fixtures';

const effect = <T extends CallEffect['type']>(effects: readonly CallEffect[], type: T) =>
  effects.filter((e): e is Extract<CallEffect, { type: T }> => e.type === type);

describe('call machine', () => {
  describe('start and greeting', () => {
    it('start → answering, Answer effect and CallEntered with seq 1', () => {
      const sut = new Drive();
      expect(sut.state.type).toBe('answering');
      expect(sut.lastEffects).toEqual([{ type: 'Answer', channelId: CALLER_CHANNEL }]);
      expect(sut.lastEvents).toEqual([
        {
          type: 'CallEntered',
          callId: CALL,
          seq: 1,
          at: T0,
          channelId: CALLER_CHANNEL,
          callerNumber: '13800000000',
          calledNumber: '12345',
          queueId: 'general',
          priority: 0,
        },
      ]);
    });

    it('a survey call handed over (the citizen pressed 0): CallEntered names the order; Answered → straight to the queue, no greeting or menu', () => {
      const surveyOrder = { orderId: 'order-1', orderNumber: 'WO20260406-000001' };
      const settings = menuSettings();
      const t = startCall({ callId: CALL, channelId: CALLER_CHANNEL, callerNumber: '13900000000', calledNumber: '', surveyOrder }, { now: T0, settings, queuePosition: 1 });
      expect(t.events[0]).toMatchObject({ type: 'CallEntered', surveyOrder });
      const next = transition(t.state, { type: 'Answered' }, { now: T0 + 100, settings, queuePosition: 1 });
      expect(next.state.type).toBe('queued');
      expect(next.events.map((e) => e.type)).toEqual(['CallAnswered', 'CallQueued']);
      expect(next.effects.map((e) => e.type)).toContain('RequestAgent');
      expect(next.effects.map((e) => e.type)).not.toContain('Play');
      expect(buildCallRecord([...t.events, ...next.events])).toMatchObject({ surveyOrder, times: { greetedAt: null } });
      // Any other call names no order.
      expect(buildCallRecord(new Drive().events).surveyOrder).toBeNull();
    });

    it('start on an urgent line → its queue and priority class', () => {
      const settings = settingsWith({ lines: { '12345': { queueId: asQueueId('urgent'), priority: 5 } } });
      const sut = new Drive(settings);
      expect(sut.state.core.queueId).toBe('urgent');
      expect(sut.state.core.priority).toBe(5);
    });

    it('Answered in answering → greeting plays pb-<callId>-1 with a guard timer', () => {
      const sut = new Drive().at(100).send({ type: 'Answered' });
      expect(sut.state.type).toBe('greeting');
      expect(sut.lastEffects).toEqual([
        { type: 'Play', channelId: CALLER_CHANNEL, playbackId: `pb-${CALL}-1`, media: ['sound:hotline/greeting'] },
        {
          type: 'StartTimer',
          name: 'playback',
          at: T0 + 100 + 60_000,
          token: `pb-${CALL}-1`,
          fire: { type: 'PlaybackGuardTimeout', playbackId: `pb-${CALL}-1` },
        },
      ]);
      expect(sut.eventTypes()).toEqual(['CallAnswered']);
    });

    it('PlaybackFinished of the greeting → queued: MOH, max-wait and announce timers, RequestAgent', () => {
      const sut = driveTo('greeting').at(3000).finishPlayback();
      expect(sut.state.type).toBe('queued');
      expect(sut.effectTypes()).toEqual(['CancelTimer', 'StartMoh', 'StartTimer', 'RequestAgent', 'StartTimer']);
      expect(effect(sut.lastEffects, 'RequestAgent')).toEqual([{ type: 'RequestAgent', queueId: 'general', priority: 0, retry: false, queuedAt: T0 + 3000 }]);
      expect(effect(sut.lastEffects, 'StartTimer').map((t) => [t.name, t.at])).toEqual([
        ['maxWait', T0 + 3000 + 300_000],
        ['announce', T0 + 3000 + 30_000],
      ]);
      expect(sut.eventTypes()).toEqual(['GreetingFinished', 'CallQueued']);
    });

    it('PlaybackGuardTimeout of the greeting → same as PlaybackFinished', () => {
      const sut = driveTo('greeting');
      sut.send({ type: 'PlaybackGuardTimeout', playbackId: sut.playing() });
      expect(sut.state.type).toBe('queued');
    });

    it('stale PlaybackFinished in greeting → ignored', () => {
      const sut = driveTo('greeting').send({ type: 'PlaybackFinished', playbackId: 'pb-other-9' });
      expect(sut.state.type).toBe('greeting');
      expect(sut.eventTypes()).toEqual(['InputIgnored']);
      expect(sut.lastEffects).toEqual([]);
    });

    it('Dtmf during the greeting without a menu → ignored, greeting goes on', () => {
      const sut = driveTo('greeting').send({ type: 'Dtmf', digit: '1' });
      expect(sut.state.type).toBe('greeting');
      expect(sut.lastEvents[0]).toMatchObject({ type: 'InputIgnored', state: 'greeting', input: 'Dtmf', why: 'no menu' });
    });

    it('an empty greeting list → straight to the queue after answer', () => {
      const sut = new Drive(settingsWith({ greeting: [] })).send({ type: 'Answered' });
      expect(sut.state.type).toBe('queued');
      expect(sut.eventTypes()).toEqual(['CallAnswered', 'GreetingFinished', 'CallQueued']);
    });
  });

  describe('menu (optional)', () => {
    it('greeting finished with menu on → menu prompt, then digit timer', () => {
      const sut = driveTo('menu', menuSettings());
      expect(sut.state.type).toBe('menu');
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual(['sound:hotline/menu']);
      sut.finishPlayback();
      expect(effect(sut.lastEffects, 'StartTimer')[0]).toMatchObject({ name: 'menu', at: sut.now + 5000 });
    });

    it('valid digit in menu → queue of that option', () => {
      const sut = driveTo('menu', menuSettings()).send({ type: 'Dtmf', digit: '2' });
      expect(sut.state.type).toBe('queued');
      expect(sut.state.core.queueId).toBe('water');
      expect(effect(sut.lastEffects, 'StopPlayback')).toHaveLength(1);
      expect(effect(sut.lastEffects, 'RequestAgent')[0]?.queueId).toBe('water');
      expect(sut.eventTypes()).toContain('MenuChoiceMade');
    });

    it('digit during the greeting with menu on → taken as the menu choice', () => {
      const sut = driveTo('greeting', menuSettings()).send({ type: 'Dtmf', digit: '1' });
      expect(sut.state.type).toBe('queued');
      expect(sut.state.core.queueId).toBe('tax');
      expect(sut.eventTypes()).toEqual(['GreetingFinished', 'MenuChoiceMade', 'CallQueued']);
    });

    it('invalid digit → prompt again once, second invalid → line queue', () => {
      const sut = driveTo('menu', menuSettings()).send({ type: 'Dtmf', digit: '9' });
      expect(sut.state).toMatchObject({ type: 'menu', invalid: 1 });
      sut.send({ type: 'Dtmf', digit: '8' });
      expect(sut.state.type).toBe('queued');
      expect(sut.state.core.queueId).toBe('general');
      expect(sut.eventTypes(sut.events).filter((t) => t === 'MenuDigitInvalid')).toHaveLength(2);
    });

    it('MenuTimeout with the current token → line queue; stale token → ignored', () => {
      const sut = driveTo('menu', menuSettings()).finishPlayback();
      sut.send({ type: 'MenuTimeout', token: 'menu-0' });
      expect(sut.state.type).toBe('menu');
      sut.send({ type: 'MenuTimeout', token: sut.token('menu') });
      expect(sut.state.type).toBe('queued');
      expect(sut.eventTypes()).toEqual(['MenuTimedOut', 'CallQueued']);
    });
  });

  describe('queue', () => {
    it('AnnounceTick → stop MOH, play position digits; finished → MOH and next tick', () => {
      const sut = driveTo('queued');
      sut.position = 12;
      sut.at(33000).send({ type: 'AnnounceTick', token: sut.token('announce') });
      expect(sut.state).toMatchObject({ type: 'queued', announceToken: null });
      expect(effect(sut.lastEffects, 'StopMoh')).toHaveLength(1);
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual([
        'sound:hotline/position-prefix',
        'sound:hotline/digit-1',
        'sound:hotline/digit-2',
        'sound:hotline/position-suffix',
      ]);
      expect(sut.lastEvents[0]).toMatchObject({ type: 'QueuePositionAnnounced', position: 12 });
      sut.finishPlayback();
      expect(sut.effectTypes()).toEqual(['CancelTimer', 'StartMoh', 'StartTimer']);
      expect(sut.state).toMatchObject({ type: 'queued', announcePlaybackId: null });
    });

    it('AnnounceTick with position announcements off → queue-hold prompt', () => {
      const sut = driveTo('queued', settingsWith({ announcePosition: false }));
      sut.send({ type: 'AnnounceTick', token: sut.token('announce') });
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual(['sound:hotline/queue-hold']);
    });

    it('stale AnnounceTick → ignored', () => {
      const sut = driveTo('queued').send({ type: 'AnnounceTick', token: 'announce-999' });
      expect(sut.eventTypes()).toEqual(['InputIgnored']);
    });

    it('AgentOffered → ringing attempt 1: RingAgent ring-<callId>-1 and a 10 s ring timer', () => {
      const sut = driveTo('queued').at(5000).offer();
      expect(sut.state.type).toBe('ringing');
      expect(sut.lastEffects).toEqual([
        // The caller hears a ringing tone instead of the music while the agent's phone rings.
        { type: 'StopMoh', channelId: CALLER_CHANNEL },
        { type: 'StartRingback', channelId: CALLER_CHANNEL },
        { type: 'CancelTimer', name: 'announce' },
        {
          type: 'RingAgent',
          agentId: AGENT_A,
          endpoint: 'PJSIP/agent1001',
          attempt: 1,
          channelId: `ring-${CALL}-1`,
          callerNumber: '13800000000',
          timeoutMs: 10_000,
        },
        { type: 'StartTimer', name: 'ring', at: T0 + 5000 + 10_000, token: '1', fire: { type: 'RingTimeout', attempt: 1 } },
      ]);
      expect(sut.lastEvents[0]).toMatchObject({ type: 'AgentOffered', attempt: 1, agentId: AGENT_A, waitMs: 2000 });
    });

    it('AgentOffered during an announcement → stop it, ringing tone (the music is off already), then ring', () => {
      const sut = driveTo('queued');
      sut.send({ type: 'AnnounceTick', token: sut.token('announce') });
      sut.offer();
      expect(sut.effectTypes().slice(0, 4)).toEqual(['StopPlayback', 'CancelTimer', 'StartRingback', 'RingAgent']);
    });

    it('ringingTone moh: the music goes on while the agent rings; during an announcement it comes back', () => {
      const moh = settingsWith({ ringingTone: 'moh' });
      const plain = driveTo('queued', moh).offer();
      expect(plain.effectTypes().filter((t) => /Moh|Ringback/.test(t))).toEqual([]);
      const announcing = driveTo('queued', moh);
      announcing.send({ type: 'AnnounceTick', token: announcing.token('announce') });
      announcing.offer();
      expect(announcing.effectTypes().slice(0, 4)).toEqual(['StopPlayback', 'CancelTimer', 'StartMoh', 'RingAgent']);
      announcing.at(15000).send({ type: 'RingTimeout', attempt: 1 });
      expect(announcing.effectTypes().filter((t) => /Moh|Ringback/.test(t))).toEqual([]);
      announcing.offer(AGENT_B, '1002').send({ type: 'AgentAnswered', attempt: 2 });
      expect(announcing.effectTypes().filter((t) => /Moh|Ringback/.test(t))).toEqual(['StopMoh']);
    });

    it('MaxWaitTimeout → overflow prompt; Dtmf callback key → callback stored, confirmation, hang up', () => {
      const sut = driveTo('queued');
      sut.position = 3;
      sut.at(303000).send({ type: 'MaxWaitTimeout', token: sut.token('maxWait') });
      expect(sut.state).toMatchObject({ type: 'overflow', reason: 'max-wait' });
      expect(sut.effectTypes()).toEqual(['CancelTimer', 'CancelTimer', 'StopMoh', 'CancelAgentRequest', 'Play', 'StartTimer']);
      expect(sut.lastEvents[0]).toMatchObject({ type: 'CallOverflowed', reason: 'max-wait', position: 3, waitMs: 300000 });
      sut.send({ type: 'Dtmf', digit: '1' });
      expect(effect(sut.lastEffects, 'PersistCallbackRequest')[0]?.request).toEqual({
        callId: CALL,
        callerNumber: '13800000000',
        calledNumber: '12345',
        queueId: 'general',
        requestedAt: T0 + 303000,
      });
      expect(sut.state).toMatchObject({ type: 'closing', reason: 'callback-requested' });
      sut.finishPlayback();
      expect(sut.state).toMatchObject({ type: 'ended', reason: 'callback-requested', hungUpBy: 'system' });
      expect(buildCallRecord(sut.events)).toMatchObject({ outcome: 'callback-requested', callbackRequested: true, complete: true });
    });

    it('NoAgentsAvailable → overflow no-agents; no digit → goodbye and hang up', () => {
      const sut = driveTo('overflow');
      expect(sut.state).toMatchObject({ type: 'overflow', reason: 'no-agents' });
      sut.finishPlayback();
      expect(effect(sut.lastEffects, 'StartTimer')[0]).toMatchObject({ name: 'callback', at: sut.now + 8000 });
      sut.send({ type: 'Dtmf', digit: '5' });
      expect(sut.eventTypes()).toEqual(['InputIgnored']);
      sut.send({ type: 'CallbackDigitTimeout', token: sut.token('callback') });
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual(['sound:hotline/goodbye']);
      sut.finishPlayback();
      expect(sut.state).toMatchObject({ type: 'ended', reason: 'overflow' });
      expect(sut.effectTypes()).toEqual(['HangupCaller', 'CancelAllTimers']);
      expect(buildCallRecord(sut.events)).toMatchObject({ outcome: 'overflow', overflow: { reason: 'no-agents' } });
    });

    it('NoAgentsAvailable with overflowWhenNoAgents off → ignored', () => {
      const sut = driveTo('queued', settingsWith({ overflowWhenNoAgents: false })).send({ type: 'NoAgentsAvailable' });
      expect(sut.state.type).toBe('queued');
      expect(sut.eventTypes()).toEqual(['InputIgnored']);
    });

    it('overflow with callbacks off → goodbye right after the prompt', () => {
      const sut = driveTo('overflow', settingsWith({ callback: { enabled: false } })).finishPlayback();
      expect(sut.state).toMatchObject({ type: 'closing', reason: 'overflow' });
      sut.send({ type: 'Dtmf', digit: '1' });
      expect(sut.eventTypes()).toEqual(['InputIgnored']);
    });

    it('max wait 0 → no max-wait timer; announce interval 0 → no announce timer', () => {
      const sut = driveTo('queued', settingsWith({ maxQueueWaitMs: 0, announceIntervalMs: 0 }));
      expect(effect(sut.lastEffects, 'StartTimer')).toEqual([]);
    });
  });

  describe('ring and the 10-second rule', () => {
    it('RingTimeout for the current attempt → miss: hang up leg, release agent, back in queue keeping place', () => {
      const sut = driveTo('ringing').at(15000).send({ type: 'RingTimeout', attempt: 1 });
      expect(sut.state.type).toBe('queued');
      expect(sut.lastEffects).toEqual([
        { type: 'CancelTimer', name: 'ring' },
        { type: 'HangupAgentLeg', channelId: `ring-${CALL}-1`, attempt: 1 },
        { type: 'ReleaseAgent', agentId: AGENT_A, attempt: 1, outcome: 'no-answer', ringMs: 10_000 },
        // Back to the music while the next agent is found.
        { type: 'StopRingback', channelId: CALLER_CHANNEL },
        { type: 'StartMoh', channelId: CALLER_CHANNEL, mohClass: 'default' },
        { type: 'RequestAgent', queueId: 'general', priority: 0, retry: true, queuedAt: T0 + 3000 },
        expect.objectContaining({ type: 'StartTimer', name: 'announce' }),
      ]);
      expect(sut.lastEvents.map((e) => e.type)).toEqual(['AgentRingMissed', 'CallQueued']);
      expect(sut.lastEvents[0]).toMatchObject({ attempt: 1, agentId: AGENT_A, outcome: 'no-answer', ringMs: 10_000 });
    });

    it('first agent no answer → second agent answers: attempts 1 and 2 on the record', () => {
      const sut = driveTo('ringing').at(15000).send({ type: 'RingTimeout', attempt: 1 });
      sut.at(15010).offer(AGENT_B, '1002');
      expect(effect(sut.lastEffects, 'RingAgent')[0]).toMatchObject({ attempt: 2, channelId: `ring-${CALL}-2`, agentId: AGENT_B });
      sut.at(18000).send({ type: 'AgentAnswered', attempt: 2 });
      expect(sut.state.type).toBe('connecting');
      const rec = buildCallRecord(sut.events);
      expect(rec.attempts.map((a) => [a.attempt, a.agentId, a.outcome, a.ringMs])).toEqual([
        [1, AGENT_A, 'no-answer', 10_000],
        [2, AGENT_B, 'answered', 2990],
      ]);
      expect(rec.waitMs).toBe(15_000);
    });

    it('race: answer at 9.9 s, then RingTimeout at 10 s → connected, the timeout is ignored', () => {
      const sut = driveTo('ringing').at(5000 + 9900).send({ type: 'AgentAnswered', attempt: 1 });
      expect(sut.state.type).toBe('connecting');
      expect(effect(sut.lastEffects, 'CancelTimer').map((t) => t.name)).toContain('ring');
      sut.at(15000).send({ type: 'RingTimeout', attempt: 1 });
      expect(sut.state.type).toBe('connecting');
      expect(sut.lastEvents[0]).toMatchObject({ type: 'InputIgnored', input: 'RingTimeout' });
      expect(sut.lastEffects).toEqual([]);
      expect(buildCallRecord(sut.events).attempts[0]).toMatchObject({ outcome: 'answered', ringMs: 9900 });
    });

    it('race: RingTimeout at 10 s processed before an answer sent at 9.9 s → miss; late answer hangs that leg up', () => {
      const sut = driveTo('ringing').at(15000).send({ type: 'RingTimeout', attempt: 1 });
      sut.at(15020).send({ type: 'AgentAnswered', attempt: 1 });
      expect(sut.state.type).toBe('queued');
      expect(sut.lastEffects).toEqual([{ type: 'HangupAgentLeg', channelId: `ring-${CALL}-1`, attempt: 1 }]);
      expect(sut.lastEvents[0]).toMatchObject({ type: 'InputIgnored', input: 'AgentAnswered' });
    });

    it('stale RingTimeout of attempt 1 while attempt 2 rings → ignored', () => {
      const sut = driveTo('ringing').at(15000).send({ type: 'RingTimeout', attempt: 1 });
      sut.offer(AGENT_B, '1002').send({ type: 'RingTimeout', attempt: 1 });
      expect(sut.state).toMatchObject({ type: 'ringing', offer: { attempt: 2 } });
      expect(sut.eventTypes()).toEqual(['InputIgnored']);
    });

    it.each([['rejected'], ['busy'], ['unreachable']] as const)('AgentLegFailed %s → miss with that outcome', (cause) => {
      const sut = driveTo('ringing').at(6000).send({ type: 'AgentLegFailed', attempt: 1, cause });
      expect(sut.state.type).toBe('queued');
      expect(effect(sut.lastEffects, 'ReleaseAgent')[0]).toMatchObject({ outcome: cause, ringMs: 1000 });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'AgentRingMissed', outcome: cause });
    });

    it("AgentLegFailed no-answer before the limit → the phone's own refusal: miss rejected", () => {
      const sut = driveTo('ringing').at(5000 + 4000).send({ type: 'AgentLegFailed', attempt: 1, cause: 'no-answer', at: T0 + 5000 + 3990 });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'AgentRingMissed', outcome: 'rejected', ringMs: 3990 });
    });

    it("AgentLegFailed no-answer once the limit passed (Asterisk's dial timeout, our timer late) → miss no-answer, ring length from Asterisk's time", () => {
      const sut = driveTo('ringing').at(5000 + 10_400).send({ type: 'AgentLegFailed', attempt: 1, cause: 'no-answer', at: T0 + 5000 + 10_004 });
      expect(sut.state.type).toBe('queued');
      expect(effect(sut.lastEffects, 'ReleaseAgent')[0]).toMatchObject({ outcome: 'no-answer', ringMs: 10_004 });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'AgentRingMissed', outcome: 'no-answer', ringMs: 10_004 });
      expect(buildCallRecord(sut.events).attempts[0]).toMatchObject({ outcome: 'no-answer', ringMs: 10_004 });
    });

    it("AgentLegFailed with Asterisk's time after ours (clocks apart) → ring length up to now, never beyond", () => {
      const sut = driveTo('ringing').at(5000 + 10_000).send({ type: 'AgentLegFailed', attempt: 1, cause: 'no-answer', at: T0 + 5000 + 10_250 });
      expect(sut.lastEvents[0]).toMatchObject({ outcome: 'no-answer', ringMs: 10_000 });
    });

    it("the phone rings 800 ms after the offer → the ring timer starts again, 10 s from the ringing (Asterisk's time); the miss counts from there", () => {
      const sut = driveTo('ringing').at(6000).send({ type: 'AgentRinging', attempt: 1, at: T0 + 5800 });
      expect(sut.state).toMatchObject({ type: 'ringing', offer: { attempt: 1, offeredAt: T0 + 5000, ringingAt: T0 + 5800 } });
      expect(sut.lastEffects).toEqual([{ type: 'StartTimer', name: 'ring', at: T0 + 5800 + 10_000, token: '1', fire: { type: 'RingTimeout', attempt: 1 } }]);
      expect(sut.lastEvents).toEqual([]);
      sut.at(15_800).send({ type: 'RingTimeout', attempt: 1 });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'AgentRingMissed', outcome: 'no-answer', ringMs: 10_000 });
      expect(buildCallRecord(sut.events).attempts[0]).toMatchObject({ outcome: 'no-answer', ringMs: 10_000 });
    });

    it("Asterisk's dial timeout ends a ring that started late → no-answer, its length from the ringing to Asterisk's end", () => {
      const sut = driveTo('ringing').at(5810).send({ type: 'AgentRinging', attempt: 1, at: T0 + 5800 });
      sut.at(15_900).send({ type: 'AgentLegFailed', attempt: 1, cause: 'no-answer', at: T0 + 15_795 });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'AgentRingMissed', outcome: 'no-answer', ringMs: 9995 });
    });

    it('answered 3 s after it started ringing → ring length 3 s (the second before the ringing is not the agent\'s)', () => {
      const sut = driveTo('ringing').at(6100).send({ type: 'AgentRinging', attempt: 1, at: T0 + 6000 });
      sut.at(9000).send({ type: 'AgentAnswered', attempt: 1 });
      expect(sut.lastEvents.find((e) => e.type === 'AgentAnswered')).toMatchObject({ ringMs: 3000 });
    });

    it('caller hangs up while the phone rings → the cancelled ring counts from the ringing', () => {
      const sut = driveTo('ringing').at(6000).send({ type: 'AgentRinging', attempt: 1 });
      sut.at(8500).send({ type: 'CallerHungUp' });
      expect(sut.events.find((e) => e.type === 'AgentRingCancelled')).toMatchObject({ ringMs: 2500, reason: 'caller-hangup' });
    });

    it("a ringing time outside [offer, now] (clocks apart) is taken at the nearer end; a second ringing and a stale attempt's are ignored", () => {
      const early = driveTo('ringing').at(6000).send({ type: 'AgentRinging', attempt: 1, at: T0 + 4000 });
      expect(early.state).toMatchObject({ offer: { ringingAt: T0 + 5000 } });
      expect(early.lastEffects).toEqual([expect.objectContaining({ type: 'StartTimer', name: 'ring', at: T0 + 5000 + 10_000 })]);
      early.at(6500).send({ type: 'AgentRinging', attempt: 1, at: T0 + 6400 });
      expect(early.lastEvents[0]).toMatchObject({ type: 'InputIgnored', input: 'AgentRinging' });
      expect(early.lastEffects).toEqual([]);
      expect(early.state).toMatchObject({ offer: { ringingAt: T0 + 5000 } });
      early.send({ type: 'AgentRinging', attempt: 2 });
      expect(early.lastEvents[0]).toMatchObject({ type: 'InputIgnored', input: 'AgentRinging' });
      const late = driveTo('ringing').at(6000).send({ type: 'AgentRinging', attempt: 1, at: T0 + 7000 });
      expect(late.state).toMatchObject({ offer: { ringingAt: T0 + 6000 } });
      expect(late.lastEffects).toEqual([expect.objectContaining({ type: 'StartTimer', name: 'ring', at: T0 + 6000 + 10_000 })]);
    });

    it('AgentHungUp while ringing (no answer seen) → miss rejected', () => {
      const sut = driveTo('ringing').send({ type: 'AgentHungUp', attempt: 1 });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'AgentRingMissed', outcome: 'rejected' });
    });

    it('second AgentOffered while ringing → ignored and that agent released (declined)', () => {
      const sut = driveTo('ringing').offer(AGENT_B, '1002');
      expect(sut.state).toMatchObject({ type: 'ringing', offer: { agentId: AGENT_A } });
      expect(sut.lastEffects).toEqual([{ type: 'ReleaseAgent', agentId: AGENT_B, attempt: 0, outcome: 'declined', ringMs: null }]);
    });

    it('MaxWaitTimeout while ringing → ring goes on; if it is missed → overflow instead of queue', () => {
      const sut = driveTo('ringing');
      sut.send({ type: 'MaxWaitTimeout', token: sut.token('maxWait') });
      expect(sut.state.type).toBe('ringing');
      expect(sut.lastEvents).toEqual([]);
      sut.send({ type: 'RingTimeout', attempt: 1 });
      expect(sut.state).toMatchObject({ type: 'overflow', reason: 'max-wait' });
      expect(sut.eventTypes()).toEqual(['AgentRingMissed', 'CallOverflowed']);
      // The ringing tone stops; no music starts (and none is stopped) before the overflow prompt.
      expect(sut.effectTypes().filter((t) => /Moh|Ringback|Play/.test(t))).toEqual(['StopRingback', 'Play']);
    });

    it('MaxWaitTimeout while ringing, then answered → connected normally', () => {
      const sut = driveTo('ringing');
      sut.send({ type: 'MaxWaitTimeout', token: sut.token('maxWait') });
      sut.send({ type: 'AgentAnswered', attempt: 1 });
      expect(sut.state.type).toBe('connecting');
    });
  });

  describe('connect, talk, rate', () => {
    it('AgentAnswered → stop the ringing tone, leave queue, agent on call, announce 工号 digit by digit', () => {
      const sut = driveTo('connecting');
      expect(sut.effectTypes()).toEqual(['CancelTimer', 'CancelTimer', 'CancelAgentRequest', 'StopRingback', 'MarkAgentOnCall', 'Play', 'StartTimer', 'Play']);
      // The agent hears the same announcement on its own leg (not a playback the call waits for).
      const plays = effect(sut.lastEffects, 'Play');
      expect(plays[1]).toMatchObject({ channelId: `ring-${sut.state.core.callId}-1`, playbackId: `agentpb-${sut.state.core.callId}-1` });
      expect(plays[1]?.media).toEqual(plays[0]?.media);
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual([
        'sound:hotline/digit-1',
        'sound:hotline/digit-0',
        'sound:hotline/digit-0',
        'sound:hotline/digit-1',
        'sound:hotline/agent-id-suffix',
      ]);
      expect(sut.lastEvents[0]).toMatchObject({ type: 'AgentAnswered', attempt: 1, ringMs: 3000, waitMs: 5000 });
    });

    it('announcement finished → bridge bridge-<callId> with caller and agent leg', () => {
      const sut = driveTo('talking');
      expect(effect(sut.lastEffects, 'Bridge')).toEqual([
        { type: 'Bridge', bridgeId: `bridge-${CALL}`, channelIds: [CALLER_CHANNEL, `ring-${CALL}-1`] },
      ]);
      expect(effect(sut.lastEffects, 'StartRecording')).toEqual([]);
    });

    it('recording on → StartRecording with the name on the record', () => {
      const sut = driveTo('talking', settingsWith({ recordCalls: true }));
      expect(effect(sut.lastEffects, 'StartRecording')).toEqual([{ type: 'StartRecording', bridgeId: `bridge-${CALL}`, name: `call-${CALL}` }]);
      sut.send({ type: 'AgentHungUp', attempt: 1 });
      expect(effect(sut.lastEffects, 'StopRecording')).toHaveLength(1);
      expect(buildCallRecord(sut.events).recordingName).toBe(`call-${CALL}`);
    });

    it('RecordingFailed for the call\'s recording → event, the record names no recording', () => {
      const sut = driveTo('talking', settingsWith({ recordCalls: true })).send({ type: 'RecordingFailed', name: `call-${CALL}` });
      expect(sut.state.type).toBe('talking');
      expect(sut.eventTypes()).toEqual(['RecordingFailed']);
      sut.send({ type: 'AgentHungUp', attempt: 1 });
      expect(effect(sut.lastEffects, 'StopRecording')).toEqual([]);
      expect(buildCallRecord(sut.events).recordingName).toBeNull();
    });

    it('Dtmf while talking → ignored: a digit before the rating prompt is not a rating', () => {
      const sut = driveTo('talking').send({ type: 'Dtmf', digit: '1' });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'InputIgnored', why: 'digit before the rating prompt' });
      sut.send({ type: 'AgentHungUp', attempt: 1 }).finishPlayback();
      sut.send({ type: 'RatingTimeout', token: sut.token('rating') });
      expect(buildCallRecord([...sut.events]).rating.status).toBe('not-rated');
    });

    it('AgentHungUp while talking → complete, release agent, rating prompt to the caller still in the bridge', () => {
      const sut = driveTo('rating');
      expect(sut.state.type).toBe('rating');
      expect(sut.effectTypes()).toEqual(['ReleaseAgent', 'Play', 'StartTimer']);
      expect(effect(sut.lastEffects, 'ReleaseAgent')[0]).toMatchObject({ outcome: 'completed', agentId: AGENT_A });
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual(['sound:hotline/rating-2']);
      expect(sut.lastEvents.map((e) => e.type)).toEqual(['CallCompleted', 'RatingRequested']);
      expect(sut.lastEvents[0]).toMatchObject({ endedBy: 'agent', talkMs: 60_000 });
    });

    it('stale AgentHungUp (another attempt) while talking → ignored', () => {
      const sut = driveTo('talking').send({ type: 'AgentHungUp', attempt: 7 });
      expect(sut.state.type).toBe('talking');
    });

    it('digit 1 during the rating prompt → rated satisfied, thanks, hang up, record complete', () => {
      const sut = driveTo('rating').at(71000).send({ type: 'Dtmf', digit: '1' });
      expect(sut.effectTypes()).toEqual(['StopPlayback', 'CancelTimer', 'Play', 'StartTimer']);
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual(['sound:hotline/thanks']);
      sut.at(73000).finishPlayback();
      expect(sut.state).toMatchObject({ type: 'ended', reason: 'completed', hungUpBy: 'system' });
      expect(sut.effectTypes()).toEqual(['HangupCaller', 'DestroyBridge', 'CancelAllTimers']);
      const rec = buildCallRecord(sut.events);
      expect(rec).toMatchObject({
        outcome: 'answered',
        complete: true,
        agentId: AGENT_A,
        conversationEndedBy: 'agent',
        rating: { status: 'rated', digit: '1', code: 'satisfied', satisfied: true },
        talkMs: 60_000,
        waitMs: 5000,
      });
    });

    it('digit after the prompt finished → rated; the timer is cancelled', () => {
      const sut = driveTo('rating').finishPlayback();
      expect(effect(sut.lastEffects, 'StartTimer')[0]).toMatchObject({ name: 'rating', at: sut.now + 8000 });
      sut.send({ type: 'Dtmf', digit: '2' });
      expect(sut.effectTypes()).toEqual(['CancelTimer', 'Play', 'StartTimer']);
      expect(sut.lastEvents[0]).toMatchObject({ type: 'CallRated', code: 'dissatisfied', satisfied: false });
    });

    it('invalid digit → rating-invalid + prompt again; then a valid digit → rated', () => {
      const sut = driveTo('rating').finishPlayback().send({ type: 'Dtmf', digit: '7' });
      expect(sut.state).toMatchObject({ type: 'rating', invalid: 1 });
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual(['sound:hotline/rating-invalid', 'sound:hotline/rating-2']);
      expect(sut.eventTypes()).toEqual(['RatingDigitInvalid', 'RatingRequested']);
      sut.send({ type: 'Dtmf', digit: '1' });
      const rec = buildCallRecord(sut.events);
      expect(rec.rating).toMatchObject({ status: 'rated', digit: '1', invalidDigits: ['7'] });
    });

    it('two invalid digits → not rated (invalid), thanks', () => {
      const sut = driveTo('rating').send({ type: 'Dtmf', digit: '7' }).send({ type: 'Dtmf', digit: '8' });
      expect(sut.state).toMatchObject({ type: 'closing', reason: 'completed' });
      expect(sut.eventTypes()).toEqual(['RatingDigitInvalid', 'RatingNotGiven']);
      expect(sut.lastEvents[1]).toMatchObject({ reason: 'invalid' });
    });

    it('RatingTimeout → not rated (timeout); a stale token is ignored', () => {
      const sut = driveTo('rating').finishPlayback();
      sut.send({ type: 'RatingTimeout', token: 'rating-0' });
      expect(sut.state.type).toBe('rating');
      sut.send({ type: 'RatingTimeout', token: sut.token('rating') });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'RatingNotGiven', reason: 'timeout' });
      sut.finishPlayback();
      expect(buildCallRecord(sut.events).rating).toMatchObject({ status: 'not-rated', notRatedReason: 'timeout' });
    });

    it('one rating only: a second digit during thanks is ignored', () => {
      const sut = driveTo('closing').send({ type: 'Dtmf', digit: '2' });
      expect(sut.eventTypes()).toEqual(['InputIgnored']);
      sut.finishPlayback();
      expect(buildCallRecord(sut.events).rating.digit).toBe('1');
    });

    it('five-level scale → rating-5 prompt, digit 3 = 基本满意', () => {
      const sut = driveTo('rating', settingsWith({ rating: { scale: FIVE_LEVEL_SCALE } }));
      expect(effect(sut.lastEffects, 'Play')[0]?.media).toEqual(['sound:hotline/rating-5']);
      sut.send({ type: 'Dtmf', digit: '3' });
      expect(sut.lastEvents[0]).toMatchObject({ type: 'CallRated', value: 3, label: '基本满意', satisfied: true, scale: 'five-level' });
    });

    it('rating off → thanks and hang up after the agent leaves', () => {
      const sut = driveTo('rating', settingsWith({ rating: { enabled: false } }));
      expect(sut.state).toMatchObject({ type: 'closing', reason: 'completed' });
      sut.finishPlayback();
      expect(buildCallRecord(sut.events).rating.status).toBe('not-asked');
    });

    it('AgentHungUp during the 工号 announcement → stop it, rating (talk 0)', () => {
      const sut = driveTo('connecting').send({ type: 'AgentHungUp', attempt: 1 });
      expect(sut.state.type).toBe('rating');
      expect(sut.effectTypes().slice(0, 2)).toEqual(['StopPlayback', 'CancelTimer']);
      expect(sut.lastEvents[0]).toMatchObject({ type: 'CallCompleted', talkMs: 0 });
    });
  });

  describe('events', () => {
    it('seq is 1, 2, 3, … over the whole call, with at = ctx.now', () => {
      const sut = driveTo('closing').at(90000).finishPlayback();
      expect(sut.events.map((e) => e.seq)).toEqual(sut.events.map((_, i) => i + 1));
      expect(sut.events.every((e) => e.callId === CALL)).toBe(true);
      expect(sut.events[sut.events.length - 1]).toMatchObject({ type: 'CallEnded', at: T0 + 90000 });
    });

    it('transition does not change the state it was given', () => {
      const sut = driveTo('ringing');
      const before = JSON.stringify(sut.state);
      const frozen = sut.state;
      sut.send({ type: 'RingTimeout', attempt: 1 });
      expect(JSON.stringify(frozen)).toBe(before);
    });
  });
});
