/**
 * The agent state machine: logged-out, ready, not-ready{reason}, ringing, on-call, wrap-up.
 * Driven by the agent (login, logout, ready, not ready) and by the call path (offer, ring ended,
 * answered, call finished, wrap-up timer). Pure: `agentTransition(agent, input, ctx)`.
 *
 * An input the agent's state does not allow comes back `refused` with the agent unchanged: the
 * agent service turns a refused agent action into a 409 and logs a refused call-path input.
 */
import { assertNever } from '../../shared/errors';
import type { CallId } from '../../shared/ids';
import type { AgentEvent, AgentEventBody, RingEndOutcome } from './acd.events';
import type { Agent, AgentStatus, MissedRingPolicy, PendingChange } from './agent.types';

export type AgentInput =
  | { type: 'Login'; ready?: boolean }
  | { type: 'Logout' }
  | { type: 'SetReady' }
  | { type: 'SetNotReady'; reason: string }
  /** The ACD reserves the agent for a call. */
  | { type: 'Offer'; callId: CallId }
  | { type: 'RingEnded'; callId: CallId; attempt: number; outcome: RingEndOutcome; ringMs: number | null }
  | { type: 'CallAnswered'; callId: CallId }
  /** The conversation is over (either side hung up). */
  | { type: 'CallFinished'; callId: CallId }
  | { type: 'WrapUpTimeout'; token: string }
  | { type: 'ReachabilityChanged'; reachable: boolean }
  /**
   * A live call taken over after a restart of the application: its agent is bound to it again, as
   * it was (its phone rings for it, or it is on it). The agent's stored state is what it goes to
   * after the call.
   */
  | { type: 'CallResumed'; callId: CallId; status: 'ringing' | 'on-call' };

export type AgentEffect =
  /** As the call machine's: the timer fires at `at` (ms since epoch), scheduled by the agent service. */
  | { type: 'StartTimer'; name: 'wrapUp'; at: number; token: string; fire: { type: 'WrapUpTimeout'; token: string } }
  | { type: 'CancelTimer'; name: 'wrapUp' };

export interface AgentContext {
  readonly now: number;
  /** 0 = wrap-up lasts until the agent says Ready. */
  readonly wrapUpMs: number;
  readonly missedRing: MissedRingPolicy;
}

export interface AgentTransition {
  readonly agent: Agent;
  readonly effects: readonly AgentEffect[];
  readonly events: readonly AgentEvent[];
  /** Why the input was not applied; null when it was. */
  readonly refused: string | null;
}

type By = 'agent' | 'call' | 'policy' | 'timer';

class AgentStep {
  agent: Agent;
  readonly effects: AgentEffect[] = [];
  readonly events: AgentEvent[] = [];
  constructor(
    agent: Agent,
    readonly ctx: AgentContext,
  ) {
    this.agent = agent;
  }
  emit(body: AgentEventBody): void {
    this.events.push({ ...body, agentId: this.agent.agentId, at: this.ctx.now });
  }
  /** Moves to `status`, with the event that says so. */
  go(status: AgentStatus, by: By, patch: Partial<Agent> = {}): void {
    const from = this.agent.status;
    if (from.type === 'wrap-up' && from.token !== null) this.effects.push({ type: 'CancelTimer', name: 'wrapUp' });
    const now = this.ctx.now;
    // Idle time survives a ring that did not become a call (ready → ringing → ready).
    let idleSince: number | null = null;
    if (status.type === 'ringing') idleSince = this.agent.idleSince;
    else if (status.type === 'ready') idleSince = from.type === 'ready' || from.type === 'ringing' ? (this.agent.idleSince ?? now) : now;
    this.agent = { ...this.agent, status, statusSince: now, idleSince, ...patch };
    const callId = 'callId' in status ? status.callId : 'callId' in from ? from.callId : null;
    this.emit({
      type: 'AgentStatusChanged',
      from: from.type,
      to: status.type,
      reason: status.type === 'not-ready' ? status.reason : null,
      callId,
      by,
    });
  }
  done(refused: string | null = null): AgentTransition {
    return { agent: this.agent, effects: this.effects, events: this.events, refused };
  }
}

const refuse = (agent: Agent, why: string): AgentTransition => ({ agent, effects: [], events: [], refused: why });

/** Where an agent goes when a call is over: a pending change, else Ready. */
function settle(s: AgentStep, pending: PendingChange | null, by: By, patch: Partial<Agent> = {}): void {
  const p = { ...patch, pending: null };
  if (pending?.type === 'logged-out') s.go({ type: 'logged-out' }, by, p);
  else if (pending?.type === 'not-ready') s.go({ type: 'not-ready', reason: pending.reason }, by, p);
  else s.go({ type: 'ready' }, by, p);
}

function counts(outcome: RingEndOutcome, p: MissedRingPolicy): boolean {
  switch (outcome) {
    case 'no-answer':
      return true;
    case 'rejected':
      return p.countRejected;
    case 'busy':
      return p.countBusy;
    case 'unreachable':
      return p.countUnreachable;
    case 'cancelled':
    case 'declined':
      return false;
    default:
      return assertNever(outcome);
  }
}

export function agentTransition(agent: Agent, input: AgentInput, ctx: AgentContext): AgentTransition {
  const s = new AgentStep(agent, ctx);
  const st = agent.status;
  const inCall = st.type === 'ringing' || st.type === 'on-call';
  switch (input.type) {
    case 'Login':
      if (st.type !== 'logged-out') return refuse(agent, 'already logged in');
      if (input.ready === false) s.go({ type: 'not-ready', reason: 'login' }, 'agent', { consecutiveMisses: 0, pending: null });
      else s.go({ type: 'ready' }, 'agent', { consecutiveMisses: 0, pending: null });
      return s.done();
    case 'Logout':
      if (st.type === 'logged-out') return refuse(agent, 'not logged in');
      if (inCall) {
        s.agent = { ...agent, pending: { type: 'logged-out' }, consecutiveMisses: 0 };
        return s.done();
      }
      s.go({ type: 'logged-out' }, 'agent', { consecutiveMisses: 0, pending: null });
      return s.done();
    case 'SetReady':
      if (st.type === 'logged-out') return refuse(agent, 'not logged in');
      if (inCall) {
        s.agent = { ...agent, pending: null, consecutiveMisses: 0 };
        return s.done();
      }
      if (st.type === 'ready') {
        s.agent = { ...agent, consecutiveMisses: 0 };
        return s.done();
      }
      s.go({ type: 'ready' }, 'agent', { consecutiveMisses: 0, pending: null });
      return s.done();
    case 'SetNotReady':
      if (st.type === 'logged-out') return refuse(agent, 'not logged in');
      if (inCall) {
        s.agent = { ...agent, pending: { type: 'not-ready', reason: input.reason }, consecutiveMisses: 0 };
        return s.done();
      }
      s.go({ type: 'not-ready', reason: input.reason }, 'agent', { consecutiveMisses: 0, pending: null });
      return s.done();
    case 'Offer':
      if (st.type !== 'ready') return refuse(agent, `not ready (${st.type})`);
      if (!agent.reachable) return refuse(agent, 'not reachable');
      s.go({ type: 'ringing', callId: input.callId }, 'call');
      return s.done();
    case 'RingEnded': {
      if (st.type !== 'ringing' || st.callId !== input.callId) return refuse(agent, 'not ringing for this call');
      const o = input.outcome;
      if (o === 'cancelled' || o === 'declined') {
        settle(s, agent.pending, 'call');
        return s.done();
      }
      const counted = counts(o, ctx.missedRing);
      const misses = counted ? agent.consecutiveMisses + 1 : agent.consecutiveMisses;
      s.emit({ type: 'AgentRingMissed', callId: input.callId, attempt: input.attempt, outcome: o, ringMs: input.ringMs, counted, consecutiveMisses: misses });
      if (counted) {
        s.emit({
          type: 'SupervisorAlertRaised',
          kind: 'agent-missed-ring',
          agentNumber: agent.agentNumber,
          callId: input.callId,
          attempt: input.attempt,
          outcome: o,
          ringMs: input.ringMs,
        });
      }
      if (agent.pending?.type === 'logged-out') {
        s.go({ type: 'logged-out' }, 'call', { consecutiveMisses: misses, pending: null });
      } else if (counted && misses >= ctx.missedRing.maxConsecutiveMisses) {
        const reason = o === 'busy' || o === 'rejected' ? ctx.missedRing.refusedReason : ctx.missedRing.notReadyReason;
        s.go({ type: 'not-ready', reason }, 'policy', { consecutiveMisses: misses, pending: null });
      } else {
        settle(s, agent.pending, 'call', { consecutiveMisses: misses });
      }
      return s.done();
    }
    case 'CallAnswered':
      if (st.type !== 'ringing' || st.callId !== input.callId) return refuse(agent, 'not ringing for this call');
      s.go({ type: 'on-call', callId: input.callId }, 'call', { consecutiveMisses: 0 });
      return s.done();
    case 'CallFinished': {
      const mine = (st.type === 'on-call' || st.type === 'ringing') && st.callId === input.callId;
      if (!mine) return refuse(agent, 'not on this call');
      if (agent.pending?.type === 'logged-out') {
        s.go({ type: 'logged-out' }, 'call', { pending: null });
        return s.done();
      }
      let token: string | null = null;
      if (ctx.wrapUpMs > 0) {
        const timers = agent.timers + 1;
        token = `wrapUp-${timers}`;
        s.agent = { ...s.agent, timers };
      }
      s.go({ type: 'wrap-up', callId: input.callId, token }, 'call');
      if (token !== null) s.effects.push({ type: 'StartTimer', name: 'wrapUp', at: ctx.now + ctx.wrapUpMs, token, fire: { type: 'WrapUpTimeout', token } });
      return s.done();
    }
    case 'WrapUpTimeout':
      if (st.type !== 'wrap-up' || st.token !== input.token) return refuse(agent, 'stale wrap-up timer');
      // The timer fired: nothing to cancel.
      s.agent = { ...agent, status: { ...st, token: null } };
      settle(s, agent.pending, 'timer');
      return s.done();
    case 'CallResumed': {
      if ('callId' in st) {
        if (st.callId === input.callId && st.type === input.status) return s.done();
        return refuse(agent, `bound to another call (${st.type})`);
      }
      // Where the agent was restored to is where it goes after this call.
      const pending: PendingChange | null =
        st.type === 'not-ready' ? { type: 'not-ready', reason: st.reason } : st.type === 'logged-out' ? { type: 'logged-out' } : null;
      s.go({ type: input.status, callId: input.callId }, 'call', { pending });
      return s.done();
    }
    case 'ReachabilityChanged':
      if (agent.reachable === input.reachable) return s.done();
      s.agent = { ...agent, reachable: input.reachable };
      s.emit({ type: 'AgentReachabilityChanged', reachable: input.reachable });
      return s.done();
    default:
      return assertNever(input);
  }
}

/** Whether the agent can be offered a call of `queueId` now. */
export function isAvailable(agent: Agent, queueId: Agent['queues'][number]): boolean {
  return agent.status.type === 'ready' && agent.reachable && agent.queues.includes(queueId);
}

/** Logged in to the queue (whatever the state): the "no agent" overflow test. */
export function isLoggedInTo(agent: Agent, queueId: Agent['queues'][number]): boolean {
  return agent.status.type !== 'logged-out' && agent.queues.includes(queueId);
}
