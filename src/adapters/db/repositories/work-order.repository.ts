/**
 * WorkOrderRepository over the driver collections behind the mongoose
 * models (the order is stored as the domain value, so no casting layer is wanted). Aggregation
 * uses only $match/$group($sum)/$sort/$limit.
 *
 * Optimistic concurrency: a write from revision r first inserts the claim `<orderId>:<r+1>`
 * (unique `_id`), then replaces the order where `rev < r+1`. Only one writer can insert a claim,
 * so exactly one of several concurrent writers wins, also on FerretDB v1, whose conditional
 * updates are not atomic under concurrency (two `replaceOne({_id, rev})` may both match). A writer
 * that finds the claim taken reports a conflict; if the claim is older than `rollForwardMs` and the
 * order still lags behind it, its state is applied first (the claimant died between the two steps).
 */
import type { Collection, Connection, mongo } from 'mongoose';

type Filter<T> = mongo.Filter<T>;
import type { RepeatCandidate, WorkOrder } from '../../../domain/work-order';
import type { Page, StoredWorkOrder, WorkOrderFilter, WorkOrderIndexFields, WorkOrderRepository } from '../../../app/work-orders/ports';
import {
  revisionClaimModel, workOrderCounterModel, workOrderModel, type CounterDoc, type RevisionClaimDoc, type WorkOrderDoc,
} from '../models/work-order.model';

const DUPLICATE_KEY = 11000;
const INDEX_FIELDS = ['rev', 'wakeAt', 'nextNoticeAt', 'contactRetryAt', 'callbackDueAt', 'unitIds', 'phoneKey'] as const;

export function toDoc(order: WorkOrder, rev: number, index: WorkOrderIndexFields): WorkOrderDoc {
  const { id, ...rest } = order;
  return { ...rest, _id: id, rev, ...index, unitIds: [...index.unitIds] } as unknown as WorkOrderDoc;
}

export function fromDoc(doc: WorkOrderDoc): StoredWorkOrder {
  const { _id, ...rest } = doc as Record<string, unknown> & { _id: string };
  for (const f of INDEX_FIELDS) delete rest[f];
  return {
    order: { ...(rest as unknown as Omit<WorkOrder, 'id'>), id: _id },
    rev: doc.rev,
    ...(doc.wakeAt ? { wakeAt: doc.wakeAt } : {}),
    ...(doc.nextNoticeAt ? { nextNoticeAt: doc.nextNoticeAt } : {}),
    ...(doc.contactRetryAt ? { contactRetryAt: doc.contactRetryAt } : {}),
    ...(doc.callbackDueAt ? { callbackDueAt: doc.callbackDueAt } : {}),
  };
}

const isDuplicate = (err: unknown): boolean => (err as { code?: number }).code === DUPLICATE_KEY;

export class MongoWorkOrderRepository implements WorkOrderRepository {
  private readonly orders: Collection<WorkOrderDoc>;
  private readonly counters: Collection<CounterDoc>;
  private readonly claims: Collection<RevisionClaimDoc>;

  constructor(
    private readonly conn: Connection,
    private readonly rollForwardMs = 5_000,
  ) {
    this.orders = workOrderModel(conn).collection as unknown as Collection<WorkOrderDoc>;
    this.counters = workOrderCounterModel(conn).collection as unknown as Collection<CounterDoc>;
    this.claims = revisionClaimModel(conn).collection as unknown as Collection<RevisionClaimDoc>;
  }

  async init(): Promise<void> {
    await workOrderModel(this.conn).createIndexes();
    await workOrderCounterModel(this.conn).createIndexes();
    await revisionClaimModel(this.conn).createIndexes();
  }

  async nextSequence(day: string): Promise<number> {
    const d = await this.counters.findOneAndUpdate({ _id: `WO:${day}` }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    if (!d) throw new Error('work order counter did not return a value');
    return d.seq;
  }

  async insert(order: WorkOrder, index: WorkOrderIndexFields): Promise<StoredWorkOrder> {
    const doc = toDoc(order, 1, index);
    await this.orders.insertOne(doc, { ignoreUndefined: true });
    return fromDoc(doc);
  }

  async get(id: string): Promise<StoredWorkOrder | null> {
    const d = await this.orders.findOne({ _id: id });
    return d ? fromDoc(d) : null;
  }

  async replace(order: WorkOrder, expectedRev: number, index: WorkOrderIndexFields, absentNoticeKeys: readonly string[] = []): Promise<number | null> {
    const rev = expectedRev + 1;
    const doc = toDoc(order, rev, index);
    const claimId = `${order.id}:${rev}`;
    try {
      await this.claims.insertOne({ _id: claimId, orderId: order.id, rev, at: new Date(), doc }, { ignoreUndefined: true });
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      await this.rollForward(claimId);
      return null;
    }
    const filter: Filter<WorkOrderDoc> = { _id: order.id, rev: { $lt: rev } };
    if (absentNoticeKeys.length > 0) filter['sentNoticeKeys'] = { $nin: [...absentNoticeKeys] };
    const res = await this.orders.replaceOne(filter, doc, { ignoreUndefined: true });
    if (res.matchedCount !== 1) {
      // Our read was older than the order (its earlier claim had been cleaned up): not ours to write.
      const head = await this.orders.findOne({ _id: order.id }, { projection: { rev: 1 } });
      if (head?.rev !== rev) {
        await this.claims.deleteOne({ _id: claimId });
        return null;
      }
    }
    await this.claims.deleteMany({ orderId: order.id, rev: { $lt: rev } });
    return rev;
  }

  /** Applies a claim whose writer never finished (older than rollForwardMs) to the order. */
  private async rollForward(claimId: string): Promise<void> {
    const claim = await this.claims.findOne({ _id: claimId });
    if (!claim || Date.now() - claim.at.getTime() < this.rollForwardMs) return;
    await this.orders.replaceOne({ _id: claim.orderId, rev: { $lt: claim.rev } }, claim.doc, { ignoreUndefined: true });
  }

  async list(f: WorkOrderFilter, page: number, pageSize: number): Promise<Page<StoredWorkOrder>> {
    const q: Filter<WorkOrderDoc> = {};
    if (f.status && f.status.length > 0) q['status'] = { $in: [...f.status] };
    if (f.unitId !== undefined) q['unitIds'] = f.unitId;
    if (f.category !== undefined) q['category'] = f.category;
    if (f.urgency !== undefined) q['urgency'] = f.urgency;
    if (f.areaCode !== undefined) q['areaCode'] = f.areaCode;
    if (f.number !== undefined) q['number'] = f.number;
    if (f.phoneKey !== undefined) q['phoneKey'] = f.phoneKey;
    if (f.createdFrom || f.createdTo) {
      q['createdAt'] = { ...(f.createdFrom ? { $gte: f.createdFrom } : {}), ...(f.createdTo ? { $lt: f.createdTo } : {}) };
    }
    const [docs, total] = await Promise.all([
      this.orders.find(q).sort({ createdAt: -1, _id: -1 }).skip((page - 1) * pageSize).limit(pageSize).toArray(),
      this.orders.countDocuments(q),
    ]);
    return { items: docs.map(fromDoc), total, page, pageSize };
  }

  async findRepeatCandidates(phoneKey: string, since: Date, limit: number): Promise<RepeatCandidate[]> {
    const docs = await this.orders
      .find({ phoneKey, createdAt: { $gte: since } })
      .project<{ _id: string; caller?: { phone?: string }; category: string; areaCode: string; acceptedAt?: Date; createdAt: Date; repeatOf?: string }>(
        { _id: 1, 'caller.phone': 1, category: 1, areaCode: 1, acceptedAt: 1, createdAt: 1, repeatOf: 1 },
      )
      .sort({ createdAt: -1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({
      id: d._id, phone: d.caller?.phone ?? phoneKey, category: d.category, areaCode: d.areaCode,
      acceptedAt: d.acceptedAt ?? d.createdAt, ...(d.repeatOf ? { repeatOf: d.repeatOf } : {}),
    }));
  }

  async findDue(now: Date, limit: number, after?: { wakeAt: Date; id: string }): Promise<StoredWorkOrder[]> {
    const q: Filter<WorkOrderDoc> = after
      ? { wakeAt: { $lte: now }, $or: [{ wakeAt: { $gt: after.wakeAt } }, { wakeAt: after.wakeAt, _id: { $gt: after.id } }] }
      : { wakeAt: { $lte: now } };
    const docs = await this.orders.find(q).sort({ wakeAt: 1, _id: 1 }).limit(limit).toArray();
    return docs.map(fromDoc);
  }
}
