/**
 * Callback requests (collection `callback_requests`, written first by the call path) as the callback
 * service reads and changes them: every change is one conditional update on the request, so two
 * people acting at once cannot both assign, place or close it.
 */
import { Types, type Connection, type Model } from 'mongoose';
import type { CallbackCall, CallbackCallOutcome, CallbackRequestRecord, CallbackResult, CallbackStatus } from '../../../domain/callback/callback';
import type { CallbackFilter, CallbackRepository, CallCaseLookup } from '../../../app/callbacks/callbacks.ports';
import type { CaseHandlers } from '../../../domain/access';
import { callbackRequestModel, type CallbackCallDoc, type CallbackRequestDoc } from '../models/callback-request.model';
import { callRecordModel, type StoredCallRecordDoc } from '../models/call-record.model';

type Stored = CallbackRequestDoc & { _id: Types.ObjectId };

const ms = (d: Date | null | undefined): number | null => (d ? new Date(d).getTime() : null);
const date = (n: number | null): Date | null => (n === null ? null : new Date(n));

function callOf(c: CallbackCallDoc): CallbackCall {
  return {
    callId: c.callId, agentId: c.agentId, placedAt: new Date(c.placedAt).getTime(), placedBy: c.placedBy,
    agentAnsweredAt: ms(c.agentAnsweredAt), citizenAnsweredAt: ms(c.citizenAnsweredAt), endedAt: ms(c.endedAt),
    outcome: c.outcome as CallbackCallOutcome, recording: c.recording ?? null, talkMs: c.talkMs ?? null,
  };
}

function recordOf(d: Stored): CallbackRequestRecord {
  return {
    id: String(d._id), callId: d.callId, callerNumber: d.callerNumber, queueId: d.queueId, requestedAt: new Date(d.requestedAt).getTime(),
    status: d.status === 'done' ? 'closed' : (d.status as CallbackStatus),
    assignedAgentId: d.assignedAgentId ?? null, assignedAt: ms(d.assignedAt), assignedBy: d.assignedBy ?? null,
    closedAt: ms(d.closedAt), closedBy: d.closedBy ?? null, result: (d.result ?? null) as CallbackResult | null, note: d.note ?? null,
    calls: (d.calls ?? []).map(callOf),
  };
}

const objectId = (id: string): Types.ObjectId | null => (Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null);

/** No placed call of the request is still in progress. */
const NO_CALL_RUNNING = { 'calls.outcome': { $ne: 'in-progress' } };

export class MongoCallbackRequests implements CallbackRepository, CallCaseLookup {
  private readonly model: Model<CallbackRequestDoc>;
  private readonly calls: Model<StoredCallRecordDoc>;

  constructor(conn: Connection) {
    this.model = callbackRequestModel(conn);
    this.calls = callRecordModel(conn);
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  async list(filter: CallbackFilter, page: number, pageSize: number): Promise<{ items: CallbackRequestRecord[]; total: number }> {
    const q: Record<string, unknown> = {};
    if (filter.status) q['status'] = filter.status === 'closed' ? { $in: ['closed', 'done'] } : filter.status;
    if (filter.assignedAgentId) q['assignedAgentId'] = filter.assignedAgentId;
    const [docs, total] = await Promise.all([
      this.model.find(q).sort({ requestedAt: 1, _id: 1 }).skip((page - 1) * pageSize).limit(pageSize).lean<Stored[]>(),
      this.model.countDocuments(q),
    ]);
    return { items: docs.map(recordOf), total };
  }

  async get(id: string): Promise<CallbackRequestRecord | null> {
    const _id = objectId(id);
    if (!_id) return null;
    const d = await this.model.findOne({ _id }).lean<Stored>();
    return d ? recordOf(d) : null;
  }

  async assign(id: string, agentId: string, by: string, at: number): Promise<CallbackRequestRecord | null> {
    const d = await this.model
      .findOneAndUpdate(
        { _id: objectId(id), status: { $in: ['open', 'assigned'] }, ...NO_CALL_RUNNING },
        { $set: { status: 'assigned', assignedAgentId: agentId, assignedAt: new Date(at), assignedBy: by } },
        { returnDocument: 'after' },
      )
      .lean<Stored>();
    return d ? recordOf(d) : null;
  }

  async startCall(id: string, call: CallbackCall): Promise<boolean> {
    const doc: CallbackCallDoc = {
      callId: call.callId, agentId: call.agentId, placedAt: new Date(call.placedAt), placedBy: call.placedBy, agentAnsweredAt: null,
      citizenAnsweredAt: null, endedAt: null, outcome: call.outcome, recording: null, talkMs: null,
    };
    const r = await this.model.updateOne(
      { _id: objectId(id), status: 'assigned', assignedAgentId: call.agentId, ...NO_CALL_RUNNING },
      { $push: { calls: doc } },
    );
    return r.modifiedCount === 1;
  }

  async finishCall(id: string, callId: string, end: Pick<CallbackCall, 'agentAnsweredAt' | 'citizenAnsweredAt' | 'endedAt' | 'outcome' | 'recording' | 'talkMs'>): Promise<void> {
    await this.model.updateOne(
      { _id: objectId(id), calls: { $elemMatch: { callId, outcome: 'in-progress' } } },
      {
        $set: {
          'calls.$.agentAnsweredAt': date(end.agentAnsweredAt), 'calls.$.citizenAnsweredAt': date(end.citizenAnsweredAt), 'calls.$.endedAt': date(end.endedAt),
          'calls.$.outcome': end.outcome, 'calls.$.recording': end.recording, 'calls.$.talkMs': end.talkMs,
        },
      },
    );
  }

  async close(id: string, by: string, at: number, result: CallbackResult, note: string | null): Promise<CallbackRequestRecord | null> {
    const d = await this.model
      .findOneAndUpdate(
        { _id: objectId(id), status: { $in: ['open', 'assigned'] }, ...NO_CALL_RUNNING },
        { $set: { status: 'closed', closedAt: new Date(at), closedBy: by, result, note } },
        { returnDocument: 'after' },
      )
      .lean<Stored>();
    return d ? recordOf(d) : null;
  }

  async callsInProgress(): Promise<{ requestId: string; call: CallbackCall }[]> {
    const docs = await this.model.find({ 'calls.outcome': 'in-progress' }).lean<Stored[]>();
    return docs.flatMap((d) => recordOf(d).calls.filter((c) => c.outcome === 'in-progress').map((call) => ({ requestId: String(d._id), call })));
  }

  async findCall(callId: string): Promise<{ request: CallbackRequestRecord; call: CallbackCall } | null> {
    const d = await this.model.findOne({ 'calls.callId': callId }).lean<Stored>();
    if (!d) return null;
    const request = recordOf(d);
    const call = request.calls.find((c) => c.callId === callId);
    return call ? { request, call } : null;
  }

  async caseOf(callId: string): Promise<{ confidential: boolean; handlers: CaseHandlers } | null> {
    const d = await this.calls
      .findOne({ _id: callId }, { agentId: 1, confidential: 1, handlingUnitIds: 1 })
      .lean<Pick<StoredCallRecordDoc, 'agentId' | 'confidential' | 'handlingUnitIds'>>();
    if (!d) return null;
    return { confidential: d.confidential === true, handlers: { handlingAgentId: d.agentId ?? null, handlingUnitIds: d.handlingUnitIds ?? [] } };
  }
}
