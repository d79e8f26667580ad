/**
 * The read side of call records (collection `calls`, written by the call path's CallStore):
 * the query, one call, a caller's recent calls, rating counts and KPI inputs. Portable queries only
 * ($match/$group/$sum aggregation; day keys come from write time).
 *
 * One call and a caller's recent calls (the screen pop's history) are read by `_id` only: the call by
 * its id, the caller's calls from the caller-number list CallStore keeps (call-history.ts), so the
 * screen pop costs the same whatever the number of stored calls.
 *
 * The case fields (`confidential`, `unitIds`, `handlingUnitIds`) are written by the work-order side
 * (call-case.repository.ts) and `callerName` not yet by anyone; missing means none.
 */
import type { Connection, Model } from 'mongoose';
import type { CallScope } from '../../../domain/access';
import { rateDigit, ratingScalePreset, type RatingOption } from '../../../domain/rating/rating';
import type { Page } from '../../../app/auth/auth.ports';
import { isCallOutcome, OUTCOME_FILTERS } from '../../../domain/call/call.record';
import type { EndReason, Party } from '../../../domain/call/call.events';
import type { CallerLossReason } from '../../../domain/call/call.inputs';
import type {
  CallQuery,
  CallRatingView,
  CallRecordView,
  CallRecordReader,
  RatingCount,
} from '../../../app/records/call-records.ports';
import { callHistoryList, type CallHistoryEntry } from '../call-history';
import type { KeyedList } from '../keyed-list';
import { callRecordModel, type CallRecordDoc, type StoredCallRecordDoc } from '../models/call-record.model';

type StoredDoc = CallRecordDoc & { callerName?: string | null; wrapUpMs?: number | null };
type Filter = Record<string, unknown>;

/** Most entries of a caller's list looked at for one history (its newest ones). */
const MAX_HISTORY_SCAN = 1000;

const ms = (d: Date | number | null | undefined): number | null => (d === null || d === undefined ? null : new Date(d).getTime());

function ratingOption(scale: unknown, digit: unknown, value: unknown): RatingOption | undefined {
  const s = ratingScalePreset(Number(scale) === 5 ? 5 : 2);
  if (typeof digit === 'string') {
    const byDigit = rateDigit(s, digit);
    if (byDigit) return byDigit;
  }
  return s.options.find((o) => o.code === value || o.label === value || String(o.value) === String(value));
}

/** A rating as stored now (the scale's own facts), or null for the earlier format. */
function storedRating(r: { scale: unknown; digit: unknown; value: unknown; label?: unknown; satisfied?: unknown }): CallRatingView | null {
  if (typeof r.value !== 'number' || typeof r.satisfied !== 'boolean' || typeof r.digit !== 'string') return null;
  return { scale: String(r.scale), digit: r.digit, value: r.value, satisfied: r.satisfied, ...(typeof r.label === 'string' ? { label: r.label } : {}) };
}

function toRating(r: CallRecordDoc['rating']): CallRatingView | null {
  if (!r) return null;
  const stored = storedRating(r);
  if (stored) return stored;
  const o = ratingOption(r.scale, r.digit, r.value);
  if (!o) return null;
  return { scale: String(r.scale), digit: o.digit, value: o.value, satisfied: o.satisfied, label: o.label };
}

export function toCallRecordView(d: StoredDoc): CallRecordView {
  return {
    callId: d.callId,
    callerNumber: d.callerNumber,
    callerName: d.callerName ?? null,
    calledNumber: d.calledNumber ?? '',
    agentId: d.agentId ?? null,
    queueId: d.queueId ?? null,
    // The writer stores only CallOutcome values; anything else is a document it did not write.
    outcome: isCallOutcome(d.outcome) ? d.outcome : 'lost',
    endReason: (d.endReason as EndReason | null) ?? null,
    hungUpBy: (d.hungUpBy as Party | null) ?? null,
    conversationEndedBy: (d.conversationEndedBy as Party | null | undefined) ?? null,
    callerLost: d.callerLost ? { why: d.callerLost.why as CallerLossReason, lastSignAt: ms(d.callerLost.lastSignAt) ?? 0 } : null,
    wrapUp: d.wrapUp
      ? {
          agentId: d.wrapUp.agentId,
          startedAt: ms(d.wrapUp.startedAt) ?? 0,
          endedAt: ms(d.wrapUp.endedAt) ?? 0,
          endedBy: d.wrapUp.endedBy as 'timer' | 'agent' | 'system',
        }
      : null,
    rating: toRating(d.rating),
    timeline: (d.timeline ?? []).map((t, i) => ({ seq: i + 1, at: ms(t.at) ?? 0, type: t.type, ...(t.data ? { data: t.data } : {}) })),
    attempts: (d.attempts ?? []).map((a) => ({
      attempt: a.attempt,
      agentId: a.agentId,
      startedAt: ms(a.startedAt) ?? 0,
      endedAt: ms(a.endedAt),
      outcome: a.outcome,
      ringMs: a.ringMs ?? null,
    })),
    waitMs: d.waitMs ?? null,
    ringMs: d.ringMs ?? null,
    talkMs: d.talkMs ?? null,
    wrapUpMs: d.wrapUpMs ?? null,
    recording: d.recording ?? null,
    startedAt: ms(d.startedAt) ?? 0,
    endedAt: ms(d.endedAt),
    dayKey: d.dayKey,
    hourKey: d.hourKey,
    confidential: d.confidential ?? false,
    unitIds: d.unitIds ?? [],
    handlingUnitIds: d.handlingUnitIds ?? [],
    surveyOrder: d.surveyOrder ? { orderId: d.surveyOrder.orderId, orderNumber: d.surveyOrder.orderNumber } : null,
  };
}

function scopeFilter(scope: CallScope): Filter {
  switch (scope.kind) {
    case 'all':
      return {};
    case 'agent':
      return { $or: [{ agentId: scope.agentId }, { agentIds: scope.agentId }, { 'attempts.agentId': scope.agentId }] };
    case 'unit':
      return { unitIds: scope.unitId };
  }
}

/**
 * A confidential call matches a search by caller number only for those who handle it (the same keys
 * as domain/access isHandling: `agent:<工号>` for the answering agent, `unit:<id>` for a lead unit).
 */
function callerSearchFilter(keys: readonly string[]): Filter {
  const agents = keys.filter((k) => k.startsWith('agent:')).map((k) => k.slice('agent:'.length));
  const units = keys.filter((k) => k.startsWith('unit:')).map((k) => k.slice('unit:'.length));
  return {
    $or: [
      { confidential: { $ne: true } },
      ...(agents.length > 0 ? [{ agentId: { $in: agents } }] : []),
      ...(units.length > 0 ? [{ handlingUnitIds: { $in: units } }] : []),
    ],
  };
}

function and(...filters: Filter[]): Filter {
  const parts = filters.filter((f) => Object.keys(f).length > 0);
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0] as Filter;
  return { $and: parts };
}

function period(from: number, to: number): Filter {
  return { startedAt: { $gte: new Date(from), $lt: new Date(to) } };
}

function optional(filter: { agentId?: string; queueId?: string }): Filter {
  const f: Filter = {};
  if (filter.agentId) f['agentId'] = filter.agentId;
  if (filter.queueId) f['queueId'] = filter.queueId;
  return f;
}

export class MongoCallRecordReader implements CallRecordReader {
  readonly model: Model<StoredCallRecordDoc>;
  private readonly history: KeyedList<CallHistoryEntry>;

  constructor(conn: Connection) {
    this.model = callRecordModel(conn);
    this.history = callHistoryList(conn);
  }

  async find(scope: CallScope, q: CallQuery): Promise<Page<CallRecordView>> {
    const f: Filter = { ...period(q.from, q.to), ...optional(q) };
    if (q.callerNumber) f['callerNumber'] = q.callerNumber;
    if (q.outcome) f['outcome'] = { $in: [...OUTCOME_FILTERS[q.outcome]] };
    const search = q.callerNumber && q.searcherKeys ? callerSearchFilter(q.searcherKeys) : {};
    // Preset scales use the digit as the value (1 = best).
    if (q.ratingValue !== undefined) f['rating.digit'] = String(q.ratingValue);
    if (q.rated !== undefined) f['rating'] = q.rated ? { $ne: null } : null;
    const filter = and(scopeFilter(scope), search, f);
    const dir = q.order === 'asc' ? 1 : -1;
    const [docs, total] = await Promise.all([
      this.model
        .find(filter, { timeline: 0 })
        .sort({ [q.sort]: dir, callId: 1 })
        .skip((q.page - 1) * q.pageSize)
        .limit(q.pageSize)
        .lean<StoredDoc[]>(),
      this.model.countDocuments(filter),
    ]);
    return { items: docs.map(toCallRecordView), total, page: q.page, pageSize: q.pageSize };
  }

  async findById(callId: string): Promise<CallRecordView | null> {
    const d = await this.model.findOne({ _id: callId }).lean<StoredDoc>();
    // A document without a version is a work order's mark of a call not stored yet (call-case.repository.ts).
    return d && d.version !== undefined ? toCallRecordView(d) : null;
  }

  /**
   * From the caller number's list (newest first): the calls that started before `before`, each once,
   * then each record by `_id`. The list is in the order the records were first stored, about the order
   * the calls started; the window grows while it holds too few earlier calls (the newest entries may
   * be calls that started at or after `before`).
   */
  async recentByCaller(callerNumber: string, limit: number, before?: number): Promise<CallRecordView[]> {
    if (!callerNumber || limit <= 0) return [];
    let window = limit + 1;
    let picked: CallHistoryEntry[];
    for (;;) {
      const entries = await this.history.readLast(callerNumber, window);
      const seen = new Set<string>();
      picked = [];
      for (const { value } of entries) {
        if (seen.has(value.callId)) continue;
        seen.add(value.callId);
        if (before === undefined || value.startedAt < before) picked.push(value);
      }
      if (picked.length >= limit || entries.length < window || window >= MAX_HISTORY_SCAN) break;
      window = Math.min(MAX_HISTORY_SCAN, window * 2);
    }
    picked.sort((a, b) => b.startedAt - a.startedAt);
    const docs = await Promise.all(
      picked.slice(0, limit).map((e) => this.model.findOne({ _id: e.callId }, { timeline: 0, detail: 0 }).lean<StoredDoc>()),
    );
    // A listed call whose record is not stored yet (its first write waits in the spool) is left out.
    return docs.filter((d): d is NonNullable<typeof d> => d !== null).map(toCallRecordView);
  }

  async ratingCounts(scope: CallScope, from: number, to: number, filter: { agentId?: string; queueId?: string }): Promise<RatingCount[]> {
    const match = and(scopeFilter(scope), { ...period(from, to), ...optional(filter), rating: { $ne: null } });
    const rows = await this.model.aggregate<{ _id: { agentId: string | null; scale: unknown; digit: unknown; value: unknown; satisfied: unknown }; count: number }>([
      { $match: match },
      {
        $group: {
          _id: { agentId: '$agentId', scale: '$rating.scale', digit: '$rating.digit', value: '$rating.value', satisfied: '$rating.satisfied' },
          count: { $sum: 1 },
        },
      },
    ]);
    const out: RatingCount[] = [];
    for (const r of rows) {
      const o = storedRating(r._id) ?? ratingOption(r._id.scale, r._id.digit, r._id.value);
      if (o) out.push({ agentId: r._id.agentId ?? null, value: o.value, satisfied: o.satisfied, count: r.count });
    }
    return out;
  }

  async listForMetrics(scope: CallScope, from: number, to: number, filter: { agentId?: string; queueId?: string }): Promise<CallRecordView[]> {
    const docs = await this.model
      .find(and(scopeFilter(scope), { ...period(from, to), ...optional(filter) }), { timeline: 0, recording: 0 })
      .lean<StoredDoc[]>();
    return docs.map(toCallRecordView);
  }
}
