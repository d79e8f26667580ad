/**
 * Agent claims: the ACD claims an agent before it offers a call, across app instances. Here the
 * claim store is a fake that answers when told (as a database does, later), or the in-process
 * LocalAgentClaims shared by two call paths standing in for two app instances.
 */
import { asAgentId, asCallId, type AgentId, type CallId } from '../../../src/shared/ids';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import { AcdService } from '../../../src/app/calls/acd.service';
import { LocalAgentClaims, NO_AGENT_CLAIMS } from '../../../src/app/calls/agent-claims';
import type { AgentClaimPort } from '../../../src/app/calls/calls.ports';
import { agentsReady, flush, lastPlayback, Q, world, type World } from './fakes';

const A1 = asAgentId('a1001');
const c = (n: number): CallId => asCallId(`c${n}`);

interface PendingClaim {
  agentId: AgentId;
  callId: CallId;
  resolve(ok: boolean): void;
  reject(err: Error): void;
}

/** A claim store that answers only when the test says so. */
class LaterClaims implements AgentClaimPort {
  readonly pending: PendingClaim[] = [];
  readonly released: Array<[AgentId, CallId]> = [];
  claim(agentId: AgentId, callId: CallId): Promise<boolean> {
    return new Promise((resolve, reject) => this.pending.push({ agentId, callId, resolve, reject }));
  }
  release(agentId: AgentId, callId: CallId): void {
    this.released.push([agentId, callId]);
  }
  async answer(ok: boolean | Error): Promise<PendingClaim> {
    const p = this.pending.shift();
    if (!p) throw new Error('no claim pending');
    if (ok instanceof Error) p.reject(ok);
    else p.resolve(ok);
    await flush();
    return p;
  }
}

function acd(agents: number, claims: AgentClaimPort, claimRetryMs = 1000) {
  const w = world();
  agentsReady(w, agents);
  const delivered: Array<[CallId, CallInput]> = [];
  const sut = new AcdService(
    { strategy: 'longest-idle', overflowWhenNoAgents: true },
    w.agents,
    (callId, input) => {
      delivered.push([callId, input]);
      return true;
    },
    w.clock.now,
    w.bus,
    w.log,
    { claims, scheduler: w.scheduler, claimRetryMs },
  );
  const offers = () => delivered.flatMap(([callId, i]) => (i.type === 'AgentOffered' ? [`${callId}→${i.agentId}`] : []));
  return { w, sut, delivered, offers };
}

const request = (sut: AcdService, callId: CallId) => sut.requestAgent({ callId, queueId: Q, priority: 0, retry: false });

describe('agent service: freed', () => {
  it('is emitted when an agent leaves a call, before it becomes available', () => {
    const w = world({ wrapUpMs: 5000 });
    agentsReady(w, 1);
    const seen: string[] = [];
    w.agents.on('freed', ({ agent, callId }) => seen.push(`freed ${agent.agentId} ${callId} → ${agent.status.type}`));
    w.agents.on('available', (a) => seen.push(`available ${a.agentId}`));

    w.agents.reserve(A1, c(1));
    w.agents.ringEnded(A1, c(1), { attempt: 1, outcome: 'cancelled', ringMs: 100 });
    expect(seen).toEqual([`freed a1001 c1 → ready`, 'available a1001']);

    seen.length = 0;
    w.agents.reserve(A1, c(2));
    w.agents.callAnswered(A1, c(2));
    w.agents.callFinished(A1, c(2));
    expect(w.agents.get(A1)?.status.type).toBe('wrap-up');
    expect(seen).toEqual([]); // wrap-up still belongs to the call
    w.agents.finishWrapUp(A1);
    expect(seen).toEqual([`freed a1001 c2 → ready`, 'available a1001']);
  });

  it('a logout asked for during a call frees the agent when the call is over', () => {
    const w = world();
    agentsReady(w, 1);
    const seen: string[] = [];
    w.agents.on('freed', ({ agent, callId }) => seen.push(`${callId} → ${agent.status.type}`));
    w.agents.reserve(A1, c(1));
    w.agents.callAnswered(A1, c(1));
    w.agents.logout(A1);
    expect(seen).toEqual([]);
    w.agents.callFinished(A1, c(1));
    expect(seen).toEqual(['c1 → logged-out']);
  });
});

describe('acd with a claim store that answers later', () => {
  it('the offer waits for the claim; granted → the call is offered the agent', async () => {
    const claims = new LaterClaims();
    const { w, sut, offers } = acd(1, claims);
    request(sut, c(1));
    expect(claims.pending.map((p) => `${p.callId}→${p.agentId}`)).toEqual(['c1→a1001']);
    expect(offers()).toEqual([]);
    expect(w.agents.get(A1)?.status.type).toBe('ready');

    await claims.answer(true);
    expect(offers()).toEqual(['c1→a1001']);
    expect(w.agents.get(A1)?.status).toEqual({ type: 'ringing', callId: c(1) });
    const queueEvents = w.messages.filter((m) => m.topic === 'queue').map((m) => m.event.type);
    expect(queueEvents).toEqual(['QueueCallJoined', 'QueueCallOffered']);
  });

  it('while a claim is under way, neither its call nor its agent is paired again', async () => {
    const claims = new LaterClaims();
    const { sut } = acd(2, claims);
    request(sut, c(1));
    request(sut, c(2));
    request(sut, c(3));
    // c1 claims a1001, c2 claims a1002, c3 has no free agent left.
    expect(claims.pending.map((p) => `${p.callId}→${p.agentId}`)).toEqual(['c1→a1001', 'c2→a1002']);
  });

  it('refused → the agent is skipped by every call, the call gets another agent; after the back-off it is claimed again', async () => {
    const claims = new LaterClaims();
    const { w, sut, offers } = acd(2, claims, 1000);
    request(sut, c(1));
    await claims.answer(false); // a1001 is busy on another instance
    expect(claims.pending.map((p) => `${p.callId}→${p.agentId}`)).toEqual(['c1→a1002']);
    expect(sut.agentsHeldElsewhere()).toEqual([A1]);
    await claims.answer(true);
    expect(offers()).toEqual(['c1→a1002']);

    request(sut, c(2));
    expect(claims.pending).toEqual([]); // a1001 skipped, a1002 ringing
    await w.scheduler.advance(999);
    expect(claims.pending).toEqual([]);
    await w.scheduler.advance(1);
    expect(claims.pending.map((p) => `${p.callId}→${p.agentId}`)).toEqual(['c2→a1001']);
    await claims.answer(true);
    expect(offers()).toEqual(['c1→a1002', 'c2→a1001']);
  });

  it('a retry timer that fires a millisecond early, the clock moving on while it runs → the agent is still claimed again', async () => {
    const claims = new LaterClaims();
    const w = world();
    agentsReady(w, 1);
    const delivered: Array<[CallId, CallInput]> = [];
    // Each read of this clock moves it 1 ms on once `ticking` (the time a dispatch takes).
    let ticking = false;
    const clock = () => (ticking ? w.clock.t++ : w.clock.t);
    const sut = new AcdService({ strategy: 'longest-idle', overflowWhenNoAgents: true }, w.agents, (callId, input) => {
      delivered.push([callId, input]);
      return true;
    }, clock, w.bus, w.log, { claims, scheduler: w.scheduler, claimRetryMs: 1000 });
    request(sut, c(1));
    await claims.answer(false); // held by another instance for 1 s
    expect(claims.pending).toEqual([]);
    ticking = true;
    w.scheduler.fireOneEarly(1);
    ticking = false;
    await flush();
    // Claimed in that run or in one the timer left scheduled; never left waiting for an unrelated event.
    if (claims.pending.length === 0) await w.scheduler.advance(1000);
    expect(claims.pending.map((p) => `${p.callId}→${p.agentId}`)).toEqual(['c1→a1001']);
    await claims.answer(true);
    expect(delivered.flatMap(([callId, i]) => (i.type === 'AgentOffered' ? [`${callId}→${i.agentId}`] : []))).toEqual(['c1→a1001']);
  });

  it('refused again → retried every back-off while the call waits', async () => {
    const claims = new LaterClaims();
    const { w, sut, offers } = acd(1, claims, 500);
    request(sut, c(1));
    for (let i = 0; i < 3; i++) {
      await claims.answer(false);
      expect(claims.pending).toEqual([]);
      await w.scheduler.advance(500);
    }
    await claims.answer(true);
    expect(offers()).toEqual(['c1→a1001']);
    expect(w.scheduler.pending()).toBe(0);
  });

  it('a store that fails counts as a refusal (no offer without a claim)', async () => {
    const claims = new LaterClaims();
    const { sut, offers } = acd(1, claims);
    request(sut, c(1));
    await claims.answer(new Error('database unavailable'));
    expect(offers()).toEqual([]);
    expect(sut.agentsHeldElsewhere()).toEqual([A1]);
  });

  it('the caller leaves during the claim → the claim is released, nothing is offered', async () => {
    const claims = new LaterClaims();
    const { sut, offers } = acd(1, claims);
    request(sut, c(1));
    sut.cancelRequest(c(1), 'abandoned');
    await claims.answer(true);
    expect(offers()).toEqual([]);
    expect(claims.released).toEqual([[A1, c(1)]]);
  });

  it('the agent goes not-ready during the claim → the claim is released, the call waits', async () => {
    const claims = new LaterClaims();
    const { w, sut, offers } = acd(1, claims);
    request(sut, c(1));
    w.agents.setNotReady(A1, '休息');
    await claims.answer(true);
    expect(offers()).toEqual([]);
    expect(claims.released).toEqual([[A1, c(1)]]);
    expect(sut.stats()[0]).toMatchObject({ waiting: 1, offered: 0 });
    w.agents.setReady(A1);
    expect(claims.pending.map((p) => `${p.callId}→${p.agentId}`)).toEqual(['c1→a1001']);
  });

  it('the claim is released when the agent is free again: after a missed ring, and after wrap-up (not at hang-up)', () => {
    const claims = new LocalAgentClaims();
    const { w, sut } = acd(1, claims);
    request(sut, c(1));
    expect(claims.holderOf(A1)).toBe(c(1));
    sut.releaseAgent(A1, c(1), { attempt: 1, outcome: 'no-answer', ringMs: 10000 });
    expect(claims.holderOf(A1)).toBeUndefined();

    w.agents.setReady(A1);
    request(sut, c(2));
    expect(claims.holderOf(A1)).toBe(c(2));
    sut.agentOnCall(A1, c(2));
    sut.cancelRequest(c(2), 'connected');
    sut.releaseAgent(A1, c(2), { attempt: 1, outcome: 'completed', ringMs: null });
    expect(w.agents.get(A1)?.status.type).toBe('wrap-up');
    expect(claims.holderOf(A1)).toBe(c(2));
    w.agents.finishWrapUp(A1);
    expect(claims.holderOf(A1)).toBeUndefined();
  });

  it('without a shared store every claim is granted at once (one instance: unchanged behaviour)', () => {
    const { offers, sut } = acd(1, NO_AGENT_CLAIMS);
    request(sut, c(1));
    expect(offers()).toEqual(['c1→a1001']);
  });
});

describe('two call paths sharing one agent (in-process claims)', () => {
  async function callIn(w: World, channelId: string): Promise<void> {
    w.tel.addCaller(channelId);
    w.calls.startCall({ channelId, callerNumber: '13800000000', calledNumber: '12345' });
    await flush();
    // The greeting ends: the call queues and asks for an agent.
    expect(w.calls.deliver(asCallId(channelId), { type: 'PlaybackFinished', playbackId: lastPlayback(w.tel) })).toBe(true);
  }
  const rings = (w: World) => w.tel.calls.filter((x) => x[0] === 'originate').length;

  it('a call on each at the same moment → one ring; the other rings the agent once the first call is over', async () => {
    const shared = new LocalAgentClaims();
    const a = world({ wrapUpMs: 2000 }, (s) => s, { agentClaims: shared, claimRetryMs: 1000 });
    const b = world({ wrapUpMs: 2000 }, (s) => s, { agentClaims: shared, claimRetryMs: 1000 });
    agentsReady(a, 1);
    agentsReady(b, 1);
    await Promise.all([callIn(a, 'ca'), callIn(b, 'cb')]);
    await flush();
    expect(rings(a) + rings(b)).toBe(1);
    const [winner, loser, winnerCall] = rings(a) === 1 ? [a, b, 'ca'] : [b, a, 'cb'];
    const loserCall = winnerCall === 'ca' ? 'cb' : 'ca';
    expect(loser.acd.agentsHeldElsewhere()).toEqual([A1]);

    // The loser keeps trying while the winner's call goes on: still one ring.
    await loser.scheduler.advance(5000);
    expect(rings(loser)).toBe(0);

    // The winner's agent answers, talks, hangs up, and finishes wrap-up.
    winner.calls.deliver(asCallId(winnerCall), { type: 'AgentAnswered', attempt: 1 });
    await flush();
    winner.calls.deliver(asCallId(winnerCall), { type: 'AgentHungUp', attempt: 1 });
    await flush();
    expect(winner.agents.get(A1)?.status.type).toBe('wrap-up');
    await loser.scheduler.advance(1000);
    expect(rings(loser)).toBe(0);
    await winner.scheduler.advance(2000);
    expect(winner.agents.get(A1)?.status.type).toBe('ready');
    expect(shared.holderOf(A1)).toBeUndefined();

    await loser.scheduler.advance(1000);
    expect(rings(loser)).toBe(1);
    expect(shared.holderOf(A1)).toBe(asCallId(loserCall));
    expect(loser.agents.get(A1)?.status).toEqual({ type: 'ringing', callId: asCallId(loserCall) });
    // Still only one ring from the winner: never two at once.
    expect(rings(winner)).toBe(1);
  });
});
