/**
 * Property: whatever arrives in whatever order (callers, phones, agents' actions, timers, inputs
 * that race a call's end), no agent is ringing or on a call unless a live call holds it, and once
 * every call is over each agent is in a state it can leave (logout works).
 *
 * The call path is the production one (sessions, ACD, agent service) over fake ports; inputs of a
 * step may be delivered together, without letting the sessions run in between, the way Asterisk
 * events and agent actions reach the process in one turn.
 */
import fc from 'fast-check';
import { asAgentId, asCallId, type AgentId, type CallId } from '../../../src/shared/ids';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import type { Agent } from '../../../src/domain/acd/agent.types';
import { agentsReady, flush, world, type World } from './fakes';

const AGENTS = [1, 2, 3].map((n) => asAgentId(`a${1000 + n}`));
const CALLS = 2;
const channelOf = (i: number): string => `1749000000.${i + 1}`;
const callOf = (i: number): CallId => asCallId(channelOf(i));

type Cmd =
  | { k: 'enter'; call: number }
  | { k: 'playbackDone'; call: number }
  | { k: 'callerHangup'; call: number }
  | { k: 'answer'; call: number }
  | { k: 'legFailed'; call: number; cause: 'busy' | 'rejected' | 'unreachable' | 'no-answer' }
  | { k: 'agentHangup'; call: number }
  | { k: 'dtmf'; call: number; digit: string }
  | { k: 'agent'; agent: number; action: 'login' | 'logout' | 'ready' | 'notReady' | 'unreachable' | 'reachable' }
  | { k: 'time'; ms: number };

const call = fc.integer({ min: 0, max: CALLS - 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('enter' as const), call }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('playbackDone' as const), call }), weight: 3 },
  fc.record({ k: fc.constant('callerHangup' as const), call }),
  fc.record({ k: fc.constant('answer' as const), call }),
  fc.record({ k: fc.constant('legFailed' as const), call, cause: fc.constantFrom('busy' as const, 'rejected' as const, 'unreachable' as const, 'no-answer' as const) }),
  fc.record({ k: fc.constant('agentHangup' as const), call }),
  fc.record({ k: fc.constant('dtmf' as const), call, digit: fc.constantFrom('1', '2', '9') }),
  {
    arbitrary: fc.record({
      k: fc.constant('agent' as const),
      agent: fc.integer({ min: 0, max: AGENTS.length - 1 }),
      action: fc.constantFrom('login' as const, 'logout' as const, 'ready' as const, 'notReady' as const, 'unreachable' as const, 'reachable' as const),
    }),
    weight: 3,
  },
  fc.record({ k: fc.constant('time' as const), ms: fc.constantFrom(100, 1000, 5000, 11_000, 40_000) }),
);
/** A step: commands delivered in one turn, then the sessions run. */
const steps = fc.array(fc.array(cmd, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 50 });

async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await flush();
}

function lastPlaybackOf(w: World, channelId: string): string | null {
  for (let i = w.tel.calls.length - 1; i >= 0; i--) {
    const c = w.tel.calls[i]!;
    if (c[0] === 'play' && c[1] === channelId) return c[2] as string;
  }
  return null;
}

function deliver(w: World, i: number, input: CallInput): void {
  w.calls.deliver(callOf(i), input);
}

function leg(w: World, i: number): { attempt: number; answered: boolean } | null {
  return w.registry.get(callOf(i))?.liveAgentLeg() ?? null;
}

function apply(w: World, c: Cmd): void | Promise<void> {
  switch (c.k) {
    case 'enter':
      if (w.registry.get(callOf(c.call)) || w.tel.channels.has(channelOf(c.call))) return;
      w.tel.addCaller(channelOf(c.call));
      w.calls.startCall({ channelId: channelOf(c.call), callerNumber: '13800000000', calledNumber: '12345' });
      return;
    case 'playbackDone': {
      const pb = lastPlaybackOf(w, channelOf(c.call));
      if (pb) deliver(w, c.call, { type: 'PlaybackFinished', playbackId: pb });
      return;
    }
    case 'callerHangup':
      w.tel.channels.delete(channelOf(c.call));
      deliver(w, c.call, { type: 'CallerHungUp' });
      return;
    case 'answer': {
      const l = leg(w, c.call);
      if (l && !l.answered) deliver(w, c.call, { type: 'AgentAnswered', attempt: l.attempt });
      return;
    }
    case 'legFailed': {
      const l = leg(w, c.call);
      if (l && !l.answered) deliver(w, c.call, { type: 'AgentLegFailed', attempt: l.attempt, cause: c.cause });
      return;
    }
    case 'agentHangup': {
      const l = leg(w, c.call);
      if (l && l.answered) deliver(w, c.call, { type: 'AgentHungUp', attempt: l.attempt });
      return;
    }
    case 'dtmf':
      deliver(w, c.call, { type: 'Dtmf', digit: c.digit });
      return;
    case 'agent': {
      const id = AGENTS[c.agent]!;
      try {
        if (c.action === 'login') w.agents.login(id);
        else if (c.action === 'logout') w.agents.logout(id);
        else if (c.action === 'ready') w.agents.setReady(id);
        else if (c.action === 'notReady') w.agents.setNotReady(id, '小休');
        else w.agents.setReachable(id, c.action === 'reachable');
      } catch {
        // A refused action (409) changes nothing.
      }
      return;
    }
    case 'time':
      return w.scheduler.advance(c.ms);
  }
}

/** The agent a live call holds right now (ringing it, or connected to it). */
function heldBy(w: World, callId: CallId): AgentId | null {
  const s = w.registry.get(callId);
  if (!s || !s.accepts()) return null;
  const st = s.snapshot();
  if (st.type === 'ringing') return st.offer.agentId;
  if (st.type === 'connecting' || st.type === 'talking') return st.agent.agentId;
  return null;
}

function violations(w: World): string[] {
  const out: string[] = [];
  for (const a of w.agents.list()) {
    const st = a.status;
    if ((st.type === 'ringing' || st.type === 'on-call') && heldBy(w, st.callId) !== a.agentId) {
      out.push(`${a.agentId} ${st.type} for ${st.callId}, which no live call holds`);
    }
  }
  return out;
}

const describeAgent = (a: Agent): string => `${a.agentId}:${a.status.type}`;

describe('agent reservations (property over random input sequences)', () => {
  it('no agent rings or talks without a live call holding it; every agent can leave its state at the end', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (plan) => {
        const w = world({ wrapUpMs: 3000, maxQueueWaitMs: 60_000, announceIntervalMs: 20_000 });
        agentsReady(w, AGENTS.length);
        for (const step of plan) {
          for (const c of step) {
            const r = apply(w, c);
            if (r) await r;
          }
          await settle();
          const bad = violations(w);
          if (bad.length > 0) throw new Error(bad.join('; '));
        }
        // Every caller leaves; timers run out.
        for (let i = 0; i < CALLS; i++) {
          w.tel.channels.delete(channelOf(i));
          deliver(w, i, { type: 'CallerHungUp' });
        }
        await settle();
        await w.scheduler.advance(600_000);
        await settle();
        expect(w.registry.size).toBe(0);
        for (const a of w.agents.list()) {
          expect(['ready', 'not-ready', 'logged-out']).toContain(a.status.type);
          if (a.status.type !== 'logged-out') expect(w.agents.logout(a.agentId).status.type).toBe('logged-out');
        }
        expect(w.acd.snapshot().entries).toEqual([]);
        return true;
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  it('an offer queued behind the caller hang-up releases its agent (the reproduction)', async () => {
    const w = world();
    agentsReady(w, 1);
    w.agents.setNotReady(AGENTS[0]!, '小休');
    w.tel.addCaller(channelOf(0));
    w.calls.startCall({ channelId: channelOf(0), callerNumber: '13800000000', calledNumber: '12345' });
    await settle();
    deliver(w, 0, { type: 'PlaybackFinished', playbackId: lastPlaybackOf(w, channelOf(0))! });
    await settle();
    expect(w.acd.positionOf(callOf(0))).toBe(1);
    // In one turn: the caller hangs up, then the agent says Ready (the ACD offers at once).
    deliver(w, 0, { type: 'CallerHungUp' });
    w.agents.setReady(AGENTS[0]!);
    await settle();
    expect(w.registry.size).toBe(0);
    expect(w.agents.list().map(describeAgent)).toEqual([`${AGENTS[0]}:ready`]);
  });
});
