/**
 * WorkOrderRepository over the driver collections behind the mongoose models (the order is stored
 * as the domain value, so no casting layer is wanted).
 *
 * Every hot read and write filters by `_id` alone; lists by phone, numbers per day and the wake
 * schedule are KeyedLists (docs/database.md). Paged `list` queries filter by indexed fields.
 *
 * Optimistic concurrency: a write from revision r replaces the order only where it is still at r
 * (`replaceOne({ _id, rev: r })`), a single-document conditional write: of several concurrent
 * writers from the same revision exactly one matches (atomic on MongoDB and on the lab's FerretDB
 * v2; docs/database.md). The others, and a writer from an older revision, report a conflict.
 * Before the write, it is marked in the OrderChangeLog (if given): the sweep keeps orders it
 * read ahead until a mark says they changed.
 */
import { mongo, type Collection, type Connection } from 'mongoose';
import { ConflictError } from '../../../shared/errors';

type Filter<T> = mongo.Filter<T>;
import { DEADLINE_STAGES, TERMINAL_STATUSES, type DeadlineStage, type RepeatCandidate, type WorkOrder } from '../../../domain/work-order';
import type {
  Clock, OrderChangeLog, Page, RadarBackfillStore, RadarFields, RadarFilter, StoredWorkOrder, WakeSchedule, WorkOrderFilter, WorkOrderIndexFields, WorkOrderRepository,
} from '../../../app/work-orders/work-orders.ports';
import { RADAR_NO_DEADLINE } from '../../../app/work-orders/work-orders.ports';
import { workOrderModel, type WorkOrderDoc } from '../models/work-order.model';
import { KeyedList } from '../keyed-list';
import { wakeNeedsListing } from '../../../app/work-orders/lifecycle/work-order.index';
import { ensureIndexes } from '../indexes';

const INDEX_FIELDS = ['rev', 'wakeAt', 'nextNoticeAt', 'contactRetryAt', 'callbackDueAt', 'unitIds', 'phoneKey', 'handlerKeys', 'radarDueAt', 'radarStage', 'radarRemindAt'] as const;

export function toDoc(order: WorkOrder, rev: number, index: WorkOrderIndexFields): WorkOrderDoc {
  const { id, ...rest } = order;
  return { ...rest, _id: id, rev, ...index, unitIds: [...index.unitIds], handlerKeys: [...index.handlerKeys] } as unknown as WorkOrderDoc;
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
    ...(doc.radarDueAt ? { radarDueAt: doc.radarDueAt } : {}),
    ...(doc.radarStage ? { radarStage: doc.radarStage as DeadlineStage } : {}),
    ...(doc.radarRemindAt ? { radarRemindAt: doc.radarRemindAt } : {}),
  };
}

export interface WorkOrderRepositoryOptions {
  /** Where new wake times are listed for the sweep (none: the sweep is not used, e.g. a tool). */
  readonly wakes?: WakeSchedule;
  /** Where every write is marked before it is made (the sweep keeps orders it read ahead until then). */
  readonly changes?: OrderChangeLog;
  readonly clock?: Clock;
  /** The radar reads a window of due instants when more rows match (default 2,000; 0: always). */
  readonly radarWindowAbove?: number;
}

/** The radar reads a window of due instants when more rows than this match (see `radar`). */
const RADAR_WINDOW_ABOVE = 2_000;
/** Stop narrowing the window once the undecided part holds at most this many rows. */
const RADAR_WINDOW_SLACK = 1_500;
const RADAR_WINDOW_STEPS = 16;
const DAY_MS = 86_400_000;

/** A mark older than this is made again before the write (readers allow a few minutes of lag). */
const REMARK_AFTER_MS = 60_000;

export class MongoWorkOrderRepository implements WorkOrderRepository, RadarBackfillStore {
  private readonly orders: Collection<WorkOrderDoc>;
  /** Per-day number sequences: a unique insert per number, so two instances never share one. */
  private readonly numbers: KeyedList<null>;
  /** Order ids per normalized caller phone, newest last (repeat complaints, caller history). */
  private readonly byPhone: KeyedList<string>;
  private readonly wakes: WakeSchedule | undefined;
  private readonly changes: OrderChangeLog | undefined;
  private readonly clock: Clock;
  private readonly radarWindowAbove: number;

  constructor(
    private readonly conn: Connection,
    opts: WorkOrderRepositoryOptions = {},
  ) {
    this.orders = workOrderModel(conn).collection as unknown as Collection<WorkOrderDoc>;
    this.numbers = new KeyedList<null>(conn, 'work_order_numbers');
    this.byPhone = new KeyedList<string>(conn, 'work_orders_by_phone');
    this.wakes = opts.wakes;
    this.changes = opts.changes;
    this.clock = opts.clock ?? Date.now;
    this.radarWindowAbove = opts.radarWindowAbove ?? RADAR_WINDOW_ABOVE;
  }

  async init(): Promise<void> {
    await ensureIndexes(workOrderModel(this.conn));
  }

  async nextSequence(day: string): Promise<number> {
    return (await this.numbers.append(day, null)) + 1;
  }

  /**
   * One order per call: `work_order_calls` holds `_id` = call id → the order made from it, so of two
   * orders for one call (two agents, a retried POST without a key) only the first is kept; the
   * other gets 409 naming the existing order. (A unique `_id`, since FerretDB has no partial index.)
   */
  private async claimCall(callId: string, orderId: string): Promise<void> {
    const calls = this.conn.collection('work_order_calls') as unknown as Collection<{ _id: string; orderId: string }>;
    try {
      await calls.insertOne({ _id: callId, orderId });
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code !== 11000) throw err;
      const existing = await calls.findOne({ _id: callId });
      if (existing && existing.orderId !== orderId) {
        throw new ConflictError('a work order already exists for this call', { field: 'body.callId', orderId: existing.orderId });
      }
    }
  }

  private async releaseCall(callId: string, orderId: string): Promise<void> {
    await (this.conn.collection('work_order_calls') as unknown as Collection<{ _id: string; orderId: string }>).deleteOne({ _id: callId, orderId });
  }

  async insert(order: WorkOrder, index: WorkOrderIndexFields): Promise<StoredWorkOrder> {
    const doc = toDoc(order, 1, index);
    if (order.callId !== undefined) await this.claimCall(order.callId, order.id);
    // Listed before the order exists: a crash in between leaves a list entry without an order
    // (skipped by readers), never an order missing from a list.
    if (index.phoneKey) await this.byPhone.append(index.phoneKey, order.id);
    if (index.wakeAt) await this.wakes?.add(order.id, index.wakeAt, new Date(this.clock()));
    try {
      await this.orders.insertOne(doc, { ignoreUndefined: true });
    } catch (err) {
      if (order.callId !== undefined) await this.releaseCall(order.callId, order.id).catch(() => undefined);
      throw err;
    }
    return fromDoc(doc);
  }

  async get(id: string): Promise<StoredWorkOrder | null> {
    const d = await this.orders.findOne({ _id: id });
    return d ? fromDoc(d) : null;
  }

  /** Writes the order where it is still at `expectedRev`; the new revision, or null on a conflict. */
  async replace(order: WorkOrder, expectedRev: number, index: WorkOrderIndexFields): Promise<number | null> {
    const rev = expectedRev + 1;
    const doc = toDoc(order, rev, index);
    const markedAt = await this.mark(order.id);
    const head = await this.orders.findOne({ _id: order.id }, { projection: { rev: 1, wakeAt: 1, callId: 1 } });
    if (!head || head.rev !== expectedRev) return null;
    // Linked to a call (linkCall): the call must not have another order.
    if (order.callId !== undefined && order.callId !== head['callId']) await this.claimCall(order.callId, order.id);
    // Listed before the write: a writer that loses the race below leaves at most a spare wake entry
    // (the sweep finds nothing due), never an order missing from the schedule.
    await this.listWake(order.id, index.wakeAt, head.wakeAt);
    if (this.clock() - markedAt > REMARK_AFTER_MS) await this.mark(order.id);
    const { matchedCount } = await this.orders.replaceOne({ _id: order.id, rev: expectedRev }, doc, { ignoreUndefined: true });
    const previousCall = head['callId'];
    if (matchedCount === 1 && typeof previousCall === 'string' && previousCall !== order.callId) await this.releaseCall(previousCall, order.id);
    return matchedCount === 1 ? rev : null;
  }

  /**
   * Marks the order as changing now, before the write (see OrderChangeLog); returns when. A write
   * that then takes longer than REMARK_AFTER_MS marks again just before it lands.
   */
  private async mark(orderId: string): Promise<number> {
    const at = this.clock();
    await this.changes?.mark(orderId, new Date(at));
    return at;
  }

  /** Lists a new wake time; an unchanged one only while it is still due (the sweep drops done minutes). */
  private async listWake(orderId: string, wakeAt: Date | undefined, previous: Date | undefined): Promise<void> {
    const now = this.clock();
    if (wakeNeedsListing(wakeAt, previous, now)) await this.wakes?.add(orderId, wakeAt, new Date(now));
  }

  /** The newest orders of a caller (normalized phone), newest first, at most `limit`. */
  async recentByPhone(phoneKey: string, limit: number): Promise<StoredWorkOrder[]> {
    const ids = [...new Set((await this.byPhone.readLast(phoneKey, limit * 2)).map((e) => e.value))];
    const docs = await Promise.all(ids.map((id) => this.orders.findOne({ _id: id })));
    return docs
      .filter((d): d is WorkOrderDoc => d !== null)
      .map(fromDoc)
      .sort((a, b) => b.order.createdAt.getTime() - a.order.createdAt.getTime())
      .slice(0, limit);
  }

  async list(f: WorkOrderFilter, page: number, pageSize: number): Promise<Page<StoredWorkOrder>> {
    const q: Filter<WorkOrderDoc> = {};
    if (f.status && f.status.length > 0) q['status'] = { $in: [...f.status] };
    if (f.unitId !== undefined) q['unitIds'] = f.unitId;
    if (f.category !== undefined) q['category'] = f.category;
    if (f.urgency !== undefined) q['urgency'] = f.urgency;
    if (f.areaCode !== undefined) q['areaCode'] = f.areaCode;
    if (f.number !== undefined) q['number'] = f.number;
    if (f.callId !== undefined) q['callId'] = f.callId;
    if (f.phoneKey !== undefined) {
      q['phoneKey'] = f.phoneKey;
      // Orders written before handlerKeys existed have none: their confidential ones match nobody.
      if (f.searcherKeys !== undefined) q['$or'] = [{ 'caller.confidential': { $ne: true } }, { handlerKeys: { $in: [...f.searcherKeys] } }];
    }
    if (f.createdFrom || f.createdTo) {
      q['createdAt'] = { ...(f.createdFrom ? { $gte: f.createdFrom } : {}), ...(f.createdTo ? { $lt: f.createdTo } : {}) };
    }
    const [docs, total] = await Promise.all([
      this.orders.find(q).sort({ createdAt: -1, _id: -1 }).skip((page - 1) * pageSize).limit(pageSize).toArray(),
      this.orders.countDocuments(q),
    ]);
    return { items: docs.map(fromDoc), total, page, pageSize };
  }

  /**
   * Open orders soonest due first. Each filter leads an index ({unitIds|category|urgency|status,
   * radarDueAt, _id}, or {radarDueAt, _id} without one), so the matching rows are found by the
   * index; closed orders have no radarDueAt and fall outside the range. MongoDB also reads them in
   * index order. FerretDB v2 (DocumentDB) finds them by the index but sorts them in memory, reading
   * every matching document (≈ 1.5 s for 100,000): so when more than `radarWindowAbove` rows match,
   * the page is read from a window of due instants just wide enough to hold it, found by counting
   * (index-only and cheap) and halving the window (bench/desk.bench.ts; ADR 0017).
   */
  async radar(f: RadarFilter, page: number, pageSize: number): Promise<Page<StoredWorkOrder>> {
    const q: Filter<WorkOrderDoc> = {};
    if (f.unitId !== undefined) q['unitIds'] = f.unitId;
    if (f.category !== undefined) q['category'] = f.category;
    if (f.urgency !== undefined) q['urgency'] = f.urgency;
    if (f.level === 'warning') q['radarRemindAt'] = { $lte: f.now };
    if (f.status && f.status.length > 0) q['status'] = { $in: [...f.status] };
    const lo = f.level === 'warning' ? f.now.getTime() : 0;
    const hi = f.level === 'overdue' ? f.now.getTime() : RADAR_NO_DEADLINE.getTime() + 1;
    const within = (a: number, b: number): Filter<WorkOrderDoc> => ({ ...q, radarDueAt: { $gte: new Date(a), $lt: new Date(b) } });
    const total = await this.orders.countDocuments(within(lo, hi));
    const need = page * pageSize;
    // 临期 also filters on radarRemindAt, which no index leads: its counts would read the documents.
    const windowed = f.level !== 'warning' && total > this.radarWindowAbove && need < total;
    const end = windowed ? await this.radarWindowEnd(within, lo, hi, need, total) : hi;
    const docs = await this.orders.find(within(lo, end)).sort({ radarDueAt: 1, _id: 1 }).skip((page - 1) * pageSize).limit(pageSize).toArray();
    return { items: docs.map(fromDoc), total, page, pageSize };
  }

  /**
   * An end instant `t` such that [lo, t) holds at least `need` rows and not many more: bisection on
   * time, counting only the half being decided (the counts shrink with the interval). It stops once
   * the undecided interval holds at most RADAR_WINDOW_SLACK rows or after RADAR_WINDOW_STEPS counts.
   */
  private async radarWindowEnd(within: (a: number, b: number) => Filter<WorkOrderDoc>, lo: number, hi: number, need: number, total: number): Promise<number> {
    let below = 0; // rows in [lo, low): fewer than need
    let upTo = total; // rows in [lo, high): at least need
    let low = lo;
    let high = hi;
    for (let step = 0; step < RADAR_WINDOW_STEPS && upTo - below > RADAR_WINDOW_SLACK; step += 1) {
      const now = this.clock();
      // Far ends (no lower bound, the no-deadline key) are first split around today, not in the middle of 1970…9999.
      const from = low <= 0 ? Math.min(now, high) - 366 * DAY_MS : low;
      const to = high > now + 3650 * DAY_MS ? Math.max(now, from) + 366 * DAY_MS : high;
      const mid = Math.max(low + 1, Math.min(high - 1, Math.floor((from + to) / 2)));
      if (mid <= low || mid >= high) break;
      const n = await this.orders.countDocuments(within(low, mid));
      if (below + n >= need) {
        high = mid;
        upTo = below + n;
      } else {
        below += n;
        low = mid;
      }
    }
    return high;
  }

  /**
   * Ids of open orders with an open provisional deadline. Not indexed: it runs when a calendar year is
   * added or corrected (a few times a year), and a field match works on orders written before this query existed.
   */
  async byStatus(status: string, afterId: string, limit: number): Promise<StoredWorkOrder[]> {
    const docs = await this.orders.find({ status, _id: { $gt: afterId } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(fromDoc);
  }

  /** Not indexed: it runs once per start, and `_id` order lets it go through the orders in batches. */
  async withoutRadar(afterId: string, limit: number): Promise<StoredWorkOrder[]> {
    const q: Filter<WorkOrderDoc> = { _id: { $gt: afterId }, status: { $nin: [...TERMINAL_STATUSES] }, radarDueAt: { $exists: false } };
    return (await this.orders.find(q).sort({ _id: 1 }).limit(limit).toArray()).map(fromDoc);
  }

  async setRadar(id: string, rev: number, fields: RadarFields): Promise<boolean> {
    if (!fields.radarDueAt) return false;
    const r = await this.orders.updateOne({ _id: id, rev, radarDueAt: { $exists: false } }, { $set: { ...fields } });
    return r.modifiedCount === 1;
  }

  async openWithProvisionalDeadlines(): Promise<string[]> {
    const q: Filter<WorkOrderDoc> = {
      status: { $nin: [...TERMINAL_STATUSES] },
      $or: DEADLINE_STAGES.map((s) => ({ [`deadlines.${s}.provisional`]: true, [`deadlines.${s}.metAt`]: { $exists: false } })),
    };
    const docs = await this.orders.find(q, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id);
  }

  async findRepeatCandidates(phoneKey: string, since: Date, limit: number): Promise<RepeatCandidate[]> {
    const recent = await this.recentByPhone(phoneKey, limit);
    return recent
      .filter((s) => s.order.createdAt.getTime() >= since.getTime())
      .map(({ order: o }) => ({
        id: o.id, phone: o.caller.phone ?? phoneKey, category: o.category, areaCode: o.areaCode,
        acceptedAt: o.acceptedAt ?? o.createdAt, ...(o.repeatOf ? { repeatOf: o.repeatOf } : {}),
      }));
  }
}
