/**
 * Agents' presence and state: the internal API behind login / logout / ready / not ready (the live
 * API exposes it) and the hooks the call path uses (reserve, answered, ring ended, call finished).
 * Runs the pure agent machine, executes its wrap-up timers and publishes agent events.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import { ConflictError, NotFoundError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { TypedEmitter } from '../../shared/typed-emitter';
import type { MissedRingPolicy } from '../../domain/acd/agent.types';
import type { RingEndOutcome } from '../../domain/acd/acd.events';
import { agentTransition, isLoggedInTo, type AgentEffect, type AgentInput } from '../../domain/acd/agent.machine';
import { newAgent, type Agent, type AgentProfile, type AgentStatus } from '../../domain/acd/agent.types';
import type { WrapUpFact } from '../../domain/call/call.inputs';
import type { EventBus } from '../events/event-bus';
import type { AgentStateStore, StoredAgentState } from './agent-state.ports';
import type { Clock, Scheduler, TimerHandle } from './calls.ports';

export interface AgentServiceSettings {
  readonly wrapUpMs: number;
  readonly missedRing: MissedRingPolicy;
}

type AgentServiceEvents = {
  /**
   * The agent is no longer bound to `callId` (its ring ended, or the conversation and wrap-up are
   * over). Emitted before `available`, so a claim on the agent is released before the next offer.
   */
  freed: { agent: Agent; callId: CallId };
  /** The agent became Ready (offers can go to it). */
  available: Agent;
  /** The agent logged out (a queue may have no agents left). */
  loggedOut: Agent;
  /** A new agent, or an agent's endpoint changed (its phone's reachability is to be read). */
  endpointAdded: Agent;
  /** The agent's wrap-up for `callId` is over (timer, the agent's own action, or logout). */
  wrapUpEnded: { callId: CallId; wrapUp: WrapUpFact };
};

export class AgentService extends TypedEmitter<AgentServiceEvents> {
  private readonly agents = new Map<AgentId, Agent>();
  private readonly timers = new Map<AgentId, TimerHandle>();
  /** Agents the directory disabled: logged out, and no login until they are registered again. */
  private readonly disabled = new Set<AgentId>();
  private store: AgentStateStore | null = null;
  /** Per agent, the last write of its state (writes of one agent go in order). */
  private readonly writes = new Map<AgentId, Promise<void>>();

  constructor(
    private readonly settings: AgentServiceSettings,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {
    super((err, event) => log.error('agent listener failed', { event: String(event), err }));
  }

  /** Adds an agent (logged out) or updates its profile, keeping its state. */
  register(profile: AgentProfile): Agent {
    this.disabled.delete(profile.agentId);
    const current = this.agents.get(profile.agentId);
    const agent = current ? { ...current, ...profile } : newAgent(profile, this.clock());
    this.agents.set(profile.agentId, agent);
    if (current?.endpoint !== agent.endpoint) this.emit('endpointAdded', agent);
    return agent;
  }

  /**
   * The directory disabled the agent: logged out now (when on a call, at its end: the logout waits
   * as the agent's pending change) and refused logins until it is registered again.
   */
  disable(agentId: AgentId): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    this.disabled.add(agentId);
    if (agent.status.type === 'logged-out' || agent.pending?.type === 'logged-out') return;
    const result = this.apply(agent, { type: 'Logout' });
    if (result.refused) this.log.warn('disabled agent not logged out', { agentId, status: agent.status.type, why: result.refused });
  }

  /**
   * Keeps each agent's resting state in `store` from now on, after putting back the states stored
   * there (agents known to the directory only). Returns the agents restored.
   */
  async persistIn(store: AgentStateStore): Promise<AgentId[]> {
    const restored: AgentId[] = [];
    for (const saved of await store.loadAll()) {
      const agent = this.agents.get(saved.agentId);
      if (!agent || agent.status.type !== 'logged-out' || saved.status === 'logged-out') continue;
      const t = agentTransition(agent, { type: 'Login', ready: saved.status === 'ready' }, this.ctx());
      if (t.refused) continue;
      const status = saved.status === 'ready' ? ({ type: 'ready' } as const) : ({ type: 'not-ready', reason: saved.reason ?? 'login' } as const);
      // Back as it was, since when it was: idle time (longest-idle) and the time in state go on.
      const back: Agent = { ...t.agent, status, statusSince: saved.since, idleSince: saved.status === 'ready' ? saved.since : null };
      this.agents.set(agent.agentId, back);
      this.log.info('agent state restored', { agentId: agent.agentId, status: status.type, since: saved.since });
      this.bus.publish('agent', { type: 'AgentStatusChanged', agentId: agent.agentId, at: this.clock(), from: 'logged-out', to: status.type, reason: saved.reason, callId: null, by: 'agent' });
      if (status.type === 'ready') this.emit('available', back);
      restored.push(agent.agentId);
    }
    this.store = store;
    return restored;
  }

  /** Resolves when the states written so far are stored (or failed). */
  async flushStates(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  /** Whether the directory disabled the agent (its phone is no longer in Asterisk). */
  isDisabled(agentId: AgentId): boolean {
    return this.disabled.has(agentId);
  }

  get(agentId: AgentId): Agent | undefined {
    return this.agents.get(agentId);
  }

  list(): Agent[] {
    return [...this.agents.values()];
  }

  /** Someone is logged in to the queue (whatever their state). */
  anyLoggedIn(queueId: QueueId): boolean {
    for (const a of this.agents.values()) if (isLoggedInTo(a, queueId)) return true;
    return false;
  }

  // ---- agent actions: refused → ConflictError (409), unknown agent → NotFoundError (404) ----

  login(agentId: AgentId, opts: { ready?: boolean } = {}): Agent {
    return this.act(agentId, opts.ready === undefined ? { type: 'Login' } : { type: 'Login', ready: opts.ready });
  }

  logout(agentId: AgentId): Agent {
    return this.act(agentId, { type: 'Logout' });
  }

  setReady(agentId: AgentId): Agent {
    return this.act(agentId, { type: 'SetReady' });
  }

  setNotReady(agentId: AgentId, reason: string): Agent {
    return this.act(agentId, { type: 'SetNotReady', reason });
  }

  /** Ends wrap-up early ("I am ready"); only in wrap-up. */
  finishWrapUp(agentId: AgentId): Agent {
    const agent = this.require(agentId);
    if (agent.status.type !== 'wrap-up') throw new ConflictError('agent is not in wrap-up', { agentId, status: agent.status.type });
    return this.act(agentId, { type: 'SetReady' });
  }

  setReachable(agentId: AgentId, reachable: boolean): Agent {
    return this.act(agentId, { type: 'ReachabilityChanged', reachable });
  }

  // ---- call path hooks: a refusal is logged, never thrown ----

  /** Reserves a Ready agent for a call; null when the agent cannot take it. */
  reserve(agentId: AgentId, callId: CallId): Agent | null {
    return this.fromCall(agentId, { type: 'Offer', callId });
  }

  callAnswered(agentId: AgentId, callId: CallId): void {
    this.fromCall(agentId, { type: 'CallAnswered', callId });
  }

  ringEnded(agentId: AgentId, callId: CallId, info: { attempt: number; outcome: RingEndOutcome; ringMs: number | null }): void {
    this.fromCall(agentId, { type: 'RingEnded', callId, ...info });
  }

  /** A call taken over after a restart binds its agent again (ringing for it, or on it); false when refused. */
  resumeCall(agentId: AgentId, callId: CallId, status: 'ringing' | 'on-call'): boolean {
    return this.fromCall(agentId, { type: 'CallResumed', callId, status }) !== null;
  }

  callFinished(agentId: AgentId, callId: CallId): void {
    this.fromCall(agentId, { type: 'CallFinished', callId });
  }

  private require(agentId: AgentId): Agent {
    const agent = this.agents.get(agentId);
    if (!agent) throw new NotFoundError('agent');
    return agent;
  }

  private act(agentId: AgentId, input: AgentInput): Agent {
    // A disabled agent may only go (or stay) logged out.
    if (this.disabled.has(agentId) && input.type !== 'Logout' && input.type !== 'ReachabilityChanged') {
      throw new ConflictError('agent is disabled in the directory', { agentId, input: input.type });
    }
    const result = this.apply(this.require(agentId), input);
    if (result.refused) throw new ConflictError(result.refused, { agentId, input: input.type });
    return result.agent;
  }

  private fromCall(agentId: AgentId, input: AgentInput): Agent | null {
    if (input.type === 'Offer' && this.disabled.has(agentId)) return null;
    const agent = this.agents.get(agentId);
    if (!agent) {
      this.log.warn('call path input for an unknown agent', { agentId, input: input.type });
      return null;
    }
    const result = this.apply(agent, input);
    if (result.refused) {
      this.log.warn('agent input refused', { agentId, input: input.type, status: agent.status.type, why: result.refused });
      return null;
    }
    return result.agent;
  }

  private ctx() {
    return { now: this.clock(), wrapUpMs: this.settings.wrapUpMs, missedRing: this.settings.missedRing };
  }

  /** Writes the agent's resting state when it changed (not awaited: presence never waits for the database). */
  private persist(before: Agent, after: Agent): void {
    const store = this.store;
    if (!store) return;
    const from = restingState(before);
    const to = restingState(after);
    if (from.status === to.status && from.reason === to.reason) return;
    const state: StoredAgentState = { agentId: after.agentId, ...to, since: after.statusSince };
    const previous = this.writes.get(after.agentId) ?? Promise.resolve();
    const write = previous
      .then(() => store.save(state))
      .catch((err: unknown) => this.log.error('agent state not stored', { agentId: after.agentId, err: String(err) }));
    this.writes.set(after.agentId, write);
  }

  private apply(agent: Agent, input: AgentInput): { agent: Agent; refused: string | null } {
    const t = agentTransition(agent, input, this.ctx());
    if (t.refused) return { agent, refused: t.refused };
    this.agents.set(agent.agentId, t.agent);
    this.persist(agent, t.agent);
    for (const e of t.effects) this.runEffect(agent.agentId, e);
    for (const e of t.events) {
      if (e.type === 'AgentStatusChanged') {
        this.log.info('agent status changed', { agentId: e.agentId, from: e.from, to: e.to, reason: e.reason, by: e.by, callId: e.callId });
      } else if (e.type === 'SupervisorAlertRaised') {
        this.log.warn('agent missed a call', { agentId: e.agentId, callId: e.callId, attempt: e.attempt, outcome: e.outcome, ringMs: e.ringMs });
      }
      this.bus.publish('agent', e);
    }
    if (agent.status.type === 'wrap-up' && !(t.agent.status.type === 'wrap-up' && t.agent.status.callId === agent.status.callId)) {
      const change = t.events.find((e) => e.type === 'AgentStatusChanged');
      const by = change?.type === 'AgentStatusChanged' ? change.by : 'call';
      this.emit('wrapUpEnded', {
        callId: agent.status.callId,
        wrapUp: {
          agentId: agent.agentId,
          startedAt: agent.statusSince,
          endedAt: t.agent.statusSince,
          endedBy: by === 'timer' ? 'timer' : by === 'agent' ? 'agent' : 'system',
        },
      });
    }
    const boundTo = callOf(agent.status);
    if (boundTo !== null && callOf(t.agent.status) !== boundTo) this.emit('freed', { agent: t.agent, callId: boundTo });
    const before = agent.status.type;
    const after = t.agent.status.type;
    // Ready, or Ready all along and its phone reachable again: offers can go to it.
    if (after === 'ready' && (before !== 'ready' || (!agent.reachable && t.agent.reachable))) this.emit('available', t.agent);
    if (after === 'logged-out' && before !== 'logged-out') this.emit('loggedOut', t.agent);
    return { agent: t.agent, refused: null };
  }

  private runEffect(agentId: AgentId, e: AgentEffect): void {
    const old = this.timers.get(agentId);
    if (old !== undefined) {
      this.scheduler.clearTimeout(old);
      this.timers.delete(agentId);
    }
    if (e.type === 'StartTimer') {
      const fire = e.fire;
      this.timers.set(
        agentId,
        this.scheduler.setTimeout(() => {
          this.timers.delete(agentId);
          const agent = this.agents.get(agentId);
          if (agent) this.fromCall(agentId, fire);
        }, Math.max(0, e.at - this.clock())),
      );
    }
  }
}

/** The state the agent rests in: during a call, what it goes to after it (its pending change, else Ready). */
function restingState(agent: Agent): Pick<StoredAgentState, 'status' | 'reason'> {
  const s = agent.status;
  switch (s.type) {
    case 'logged-out':
    case 'ready':
      return { status: s.type, reason: null };
    case 'not-ready':
      return { status: 'not-ready', reason: s.reason };
    default: {
      const p = agent.pending;
      if (p?.type === 'logged-out') return { status: 'logged-out', reason: null };
      if (p?.type === 'not-ready') return { status: 'not-ready', reason: p.reason };
      return { status: 'ready', reason: null };
    }
  }
}

/** The call an agent's state belongs to: ringing, on-call and wrap-up are bound to one call. */
function callOf(status: AgentStatus): CallId | null {
  return 'callId' in status ? status.callId : null;
}
