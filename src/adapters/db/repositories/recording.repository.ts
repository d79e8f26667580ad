/**
 * Calls' recordings as the database knows them: the name on an inbound call's record (`calls`) or on
 * a placed callback (`callback_requests.calls`), who handles the call's case, and the audit of every
 * listen (`recording_access`) and of every deletion after the retention period (`recording_deletions`).
 */
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import type { CallRecordingRef, RecordingAccess, RecordingAudit, RecordingCatalogue, RecordingDeletion } from '../../../app/callbacks/callbacks.ports';
import { callRecordModel, type StoredCallRecordDoc } from '../models/call-record.model';
import { callbackRequestModel, type CallbackRequestDoc } from '../models/callback-request.model';

type CallFields = Pick<StoredCallRecordDoc, '_id' | 'recording' | 'startedAt' | 'agentId' | 'confidential' | 'handlingUnitIds'>;

function fromCall(d: CallFields): CallRecordingRef | null {
  if (!d.recording) return null;
  return {
    callId: d._id, name: d.recording, startedAt: new Date(d.startedAt).getTime(), confidential: d.confidential === true,
    handlers: { handlingAgentId: d.agentId ?? null, handlingUnitIds: d.handlingUnitIds ?? [] },
  };
}

const CALL_FIELDS = { recording: 1, startedAt: 1, agentId: 1, confidential: 1, handlingUnitIds: 1 };

export class MongoRecordingCatalogue implements RecordingCatalogue {
  private readonly calls: Model<StoredCallRecordDoc>;
  private readonly callbacks: Model<CallbackRequestDoc>;

  constructor(conn: Connection) {
    this.calls = callRecordModel(conn);
    this.callbacks = callbackRequestModel(conn);
  }

  async find(callId: string): Promise<CallRecordingRef | null> {
    const d = await this.calls.findOne({ _id: callId }, CALL_FIELDS).lean<CallFields>();
    if (d) return fromCall(d);
    const cb = await this.callbacks.findOne({ 'calls.callId': callId }).lean<CallbackRequestDoc>();
    const c = cb?.calls?.find((x) => x.callId === callId);
    if (!cb || !c?.recording) return null;
    // A callback's conversation is the placing agent's; confidential when the inbound call's case is.
    const inbound = await this.calls.findOne({ _id: cb.callId }, CALL_FIELDS).lean<CallFields>();
    return {
      callId, name: c.recording, startedAt: new Date(c.placedAt).getTime(), confidential: inbound?.confidential === true,
      handlers: { handlingAgentId: c.agentId, handlingUnitIds: inbound?.handlingUnitIds ?? [] },
    };
  }

  async olderThan(before: number, limit: number): Promise<CallRecordingRef[]> {
    const cutoff = new Date(before);
    const calls = await this.calls
      .find({ startedAt: { $lt: cutoff }, recording: { $type: 'string' } }, CALL_FIELDS)
      .sort({ startedAt: 1 })
      .limit(limit)
      .lean<CallFields[]>();
    const out = calls.flatMap((d) => fromCall(d) ?? []);
    if (out.length >= limit) return out;
    const cbs = await this.callbacks.find({ calls: { $elemMatch: { placedAt: { $lt: cutoff }, recording: { $type: 'string' } } } }).limit(limit).lean<CallbackRequestDoc[]>();
    for (const cb of cbs) {
      for (const c of cb.calls ?? []) {
        if (!c.recording || new Date(c.placedAt) >= cutoff || out.length >= limit) continue;
        out.push({ callId: c.callId, name: c.recording, startedAt: new Date(c.placedAt).getTime(), confidential: false, handlers: { handlingAgentId: c.agentId, handlingUnitIds: [] } });
      }
    }
    return out;
  }

  async markPurged(callId: string, at: number): Promise<void> {
    const r = await this.calls.collection.updateOne({ _id: callId } as never, { $set: { recording: null, recordingPurgedAt: new Date(at) } });
    if (r.matchedCount > 0) return;
    await this.callbacks.updateOne({ 'calls.callId': callId }, { $set: { 'calls.$.recording': null, 'calls.$.recordingPurgedAt': new Date(at) } });
  }
}

interface AccessDoc {
  callId: string;
  recording: string;
  userId: string;
  role: string;
  at: Date;
  range: { start: number; end: number } | null;
}

interface DeletionDoc {
  _id: string;
  callId: string;
  recording: string;
  callStartedAt: Date;
  retentionDays: number;
  at: Date;
  by: string;
}

const accessSchema = new Schema<AccessDoc>(
  {
    callId: { type: String, required: true },
    recording: { type: String, required: true },
    userId: { type: String, required: true },
    role: { type: String, required: true },
    at: { type: Date, required: true },
    range: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'recording_access', versionKey: false },
);
accessSchema.index({ callId: 1, at: 1 });
accessSchema.index({ userId: 1, at: 1 });

// One entry per deleted recording (`_id` = its name): a run finished by the next writes it once.
const deletionSchema = new Schema<DeletionDoc>(
  {
    _id: { type: String, required: true },
    callId: { type: String, required: true },
    recording: { type: String, required: true },
    callStartedAt: { type: Date, required: true },
    retentionDays: { type: Number, required: true },
    at: { type: Date, required: true },
    by: { type: String, required: true },
  },
  { collection: 'recording_deletions', versionKey: false },
);

export class MongoRecordingAudit implements RecordingAudit {
  private readonly access: Model<AccessDoc>;
  private readonly deletions: Model<DeletionDoc>;

  constructor(conn: Connection) {
    this.access = (conn.models['RecordingAccess'] as Model<AccessDoc> | undefined) ?? conn.model<AccessDoc>('RecordingAccess', accessSchema);
    this.deletions = (conn.models['RecordingDeletion'] as Model<DeletionDoc> | undefined) ?? conn.model<DeletionDoc>('RecordingDeletion', deletionSchema);
  }

  async init(): Promise<void> {
    await Promise.all([this.access.createIndexes(), this.deletions.createIndexes()]);
  }

  async listened(e: RecordingAccess): Promise<void> {
    await this.access.create({ callId: e.callId, recording: e.recording, userId: e.userId, role: e.role, at: new Date(e.at), range: e.range ? { start: e.range.start, end: e.range.end } : null });
  }

  async deleted(e: RecordingDeletion): Promise<void> {
    await this.deletions.updateOne(
      { _id: e.recording },
      { $setOnInsert: { callId: e.callId, recording: e.recording, callStartedAt: new Date(e.callStartedAt), retentionDays: e.retentionDays, at: new Date(e.at), by: e.by } },
      { upsert: true },
    );
  }

  async listensOf(callId: string): Promise<RecordingAccess[]> {
    const docs = await this.access.find({ callId }).sort({ at: 1 }).lean<AccessDoc[]>();
    return docs.map((d) => ({ callId: d.callId, recording: d.recording, userId: d.userId, role: d.role, at: new Date(d.at).getTime(), range: d.range ?? null }));
  }
}
