/**
 * The queue/agent coordinator. Calls ask for an agent; when a call queues, or an agent becomes
 * Ready, or a ring ends, waiting calls are paired with Ready agents (domain/acd selection) and each
 * pair becomes an offer: the agent is reserved first (the agent machine refuses a second
 * reservation, so one agent is never offered two calls), then the call gets `AgentOffered`.
 * Single-threaded: a dispatch requested during a dispatch runs right after it.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import type { AcdStrategy } from '../../domain/call/call-settings';
import type { AgentReleaseOutcome, QueueLeaveReason } from '../../domain/call/call.effects';
import type { CallInput } from '../../domain/call/call.inputs';
import type { QueueEventBody } from '../../domain/acd/acd.events';
import type { Agent } from '../../domain/acd/agent.types';
import { planOffers } from '../../domain/acd/agent-selection';
import {
  EMPTY_QUEUES,
  enqueue,
  entryOf,
  markOffered,
  positionOf,
  queueIds,
  queueStats,
  removeCall,
  type CallQueues,
  type QueueStats,
} from '../../domain/acd/queue';
import type { EventBus } from '../events/event-bus';
import type { AgentService } from './agent-service';
import type { CallAcdPort } from './call-session';
import type { Clock } from './ports';

export interface AcdSettings {
  readonly strategy: AcdStrategy;
  /** Tell calls there is no agent when none is logged in to their queue (on entry and when the last one leaves). */
  readonly overflowWhenNoAgents: boolean;
}

/** Delivers an input to a live call; false when the call is gone. */
export type CallInputSink = (callId: CallId, input: CallInput) => boolean;

export class AcdService implements CallAcdPort {
  private queues: CallQueues = EMPTY_QUEUES;
  private lastOffered: Record<string, AgentId> = {};
  private dispatching = false;
  private again = false;

  constructor(
    private readonly settings: AcdSettings,
    private readonly agents: AgentService,
    private readonly deliver: CallInputSink,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {
    agents.on('available', () => this.dispatch());
    agents.on('loggedOut', (a) => this.agentLeft(a));
  }

  // ---- CallAcdPort ----

  requestAgent(req: { callId: CallId; queueId: QueueId; priority: number; retry: boolean }): void {
    const known = entryOf(this.queues, req.callId);
    this.queues = enqueue(this.queues, { ...req, now: this.clock.now() });
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
      waitMs: this.clock.now() - entry.enqueuedAt,
      calls: queueStats(this.queues, entry.queueId).calls,
    });
    // Calls behind it moved up; nothing to dispatch (no agent was freed).
  }

  positionOf(callId: CallId): number | null {
    return positionOf(this.queues, callId);
  }

  agentOnCall(agentId: AgentId, callId: CallId): void {
    this.agents.callAnswered(agentId, callId);
  }

  releaseAgent(agentId: AgentId, callId: CallId, info: { attempt: number; outcome: AgentReleaseOutcome; ringMs: number | null }): void {
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
        const plan = planOffers(this.queues, this.agents.list(), this.settings.strategy, this.lastOffered);
        for (const offer of plan.offers) this.offer(offer.callId, offer.queueId, offer.agentId);
      } while (this.again);
    } finally {
      this.dispatching = false;
    }
  }

  private offer(callId: CallId, queueId: QueueId, agentId: AgentId): void {
    const agent: Agent | null = this.agents.reserve(agentId, callId);
    if (!agent) return;
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
    this.bus.publish('queue', { ...body, queueId, callId, at: this.clock.now() });
  }
}
