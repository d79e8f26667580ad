/**
 * confidential_callers: one document per caller key (`_id`), with the first and every later reason
 * it was marked (`sources`, added to), never removed (docs/adr/0021). Raw collection updates by `_id`:
 * an upsert with `$setOnInsert` and `$addToSet`, portable to MongoDB and FerretDB.
 */
import type { Collection, Connection } from 'mongoose';
import type { ConfidentialCallerStore } from '../../../app/callers/confidential-callers';
import { callRecordModel } from '../models/call-record.model';

interface ConfidentialCallerDoc {
  _id: string;
  since: Date;
  sources: string[];
}

export class MongoConfidentialCallers implements ConfidentialCallerStore {
  private readonly collection: Collection<ConfidentialCallerDoc>;

  constructor(private readonly conn: Connection) {
    this.collection = conn.collection<ConfidentialCallerDoc>('confidential_callers');
  }

  async marked(keys: readonly string[]): Promise<Set<string>> {
    const docs = await this.collection.find({ _id: { $in: [...keys] } }, { projection: { _id: 1 } }).toArray();
    return new Set(docs.map((d) => d._id));
  }

  async markedSince(since: Date): Promise<Array<{ key: string; since: Date }>> {
    const docs = await this.collection.find({ since: { $gte: since } }, { projection: { _id: 1, since: 1 } }).toArray();
    return docs.map((d) => ({ key: d._id, since: d.since }));
  }

  /** For `markedSince`. */
  async init(): Promise<void> {
    await this.collection.createIndex({ since: 1 });
  }

  async add(keys: readonly string[], source: string, at: Date): Promise<void> {
    await Promise.all(keys.map((key) => this.collection.updateOne({ _id: key }, { $setOnInsert: { since: at }, $addToSet: { sources: source } }, { upsert: true })));
  }

  async callerOfCall(callId: string): Promise<string | null> {
    const d = await callRecordModel(this.conn).findOne({ _id: callId }, { callerNumber: 1 }).lean<{ callerNumber?: string }>();
    return d?.callerNumber || null;
  }
}
