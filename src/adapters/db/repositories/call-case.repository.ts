/**
 * The work-order side of call records (collection `calls`): the case fields a work order adds to the
 * call it was made from. Written by `_id` only, with `$addToSet` and a `$set` of `true`, as an upsert:
 * a call marked before its first record is stored gets a small document the call path fills in
 * (call-store.ts), and the call path never writes these fields. Portable to MongoDB and FerretDB.
 */
import type { Connection, Model } from 'mongoose';
import type { CallCase, CallCases } from '../../../app/work-orders/work-orders.ports';
import type { CallSubject } from '../../../domain/access';
import { callRecordModel, type StoredCallRecordDoc } from '../models/call-record.model';

export class MongoCallCases implements CallCases {
  private readonly model: Model<StoredCallRecordDoc>;

  constructor(conn: Connection) {
    this.model = callRecordModel(conn);
  }

  async subject(callId: string): Promise<CallSubject | null> {
    const d = await this.model
      .findOne({ _id: callId }, { version: 1, agentId: 1, agentIds: 1, attempts: 1, unitIds: 1, handlingUnitIds: 1 })
      .lean<Pick<StoredCallRecordDoc, 'version' | 'agentId' | 'agentIds' | 'attempts' | 'unitIds' | 'handlingUnitIds'>>();
    if (!d || d.version === undefined) return null;
    const agentIds = new Set<string>([...(d.agentIds ?? []), ...(d.attempts ?? []).map((a) => a.agentId)]);
    if (d.agentId) agentIds.add(d.agentId);
    return {
      kind: 'call',
      agentIds: [...agentIds],
      handlingAgentId: d.agentId ?? null,
      unitIds: d.unitIds ?? [],
      handlingUnitIds: d.handlingUnitIds ?? [],
    };
  }

  /** The call's recording (the call path stores its name on the record) and its answering agent. */
  async recordingOf(callId: string): Promise<{ name: string; handlingAgentId: string | null } | null> {
    const d = await this.model.findOne({ _id: callId }, { recording: 1, agentId: 1 }).lean<Pick<StoredCallRecordDoc, 'recording' | 'agentId'>>();
    return d?.recording ? { name: d.recording, handlingAgentId: d.agentId ?? null } : null;
  }

  async mark(callId: string, c: CallCase): Promise<void> {
    const add: Record<string, { $each: string[] }> = {};
    if (c.unitIds.length > 0) add['unitIds'] = { $each: [...c.unitIds] };
    if (c.handlingUnitIds.length > 0) add['handlingUnitIds'] = { $each: [...c.handlingUnitIds] };
    const update: Record<string, unknown> = { $setOnInsert: { callId } };
    if (c.confidential) update['$set'] = { confidential: true };
    if (Object.keys(add).length > 0) update['$addToSet'] = add;
    if (!c.confidential && Object.keys(add).length === 0) return;
    // The raw collection: mongoose would add the schema's defaults to a document made by the upsert.
    await this.model.collection.updateOne({ _id: callId } as never, update, { upsert: true });
  }
}
