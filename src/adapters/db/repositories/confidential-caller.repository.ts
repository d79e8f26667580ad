/**
 * confidential_callers: one document per caller key (`_id`), with an opaque id (`ref`, how REST names
 * it), the reasons it was marked (`sources`), whether it is confidential now (`active`), and
 * `changedAt`, which every mark and withdrawal moves (the copies in memory read changes by it; docs/adr/0021,
 * 0027). confidential_caller_audit: one entry per change, with the number masked. Raw collection
 * updates by `_id`, portable to MongoDB and FerretDB.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Connection } from 'mongoose';
import type {
  CallerStanding,
  ConfidentialAuditEntry,
  ConfidentialCallerStore,
  ConfidentialMarkRecord,
  ConfidentialMarkRecords,
  MarkInput,
  MarkListQuery,
  WithdrawInput,
} from '../../../app/callers/callers.ports';
import { maskPhone, type Role } from '../../../domain/access';
import { callRecordModel } from '../models/call-record.model';

interface ConfidentialCallerDoc {
  _id: string;
  /** Absent on entries written before withdrawals existed: `init` gives them one. */
  ref?: string;
  since: Date;
  sources: string[];
  /** Absent: confidential (entries written before withdrawals existed). */
  active?: boolean;
  changedAt?: Date;
  reason?: string | null;
  markedBy?: string | null;
  withdrawnAt?: Date | null;
  withdrawnBy?: string | null;
  withdrawReason?: string | null;
}

interface AuditDoc {
  _id: string;
  markId: string;
  callerNumber: string;
  action: 'marked' | 'withdrawn';
  source: string | null;
  by: string | null;
  role: Role | null;
  reason: string | null;
  at: Date;
}

const standingOf = (d: ConfidentialCallerDoc): CallerStanding => ({ active: d.active !== false, withdrawnAt: d.active === false ? (d.withdrawnAt?.getTime() ?? null) : null });

export class MongoConfidentialCallers implements ConfidentialCallerStore, ConfidentialMarkRecords {
  private readonly collection: Collection<ConfidentialCallerDoc>;
  private readonly audit: Collection<AuditDoc>;

  constructor(private readonly conn: Connection) {
    this.collection = conn.collection<ConfidentialCallerDoc>('confidential_callers');
    this.audit = conn.collection<AuditDoc>('confidential_caller_audit');
  }

  /** Indexes; entries from before withdrawals existed get their id and `changedAt` (idempotent, any instance). */
  async init(): Promise<void> {
    await Promise.all([
      this.collection.createIndex({ changedAt: 1 }),
      this.collection.createIndex({ ref: 1 }),
      this.audit.createIndex({ markId: 1, at: 1 }),
    ]);
    const old = await this.collection.find({ ref: { $exists: false } }, { projection: { _id: 1, since: 1 } }).toArray();
    for (const d of old) {
      await this.collection.updateOne({ _id: d._id, ref: { $exists: false } }, { $set: { ref: randomUUID(), changedAt: d.since, active: true } });
    }
  }

  async standings(keys: readonly string[]): Promise<Map<string, CallerStanding>> {
    const docs = await this.collection.find({ _id: { $in: [...keys] } }, { projection: { _id: 1, active: 1, withdrawnAt: 1 } }).toArray();
    return new Map(docs.map((d) => [d._id, standingOf(d)]));
  }

  async changedSince(since: Date): Promise<Array<{ key: string; changedAt: Date } & CallerStanding>> {
    const docs = await this.collection.find({ changedAt: { $gte: since } }, { projection: { _id: 1, active: 1, withdrawnAt: 1, changedAt: 1 } }).toArray();
    return docs.map((d) => ({ key: d._id, changedAt: d.changedAt ?? since, ...standingOf(d) }));
  }

  async add(keys: readonly string[], m: MarkInput): Promise<Array<{ key: string; markId: string }>> {
    return Promise.all(
      keys.map(async (key) => {
        // A caller withdrawn earlier starts a new spell: its sources and `since` are this mark's.
        await this.collection.updateOne({ _id: key, active: false }, { $set: { since: m.at, sources: [] } });
        const d = await this.collection.findOneAndUpdate(
          { _id: key },
          {
            $set: { active: true, changedAt: m.at, reason: m.reason, markedBy: m.by?.userId ?? null, withdrawnAt: null, withdrawnBy: null, withdrawReason: null },
            $setOnInsert: { since: m.at, ref: randomUUID() },
            $addToSet: { sources: m.source },
          },
          { upsert: true, returnDocument: 'after' },
        );
        const markId = d?.ref ?? '';
        await this.audit.insertOne({
          _id: randomUUID(), markId, callerNumber: maskPhone(key), action: 'marked', source: m.source, by: m.by?.userId ?? null, role: m.by?.role ?? null, reason: m.reason, at: m.at,
        });
        return { key, markId };
      }),
    );
  }

  async withdraw(markId: string, w: WithdrawInput): Promise<{ key: string } | 'absent' | 'withdrawn'> {
    const d = await this.collection.findOneAndUpdate(
      { ref: markId, active: { $ne: false } },
      { $set: { active: false, changedAt: w.at, withdrawnAt: w.at, withdrawnBy: w.by.userId, withdrawReason: w.reason } },
      { returnDocument: 'after' },
    );
    if (!d) return (await this.collection.countDocuments({ ref: markId }, { limit: 1 })) > 0 ? 'withdrawn' : 'absent';
    await this.audit.insertOne({
      _id: randomUUID(), markId, callerNumber: maskPhone(d._id), action: 'withdrawn', source: null, by: w.by.userId, role: w.by.role, reason: w.reason, at: w.at,
    });
    return { key: d._id };
  }

  async callerOfCall(callId: string): Promise<string | null> {
    const d = await callRecordModel(this.conn).findOne({ _id: callId }, { callerNumber: 1 }).lean<{ callerNumber?: string }>();
    return d?.callerNumber || null;
  }

  async find(markId: string): Promise<ConfidentialMarkRecord | null> {
    const d = await this.collection.findOne({ ref: markId });
    return d ? recordOf(d) : null;
  }

  async list(q: MarkListQuery): Promise<{ items: ConfidentialMarkRecord[]; total: number }> {
    const filter: Record<string, unknown> = { ref: { $exists: true } };
    if (q.key !== undefined) filter['_id'] = q.key;
    if (q.state === 'active') filter['active'] = { $ne: false };
    if (q.state === 'withdrawn') filter['active'] = false;
    const [docs, total] = await Promise.all([
      this.collection.find(filter).sort({ changedAt: -1, _id: 1 }).skip((q.page - 1) * q.pageSize).limit(q.pageSize).toArray(),
      this.collection.countDocuments(filter),
    ]);
    return { items: docs.map(recordOf), total };
  }

  async auditOf(markId: string): Promise<ConfidentialAuditEntry[]> {
    const docs = await this.audit.find({ markId }).sort({ at: 1, _id: 1 }).toArray();
    return docs.map(({ _id: _ignored, ...e }) => e);
  }
}

function recordOf(d: ConfidentialCallerDoc): ConfidentialMarkRecord {
  const active = d.active !== false;
  return {
    markId: d.ref ?? '',
    key: d._id,
    active,
    since: d.since,
    changedAt: d.changedAt ?? d.since,
    sources: d.sources ?? [],
    reason: d.reason ?? null,
    markedBy: d.markedBy ?? null,
    withdrawal: !active && d.withdrawnAt ? { at: d.withdrawnAt, by: d.withdrawnBy ?? '', reason: d.withdrawReason ?? '' } : null,
  };
}
