/**
 * The personal-data retention over the call collections (docs/adr/0025): `calls` (a record's number,
 * name, timeline and folded detail), `call_events` (the number in CallEntered and CallbackRequested),
 * the caller index `call_history_by_number`, `callback_requests`, and the audit of each run
 * (`personal_data_removals`). A record or request is marked `personalDataRemovedAt` by the same
 * conditional update that empties it, so the due ones are found through an index on that mark
 * (declared on the models, created with the call store's).
 */
import type { Collection, Connection, Model } from 'mongoose';
import type { DueCall, PersonalDataAudit, PersonalDataRun, PersonalDataStore } from '../../../app/retention/personal-data.ports';
import { CALLER_DATA_FIELDS, withoutCallerData } from '../../../app/retention/personal-data.ports';
import { callHistoryList, type CallHistoryEntry } from '../call-history';
import type { KeyedList } from '../keyed-list';
import { callEventModel, type CallEventDoc } from '../models/call-event.model';
import { callRecordModel, type StoredCallRecordDoc } from '../models/call-record.model';
import { callbackRequestModel, type CallbackRequestDoc } from '../models/callback-request.model';

type Timeline = StoredCallRecordDoc['timeline'];

function stripTimeline(timeline: Timeline | undefined): Timeline {
  return (timeline ?? []).map((t) => (t.data ? { ...t, data: withoutCallerData(t.data) } : t));
}

/** The folded record kept as `detail`: its number emptied and its timeline stripped. */
function stripDetail(detail: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!detail) return null;
  const out: Record<string, unknown> = { ...detail };
  if ('callerNumber' in out) out['callerNumber'] = '';
  if ('callerName' in out) out['callerName'] = null;
  if (Array.isArray(out['timeline'])) {
    out['timeline'] = (out['timeline'] as Array<{ data?: Record<string, unknown> }>).map((t) => (t.data ? { ...t, data: withoutCallerData(t.data) } : t));
  }
  return out;
}

/** No placed call of the request is still in progress. */
const NO_CALL_RUNNING = { 'calls.outcome': { $ne: 'in-progress' } };

export class MongoPersonalDataStore implements PersonalDataStore {
  private readonly calls: Model<StoredCallRecordDoc>;
  private readonly events: Model<CallEventDoc>;
  private readonly callbacks: Model<CallbackRequestDoc>;
  private readonly history: KeyedList<CallHistoryEntry>;

  constructor(conn: Connection) {
    this.calls = callRecordModel(conn);
    this.events = callEventModel(conn);
    this.callbacks = callbackRequestModel(conn);
    this.history = callHistoryList(conn);
  }

  async callsDue(before: number, limit: number): Promise<DueCall[]> {
    const docs = await this.calls
      .find({ personalDataRemovedAt: null, startedAt: { $lt: new Date(before) } }, { callerNumber: 1, startedAt: 1 })
      .sort({ startedAt: 1 })
      .limit(limit)
      .lean<Array<{ _id: string; callerNumber?: string; startedAt: Date }>>();
    return docs.map((d) => ({ callId: d._id, callerNumber: d.callerNumber ?? '', startedAt: new Date(d.startedAt).getTime() }));
  }

  forgetInCallerIndex(callerNumber: string, callIds: ReadonlySet<string>, before: number): Promise<number> {
    return this.history.removeWhere(callerNumber, (v) => callIds.has(v.callId) || v.startedAt < before);
  }

  async stripEvents(callId: string): Promise<number> {
    const unset = Object.fromEntries(CALLER_DATA_FIELDS.map((f) => [`data.${f}`, '' as const]));
    const r = await this.events.collection.updateMany(
      { callId, $or: CALLER_DATA_FIELDS.map((f) => ({ [`data.${f}`]: { $exists: true } })) },
      { $unset: unset },
    );
    return r.modifiedCount;
  }

  async stripCall(callId: string, at: number): Promise<boolean> {
    const d = await this.calls.findOne({ _id: callId, personalDataRemovedAt: null }, { timeline: 1, detail: 1, version: 1 }).lean<Pick<StoredCallRecordDoc, '_id' | 'timeline' | 'detail' | 'version'>>();
    if (!d) return false;
    // Only the version read: a newer write of the call path meanwhile is looked at again next run.
    const r = await this.calls.collection.updateOne(
      { _id: callId, personalDataRemovedAt: null, version: d.version } as never,
      { $set: { callerNumber: '', callerName: null, timeline: stripTimeline(d.timeline), detail: stripDetail(d.detail), personalDataRemovedAt: new Date(at) } },
    );
    return r.modifiedCount > 0;
  }

  async callbacksDue(before: number, limit: number): Promise<string[]> {
    const docs = await this.callbacks
      .find({ personalDataRemovedAt: null, requestedAt: { $lt: new Date(before) }, ...NO_CALL_RUNNING }, { _id: 1 })
      .sort({ requestedAt: 1 })
      .limit(limit)
      .lean<Array<{ _id: unknown }>>();
    return docs.map((d) => String(d._id));
  }

  async stripCallback(id: string, at: number, by: string): Promise<boolean> {
    const doc = await this.callbacks.findById(id, { status: 1 }).lean<{ _id: unknown; status: string }>();
    if (!doc) return false;
    const when = new Date(at);
    const stillOpen = doc.status === 'open' || doc.status === 'assigned';
    const r = await this.callbacks.updateOne(
      { _id: doc._id, status: doc.status, personalDataRemovedAt: null, ...NO_CALL_RUNNING } as never,
      {
        $set: {
          callerNumber: '', note: null, personalDataRemovedAt: when,
          ...(stillOpen ? { status: 'closed' as const, result: 'unreachable', closedAt: when, closedBy: by } : {}),
        },
      },
    );
    return r.modifiedCount > 0;
  }
}

interface RunDoc extends Omit<PersonalDataRun, 'at' | 'before'> {
  at: Date;
  before: Date;
}

export class MongoPersonalDataAudit implements PersonalDataAudit {
  private readonly runs: Collection<RunDoc>;

  constructor(conn: Connection) {
    this.runs = conn.collection('personal_data_removals') as unknown as Collection<RunDoc>;
  }

  async recorded(run: PersonalDataRun): Promise<void> {
    await this.runs.insertOne({ ...run, at: new Date(run.at), before: new Date(run.before) });
  }
}
