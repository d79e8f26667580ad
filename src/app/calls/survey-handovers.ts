/**
 * Survey calls handed to the agent queue (the citizen pressed 0 in the automated 回访): the survey
 * job waits here for the call path to tell whether an agent answered. Outcomes are taken from the
 * call events on the bus as they are published, so one that comes before anyone asks is kept (a
 * bounded number of them) until it is asked for.
 */
import type { EventBus } from '../events/event-bus';
import type { Scheduler } from './calls.ports';

export interface HandoverOutcome {
  /** The agent who answered; null when the call ended without one (abandoned, overflow, lost) or never reached the queue. */
  readonly agentId: string | null;
}

/** Outcomes nobody asked for yet, kept at most (the oldest go first). */
const MAX_KEPT = 1000;

export class SurveyHandoverWatch {
  /** Handed-over calls in the call path with no outcome yet. */
  private readonly open = new Set<string>();
  private readonly settled = new Map<string, HandoverOutcome>();
  private readonly waiting = new Map<string, (o: HandoverOutcome) => void>();

  /**
   * @param enterTimeoutMs how long a moved call may take to enter the call path before it counts as
   *   not handed over (the application refused it, e.g. while stopping).
   */
  constructor(bus: EventBus, private readonly scheduler: Scheduler, private readonly enterTimeoutMs = 30_000) {
    bus.subscribe('call', ({ event: e }) => {
      if (e.type === 'CallEntered') {
        if (e.surveyOrder) this.open.add(e.callId);
        return;
      }
      if (!this.open.has(e.callId)) return;
      if (e.type === 'AgentAnswered') this.settle(e.callId, { agentId: e.agentId });
      else if (e.type === 'CallEnded') this.settle(e.callId, { agentId: null });
    });
  }

  /** Whether an agent answered the handed-over call `callId` (its survey call's channel id). */
  outcome(callId: string): Promise<HandoverOutcome> {
    const known = this.settled.get(callId);
    if (known) {
      this.settled.delete(callId);
      return Promise.resolve(known);
    }
    return new Promise((resolve) => {
      const timer = this.scheduler.setTimeout(() => {
        // Still not in the call path: it never entered the queue.
        if (!this.open.has(callId) && this.waiting.delete(callId)) resolve({ agentId: null });
      }, this.enterTimeoutMs);
      this.waiting.set(callId, (o) => {
        this.scheduler.clearTimeout(timer);
        resolve(o);
      });
    });
  }

  private settle(callId: string, o: HandoverOutcome): void {
    this.open.delete(callId);
    const waiter = this.waiting.get(callId);
    if (waiter) {
      this.waiting.delete(callId);
      waiter(o);
      return;
    }
    this.settled.set(callId, o);
    if (this.settled.size > MAX_KEPT) {
      const oldest = this.settled.keys().next().value;
      if (oldest !== undefined) this.settled.delete(oldest);
    }
  }
}
