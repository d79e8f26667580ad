/** UnitComplaintRepository over unit_complaints: conditional replace by revision, counts by an indexed range. */
import type { Collection, Connection, mongo } from 'mongoose';
import type { ComplaintGround, ComplaintStatus, UnitComplaint } from '../../../domain/work-order';
import type { ComplaintFilter, Page, UnitComplaintRepository } from '../../../app/work-orders/work-orders.ports';
import { unitComplaintModel, type UnitComplaintDoc } from '../models/unit-complaint.model';
import { ensureIndexes } from '../indexes';

type Filter<T> = mongo.Filter<T>;

function toComplaint(d: UnitComplaintDoc): UnitComplaint {
  return {
    id: d._id, unitId: d.unitId, ground: d.ground as ComplaintGround, description: d.description, complainedAt: d.complainedAt,
    recordedAt: d.recordedAt, recordedBy: d.recordedBy, status: d.status as ComplaintStatus,
    ...(d.orderId !== undefined ? { orderId: d.orderId } : {}),
    ...(d.judgedAt !== undefined ? { judgedAt: d.judgedAt } : {}),
    ...(d.judgedBy !== undefined ? { judgedBy: d.judgedBy } : {}),
    ...(d.finding !== undefined ? { finding: d.finding } : {}),
  };
}

function toDoc(c: UnitComplaint, rev: number): UnitComplaintDoc {
  const { id, ...rest } = c;
  return { ...rest, _id: id, rev };
}

export class MongoUnitComplaintRepository implements UnitComplaintRepository {
  private readonly docs: Collection<UnitComplaintDoc>;

  constructor(private readonly conn: Connection) {
    this.docs = unitComplaintModel(conn).collection as unknown as Collection<UnitComplaintDoc>;
  }

  async init(): Promise<void> {
    await ensureIndexes(unitComplaintModel(this.conn));
  }

  async insert(c: UnitComplaint): Promise<void> {
    await this.docs.insertOne(toDoc(c, 1), { ignoreUndefined: true });
  }

  async get(id: string): Promise<{ complaint: UnitComplaint; rev: number } | null> {
    const d = await this.docs.findOne({ _id: id });
    return d ? { complaint: toComplaint(d), rev: d.rev } : null;
  }

  async replace(c: UnitComplaint, expectedRev: number): Promise<boolean> {
    const res = await this.docs.replaceOne({ _id: c.id, rev: expectedRev }, toDoc(c, expectedRev + 1), { ignoreUndefined: true });
    return res.matchedCount === 1;
  }

  async list(f: ComplaintFilter, page: number, pageSize: number): Promise<Page<{ complaint: UnitComplaint; rev: number }>> {
    const q: Filter<UnitComplaintDoc> = {};
    if (f.unitId !== undefined) q['unitId'] = f.unitId;
    if (f.status !== undefined) q['status'] = f.status;
    if (f.from || f.to) q['complainedAt'] = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) };
    const [docs, total] = await Promise.all([
      this.docs.find(q).sort({ complainedAt: -1, _id: -1 }).skip((page - 1) * pageSize).limit(pageSize).toArray(),
      this.docs.countDocuments(q),
    ]);
    return { items: docs.map((d) => ({ complaint: toComplaint(d), rev: d.rev })), total, page, pageSize };
  }

  async countUpheld(from: Date, to: Date): Promise<Map<string, number>> {
    const docs = await this.docs.find({ status: 'upheld', complainedAt: { $gte: from, $lt: to } }, { projection: { unitId: 1 } }).toArray();
    const out = new Map<string, number>();
    for (const d of docs) out.set(d.unitId, (out.get(d.unitId) ?? 0) + 1);
    return out;
  }
}
