/**
 * The queue/agent coordinator. Calls ask for an agent; when a call queues, or an agent becomes
 * Ready, or a ring ends, waiting calls are paired with Ready agents (domain/acd selection) and each
 * pair becomes an offer: the agent is claimed (AgentClaimPort: no other app instance may offer it
 * meanwhile), reserved (the agent machine refuses a second reservation, so one agent is never offered
 * two calls), then the call gets `AgentOffered`. The claim is released when the agent is free again.
 * Single-threaded: a dispatch requested during a dispatch runs right after it.
 *
 * A claim answered by a shared store takes a round trip: meanwhile the call and the agent are left
 * out of further pairing, and when it comes back the pair is checked again (the caller may have hung
 * up, the agent may have gone not-ready). A refused claim means the agent is busy on another
 * instance: it is skipped, by every call, for `claimRetryMs`, then tried again.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import type { AcdStrategy } from '../../domain/acd/agent.types';
import type { AgentReleaseOutcome, QueueLeaveReason } from '../../domain/call/call.effects';
import type { CallInput } from '../../domain/call/call.inputs';
import type { ResumeRequest } from '../../domain/call/call.adopt';
import type { QueueEventBody } from '../../domain/acd/acd.events';
import type { Agent } from '../../domain/acd/agent.types';
import { planOffers } from '../../domain/acd/agent-selection';
import {
  EMPTY_QUEUES,
  backOffAgent,
  enqueue,
  entryOf,
  markOffered,
  nextBackOffEnd,
  positionOf,
  queueIds,
  queueStats,
  removeCall,
  type CallQueues,
  type QueueStats,
} from '../../domain/acd/queue';
import type { EventBus } from '../events/event-bus';
import type { AgentService } from './agent.service';
import { NO_AGENT_CLAIMS } from './agent-claims';
import type { CallAcdPort } from './call-session';
import type { AgentClaimPort, Clock, Scheduler, TimerHandle } from './calls.ports';

export interface AcdSettings {
  readonly strategy: AcdStrategy;
  /** Tell calls there is no agent when none is logged in to their queue (on entry and when the last one leaves). */
  readonly overflowWhenNoAgents: boolean;
  /** After a failed ring the agent is not offered the same call again for this long (default 0). */
  readonly refusedRetryMs?: number;
}

/** Delivers an input to a live call; false when the call is gone. */
export type CallInputSink = (callId: CallId, input: CallInput) => boolean;

export interface AcdClaimOptions {
  /** Default: none (one call-path instance; the agent service's reservation is enough). */
  readonly claims?: AgentClaimPort;
  /** For the retry after a refused claim; needed only with a shared claim store. */
  readonly scheduler?: Scheduler;
  /** How long an agent held by another instance is skipped before it is claimed again. */
  readonly claimRetryMs?: number;
}

export const DEFAULT_CLAIM_RETRY_MS = 1000;

/** Refusals (the phone answered the ring with busy or reject, or could not be reached): the agent is kept from the same call for a while. A ring that ran out its 10 s is not refused in that sense. */
const FAILED_RINGS: ReadonlySet<AgentReleaseOutcome> = new Set<AgentReleaseOutcome>(['busy', 'rejected', 'unreachable']);

export class AcdService implements CallAcdPort {
  private queues: CallQueues = EMPTY_QUEUES;
  private lastOffered: Record<string, AgentId> = {};
  private dispatching = false;
  private again = false;
  private readonly claims: AgentClaimPort;
  /** Claims waiting for the store's answer: call → agent, and the agents concerned. */
  private readonly claiming = new Map<CallId, AgentId>();
  private readonly claimingAgents = new Set<AgentId>();
  /** Agents another instance holds: skipped until the time given. */
  private readonly heldElsewhere = new Map<AgentId, number>();
  /** Agents whose last call's leg is still being hung up (count of hang-ups awaited): not offered yet. */
  private readonly closingLegs = new Map<AgentId, number>();
  private retryTimer: { handle: TimerHandle; at: number } | null = null;

  constructor(
    private readonly settings: AcdSettings,
    private readonly agents: AgentService,
    private readonly deliver: CallInputSink,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly claimOptions: AcdClaimOptions = {},
  ) {
    this.claims = claimOptions.claims ?? NO_AGENT_CLAIMS;
    // Registered before `available` is emitted for the same change: the claim goes first.
    agents.on('freed', ({ agent, callId }) => this.claims.release(agent.agentId, callId));
    agents.on('available', () => this.dispatch());
    agents.on('loggedOut', (a) => this.agentLeft(a));
  }

  // ---- CallAcdPort ----

  requestAgent(req: { callId: CallId; queueId: QueueId; priority: number; retry: boolean; queuedAt?: number | null }): void {
    const known = entryOf(this.queues, req.callId);
    // A call new to the queue takes its place by the time it first queued (the same as now, except
    // for a call an agent sent here from another queue).
    this.queues = enqueue(this.queues, { callId: req.callId, queueId: req.queueId, priority: req.priority, now: req.queuedAt ?? this.clock() });
    const position = positionOf(this.queues, req.callId);
    if (known) {
      this.publish(req.queueId, req.callId, { type: 'QueueCallReturned', position });
    } else {
      const calls = queueStats(this.queues, req.queueId).calls;
      this.publish(req.queueId, req.callId, { type: 'QueueCallJoined', priority: req.priority, position: position ?? calls, calls });
    }
    if (this.settings.overflowWhenNoAgents && !this.agents.anyLoggedIn(req.queueId)) {
      this.deliver(req.callId, { type: 'NoAgentsAvailable' });
      return;
    }
    this.dispatch();
  }

  cancelRequest(callId: CallId, reason: QueueLeaveReason): void {
    const entry = entryOf(this.queues, callId);
    if (!entry) return;
    this.queues = removeCall(this.queues, callId);
    this.publish(entry.queueId, callId, {
      type: 'QueueCallLeft',
      reason,
      waitMs: this.clock() - entry.enqueuedAt,
      calls: queueStats(this.queues, entry.queueId).calls,
    });
    // Calls behind it moved up; nothing to dispatch (no agent was freed).
  }

  /**
   * A call taken over after a restart: back at its original place in its queue (by the time it first
   * queued), with its agent bound to it again (ringing for it, or on it). The agent is claimed again
   * for other instances; while the dead process's claim has not lapsed that claim is refused and
   * logged (the agent is still held here).
   */
  resumeCall(callId: CallId, r: ResumeRequest): void {
    if (r.agent) {
      const { agentId, status } = r.agent;
      if (!this.agents.resumeCall(agentId, callId, status)) this.log.warn('agent of a call taken over not bound to it', { agentId, callId, status });
      this.claimAgain(agentId, callId);
    }
    if (r.inQueue) {
      this.queues = enqueue(this.queues, { callId, queueId: r.queueId, priority: r.priority, now: r.queuedAt ?? this.clock() });
      if (r.agent?.status === 'ringing') this.queues = markOffered(this.queues, callId, r.agent.agentId);
      const position = positionOf(this.queues, callId);
      const calls = queueStats(this.queues, r.queueId).calls;
      this.publish(r.queueId, callId, { type: 'QueueCallJoined', priority: r.priority, position: position ?? calls, calls });
    }
    this.dispatch();
  }

  private claimAgain(agentId: AgentId, callId: CallId): void {
    const refused = () => this.log.warn('agent of a call taken over not claimed again', { agentId, callId });
    try {
      const claimed = this.claims.claim(agentId, callId);
      if (claimed === false) refused();
      else if (claimed !== true) {
        claimed.then((ok) => (ok ? undefined : refused()), (err: unknown) => this.log.warn('agent claim failed', { agentId, callId, err: String(err) }));
      }
    } catch (err) {
      this.log.warn('agent claim failed', { agentId, callId, err: String(err) });
    }
  }

  positionOf(callId: CallId): number | null {
    return positionOf(this.queues, callId);
  }

  agentOnCall(agentId: AgentId, callId: CallId): void {
    this.agents.callAnswered(agentId, callId);
  }

  releaseAgent(
    agentId: AgentId,
    callId: CallId,
    info: { attempt: number; outcome: AgentReleaseOutcome; ringMs: number | null },
    legClosed?: Promise<unknown>,
  ): void {
    // Before the state change: a Ready agent is offered at once (the 'available' listener).
    if (legClosed) this.holdUntil(agentId, legClosed);
    const backOffMs = this.settings.refusedRetryMs ?? 0;
    if (FAILED_RINGS.has(info.outcome) && backOffMs > 0 && entryOf(this.queues, callId)) {
      // A phone that refused (or could not be reached) is not rung again for this call at once.
      const until = this.clock() + backOffMs;
      this.queues = backOffAgent(this.queues, callId, agentId, until);
      this.scheduleRetry(until);
    }
    if (info.outcome === 'completed') {
      this.agents.callFinished(agentId, callId);
    } else {
      // The call itself asks again (RequestAgent retry) when it wants another agent.
      this.agents.ringEnded(agentId, callId, { attempt: info.attempt, outcome: info.outcome, ringMs: info.ringMs });
    }
    this.dispatch();
  }

  // ---- views for the live API ----

  stats(): QueueStats[] {
    return queueIds(this.queues).map((q) => queueStats(this.queues, q));
  }

  snapshot(): CallQueues {
    return this.queues;
  }

  /** Agents currently skipped because another instance holds them (for the live API and tests). */
  agentsHeldElsewhere(): AgentId[] {
    const now = this.clock();
    return [...this.heldElsewhere.entries()].filter(([, until]) => until > now).map(([id]) => id);
  }

  /** Pairs waiting calls with Ready agents until nothing more can be paired. */
  dispatch(): void {
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.again = false;
        const plan = planOffers(this.plannable(), this.candidates(), this.settings.strategy, this.lastOffered, this.clock());
        for (const offer of plan.offers) this.offer(offer.callId, offer.queueId, offer.agentId);
      } while (this.again);
    } finally {
      this.dispatching = false;
    }
  }

  /** The agent's state is published at once, but it is offered nothing before `legClosed` settles. */
  private holdUntil(agentId: AgentId, legClosed: Promise<unknown>): void {
    this.closingLegs.set(agentId, (this.closingLegs.get(agentId) ?? 0) + 1);
    const done = () => {
      const n = (this.closingLegs.get(agentId) ?? 1) - 1;
      if (n > 0) this.closingLegs.set(agentId, n);
      else this.closingLegs.delete(agentId);
      this.dispatch();
    };
    legClosed.then(done, done);
  }

  /** The queues without the calls whose claim is under way. */
  private plannable(): CallQueues {
    if (this.claiming.size === 0) return this.queues;
    return { ...this.queues, entries: this.queues.entries.filter((e) => !this.claiming.has(e.callId)) };
  }

  /** Agents that may be paired now: not being claimed, not held by another instance, no leg still closing. */
  private candidates(): Agent[] {
    const all = this.agents.list();
    if (this.claimingAgents.size === 0 && this.heldElsewhere.size === 0 && this.closingLegs.size === 0) return all;
    const now = this.clock();
    for (const [id, until] of this.heldElsewhere) if (until <= now) this.heldElsewhere.delete(id);
    return all.filter((a) => !this.claimingAgents.has(a.agentId) && !this.heldElsewhere.has(a.agentId) && !this.closingLegs.has(a.agentId));
  }

  private offer(callId: CallId, queueId: QueueId, agentId: AgentId): void {
    let claimed: boolean | Promise<boolean>;
    try {
      claimed = this.claims.claim(agentId, callId);
    } catch (err) {
      this.log.error('agent claim failed', { agentId, callId, err: String(err) });
      claimed = false;
    }
    if (claimed === true) {
      this.reserveAndOffer(callId, queueId, agentId);
      return;
    }
    if (claimed === false) {
      this.claimRefused(agentId, callId);
      return;
    }
    this.claiming.set(callId, agentId);
    this.claimingAgents.add(agentId);
    claimed
      .catch((err: unknown) => {
        this.log.error('agent claim failed', { agentId, callId, err: String(err) });
        return false;
      })
      .then((ok) => this.claimAnswered(callId, queueId, agentId, ok))
      .catch((err: unknown) => this.log.error('offer after claim failed', { agentId, callId, err: String(err) }));
  }

  /** The store answered a claim: offer if the call still waits and the agent is still free. */
  private claimAnswered(callId: CallId, queueId: QueueId, agentId: AgentId, ok: boolean): void {
    this.claiming.delete(callId);
    this.claimingAgents.delete(agentId);
    if (!ok) {
      this.claimRefused(agentId, callId);
    } else {
      const entry = entryOf(this.queues, callId);
      if (!entry || entry.offeredTo !== null) {
        // The caller left (or the call was offered meanwhile): the agent goes back unclaimed.
        this.claims.release(agentId, callId);
      } else {
        this.reserveAndOffer(callId, queueId, agentId);
      }
    }
    this.dispatch();
  }

  /** Another instance holds the agent: every call skips it for a while. */
  private claimRefused(agentId: AgentId, callId: CallId): void {
    const retryMs = this.claimOptions.claimRetryMs ?? DEFAULT_CLAIM_RETRY_MS;
    const until = this.clock() + retryMs;
    this.heldElsewhere.set(agentId, until);
    this.log.debug('agent held by another instance, skipped', { agentId, callId, retryMs });
    this.again = true;
    this.scheduleRetry(until);
  }

  private scheduleRetry(at: number): void {
    const scheduler = this.claimOptions.scheduler;
    if (!scheduler) return; // Without a scheduler the next agent or call event dispatches again.
    if (this.retryTimer && this.retryTimer.at <= at) return;
    if (this.retryTimer) scheduler.clearTimeout(this.retryTimer.handle);
    const handle = scheduler.setTimeout(() => {
      this.retryTimer = null;
      const from = this.clock();
      this.dispatch();
      // Every hold the dispatch left in place is retried at its end, even one that ended while it
      // ran: a timer may fire a millisecond before its time by the clock, and the clock moves on
      // meanwhile (read again here, such a hold was dropped and its waiting call never retried).
      const next = Math.min(...this.heldElsewhere.values(), nextBackOffEnd(this.queues, from) ?? Infinity);
      if (Number.isFinite(next)) this.scheduleRetry(next);
    }, Math.max(0, at - this.clock()));
    this.retryTimer = { handle, at };
  }

  private reserveAndOffer(callId: CallId, queueId: QueueId, agentId: AgentId): void {
    const agent: Agent | null = this.agents.reserve(agentId, callId);
    if (!agent) {
      this.claims.release(agentId, callId);
      return;
    }
    this.lastOffered = { ...this.lastOffered, [queueId]: agentId };
    this.queues = markOffered(this.queues, callId, agentId);
    this.publish(queueId, callId, { type: 'QueueCallOffered', agentId, position: positionOf(this.queues, callId) });
    const delivered = this.deliver(callId, {
      type: 'AgentOffered',
      agentId,
      agentNumber: agent.agentNumber,
      endpoint: agent.endpoint,
    });
    if (!delivered) {
      // The call is gone without telling us: take it out and free the agent.
      this.log.warn('offer to a call that is gone', { callId, agentId });
      this.queues = removeCall(this.queues, callId);
      this.agents.ringEnded(agentId, callId, { attempt: 0, outcome: 'declined', ringMs: null });
      this.again = true;
    }
  }

  /** The last agent of a queue logged out: its waiting calls are told there is nobody. */
  private agentLeft(agent: Agent): void {
    if (!this.settings.overflowWhenNoAgents) return;
    for (const queueId of agent.queues) {
      if (this.agents.anyLoggedIn(queueId)) continue;
      for (const e of this.queues.entries) {
        if (e.queueId === queueId && e.offeredTo === null) this.deliver(e.callId, { type: 'NoAgentsAvailable' });
      }
    }
  }

  private publish(
    queueId: QueueId,
    callId: CallId,
    body: QueueEventBody,
  ): void {
    this.bus.publish('queue', { ...body, queueId, callId, at: this.clock() });
  }
}
