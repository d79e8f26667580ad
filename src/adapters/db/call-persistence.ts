/**
 * The call path's storage ports (CallEventStore, CallRecordRepository, CallbackRequestRepository)
 * on top of CallStore, which keeps every write durable through database outages.
 * Maps the domain's call record to the stored document, which adds the query fields the REST API
 * filters on (day/hour keys, agent ids, rating digit) next to the full folded record.
 */
import type { CallbackRequest } from '../../domain/call/call.effects';
import type { CallEvent } from '../../domain/call/call.events';
import type { CallRecord } from '../../domain/call/call.record';
import { localDayKey } from '../../domain/calendar/local-time';
import type { CallbackRequestRepository, CallEventStore, CallRecordRepository } from '../../app/calls/calls.ports';
import type { CallId } from '../../shared/ids';
import { asCallId } from '../../shared/ids';
import type { CallStore } from './call-store';
import type { CallEventDoc } from './models/call-event.model';
import type { CallRecordDoc } from './models/call-record.model';

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toEventDoc(e: CallEvent, dayKey: string): CallEventDoc {
  const { callId, seq, at, type, ...data } = e;
  return { callId, seq, type, at: new Date(at), dayKey, data: data as Record<string, unknown> };
}

export function fromEventDoc(d: Pick<CallEventDoc, 'callId' | 'seq' | 'type' | 'at' | 'data'>): CallEvent {
  return { ...d.data, callId: asCallId(d.callId), seq: d.seq, at: d.at.getTime(), type: d.type } as CallEvent;
}

export function toRecordDoc(r: CallRecord): CallRecordDoc {
  const hour = String(r.reportHour).padStart(2, '0');
  const g = r.rating;
  const rated = g.status === 'rated' && g.digit !== null && g.value !== null && g.satisfied !== null;
  return {
    callId: r.callId,
    version: r.lastSeq,
    callerNumber: r.callerNumber,
    calledNumber: r.calledNumber,
    queueId: r.queueId,
    agentId: r.agentId,
    agentIds: [...new Set(r.attempts.map((a) => a.agentId as string))],
    outcome: r.outcome,
    endReason: r.endReason,
    hungUpBy: r.hungUpBy,
    conversationEndedBy: r.conversationEndedBy,
    callerLost: r.callerLost ? { why: r.callerLost.why, lastSignAt: new Date(r.callerLost.lastSignAt) } : null,
    wrapUp: r.wrapUp
      ? { agentId: r.wrapUp.agentId, startedAt: new Date(r.wrapUp.startedAt), endedAt: new Date(r.wrapUp.endedAt), endedBy: r.wrapUp.endedBy }
      : null,
    callerName: null,
    rating: rated
      ? { scale: g.scale ?? '', digit: g.digit, value: g.value ?? 0, code: g.code ?? '', label: g.label ?? '', satisfied: g.satisfied ?? false }
      : null,
    recording: r.recordingName,
    timeline: r.timeline.map((t) => ({ type: t.type, at: new Date(t.at), data: { ...t.data } })),
    attempts: r.attempts.map((a) => ({
      attempt: a.attempt,
      agentId: a.agentId,
      startedAt: new Date(a.offeredAt),
      endedAt: date(a.endedAt),
      outcome: a.outcome,
      ringMs: a.ringMs,
    })),
    waitMs: r.waitMs,
    ringMs: r.ringMs,
    talkMs: r.talkMs,
    wrapUpMs: r.wrapUpMs,
    startedAt: new Date(r.times.enteredAt),
    answeredAt: date(r.times.connectedAt),
    endedAt: date(r.times.endedAt),
    dayKey: r.reportDay,
    hourKey: `${r.reportDay}T${hour}`,
    callbackRequested: r.callbackRequested,
    surveyOrder: r.surveyOrder ? { ...r.surveyOrder } : null,
    detail: JSON.parse(JSON.stringify(r)) as Record<string, unknown>,
  };
}

export class MongoCallPersistence implements CallEventStore, CallRecordRepository, CallbackRequestRepository {
  /** Day key of each call's first event, so every event of a call is filed under the day it began. */
  private readonly dayOf = new Map<string, string>();

  constructor(private readonly store: CallStore) {}

  async append(events: readonly CallEvent[]): Promise<void> {
    if (events.length === 0) return;
    const docs = events.map((e) => {
      const day = this.dayOf.get(e.callId) ?? localDayKey(e.at);
      this.dayOf.set(e.callId, day);
      if (e.type === 'CallEnded') this.dayOf.delete(e.callId);
      return toEventDoc(e, day);
    });
    await this.store.appendEvents(docs);
  }

  async load(callId: CallId): Promise<CallEvent[]> {
    const docs = await this.store.events.find({ callId }).sort({ seq: 1 }).lean();
    return docs.map(fromEventDoc);
  }

  async listOpenCallIds(): Promise<CallId[]> {
    await this.store.flush();
    // Not by outcome: a running call's record says `answered` once an agent answered.
    const docs = await this.store.records.find({ endedAt: null }, { callId: 1 }).lean();
    return docs.map((d) => asCallId(d.callId));
  }

  async upsert(record: CallRecord): Promise<void> {
    await this.store.saveRecord(toRecordDoc(record));
  }

  async save(request: CallbackRequest): Promise<void> {
    await this.store.saveCallback({
      callId: request.callId,
      callerNumber: request.callerNumber,
      calledNumber: request.calledNumber,
      queueId: request.queueId,
      requestedAt: new Date(request.requestedAt),
      dayKey: localDayKey(request.requestedAt),
      status: 'open',
    });
  }
}

