/**
 * The agent console: screen pop on ring (caller number masked when confidential, queue, wait, and
 * the caller's recent calls and work orders), then ring stopped / answered / ended / rated, and the
 * agent's own state. Pushes for one agent leave in the order their events arrived, even though the
 * screen pop waits for the history lookup (bounded by `historyTimeoutMs`).
 *
 * Agent state actions (login, logout, ready, not ready with reason, wrap-up done) are checked
 * against the policy (agents act on themselves, supervisors and administrators on anyone) and
 * delegated to the call path's agent service.
 */
import { NotFoundError, ValidationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { requirePermission, visibleCaller, type Actor } from '../../domain/access';
import type { CallerHistoryView } from '../records/call-records.service';
import type { LiveDashboard } from './live-dashboard';
import type {
  AgentAction,
  AgentControlPort,
  AgentStateView,
  ConsolePublisher,
  LiveInput,
  ScreenPop,
} from './live.ports';

interface ConsoleCall {
  callerNumber: string;
  callerName: string | null;
  confidential: boolean;
  queueId: string;
  startedAt: number;
  answeredBy: string | null;
}

export type CallerHistoryLookup = (
  actor: Actor,
  call: { callId: string; callerNumber: string; confidential: boolean; agentId: string | null; unitIds: string[]; startedAt: number },
) => Promise<CallerHistoryView>;

export interface AgentConsoleDeps {
  publisher: ConsolePublisher;
  control: AgentControlPort;
  history: CallerHistoryLookup;
  /** Current agent state for reconnecting consoles. */
  dashboard: Pick<LiveDashboard, 'agentView'>;
  clock: () => number;
  log: Logger;
  historyTimeoutMs?: number;
  historyLimit?: number;
}

const agentActor = (agentId: string): Actor => ({ userId: `agent:${agentId}`, role: 'agent', agentId, unitId: null, groupId: null });

export class AgentConsoleService {
  private readonly calls = new Map<string, ConsoleCall>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly deps: AgentConsoleDeps) {}

  apply(input: LiveInput): void {
    if (input.kind === 'agent') {
      const view = this.stateView(input.agentId);
      if (view) this.enqueue(input.agentId, async () => this.deps.publisher.toAgent(input.agentId, 'state', view));
      return;
    }
    const e = input.event;
    const agentId = 'agentId' in e && typeof e.agentId === 'string' ? e.agentId : null;
    this.deps.publisher.toCall(e.callId, { callId: e.callId, seq: e.seq, at: e.at, type: e.type, agentId });
    switch (e.type) {
      case 'CallEntered':
        this.calls.set(e.callId, {
          callerNumber: e.callerNumber,
          callerName: input.callerName ?? null,
          confidential: input.confidential ?? false,
          queueId: e.queueId,
          startedAt: e.at,
          answeredBy: null,
        });
        return;
      case 'CallQueued': {
        const c = this.calls.get(e.callId);
        if (c) c.queueId = e.queueId;
        return;
      }
      case 'AgentOffered': {
        const c = this.calls.get(e.callId);
        this.enqueue(e.agentId, async () => {
          const pop = await this.screenPop(e.agentId, e.callId, e.attempt, e.waitMs, e.at, c);
          this.deps.publisher.toAgent(e.agentId, 'ringing', pop);
        });
        return;
      }
      case 'AgentRingMissed':
      case 'AgentRingCancelled': {
        const outcome = e.type === 'AgentRingMissed' ? e.outcome : e.reason;
        this.enqueue(e.agentId, async () =>
          this.deps.publisher.toAgent(e.agentId, 'ringStopped', { callId: e.callId, attempt: e.attempt, outcome, ringMs: e.ringMs, at: e.at }),
        );
        return;
      }
      case 'AgentAnswered': {
        const c = this.calls.get(e.callId);
        if (c) c.answeredBy = e.agentId;
        // The answering agent now handles the case: the caller is shown unmasked.
        this.enqueue(e.agentId, async () =>
          this.deps.publisher.toAgent(e.agentId, 'answered', {
            callId: e.callId,
            attempt: e.attempt,
            callerNumber: c?.callerNumber ?? '',
            callerName: c?.callerName ?? null,
            masked: false,
            ringMs: e.ringMs,
            waitMs: e.waitMs,
            at: e.at,
          }),
        );
        return;
      }
      case 'CallCompleted':
        this.enqueue(e.agentId, async () =>
          this.deps.publisher.toAgent(e.agentId, 'ended', { callId: e.callId, talkMs: e.talkMs, endedBy: e.endedBy, at: e.at }),
        );
        return;
      case 'CallRated': {
        const agent = this.calls.get(e.callId)?.answeredBy;
        if (agent) {
          this.enqueue(agent, async () =>
            this.deps.publisher.toAgent(agent, 'rated', { callId: e.callId, value: e.value, label: e.label, satisfied: e.satisfied, at: e.at }),
          );
        }
        return;
      }
      case 'CallEnded':
        this.calls.delete(e.callId);
        return;
      default:
        return;
    }
  }

  async act(actor: Actor, agentId: string, action: AgentAction, reason: string | null): Promise<AgentStateView | null> {
    requirePermission(actor, 'agents:control', { kind: 'agent', agentId }, 'agent');
    if (action === 'not_ready' && !reason) throw new ValidationError('reason', 'a reason is required for not ready');
    await this.deps.control.perform(agentId, action, action === 'not_ready' ? reason : null);
    return this.stateView(agentId);
  }

  currentState(actor: Actor, agentId: string): AgentStateView {
    requirePermission(actor, 'agents:control', { kind: 'agent', agentId }, 'agent');
    const v = this.stateView(agentId);
    if (!v) {
      return { agentId, state: 'offline', since: this.deps.clock(), reason: null, currentCallId: null, callsToday: 0, missesToday: 0 };
    }
    return v;
  }

  /** Resolves when every push queued so far has been handed to the publisher (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }

  private stateView(agentId: string): AgentStateView | null {
    const a = this.deps.dashboard.agentView(agentId);
    if (!a) return null;
    return {
      agentId,
      state: a.state,
      since: a.stateSince,
      reason: a.notReadyReason,
      currentCallId: a.currentCallId,
      callsToday: a.callsToday,
      missesToday: a.missesToday,
    };
  }

  private async screenPop(
    agentId: string,
    callId: string,
    attempt: number,
    waitMs: number,
    offeredAt: number,
    c: ConsoleCall | undefined,
  ): Promise<ScreenPop> {
    const actor = agentActor(agentId);
    const callerNumber = c?.callerNumber ?? '';
    const confidential = c?.confidential ?? false;
    // Ringing is not handling yet: a confidential caller is masked in the pop.
    const shown = visibleCaller(actor, { handlingAgentId: null, unitIds: [] }, { callerNumber, callerName: c?.callerName ?? null, confidential });
    let history: ScreenPop['history'] = null;
    if (callerNumber) {
      try {
        const h = await withTimeout(
          this.deps.history(actor, { callId, callerNumber, confidential, agentId: null, unitIds: [], startedAt: c?.startedAt ?? offeredAt }),
          this.deps.historyTimeoutMs ?? 500,
        );
        history = {
          calls: h.calls.slice(0, this.deps.historyLimit ?? 10).map((r) => ({
            callId: r.callId,
            callerNumber: r.callerNumber,
            masked: r.masked,
            startedAt: r.startedAt,
            outcome: r.outcome,
            agentId: r.agentId,
            queueId: r.queueId,
            talkMs: r.talkMs,
            rating: r.rating ? { value: r.rating.value, satisfied: r.rating.satisfied } : null,
          })),
          workOrders: h.workOrders.map((o) => ({
            orderId: o.orderId,
            number: o.number,
            createdAt: o.createdAt,
            status: o.status,
            category: o.category,
            title: o.masked ? null : o.title,
            masked: o.masked,
          })),
        };
      } catch (err) {
        this.deps.log.warn('caller history unavailable for screen pop', { callId, agentId, err: String(err) });
      }
    }
    return {
      callId,
      attempt,
      callerNumber: shown.callerNumber,
      callerName: shown.callerName ?? null,
      masked: shown.masked,
      queueId: c?.queueId ?? '',
      waitMs,
      offeredAt,
      history,
    };
  }

  private enqueue(agentId: string, task: () => Promise<void>): void {
    const prev = this.tails.get(agentId) ?? Promise.resolve();
    const next = prev.then(task).catch((err: unknown) => {
      this.deps.log.error('agent console push failed', { agentId, err: String(err) });
    });
    this.tails.set(agentId, next);
    void next.then(() => {
      if (this.tails.get(agentId) === next) this.tails.delete(agentId);
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new NotFoundError('history in time')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
