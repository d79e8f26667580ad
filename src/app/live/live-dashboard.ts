/**
 * The manager dashboard projection: folds call events and agent state changes into today's
 * counters, queues, agents, abandoned calls and alerts, and emits ordered deltas.
 *
 * One instance per process that receives the call path's events. `snapshot()` gives the full view
 * (its `seq` is the last delta included); every later change is a `DashboardDelta` with the next
 * `seq`. The last deltas are kept so a client that missed a few can catch up without a snapshot.
 * `tick(now)` (every second from `start()`) raises and clears time-based alerts and starts a new
 * day at local midnight.
 */
import type { Background, Repeating } from '../../shared/background';
import { maskedForAudience, maskPhone } from '../../domain/access';
import type { CallEvent } from '../../domain/call/call.events';
import { localDayKey } from '../../domain/calendar/local-time';
import { DEFAULT_MONITORING_SETTINGS, metricsOptionsOf, type MonitoringSettings } from '../queues/queues.ports';
import type {
  AbandonedCall,
  AgentView,
  DashboardAlert,
  DashboardCounters,
  DashboardDelta,
  DashboardDeltaBody,
  DashboardSnapshot,
  QueueView,
} from './dashboard.types';
import type { LiveInput } from './live.ports';

/** What `restoreToday` reads of a stored call record. */
export interface TodayRecord {
  readonly dayKey: string;
  readonly startedAt: number;
  readonly outcome: string;
  readonly agentId: string | null;
  readonly talkMs: number | null;
  readonly wrapUpMs: number | null;
  readonly attempts: ReadonlyArray<{ readonly agentId: string; readonly outcome: string }>;
}


interface LiveCall {
  callId: string;
  callerNumber: string;
  callerName: string | null;
  confidential: boolean;
  queueId: string | null;
  queuedAt: number | null;
  inQueue: boolean;
  ringingAgentId: string | null;
  agentId: string | null;
  /** Agents already counted in the 10-second answer rate for this call (each agent × call once). */
  ringCounted: Set<string>;
}

/** What the projection keeps per agent: the view without its derived average, plus the wrap-up start. */
interface AgentState extends Omit<AgentView, 'averageHandleMs'> {
  wrapStartedAt: number | null;
}

interface Tally {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  answeredWithin10s: number;
  ringsCounted: number;
  answeredWithinSl: number;
  abandonedWithinSl: number;
  waitTotal: number;
  waitCount: number;
  talkTotal: number;
  talkCount: number;
  ratings: number;
  satisfied: number;
  ringMisses: number;
}

const emptyTally = (): Tally => ({
  offered: 0,
  answered: 0,
  abandoned: 0,
  shortAbandoned: 0,
  answeredWithin10s: 0,
  ringsCounted: 0,
  answeredWithinSl: 0,
  abandonedWithinSl: 0,
  waitTotal: 0,
  waitCount: 0,
  talkTotal: 0,
  talkCount: 0,
  ratings: 0,
  satisfied: 0,
  ringMisses: 0,
});

export interface LiveDashboardOptions {
  clock: () => number;
  dayOf?: (ms: number) => string;
  settings?: MonitoringSettings;
  /** Per-queue wait alert threshold in seconds, when the queue sets one. */
  queueWaitAlertSec?: (queueId: string) => number | undefined;
  /** How long a ring-no-answer alert stays on the board. */
  ringAlertHoldMs?: number;
  /** Today's abandoned list is capped (oldest dropped). */
  maxAbandoned?: number;
  /** Deltas kept for catch-up. */
  deltaBacklog?: number;
  onListenerError?: (err: unknown) => void;
  /** Runs the once-a-second tick; default a timer of its own whose failures are reported to `onListenerError`. */
  background?: Pick<Background, 'every'>;
}

export class LiveDashboard {
  private seq = 0;
  private day: string;
  private tally = emptyTally();
  private readonly calls = new Map<string, LiveCall>();
  private readonly agents = new Map<string, AgentState>();
  private readonly queueIds = new Set<string>();
  private abandoned: AbandonedCall[] = [];
  private readonly alerts = new Map<string, DashboardAlert>();
  private readonly backlog: DashboardDelta[] = [];
  private readonly listeners = new Set<(d: DashboardDelta) => void>();
  private settings: MonitoringSettings;
  private timer: Repeating | null = null;
  private readonly dayOf: (ms: number) => string;

  constructor(private readonly opts: LiveDashboardOptions) {
    this.dayOf = opts.dayOf ?? localDayKey;
    this.day = this.dayOf(opts.clock());
    this.settings = opts.settings ?? DEFAULT_MONITORING_SETTINGS;
  }

  onDelta(listener: (d: DashboardDelta) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(intervalMs = 1000): void {
    if (this.timer) return;
    const tick = () => this.tick(this.opts.clock());
    if (this.opts.background) {
      this.timer = this.opts.background.every('dashboard.tick', intervalMs, tick);
      return;
    }
    const t = setInterval(() => {
      try {
        tick();
      } catch (err) {
        this.opts.onListenerError?.(err);
      }
    }, intervalMs);
    t.unref?.();
    this.timer = { stop: () => clearInterval(t) };
  }

  stop(): void {
    this.timer?.stop();
    this.timer = null;
  }

  updateSettings(settings: MonitoringSettings): void {
    this.settings = settings;
    this.emit({ type: 'counters', counters: this.counters(), callsInProgress: this.calls.size });
  }

  /** Known agents start offline until their first state change. */
  registerAgent(agentId: string, displayName: string | null, groupId: string | null): void {
    const a = this.agent(agentId, this.opts.clock());
    a.displayName = displayName;
    a.groupId = groupId;
  }

  registerQueue(queueId: string): void {
    this.queueIds.add(queueId);
  }

  lastSeq(): number {
    return this.seq;
  }

  /** Deltas after `seq`, or null when they are no longer kept (take a snapshot instead). */
  deltasSince(seq: number): DashboardDelta[] | null {
    if (seq === this.seq) return [];
    const first = this.backlog[0];
    if (seq > this.seq || !first || first.seq > seq + 1) return null;
    return this.backlog.filter((d) => d.seq > seq);
  }

  agentView(agentId: string): AgentView | null {
    const a = this.agents.get(agentId);
    return a ? this.viewAgent(a) : null;
  }

  /**
   * Puts back each agent's figures of today (calls, misses, handle time) from the day's stored call
   * records: after a restart the projection starts empty while the day goes on. Records of another
   * day are left out. Call before live events flow.
   */
  restoreToday(records: readonly TodayRecord[]): void {
    for (const r of records) {
      if (r.dayKey !== this.day) continue;
      for (const a of r.attempts) {
        if (a.outcome !== 'answered' && a.outcome !== 'cancelled' && a.outcome !== 'ringing') this.agent(a.agentId, r.startedAt).missesToday += 1;
      }
      if (r.outcome === 'answered' && r.agentId) {
        const a = this.agent(r.agentId, r.startedAt);
        a.callsToday += 1;
        a.handledCount += 1;
        a.handledMs += (r.talkMs ?? 0) + (r.wrapUpMs ?? 0);
      }
    }
  }

  snapshot(): DashboardSnapshot {
    const now = this.opts.clock();
    return {
      seq: this.seq,
      at: now,
      day: this.day,
      counters: this.counters(),
      queues: [...this.allQueueIds()].sort().map((q) => this.viewQueue(q, now)),
      agents: [...this.agents.values()].sort((a, b) => a.agentId.localeCompare(b.agentId)).map((a) => this.viewAgent(a)),
      abandoned: [...this.abandoned],
      alerts: [...this.alerts.values()],
      callsInProgress: this.calls.size,
    };
  }

  /** Folds one input; emits the deltas it causes, in order. */
  apply(input: LiveInput): void {
    if (input.kind === 'confidential') {
      this.applyConfidential(input.callId, input.at);
      return;
    }
    const at = input.kind === 'call' ? input.event.at : input.at;
    this.rollDay(Math.max(at, this.opts.clock()));
    if (input.kind === 'agent') this.applyAgent(input);
    else this.applyCall(input.event, input.confidential ?? false, input.callerName ?? null);
  }

  /** A work order made the call confidential: its caller is masked in the queue and in today's abandoned list. */
  private applyConfidential(callId: string, at: number): void {
    const c = this.calls.get(callId);
    if (c && !c.confidential) {
      c.confidential = true;
      if (c.inQueue && c.queueId) this.emitQueue(c.queueId, at);
    }
    this.abandoned = this.abandoned.map((a) => {
      if (a.callId !== callId) return a;
      const masked = { ...a, callerNumber: maskPhone(a.callerNumber) };
      if (masked.callerNumber !== a.callerNumber) this.emit({ type: 'abandoned', call: masked });
      return masked;
    });
  }

  /** Time-based alerts and the day change. */
  tick(now: number): void {
    this.rollDay(now);
    const s = this.settings;
    for (const c of this.calls.values()) {
      if (!c.inQueue || c.queuedAt === null || c.queueId === null) continue;
      const limitMs = (this.opts.queueWaitAlertSec?.(c.queueId) ?? s.waitAlertSec) * 1000;
      const waited = now - c.queuedAt;
      if (waited > limitMs) this.raise({ id: `wait:${c.callId}`, type: 'wait_above_threshold', raisedAt: now, callId: c.callId, queueId: c.queueId, value: waited });
    }
    for (const a of this.agents.values()) {
      const id = `not-ready:${a.agentId}`;
      if (a.state === 'not_ready' && now - a.stateSince > s.notReadyAlertSec * 1000) {
        this.raise({ id, type: 'agent_not_ready_too_long', raisedAt: now, agentId: a.agentId, value: now - a.stateSince });
      }
    }
    const hold = this.opts.ringAlertHoldMs ?? 60_000;
    for (const alert of [...this.alerts.values()]) {
      if (alert.type === 'ring_no_answer' && now - alert.raisedAt >= hold) this.clear(alert.id);
    }
  }

  // ---- folding ----

  private applyAgent(input: Extract<LiveInput, { kind: 'agent' }>): void {
    const a = this.agent(input.agentId, input.at);
    if (input.displayName !== undefined) a.displayName = input.displayName;
    if (input.groupId !== undefined) a.groupId = input.groupId;
    if (a.state === 'wrap_up' && input.state !== 'wrap_up' && a.wrapStartedAt !== null) {
      a.handledMs += Math.max(0, input.at - a.wrapStartedAt);
      a.wrapStartedAt = null;
    }
    if (input.state === 'wrap_up' && a.state !== 'wrap_up') a.wrapStartedAt = input.at;
    if (a.state === 'offline' && input.state !== 'offline') {
      a.missedStreak = 0;
      this.clear(`streak:${a.agentId}`);
    }
    if (a.state === 'not_ready' && input.state !== 'not_ready') this.clear(`not-ready:${a.agentId}`);
    if (a.state !== input.state) a.stateSince = input.at;
    a.state = input.state;
    a.notReadyReason = input.state === 'not_ready' ? input.reason : null;
    if (input.state !== 'ringing' && input.state !== 'on_call' && input.state !== 'wrap_up') a.currentCallId = null;
    this.emitAgent(a);
  }

  private applyCall(e: CallEvent, confidential: boolean, callerName: string | null): void {
    const s = this.settings;
    const kpi = metricsOptionsOf(s);
    const slMs = kpi.serviceLevelThresholdMs;
    switch (e.type) {
      case 'CallEntered': {
        this.calls.set(e.callId, {
          callId: e.callId,
          callerNumber: e.callerNumber,
          callerName,
          confidential,
          queueId: e.queueId,
          queuedAt: null,
          inQueue: false,
          ringingAgentId: null,
          agentId: null,
          ringCounted: new Set(),
        });
        this.emitCounters();
        return;
      }
      case 'CallQueued': {
        const c = this.call(e.callId);
        const fresh = c.queuedAt === null;
        if (c.queueId && c.queueId !== e.queueId && c.inQueue) {
          c.inQueue = false;
          this.emitQueue(c.queueId, e.at);
        }
        c.queueId = e.queueId;
        this.queueIds.add(e.queueId);
        if (fresh) {
          c.queuedAt = e.at;
          this.tally.offered += 1;
        }
        c.inQueue = true;
        c.ringingAgentId = null;
        if (fresh) this.emitCounters();
        this.emitQueue(e.queueId, e.at);
        return;
      }
      case 'AgentOffered': {
        const c = this.call(e.callId);
        c.ringingAgentId = e.agentId;
        const a = this.agent(e.agentId, e.at);
        a.currentCallId = e.callId;
        if (c.queueId) this.emitQueue(c.queueId, e.at);
        this.emitAgent(a);
        return;
      }
      case 'AgentRingMissed': {
        const c = this.calls.get(e.callId);
        if (c) c.ringingAgentId = null;
        this.tally.ringMisses += 1;
        this.countRing(c, e.agentId);
        const a = this.agent(e.agentId, e.at);
        a.missesToday += 1;
        a.missedStreak += 1;
        if (a.currentCallId === e.callId) a.currentCallId = null;
        this.emitCounters();
        this.emitAgent(a);
        if (c?.queueId) this.emitQueue(c.queueId, e.at);
        if (e.outcome === 'no-answer') {
          this.raise({ id: `ring-no-answer:${e.callId}:${e.attempt}`, type: 'ring_no_answer', raisedAt: e.at, agentId: e.agentId, callId: e.callId, value: e.ringMs });
        }
        if (a.missedStreak >= s.missedStreakAlert) {
          this.raise({ id: `streak:${a.agentId}`, type: 'missed_ring_streak', raisedAt: e.at, agentId: a.agentId, value: a.missedStreak }, true);
        }
        return;
      }
      case 'AgentRingCancelled': {
        const c = this.calls.get(e.callId);
        if (c) c.ringingAgentId = null;
        if (e.ringMs >= kpi.ringAnswerThresholdMs) {
          this.countRing(c, e.agentId);
          this.emitCounters();
        }
        const a = this.agent(e.agentId, e.at);
        if (a.currentCallId === e.callId) a.currentCallId = null;
        this.emitAgent(a);
        return;
      }
      case 'AgentAnswered': {
        const c = this.call(e.callId);
        c.ringingAgentId = null;
        c.agentId = e.agentId;
        const wasQueued = c.inQueue;
        c.inQueue = false;
        this.tally.answered += 1;
        this.countRing(c, e.agentId);
        if (e.ringMs <= kpi.ringAnswerThresholdMs) this.tally.answeredWithin10s += 1;
        this.tally.waitTotal += e.waitMs;
        this.tally.waitCount += 1;
        if (e.waitMs <= slMs) this.tally.answeredWithinSl += 1;
        const a = this.agent(e.agentId, e.at);
        a.callsToday += 1;
        a.missedStreak = 0;
        a.currentCallId = e.callId;
        this.clear(`streak:${a.agentId}`);
        this.clear(`wait:${e.callId}`);
        this.emitCounters();
        if (wasQueued && c.queueId) this.emitQueue(c.queueId, e.at);
        this.emitAgent(a);
        return;
      }
      case 'CallCompleted': {
        this.tally.talkTotal += e.talkMs;
        this.tally.talkCount += 1;
        const a = this.agent(e.agentId, e.at);
        a.handledCount += 1;
        a.handledMs += e.talkMs;
        this.emitCounters();
        this.emitAgent(a);
        return;
      }
      case 'CallAbandoned': {
        const c = this.calls.get(e.callId);
        if (!c || c.queuedAt === null) return;
        this.tally.abandoned += 1;
        if (e.waitMs !== null) {
          this.tally.waitTotal += e.waitMs;
          this.tally.waitCount += 1;
          if (e.waitMs < kpi.shortAbandonMs) this.tally.shortAbandoned += 1;
          if (e.waitMs <= slMs) this.tally.abandonedWithinSl += 1;
        }
        const entry: AbandonedCall = {
          callId: e.callId,
          callerNumber: maskedForAudience(c).callerNumber,
          queueId: e.queueId,
          waitMs: e.waitMs,
          position: e.position,
          at: e.at,
        };
        this.abandoned.push(entry);
        const max = this.opts.maxAbandoned ?? 500;
        if (this.abandoned.length > max) this.abandoned = this.abandoned.slice(-max);
        this.leaveQueue(c, e.at);
        this.emitCounters();
        this.emit({ type: 'abandoned', call: entry });
        return;
      }
      case 'CallOverflowed':
      case 'CallbackRequested': {
        const c = this.calls.get(e.callId);
        if (c) this.leaveQueue(c, e.at);
        return;
      }
      case 'CallRated': {
        this.tally.ratings += 1;
        if (e.satisfied) this.tally.satisfied += 1;
        this.emitCounters();
        return;
      }
      case 'CallEnded': {
        const c = this.calls.get(e.callId);
        if (!c) return;
        this.leaveQueue(c, e.at);
        this.calls.delete(e.callId);
        this.emitCounters();
        return;
      }
      default:
        return;
    }
  }

  private leaveQueue(c: LiveCall, at: number): void {
    this.clear(`wait:${c.callId}`);
    if (!c.inQueue) return;
    c.inQueue = false;
    c.ringingAgentId = null;
    if (c.queueId) this.emitQueue(c.queueId, at);
  }

  private rollDay(now: number): void {
    const day = this.dayOf(now);
    if (day === this.day) return;
    this.day = day;
    this.tally = emptyTally();
    this.abandoned = [];
    for (const a of this.agents.values()) {
      a.callsToday = 0;
      a.missesToday = 0;
      a.handledCount = 0;
      a.handledMs = 0;
    }
    this.emit({ type: 'day_reset', snapshot: { ...this.snapshot(), seq: this.seq + 1 } });
  }

  // ---- views ----

  private counters(): DashboardCounters {
    const t = this.tally;
    const rate = (n: number, d: number) => (d === 0 ? null : n / d);
    const queuedDen = t.offered;
    return {
      offered: t.offered,
      answered: t.answered,
      abandoned: t.abandoned,
      shortAbandoned: t.shortAbandoned,
      answeredWithin10s: t.answeredWithin10s,
      ringsCounted: t.ringsCounted,
      tenSecondAnswerRate: rate(t.answeredWithin10s, t.ringsCounted),
      serviceLevel:
        this.settings.serviceLevelDenominator === 'answered'
          ? rate(t.answeredWithinSl, t.answered)
          : rate(t.answeredWithinSl + t.abandonedWithinSl, queuedDen),
      averageWaitMs: rate(t.waitTotal, t.waitCount),
      averageTalkMs: rate(t.talkTotal, t.talkCount),
      ratings: t.ratings,
      satisfied: t.satisfied,
      satisfactionRate: rate(t.satisfied, t.ratings),
      ringMisses: t.ringMisses,
    };
  }

  private allQueueIds(): Set<string> {
    const ids = new Set(this.queueIds);
    for (const c of this.calls.values()) if (c.queueId && c.inQueue) ids.add(c.queueId);
    return ids;
  }

  private viewQueue(queueId: string, now: number): QueueView {
    const waiting = [...this.calls.values()]
      .filter((c) => c.inQueue && c.queueId === queueId && c.queuedAt !== null)
      .sort((a, b) => (a.queuedAt ?? 0) - (b.queuedAt ?? 0))
      .map((c) => ({
        callId: c.callId,
        callerNumber: maskedForAudience(c).callerNumber,
        queuedAt: c.queuedAt ?? now,
        ringingAgentId: c.ringingAgentId,
      }));
    const oldest = waiting[0];
    return { queueId, waiting, longestWaitMs: oldest ? Math.max(0, now - oldest.queuedAt) : 0 };
  }

  private viewAgent(a: AgentState): AgentView {
    return {
      agentId: a.agentId,
      displayName: a.displayName,
      groupId: a.groupId,
      state: a.state,
      stateSince: a.stateSince,
      notReadyReason: a.notReadyReason,
      currentCallId: a.currentCallId,
      callsToday: a.callsToday,
      missesToday: a.missesToday,
      missedStreak: a.missedStreak,
      handledCount: a.handledCount,
      handledMs: a.handledMs,
      averageHandleMs: a.handledCount === 0 ? null : a.handledMs / a.handledCount,
    };
  }

  // ---- state helpers and emission ----

  /** The 10-second answer rate's denominator counts each agent × call once (domain/kpi tenSecondAnswerRate). */
  private countRing(c: LiveCall | undefined, agentId: string): void {
    if (c?.ringCounted.has(agentId)) return;
    c?.ringCounted.add(agentId);
    this.tally.ringsCounted += 1;
  }

  private call(callId: string): LiveCall {
    let c = this.calls.get(callId);
    if (!c) {
      // Joined mid-call (restart): the caller is unknown, shown as such.
      c = { callId, callerNumber: '', callerName: null, confidential: false, queueId: null, queuedAt: null, inQueue: false, ringingAgentId: null, agentId: null, ringCounted: new Set() };
      this.calls.set(callId, c);
    }
    return c;
  }

  private agent(agentId: string, at: number): AgentState {
    let a = this.agents.get(agentId);
    if (!a) {
      a = {
        agentId,
        displayName: null,
        groupId: null,
        state: 'offline',
        stateSince: at,
        notReadyReason: null,
        currentCallId: null,
        callsToday: 0,
        missesToday: 0,
        missedStreak: 0,
        handledCount: 0,
        handledMs: 0,
        wrapStartedAt: null,
      };
      this.agents.set(agentId, a);
    }
    return a;
  }

  private raise(alert: DashboardAlert, update = false): void {
    if (this.alerts.has(alert.id) && !update) return;
    this.alerts.set(alert.id, alert);
    this.emit({ type: 'alert_raised', alert });
  }

  private clear(alertId: string): void {
    if (this.alerts.delete(alertId)) this.emit({ type: 'alert_cleared', alertId });
  }

  private emitCounters(): void {
    this.emit({ type: 'counters', counters: this.counters(), callsInProgress: this.calls.size });
  }

  private emitQueue(queueId: string, at: number): void {
    this.emit({ type: 'queue', queue: this.viewQueue(queueId, at) });
  }

  private emitAgent(a: AgentState): void {
    this.emit({ type: 'agent', agent: this.viewAgent(a) });
  }

  private emit(body: DashboardDeltaBody): void {
    this.seq += 1;
    const delta = { seq: this.seq, at: this.opts.clock(), ...body } as DashboardDelta;
    this.backlog.push(delta);
    const max = this.opts.deltaBacklog ?? 1000;
    if (this.backlog.length > max) this.backlog.splice(0, this.backlog.length - max);
    for (const l of this.listeners) {
      try {
        l(delta);
      } catch (err) {
        // A failing subscriber (one socket transport) must not stop the projection or the others.
        this.opts.onListenerError?.(err);
      }
    }
  }
}
