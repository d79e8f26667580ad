/**
 * Call records for people: the query (period, agent, caller, outcome, rating, paging, sort), one
 * call's timeline, a caller's history, the ratings summary and call KPIs over a period. Every
 * method checks the policy: an agent sees only calls offered to them, a unit handler only calls of
 * their unit (others' → 404), and confidential callers are masked for everyone not handling the case.
 */
import { assertNever, NotFoundError, ValidationError } from '../../shared/errors';
import {
  actorHandlerKeys,
  callScope,
  owns,
  requirePermission,
  seesCaller,
  seesRecording,
  visibleCaller,
  type Actor,
  type CallScope,
  type CallSubject,
} from '../../domain/access';
import { computeCallMetrics, type CallFact, type CallMetrics, type CallMetricsOptions } from '../../domain/kpi/call-metrics';
import type { Page } from '../auth/auth.ports';
import type { CallQuery, CallRecordView, CallRecordReader, WorkOrderLookup, WorkOrderSummary } from './call-records.ports';

/** Whether calls are confidential through their caller (app/callers ConfidentialCallers). */
export interface ConfidentialCallerReads {
  masks(calls: ReadonlyArray<{ readonly callerNumber: string; readonly startedAt: number }>): Promise<boolean[]>;
}

export type CallSummaryView = Omit<CallRecordView, 'timeline'> & { masked: boolean };
export type CallDetailView = CallRecordView & { masked: boolean };

export interface CallerHistoryView {
  callerNumber: string;
  masked: boolean;
  calls: CallSummaryView[];
  workOrders: (WorkOrderSummary & { masked: boolean })[];
}

export interface RatingsSummary {
  from: number;
  to: number;
  total: number;
  satisfied: number;
  satisfactionRate: number | null;
  byValue: { value: number; count: number }[];
  byAgent: { agentId: string | null; total: number; satisfied: number; satisfactionRate: number | null }[];
}

/** Longest period one KPI or ratings request may cover. */
export const MAX_REPORT_PERIOD_MS = 93 * 24 * 3600 * 1000;

export function subjectOf(r: Pick<CallRecordView, 'agentId' | 'attempts' | 'unitIds' | 'handlingUnitIds'>): CallSubject {
  const agentIds = new Set<string>(r.attempts.map((a) => a.agentId));
  if (r.agentId) agentIds.add(r.agentId);
  return { kind: 'call', agentIds: [...agentIds], handlingAgentId: r.agentId, unitIds: r.unitIds, handlingUnitIds: r.handlingUnitIds };
}

export function toCallFact(r: CallRecordView): CallFact {
  return {
    queued: r.queueId !== null && (r.waitMs !== null || r.attempts.length > 0 || r.outcome === 'abandoned' || r.outcome === 'answered'),
    outcome: factOutcome(r.outcome),
    waitMs: r.waitMs,
    talkMs: r.talkMs ?? 0,
    wrapUpMs: r.wrapUpMs ?? 0,
    attempts: r.attempts.map((a) => ({
      ringMs: a.ringMs ?? 0,
      outcome: a.outcome === 'answered' ? 'answered' : a.outcome === 'cancelled' ? 'cancelled' : 'missed',
      agentId: a.agentId,
    })),
    rating: r.rating ? { satisfied: r.rating.satisfied } : null,
  };
}

function factOutcome(o: CallRecordView['outcome']): CallFact['outcome'] {
  switch (o) {
    case 'answered':
    case 'abandoned':
    case 'overflow':
    case 'callback-requested':
      return o;
    case 'in-progress':
    case 'lost':
      return 'other';
    default:
      return assertNever(o);
  }
}

export class CallRecordsService {
  constructor(
    private readonly records: CallRecordReader,
    private readonly workOrders: WorkOrderLookup,
    private readonly metricsOptions: () => Partial<CallMetricsOptions> = () => ({}),
    /** Callers known to be confidential (docs/adr/0021): their calls are masked even before a mark reaches the record. */
    private readonly confidentialCallers: ConfidentialCallerReads | null = null,
  ) {}

  async list(actor: Actor, query: CallQuery): Promise<Page<CallSummaryView>> {
    const scope = this.scopeOf(actor, 'calls:read');
    checkPeriod(query.from, query.to, Number.POSITIVE_INFINITY);
    // A search by number never confirms a confidential caller to someone who does not handle the call.
    const q = query.callerNumber ? { ...query, searcherKeys: actorHandlerKeys(actor) } : query;
    const page = await this.records.find(scope, q);
    const items = await this.withKnownCallers(page.items);
    // A caller marked confidential whose calls are not all marked yet: the search shows only handled ones.
    const shown = query.callerNumber && items.some((r) => r.confidential) ? items.filter((r) => seesCaller(actor, subjectOf(r), r.confidential)) : items;
    return { ...page, ...(shown.length !== items.length ? { total: page.total - (items.length - shown.length) } : {}), items: shown.map((r) => this.summary(actor, r)) };
  }

  async get(actor: Actor, callId: string): Promise<CallDetailView> {
    requirePermission(actor, 'calls:read');
    const found = await this.records.findById(callId);
    const [r] = found ? await this.withKnownCallers([found]) : [];
    if (!r) throw new NotFoundError('call');
    requirePermission(actor, 'calls:read', subjectOf(r), 'call');
    const v = visibleCaller(actor, subjectOf(r), withoutHiddenRecording(actor, r));
    return v.masked ? { ...v, timeline: v.timeline.map(stripCallerData) } : v;
  }

  /**
   * The caller's other recent calls and work orders, as far as the actor may see them: calls the actor
   * may open (an agent: calls offered to them), each masked unless the actor handles it and without
   * another agent's recording; orders the actor may see, without the complaint text (title) of a
   * confidential one the actor does not handle.
   */
  async callerHistory(actor: Actor, callId: string, limit = 10): Promise<CallerHistoryView> {
    requirePermission(actor, 'callers:history');
    const found = await this.records.findById(callId);
    const [r] = found ? await this.withKnownCallers([found]) : [];
    if (!r) throw new NotFoundError('call');
    requirePermission(actor, 'callers:history', subjectOf(r), 'call');
    return this.historyFor(actor, r, limit);
  }

  /** History for a number (used by the screen pop, where the ringing agent is not handling the call yet). */
  async historyFor(
    actor: Actor,
    call: Pick<CallRecordView, 'callId' | 'callerNumber' | 'confidential' | 'agentId' | 'unitIds' | 'handlingUnitIds' | 'startedAt'> & {
      callerName?: string | null;
    },
    limit = 10,
  ): Promise<CallerHistoryView> {
    const [recent, orders] = await Promise.all([
      this.records.recentByCaller(call.callerNumber, limit + 1, call.startedAt),
      this.workOrders.recentByCaller(call.callerNumber, limit),
    ]);
    const calls = await this.withKnownCallers(recent);
    const self = visibleCaller(actor, { handlingAgentId: call.agentId, handlingUnitIds: call.handlingUnitIds }, {
      callerNumber: call.callerNumber,
      confidential: call.confidential,
    });
    return {
      callerNumber: self.callerNumber,
      masked: self.masked,
      calls: calls
        .filter((c) => c.callId !== call.callId && owns(actor, subjectOf(c)))
        .slice(0, limit)
        .map((c) => this.summary(actor, c)),
      workOrders: orders
        .filter((o) => mayListOrder(actor, o))
        .map((o) => {
          const seen = seesCaller(actor, o.handlers, o.confidential);
          return { ...o, title: seen ? o.title : null, masked: !seen };
        }),
    };
  }

  async ratingsSummary(actor: Actor, q: { from: number; to: number; agentId?: string; queueId?: string }): Promise<RatingsSummary> {
    const scope = this.scopeOf(actor, 'ratings:read');
    checkPeriod(q.from, q.to, MAX_REPORT_PERIOD_MS);
    const counts = await this.records.ratingCounts(scope, q.from, q.to, { agentId: q.agentId, queueId: q.queueId });
    const byValue = new Map<number, number>();
    const byAgent = new Map<string | null, { total: number; satisfied: number }>();
    let total = 0;
    let satisfied = 0;
    for (const c of counts) {
      total += c.count;
      if (c.satisfied) satisfied += c.count;
      byValue.set(c.value, (byValue.get(c.value) ?? 0) + c.count);
      const a = byAgent.get(c.agentId) ?? { total: 0, satisfied: 0 };
      a.total += c.count;
      if (c.satisfied) a.satisfied += c.count;
      byAgent.set(c.agentId, a);
    }
    return {
      from: q.from,
      to: q.to,
      total,
      satisfied,
      satisfactionRate: total === 0 ? null : satisfied / total,
      byValue: [...byValue.entries()].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value, count })),
      byAgent: [...byAgent.entries()]
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
        .map(([agentId, a]) => ({ agentId, ...a, satisfactionRate: a.total === 0 ? null : a.satisfied / a.total })),
    };
  }

  async metrics(
    actor: Actor,
    q: { from: number; to: number; agentId?: string; queueId?: string },
    overrides: Partial<CallMetricsOptions> = {},
  ): Promise<CallMetrics & { from: number; to: number }> {
    const scope = this.scopeOf(actor, 'kpi:read');
    checkPeriod(q.from, q.to, MAX_REPORT_PERIOD_MS);
    const records = await this.records.listForMetrics(scope, q.from, q.to, { agentId: q.agentId, queueId: q.queueId });
    return { from: q.from, to: q.to, ...computeCallMetrics(records.map(toCallFact), { ...this.metricsOptions(), ...overrides }) };
  }

  /**
   * Records of callers known to be confidential read as confidential (the mark on the record may still
   * be on its way); a withdrawn mark keeps masking the calls made before it (docs/adr/0027).
   */
  private async withKnownCallers(records: readonly CallRecordView[]): Promise<readonly CallRecordView[]> {
    const open = records.filter((r) => !r.confidential);
    if (!this.confidentialCallers || open.length === 0) return records;
    const masks = await this.confidentialCallers.masks(open);
    const masked = new Set(open.filter((_r, i) => masks[i]));
    return masked.size === 0 ? records : records.map((r) => (masked.has(r) ? { ...r, confidential: true } : r));
  }

  private scopeOf(actor: Actor, permission: 'calls:read' | 'ratings:read' | 'kpi:read'): CallScope {
    requirePermission(actor, permission);
    const scope = callScope(actor);
    if (!scope) throw new NotFoundError('call');
    return scope;
  }

  private summary(actor: Actor, r: CallRecordView): CallSummaryView {
    const { timeline: _timeline, ...rest } = visibleCaller(actor, subjectOf(r), withoutHiddenRecording(actor, r));
    return rest;
  }
}

function checkPeriod(from: number, to: number, maxMs: number): void {
  if (!(to > from)) throw new ValidationError('to', 'to must be after from');
  if (to - from > maxMs) throw new ValidationError('to', `period longer than ${Math.round(maxMs / 86_400_000)} days`);
}

/** Another agent's conversation is not this actor's to hear (domain/access seesRecording). */
function withoutHiddenRecording(actor: Actor, r: CallRecordView): CallRecordView {
  return r.recording === null || seesRecording(actor, subjectOf(r)) ? r : { ...r, recording: null };
}

/** Hotline staff see every order; a unit handler only those of their unit (as work-order.policy canSee). */
function mayListOrder(actor: Actor, o: WorkOrderSummary): boolean {
  if (actor.role !== 'unit_handler') return true;
  return actor.unitId !== null && o.unitIds.includes(actor.unitId);
}

/** Timeline entries may carry the caller's number in their data; masked views drop those fields. */
function stripCallerData(e: CallRecordView['timeline'][number]): CallRecordView['timeline'][number] {
  if (!e.data) return e;
  const { callerNumber: _n, callerName: _c, ...data } = e.data as Record<string, unknown>;
  return { ...e, data };
}
