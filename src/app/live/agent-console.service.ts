/**
 * The agent console: screen pop on ring (caller number masked when confidential, queue, wait), sent
 * the moment the call is offered; then the caller's recent calls and work orders as a follow-up
 * (`history`, same call and attempt); then ring stopped / answered / ended / rated, and the agent's
 * own state. Pushes for one agent leave in the order their events arrived.
 *
 * The history is looked up only for an agent with a console connected (to any instance), bounded by
 * `historyTimeoutMs` (then it is sent as null), at most one lookup in flight per call (a later offer
 * of the same call waits for it and takes its place), and dropped when the call is no longer offered
 * to that agent (ring missed or cancelled, another offer, call ended). A lookup that outlives its
 * time limit keeps its call's slot until it settles (at most ten time limits), so abandoned lookups
 * cannot pile up.
 *
 * 通话控制 follows the call's events (domain/call/call.control-view.ts): each change of what it
 * shows goes to the handling agent's consoles (`control`), and a console that connects during the
 * call is given it (`currentCall`), so a second tab, a reload or a change made elsewhere shows right.
 *
 * Agent state actions (login, logout, ready, not ready with reason, wrap-up done) are checked
 * against the policy (agents act on themselves, supervisors and administrators on anyone) and
 * delegated to the call path's agent service.
 */
import { BackgroundTasks, type Background } from '../../shared/background';
import { NotFoundError, ValidationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { requirePermission, visibleCaller, type Actor } from '../../domain/access';
import { controlViewChanged, nextControlView, type CallControlView } from '../../domain/call/call.control-view';
import type { CallerHistoryView } from '../records/call-records.service';
import type { LiveDashboard } from './live-dashboard';
import type {
  AgentAction,
  AgentControlPort,
  AgentStateView,
  CallControlPayload,
  CallerHistory,
  ConsolePublisher,
  LiveInput,
  ScreenPop,
} from './live.ports';
import { withTimeout } from '../../shared/timeout';

const historyLate = (): Error => new NotFoundError('history in time');

type LiveCallEvent = Extract<LiveInput, { kind: 'call' }>['event'];

interface ConsoleCall {
  callerNumber: string;
  callerName: string | null;
  confidential: boolean;
  queueId: string;
  startedAt: number;
  answeredBy: string | null;
  /** The last answer: its time and the caller's wait. */
  answeredAt: number;
  waitMs: number;
  surveyOrder: { orderId: string; orderNumber: string } | null;
}

export type CallerHistoryLookup = (
  actor: Actor,
  call: {
    callId: string;
    callerNumber: string;
    confidential: boolean;
    agentId: string | null;
    unitIds: string[];
    handlingUnitIds: string[];
    startedAt: number;
  },
) => Promise<CallerHistoryView>;

export interface AgentConsoleDeps {
  publisher: ConsolePublisher;
  control: AgentControlPort;
  history: CallerHistoryLookup;
  /** Current agent state for reconnecting consoles. */
  dashboard: Pick<LiveDashboard, 'agentView'>;
  clock: () => number;
  log: Logger;
  /** Runs the history look-ups in the background; default one of its own on `log`. */
  background?: Background;
  /** Longest wait for the presence check and for the history, each; default 1000 ms. */
  historyTimeoutMs?: number;
  historyLimit?: number;
}

/** The offer a call has right now: its agent and attempt. */
interface Offer {
  agentId: string;
  attempt: number;
}

/** The one history lookup of a call: the offer it is for, and the offer that waits for it. */
interface LookupSlot {
  offer: Offer;
  next: Offer | null;
}

const DEFAULT_HISTORY_TIMEOUT_MS = 1000;
/** A lookup that outlived its limit keeps its call's slot at most this many limits long. */
const SLOT_HOLD_FACTOR = 10;

const agentActor = (agentId: string): Actor => ({ userId: `agent:${agentId}`, role: 'agent', agentId, unitId: null, groupId: null });

export class AgentConsoleService {
  private readonly calls = new Map<string, ConsoleCall>();
  /** The current offer of each call (until the ring ends without an answer, or the call ends). */
  private readonly offers = new Map<string, Offer>();
  private readonly lookups = new Map<string, LookupSlot>();
  /** 通话控制 of each call an agent is on (until the agent's part is over). */
  private readonly controls = new Map<string, CallControlView>();
  /** Follow-ups not yet sent or given up. */
  private readonly deliveries = new Set<Promise<void>>();

  private readonly background: Background;

  constructor(private readonly deps: AgentConsoleDeps) {
    this.background = deps.background ?? new BackgroundTasks(deps.log);
  }

  apply(input: LiveInput): void {
    const pub = this.deps.publisher;
    if (input.kind === 'confidential') {
      const c = this.calls.get(input.callId);
      if (c) c.confidential = true;
      return;
    }
    if (input.kind === 'agent') {
      const view = this.stateView(input.agentId);
      if (view) pub.toAgent(input.agentId, 'state', view);
      return;
    }
    const e = input.event;
    const agentId = 'agentId' in e && typeof e.agentId === 'string' ? e.agentId : null;
    pub.toCall(e.callId, { callId: e.callId, seq: e.seq, at: e.at, type: e.type, agentId });
    this.onCallEvent(input);
    // After the event's own push (the answer comes before the controls it brings).
    this.followControls(e);
    if (e.type === 'CallEnded') {
      this.calls.delete(e.callId);
      this.controls.delete(e.callId);
    }
  }

  private onCallEvent(input: Extract<LiveInput, { kind: 'call' }>): void {
    const pub = this.deps.publisher;
    const e = input.event;
    switch (e.type) {
      case 'CallEntered':
        this.calls.set(e.callId, {
          callerNumber: e.callerNumber,
          callerName: input.callerName ?? null,
          confidential: input.confidential ?? false,
          queueId: e.queueId,
          startedAt: e.at,
          answeredBy: null,
          answeredAt: 0,
          waitMs: 0,
          surveyOrder: e.surveyOrder ?? null,
        });
        return;
      case 'CallQueued': {
        const c = this.calls.get(e.callId);
        if (c) c.queueId = e.queueId;
        return;
      }
      case 'AgentOffered': {
        const c = this.calls.get(e.callId);
        const offer = { agentId: e.agentId, attempt: e.attempt };
        this.offers.set(e.callId, offer);
        pub.toAgent(e.agentId, 'ringing', this.screenPop(e.agentId, e.callId, e.attempt, e.waitMs, e.at, c));
        if (c?.callerNumber) this.requestHistory(e.callId, offer);
        return;
      }
      case 'AgentRingMissed':
      case 'AgentRingCancelled': {
        if (this.offers.get(e.callId)?.attempt === e.attempt) this.offers.delete(e.callId);
        const outcome = e.type === 'AgentRingMissed' ? e.outcome : e.reason;
        pub.toAgent(e.agentId, 'ringStopped', { callId: e.callId, attempt: e.attempt, outcome, ringMs: e.ringMs, at: e.at });
        return;
      }
      case 'AgentAnswered': {
        const c = this.calls.get(e.callId);
        if (c) {
          c.answeredBy = e.agentId;
          c.answeredAt = e.at;
          c.waitMs = e.waitMs;
        }
        // The answering agent now handles the case: the caller is shown unmasked.
        pub.toAgent(e.agentId, 'answered', {
          callId: e.callId,
          attempt: e.attempt,
          callerNumber: c?.callerNumber ?? '',
          callerName: c?.callerName ?? null,
          masked: false,
          ringMs: e.ringMs,
          waitMs: e.waitMs,
          at: e.at,
        });
        return;
      }
      case 'CallCompleted':
        pub.toAgent(e.agentId, 'ended', { callId: e.callId, talkMs: e.talkMs, endedBy: e.endedBy, at: e.at });
        return;
      case 'CallRated': {
        const agent = this.calls.get(e.callId)?.answeredBy;
        if (agent) pub.toAgent(agent, 'rated', { callId: e.callId, value: e.value, label: e.label, satisfied: e.satisfied, at: e.at });
        return;
      }
      case 'CallEnded':
        this.offers.delete(e.callId);
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

  /**
   * 通话控制 of the call the actor is on now (as its agent), for a console that connects during it;
   * null when none. Only one's own call: the payload shows the caller as its handling agent sees it.
   */
  currentCall(actor: Actor): CallControlPayload | null {
    const agentId = actor.agentId;
    if (!agentId) return null;
    for (const [callId, view] of this.controls) {
      if (view.agentId === agentId && view.phase !== 'over') return this.controlPayload(callId, view);
    }
    return null;
  }

  /** Resolves when every history follow-up started so far was sent or given up (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
  }

  /** Folds the event into the call's 通话控制 and tells the handling agent's consoles what changed. */
  private followControls(e: LiveCallEvent): void {
    const before = this.controls.get(e.callId) ?? null;
    const after = nextControlView(before, e);
    if (after && after.phase !== 'over') this.controls.set(e.callId, after);
    else this.controls.delete(e.callId);
    if (after && controlViewChanged(before, after)) this.deps.publisher.toAgent(after.agentId, 'control', this.controlPayload(e.callId, after));
  }

  private controlPayload(callId: string, view: CallControlView): CallControlPayload {
    const { agentId, ...rest } = view;
    const c = this.calls.get(callId);
    // The handling agent sees the caller (as in the `answered` push).
    const shown = visibleCaller(agentActor(agentId), { handlingAgentId: agentId, handlingUnitIds: [] }, {
      callerNumber: c?.callerNumber ?? '',
      callerName: c?.callerName ?? null,
      confidential: c?.confidential ?? false,
    });
    return {
      callId,
      ...rest,
      call: { callerNumber: shown.callerNumber, callerName: shown.callerName ?? null, masked: shown.masked, queueId: c?.queueId ?? '', waitMs: c?.waitMs ?? 0, answeredAt: c?.answeredAt ?? view.since },
    };
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

  private screenPop(agentId: string, callId: string, attempt: number, waitMs: number, offeredAt: number, c: ConsoleCall | undefined): ScreenPop {
    // Ringing is not handling yet: a confidential caller is masked in the pop.
    const shown = visibleCaller(agentActor(agentId), { handlingAgentId: null, handlingUnitIds: [] }, {
      callerNumber: c?.callerNumber ?? '',
      callerName: c?.callerName ?? null,
      confidential: c?.confidential ?? false,
    });
    return {
      callId,
      attempt,
      callerNumber: shown.callerNumber,
      callerName: shown.callerName ?? null,
      masked: shown.masked,
      queueId: c?.queueId ?? '',
      waitMs,
      offeredAt,
      surveyOrder: c?.surveyOrder ?? null,
    };
  }

  private isOffered(callId: string, offer: Offer): boolean {
    const now = this.offers.get(callId);
    return now !== undefined && now.agentId === offer.agentId && now.attempt === offer.attempt;
  }

  /** One lookup in flight per call: a new offer waits for the running one (replacing any other waiting offer). */
  private requestHistory(callId: string, offer: Offer): void {
    const slot = this.lookups.get(callId);
    if (slot) {
      slot.next = offer;
      return;
    }
    this.startLookup(callId, offer);
  }

  private startLookup(callId: string, offer: Offer): void {
    let releaseSlot: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (releaseSlot = resolve));
    const slot: LookupSlot = { offer, next: null };
    this.lookups.set(callId, slot);
    const delivered = this.lookupAndSend(callId, offer, releaseSlot).catch((err: unknown) => {
      releaseSlot();
      this.deps.log.error('caller history follow-up failed', { callId, agentId: offer.agentId, err: String(err) });
    });
    this.deliveries.add(delivered);
    this.background.run('console.caller-history', () => delivered.then(() => this.deliveries.delete(delivered)), { callId });
    this.background.run(
      'console.caller-history',
      () =>
        settled.then(() => {
          if (this.lookups.get(callId) !== slot) return;
          this.lookups.delete(callId);
          if (slot.next && this.isOffered(callId, slot.next)) this.startLookup(callId, slot.next);
        }),
      { callId },
    );
  }

  /** Sends the follow-up (or nothing when dropped); calls `settled` once the lookup itself is over. */
  private async lookupAndSend(callId: string, offer: Offer, settled: () => void): Promise<void> {
    const timeoutMs = this.deps.historyTimeoutMs ?? DEFAULT_HISTORY_TIMEOUT_MS;
    const { agentId, attempt } = offer;
    let watched = false;
    try {
      watched = await withTimeout(this.deps.publisher.hasConsole(agentId), timeoutMs, historyLate);
    } catch (err) {
      this.deps.log.debug('console presence unknown, no caller history looked up', { callId, agentId, err: String(err) });
    }
    const c = this.calls.get(callId);
    if (!watched || !c || !this.isOffered(callId, offer)) {
      settled();
      return;
    }
    const actor = agentActor(agentId);
    const lookup = this.deps.history(actor, {
      callId,
      callerNumber: c.callerNumber,
      confidential: c.confidential,
      agentId: null,
      unitIds: [],
      handlingUnitIds: [],
      startedAt: c.startedAt,
    });
    // The slot is held until the lookup itself is over, even when the follow-up has given up on it
    // (but not forever: a lookup that never answers frees it after SLOT_HOLD_FACTOR time limits).
    const hold = setTimeout(settled, timeoutMs * SLOT_HOLD_FACTOR);
    const over = () => {
      clearTimeout(hold);
      settled();
    };
    lookup.then(over, over);
    let history: CallerHistory | null = null;
    try {
      history = this.toHistory(await withTimeout(lookup, timeoutMs, historyLate));
    } catch (err) {
      this.deps.log.warn('caller history unavailable for screen pop', { callId, agentId, err: String(err) });
    }
    if (!this.isOffered(callId, offer)) return;
    this.deps.publisher.toAgent(agentId, 'history', { callId, attempt, history });
  }

  private toHistory(h: CallerHistoryView): CallerHistory {
    return {
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
  }
}
