import { asAgentId, asCallId } from '../../../src/shared/ids';
import type { CallSession } from '../../../src/app/calls/call-session';
import { TelephonyNotFoundError } from '../../../src/app/calls/calls.ports';
import { agentsReady, flush, lastPlayback, lastPlayedMedia, T0, world, type World } from './fakes';

const CH = '1749000000.1';
const CALL = asCallId(CH);
const A1 = asAgentId('a1001');
const A2 = asAgentId('a1002');

async function enter(w: World, channelId = CH): Promise<CallSession> {
  w.tel.addCaller(channelId);
  const s = w.calls.startCall({ channelId, callerNumber: '13800000000', calledNumber: '12345' });
  await flush();
  return s;
}

async function send(w: World, input: Parameters<CallSession['deliver']>[0], callId = CALL): Promise<void> {
  expect(w.calls.deliver(callId, input)).toBe(true);
  await flush();
}

async function finishPlayback(w: World, callId = CALL): Promise<void> {
  await send(w, { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) }, callId);
}

/** Greeting → queued → offered to the best agent. */
async function toRinging(w: World): Promise<CallSession> {
  const s = await enter(w);
  await finishPlayback(w);
  return s;
}

describe('call session with fake ports', () => {
  it('happy path: greeting, queue, ring once, 工号, bridge, agent hangs up, rating 1, thanks, one complete record', async () => {
    const w = world();
    agentsReady(w, 1);
    const s = await enter(w);
    expect(w.tel.calls.slice(0, 2)).toEqual([
      ['answer', CH],
      ['play', CH, `pb-${CH}-1`, ['sound:hotline/greeting']],
    ]);
    // The open record exists from the start.
    expect(w.recs.records.get(CALL)).toMatchObject({ complete: false, outcome: 'in-progress' });

    w.clock.t = T0 + 3000;
    await finishPlayback(w);
    expect(s.snapshot().type).toBe('ringing');
    expect(w.tel.calls.find((c) => c[0] === 'originate')).toEqual([
      'originate',
      { channelId: `ring-${CH}-1`, endpoint: 'PJSIP/agent1001', callerId: '13800000000', timeoutMs: 10000 },
    ]);
    expect(w.agents.get(A1)?.status).toEqual({ type: 'ringing', callId: CALL });

    w.clock.t = T0 + 5000;
    await send(w, { type: 'AgentAnswered', attempt: 1 });
    expect(lastPlayedMedia(w.tel)).toEqual(['sound:hotline/digit-1', 'sound:hotline/digit-0', 'sound:hotline/digit-0', 'sound:hotline/digit-1', 'sound:hotline/agent-id-suffix']);
    expect(w.agents.get(A1)?.status.type).toBe('on-call');

    w.clock.t = T0 + 7000;
    await finishPlayback(w);
    expect(w.tel.bridges.get(`bridge-${CH}`)).toEqual([CH, `ring-${CH}-1`]);

    w.clock.t = T0 + 67000;
    await send(w, { type: 'AgentHungUp', attempt: 1 });
    expect(lastPlayedMedia(w.tel)).toEqual(['sound:hotline/rating-2']);
    expect(w.agents.get(A1)?.status.type).toBe('wrap-up');

    await finishPlayback(w);
    await w.scheduler.advance(2000);
    await send(w, { type: 'Dtmf', digit: '1' });
    expect(lastPlayedMedia(w.tel)).toEqual(['sound:hotline/thanks']);
    await finishPlayback(w);
    const rec = await s.done;

    expect(w.tel.methods().slice(-2)).toEqual(['hangup', 'destroyBridge']);
    expect(w.registry.size).toBe(0);
    expect(w.scheduler.pending()).toBe(1); // only the agent's wrap-up timer
    expect(rec).toMatchObject({
      complete: true,
      outcome: 'answered',
      agentId: A1,
      agentNumber: '1001',
      waitMs: 2000,
      talkMs: 60000,
      rating: { status: 'rated', digit: '1', code: 'satisfied' },
      hungUpBy: 'system',
      conversationEndedBy: 'agent',
    });
    expect(rec.attempts).toHaveLength(1);
    expect(w.recs.records.get(CALL)).toEqual(rec);
    // The stored record follows the call: written at entry, at each change of stage and at the end.
    expect(w.recs.upserts.filter((r) => r.callId === CALL).map((r) => r.stage)).toEqual([
      'answering', 'greeting', 'queued', 'ringing', 'connecting', 'talking', 'rating', 'closing', 'ended',
    ]);
    // From the agent's answer on, the stored record names the agent handling the call.
    expect(w.recs.upserts.filter((r) => r.callId === CALL && r.stage === 'connecting').map((r) => r.agentId)).toEqual([A1]);
    // Every event stored once, in order.
    const stored = await w.store.load(CALL);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(stored[stored.length - 1]?.type).toBe('CallEnded');
    // The bus carries call, queue and agent events with one global sequence.
    expect(new Set(w.messages.map((m) => m.topic))).toEqual(new Set(['call', 'queue', 'agent']));
    expect(w.messages.map((m) => m.seq)).toEqual(w.messages.map((_, i) => i + 1));

    // Wrap-up ends by itself.
    await w.scheduler.advance(15000);
    expect(w.agents.get(A1)?.status.type).toBe('ready');
  });

  it('first agent does not answer in 10 s → leg cancelled, agent not-ready missed, alert, second agent answers', async () => {
    const w = world();
    agentsReady(w, 2);
    const s = await toRinging(w);
    const offeredAt = w.clock.t;
    expect(w.agents.get(A1)?.status.type).toBe('ringing');

    await w.scheduler.advance(10000);
    expect(w.clock.t - offeredAt).toBe(10000);
    expect(w.tel.calls).toContainEqual(['hangup', `ring-${CH}-1`]);
    expect(w.agents.get(A1)?.status).toEqual({ type: 'not-ready', reason: 'missed' });
    const alert = w.messages.find((m) => m.topic === 'agent' && m.event.type === 'SupervisorAlertRaised');
    expect(alert?.event).toMatchObject({ agentId: A1, callId: CALL, attempt: 1, ringMs: 10000 });
    const second = w.tel.calls.filter((c) => c[0] === 'originate')[1];
    expect(second?.[1]).toMatchObject({ channelId: `ring-${CH}-2`, endpoint: 'PJSIP/agent1002' });

    await w.scheduler.advance(1500);
    await send(w, { type: 'AgentAnswered', attempt: 2 });
    expect(s.snapshot().type).toBe('connecting');
    await send(w, { type: 'CallerHungUp' });
    const rec = await s.done;
    expect(rec.attempts.map((a) => [a.agentId, a.outcome, a.ringMs])).toEqual([
      [A1, 'no-answer', 10000],
      [A2, 'answered', 1500],
    ]);
    expect(rec.agentId).toBe(A2);
  });

  it('Asterisk answers the ring request 1.5 s late → the ring limit still ends 10 s after the offer (the request went out with it)', async () => {
    const w = world();
    agentsReady(w, 2);
    let release = (): void => undefined;
    w.tel.originateGate = new Promise<void>((r) => (release = r));
    const s = await toRinging(w);
    const requestedAt = w.clock.t;
    expect(w.tel.methods()).toContain('originate');
    // The phone rings meanwhile; the request's answer arrives 1.5 s after it was sent.
    w.clock.t += 1500;
    w.tel.originateGate = null;
    release();
    await flush();

    await w.scheduler.advance(8499);
    expect(s.snapshot().type).toBe('ringing');
    await w.scheduler.advance(1);
    expect(w.clock.t - requestedAt).toBe(10000);
    expect(w.tel.calls).toContainEqual(['hangup', `ring-${CH}-1`]);
    const missed = w.messages.find((m) => m.topic === 'call' && m.event.type === 'AgentRingMissed');
    expect(missed?.event).toMatchObject({ attempt: 1, outcome: 'no-answer', ringMs: 10000 });
  });

  it('the phone starts ringing 1.2 s after the ring request (Asterisk busy) → the limit ends 10 s after the ringing, and the miss lasts 10 s', async () => {
    const w = world();
    agentsReady(w, 2);
    const s = await toRinging(w);
    const requestedAt = w.clock.t;
    await w.scheduler.advance(1200);
    // Heard 50 ms after Asterisk's time of it.
    await w.scheduler.advance(50);
    await send(w, { type: 'AgentRinging', attempt: 1, at: requestedAt + 1200 });
    await w.scheduler.advance(8750); // 10 s after the request: the first timer would have fired here
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 1 } });
    expect(w.tel.calls.filter((c) => c[0] === 'hangup')).toEqual([]);
    await w.scheduler.advance(1199);
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 1 } });
    await w.scheduler.advance(1);
    expect(w.clock.t - requestedAt).toBe(11_200);
    expect(w.tel.calls).toContainEqual(['hangup', `ring-${CH}-1`]);
    const missed = w.messages.find((m) => m.topic === 'call' && m.event.type === 'AgentRingMissed');
    expect(missed?.event).toMatchObject({ attempt: 1, outcome: 'no-answer', ringMs: 10_000 });
  });

  it('missed ring while Asterisk is slow to hang up: the missed leg is cancelled first and the next agent rung without waiting for it', async () => {
    const w = world();
    agentsReady(w, 2);
    const s = await toRinging(w);
    let release = (): void => undefined;
    w.tel.hangupGate = new Promise<void>((r) => (release = r));
    await w.scheduler.advance(10000);
    const methods = w.tel.calls.map((c) => `${c[0]} ${typeof c[1] === 'string' ? c[1] : (c[1] as { channelId: string }).channelId}`);
    // The cancel went out when the limit fired; the second ring followed while Asterisk had not
    // answered the hang-up yet.
    expect(methods.slice(-2)).toEqual([`hangup ring-${CH}-1`, `originate ring-${CH}-2`]);
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2, agentId: A2 } });
    w.tel.hangupGate = null;
    release();
    await flush();
    const missed = w.messages.find((m) => m.topic === 'call' && m.event.type === 'AgentRingMissed');
    expect(missed?.event).toMatchObject({ attempt: 1, outcome: 'no-answer', ringMs: 10000 });
  });

  it('missed ring and the next agent rung in the same batch: the caller\'s ringing tone goes on, no tone request goes out', async () => {
    const w = world();
    agentsReady(w, 2);
    const s = await toRinging(w);
    const before = w.tel.calls.length;
    await w.scheduler.advance(10000);
    await flush();
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2, agentId: A2 } });
    // The machine stopped the tone, started the music, stopped it and started the tone again.
    expect(w.tel.calls.slice(before).map((c) => c[0])).toEqual(['hangup', 'originate']);
  });

  it('a failed hang-up of a missed leg still reaches the machine and the step finishes', async () => {
    const w = world();
    agentsReady(w, 2);
    const s = await toRinging(w);
    w.tel.failures.push({ method: 'hangup', error: new Error('500') });
    await w.scheduler.advance(10000);
    await flush();
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2, agentId: A2 } });
    expect(w.tel.calls.filter((c) => c[0] === 'originate').length).toBe(2);
    expect(w.log.lines.find((l) => l.message === 'clean-up failed')?.fields).toMatchObject({ effect: 'HangupAgentLeg' });
    // Its agent is released once the failed hang-up is over (not held forever).
    expect(w.agents.get(A1)?.status).toMatchObject({ type: 'not-ready', reason: 'missed' });
  });

  it("ring timer late (busy event loop) while Asterisk's own dial timeout already ended the leg → the miss carries Asterisk's time; the timer's input, put behind it, is cancelled with the ring", async () => {
    const w = world();
    agentsReady(w, 2);
    const s = await toRinging(w);
    const requestedAt = w.clock.t;
    // The loop was busy: the timer runs 400 ms late, and Asterisk's hang-up (at the limit) waits to be read.
    w.clock.t = requestedAt + 10_400;
    w.scheduler.fireOne();
    expect(s.snapshot().type).toBe('ringing');
    await send(w, { type: 'AgentLegFailed', attempt: 1, cause: 'no-answer', at: requestedAt + 10_003 });
    await w.scheduler.advance(0);
    const missed = w.messages.filter((m) => m.topic === 'call' && m.event.type === 'AgentRingMissed');
    expect(missed.map((m) => m.event)).toEqual([expect.objectContaining({ attempt: 1, outcome: 'no-answer', ringMs: 10_003 })]);
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2, agentId: A2 } });
    const ignored = w.messages.filter((m) => m.topic === 'call' && m.event.type === 'InputIgnored');
    expect(ignored).toEqual([]);
  });

  it('answer arriving after the ring limit fired → the late leg is hung up; the call rings the next agent', async () => {
    const w = world();
    agentsReady(w, 2);
    const s = await toRinging(w);
    await w.scheduler.advance(10000);
    await send(w, { type: 'AgentAnswered', attempt: 1 });
    expect(w.tel.calls.filter((c) => c[0] === 'hangup' && c[1] === `ring-${CH}-1`).length).toBeGreaterThanOrEqual(1);
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2 } });
  });

  it('originate fails → attempt unreachable, next agent rung', async () => {
    const w = world();
    agentsReady(w, 2);
    w.tel.failures.push({ method: 'originate', error: new Error('503') });
    const s = await toRinging(w);
    await flush();
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2, agentId: A2 } });
    // unreachable does not count for the not-ready policy by default
    expect(w.agents.get(A1)?.status.type).toBe('ready');
  });

  it('originate fails for the only agent (phone not registered) → a failed attempt, the agent is not offered the call again before the back-off ends', async () => {
    const w = world({ refusedRetryMs: 15_000 });
    agentsReady(w, 1);
    w.tel.failures.push({ method: 'originate', error: new Error('Allocation failed') });
    const s = await toRinging(w);
    await flush();
    expect(s.snapshot().type).toBe('queued');
    expect(w.tel.calls.filter((c) => c[0] === 'originate')).toHaveLength(1);
    // Half the back-off later: still one attempt, the agent still Ready.
    await w.scheduler.advance(7_500);
    expect(w.tel.calls.filter((c) => c[0] === 'originate')).toHaveLength(1);
    expect(w.agents.get(A1)?.status.type).toBe('ready');
    // The back-off over: offered again.
    await w.scheduler.advance(7_500);
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2, agentId: A1 } });
  });

  it('busy phone (486): the agent goes not-ready 忙/拒接 by the missed-ring policy; with a higher threshold the call is not re-offered within the back-off', async () => {
    const w = world({ refusedRetryMs: 15_000, missedRing: { maxConsecutiveMisses: 5 } });
    agentsReady(w, 1);
    const s = await toRinging(w);
    await send(w, { type: 'AgentLegFailed', attempt: 1, cause: 'busy' });
    expect(s.snapshot().type).toBe('queued');
    await w.scheduler.advance(14_000);
    expect(w.tel.calls.filter((c) => c[0] === 'originate')).toHaveLength(1);
    await w.scheduler.advance(1_000);
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2 } });

    const w1 = world();
    agentsReady(w1, 1);
    await toRinging(w1);
    await send(w1, { type: 'AgentLegFailed', attempt: 1, cause: 'busy' });
    expect(w1.agents.get(A1)?.status).toEqual({ type: 'not-ready', reason: '忙/拒接' });
  });

  it('every candidate refuses → after maxRefusedRings refusals in a row the call takes the overflow path (no agents), not a loop', async () => {
    const w = world({ refusedRetryMs: 1_000, maxRefusedRings: 3, missedRing: { maxConsecutiveMisses: 100 } });
    agentsReady(w, 1);
    const s = await toRinging(w);
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt } });
      await send(w, { type: 'AgentLegFailed', attempt, cause: 'busy' });
      await w.scheduler.advance(1_000);
    }
    expect(s.snapshot()).toMatchObject({ type: 'overflow', reason: 'no-agents' });
    expect(w.tel.calls.filter((c) => c[0] === 'originate')).toHaveLength(3);
    expect(w.agents.get(A1)?.status.type).toBe('ready');
    expect(w.acd.positionOf(CALL)).toBeNull();
  });

  it('only agent misses and nobody else is ready → caller keeps waiting; agent back to Ready → offered again', async () => {
    const w = world();
    agentsReady(w, 1);
    const s = await toRinging(w);
    await w.scheduler.advance(10000);
    expect(s.snapshot().type).toBe('queued');
    w.agents.setReady(A1);
    await flush();
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2, agentId: A1 } });
  });

  it('no agent logged in → overflow prompt, callback key → request stored with the caller number', async () => {
    const w = world();
    const s = await enter(w);
    await finishPlayback(w);
    expect(s.snapshot()).toMatchObject({ type: 'overflow', reason: 'no-agents' });
    expect(lastPlayedMedia(w.tel)).toEqual(['sound:hotline/overflow']);
    await send(w, { type: 'Dtmf', digit: '1' });
    expect(w.callbacks.saved).toEqual([{ callId: CALL, callerNumber: '13800000000', calledNumber: '12345', queueId: 'general', requestedAt: w.clock.t }]);
    await finishPlayback(w);
    expect(await s.done).toMatchObject({ outcome: 'callback-requested', complete: true });
    expect(w.acd.stats()).toEqual([]);
  });

  it('max queue wait → overflow while agents are busy', async () => {
    const w = world({ maxQueueWaitMs: 60000 });
    agentsReady(w, 1);
    w.agents.setNotReady(asAgentId('a1001'), 'meeting');
    const s = await enter(w);
    await finishPlayback(w);
    expect(s.snapshot().type).toBe('queued');
    await w.scheduler.advance(30000);
    expect(lastPlayedMedia(w.tel)).toEqual(['sound:hotline/position-prefix', 'sound:hotline/digit-1', 'sound:hotline/position-suffix']);
    await finishPlayback(w);
    await w.scheduler.advance(30000);
    expect(s.snapshot()).toMatchObject({ type: 'overflow', reason: 'max-wait' });
  });

  it('play gets a 404 for the caller channel → ChannelGone → record lost, complete', async () => {
    const w = world();
    w.tel.failures.push({ method: 'play', error: new TelephonyNotFoundError('channel', CH) });
    const s = await enter(w);
    expect(await s.done).toMatchObject({ complete: true, outcome: 'lost', hungUpBy: 'network', endReason: 'channel-gone' });
  });

  it('a playback Asterisk never reports finished → the guard timer moves the call on', async () => {
    const w = world({ playbackGuardMs: 20000 });
    agentsReady(w, 1);
    const s = await enter(w);
    await w.scheduler.advance(20000);
    expect(s.snapshot().type).toBe('ringing');
  });

  it('recording refused by Asterisk → the call goes on, the record names no recording', async () => {
    const w = world({ recordCalls: true });
    agentsReady(w, 1);
    w.tel.failures.push({ method: 'recordBridge', error: new Error('{"message":"Internal Server Error"}') });
    const s = await toRinging(w);
    await send(w, { type: 'AgentAnswered', attempt: 1 });
    await finishPlayback(w);
    expect(s.snapshot().type).toBe('talking');
    await send(w, { type: 'CallerHungUp' });
    expect((await s.done).recordingName).toBeNull();
  });

  it('event store down → the call goes on, errors logged, record still written', async () => {
    const w = world();
    agentsReady(w, 1);
    w.store.fail = true;
    const s = await toRinging(w);
    await send(w, { type: 'CallerHungUp' });
    expect((await s.done).complete).toBe(true);
    expect(w.log.lines.some((l) => l.level === 'error' && l.message === 'call events not stored')).toBe(true);
    expect(w.agents.get(A1)?.status.type).toBe('ready');
  });

  it('logs each transition once with from, input and to, with the call id as a field', async () => {
    const w = world();
    agentsReady(w, 1);
    await toRinging(w);
    const line = w.log.lines.find((l) => l.message === 'call transition' && l.fields['input'] === 'PlaybackFinished');
    expect(line?.fields).toMatchObject({ callId: CALL, channelId: CH, from: 'greeting', to: 'queued' });
  });

  it('two calls, one agent: the second waits, then is offered when the agent is ready after wrap-up', async () => {
    const w = world({ wrapUpMs: 5000 });
    agentsReady(w, 1);
    const s1 = await toRinging(w);
    const s2 = await enter(w, '1749000000.2');
    await send(w, { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) }, asCallId('1749000000.2'));
    expect(s2.snapshot().type).toBe('queued');
    expect(w.acd.positionOf(asCallId('1749000000.2'))).toBe(2);
    await send(w, { type: 'AgentAnswered', attempt: 1 });
    expect(w.acd.positionOf(asCallId('1749000000.2'))).toBe(1);
    await send(w, { type: 'CallerHungUp' });
    await s1.done;
    expect(w.agents.get(A1)?.status.type).toBe('wrap-up');
    expect(s2.snapshot().type).toBe('queued');
    await w.scheduler.advance(5000);
    expect(s2.snapshot()).toMatchObject({ type: 'ringing', offer: { agentId: A1 } });
  });
});

describe('a step publishes its state changes before its Asterisk requests', () => {
  /** Reads the agent and queue bus messages interleaved with the Asterisk requests, in the order they happened. */
  function timeline(w: World): () => string[] {
    const out: string[] = [];
    const tel = w.tel.calls;
    let seen = 0;
    const syncTel = () => {
      for (; seen < tel.length; seen++) out.push(`ari:${String(tel[seen]?.[0])}`);
    };
    w.bus.subscribe('agent', (m) => {
      syncTel();
      if (m.event.type === 'AgentStatusChanged') out.push(`agent:${m.event.to}`);
    });
    w.bus.subscribe('queue', (m) => {
      syncTel();
      out.push(`queue:${m.event.type}`);
    });
    w.bus.subscribe('call', (m) => {
      syncTel();
      if (m.event.type === 'AgentOffered') out.push(`call:AgentOffered`);
    });
    return () => {
      syncTel();
      return [...out];
    };
  }

  it('offer at the greeting\'s end, answer, agent hang-up: agent and queue changes come before the ARI requests of their step', async () => {
    const w = world();
    agentsReady(w, 1);
    const read = timeline(w);
    await enter(w);
    await finishPlayback(w);
    let t = read();
    // Greeting over: queued, offered (agent ringing) and the offer decided (screen pop) before any
    // request; then the ring goes out first and the ringing tone after it (the hold music the queue
    // started and the offer stopped in the same batch is never requested).
    expect(t.slice(t.indexOf('ari:play') + 1)).toEqual(['queue:QueueCallJoined', 'agent:ringing', 'queue:QueueCallOffered', 'call:AgentOffered', 'ari:originate', 'ari:startRingback']);
    const before = t.length;
    await send(w, { type: 'AgentAnswered', attempt: 1 });
    t = read();
    // On call before the ringing tone stops and the 工号 plays (to the caller, then to the agent).
    expect(t.slice(before)).toEqual(['queue:QueueCallLeft', 'agent:on-call', 'ari:stopRingback', 'ari:play', 'ari:play']);
    await finishPlayback(w);
    const talking = read().length;
    await send(w, { type: 'AgentHungUp', attempt: 1 });
    expect(read().slice(talking)).toEqual(['agent:wrap-up', 'ari:play']);
  });

  it('missed ring: the agent\'s new state is published before its leg is hung up, but it is offered nothing until the hang-up is done', async () => {
    const w = world({ missedRing: { maxConsecutiveMisses: 3 } });
    agentsReady(w, 1);
    const read = timeline(w);
    const s = await toRinging(w);
    let open: () => void = () => undefined;
    w.tel.hangupGate = new Promise<void>((r) => (open = r));
    const before = read().length;
    await w.scheduler.advance(10000);
    // Ready again and the call queued again at once; the hang-up of the old leg is still under way.
    // The caller hears the music again while waiting.
    expect(read().slice(before)).toEqual(['agent:ready', 'queue:QueueCallReturned', 'ari:hangup', 'ari:stopRingback', 'ari:startMoh']);
    expect(w.agents.get(A1)?.status.type).toBe('ready');
    expect(s.snapshot().type).toBe('queued');
    expect(w.tel.calls.filter((c) => c[0] === 'originate')).toHaveLength(1);
    open();
    w.tel.hangupGate = null;
    await flush();
    expect(s.snapshot()).toMatchObject({ type: 'ringing', offer: { attempt: 2, agentId: A1 } });
    expect(read().slice(before)).toEqual([
      'agent:ready',
      'queue:QueueCallReturned',
      'ari:hangup',
      'ari:stopRingback',
      'ari:startMoh',
      'agent:ringing',
      'queue:QueueCallOffered',
      'call:AgentOffered',
      'ari:originate',
      'ari:stopMoh',
      'ari:startRingback',
    ]);
  });

  it('published early, then the ARI request fails: the failure path publishes the correction', async () => {
    const w = world();
    agentsReady(w, 1);
    const read = timeline(w);
    const s = await toRinging(w);
    // The caller's channel is gone when the ringing tone is to be stopped.
    w.tel.failures.push({ method: 'stopRingback', error: new TelephonyNotFoundError('channel', CH) });
    await send(w, { type: 'AgentAnswered', attempt: 1 });
    const rec = await s.done;
    expect(read().filter((x) => x.startsWith('agent:')).slice(-2)).toEqual(['agent:on-call', 'agent:wrap-up']);
    expect(rec).toMatchObject({ complete: true, outcome: 'answered', hungUpBy: 'network', endReason: 'channel-gone' });
    expect(w.messages.filter((m) => m.topic === 'call').map((m) => m.event.type)).toEqual(expect.arrayContaining(['AgentAnswered', 'CallCompleted', 'CallEnded']));
  });
});

describe('internal error in the machine', () => {
  it('→ the call is hung up, the agent request cancelled and a complete record written', async () => {
    // A broken settings object (bypassing makeCallPathSettings) makes the machine throw on answer.
    const w = world({}, (s) => ({ ...s, greeting: undefined as unknown as string[] }));
    const s = await enter(w);
    const rec = await s.done;
    expect(rec).toMatchObject({ complete: true, endReason: 'recovered', hungUpBy: 'system' });
    expect(w.tel.calls).toContainEqual(['hangup', CH]);
    expect(w.registry.size).toBe(0);
    expect(w.log.lines.some((l) => l.message === 'call aborted after an internal error')).toBe(true);
  });
});

describe('caller hangs up in each stage → exactly one complete record', () => {
  const stages: Array<[string, (w: World) => Promise<void>, string, string]> = [
    ['greeting', async () => undefined, 'abandoned', 'ready'],
    ['queued', async (w) => {
      w.agents.setNotReady(A1, 'break');
      await finishPlayback(w);
    }, 'abandoned', 'not-ready'],
    ['ringing', async (w) => finishPlayback(w), 'abandoned', 'ready'],
    ['talking', async (w) => {
      await finishPlayback(w);
      await send(w, { type: 'AgentAnswered', attempt: 1 });
      await finishPlayback(w);
    }, 'answered', 'wrap-up'],
    ['rating', async (w) => {
      await finishPlayback(w);
      await send(w, { type: 'AgentAnswered', attempt: 1 });
      await finishPlayback(w);
      w.tel.channels.delete(`ring-${CH}-1`); // the agent's phone hung up
      await send(w, { type: 'AgentHungUp', attempt: 1 });
    }, 'answered', 'wrap-up'],
  ];

  it.each(stages)('%s', async (_stage, drive, outcome, agentAfter) => {
    const w = world();
    agentsReady(w, 1);
    const s = await enter(w);
    await drive(w);
    await send(w, { type: 'CallerHungUp' });
    const rec = await s.done;
    expect(rec).toMatchObject({ complete: true, outcome, hungUpBy: 'caller' });
    expect(w.recs.completed()).toHaveLength(1);
    const stored = await w.store.load(CALL);
    expect(stored.filter((e) => e.type === 'CallEnded')).toHaveLength(1);
    expect(w.agents.get(A1)?.status.type).toBe(agentAfter);
    expect(w.registry.size).toBe(0);
    expect(w.acd.stats()).toEqual([]);
    // Late Asterisk events for the ended call are not taken.
    expect(w.calls.deliver(CALL, { type: 'ChannelGone' })).toBe(false);
    // No agent leg or bridge is left behind.
    expect([...w.tel.channels.keys()].filter((c) => c.startsWith('ring-'))).toEqual([]);
    expect(w.tel.bridges.size).toBe(0);
  });
});
