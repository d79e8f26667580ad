/**
 * WorkOrderRollupStore (app/work-orders/reporting/work-order-facts.service.ts). The collections are
 * keyed by `_id` and stay small (see docs/database.md, "Designs from the FerretDB v1 days that stay"):
 *
 *  - work_order_fact_changes: KeyedList `h:<epoch hour>` of the order writes (the change log;
 *    appended by every instance, atomic through unique slot inserts). Only the hours not folded
 *    and closed yet are kept; a list is read with one range query (KeyedList.scan);
 *  - work_order_fold: `S` the fold state and `B|<seq>` the batch being applied (write-ahead);
 *  - work_order_rollups: `<gen>|P|…`, `<gen>|O|…`, `<gen>|T|…` the sums per period;
 *  - work_order_rollup_days: `<gen>|D|…` the open due instants of one period and day.
 * Sums, batches and the state are JSON strings: nobody queries inside them, and one string is
 * cheaper to store and read than deep nested arrays.
 *
 * Bulk replacements go at most 50 to a request, so one request stays small whatever the size of
 * a fold's batch (the work-order bench's figures were measured with this size).
 */
import type { Collection, Connection } from 'mongoose';
import type {
  FactChange, FoldBatch, FoldState, PackedFactRow, StoredRollup, StoredWorkOrder, WorkOrderRollupStore,
} from '../../../app/work-orders/work-orders.ports';
import { KeyedList } from '../keyed-list';
import { workOrderModel, type WorkOrderDoc } from '../models/work-order.model';
import { fromDoc } from './work-order.repository';

const DUPLICATE_KEY = 11000;
/** Statements per bulk write (see the header). */
const BULK = 50;

const isDuplicate = (err: unknown): boolean => (err as { code?: number }).code === DUPLICATE_KEY;

interface ChangeValue {
  o: string;
  r: number;
  /** JSON of { old, rows }. */
  d: string;
}
interface ControlDoc {
  _id: string;
  seq: number;
  at?: number;
  body: string;
}
interface RollupDoc {
  _id: string;
  g: number;
  seq: number;
  b: string;
}

const STATE_ID = 'S';
const batchId = (seq: number): string => `B|${seq}`;
const genId = (gen: number, id: string): string => `${gen}|${id}`;
const isDayDoc = (id: string): boolean => id.startsWith('D|');

interface BatchBody {
  gen: number;
  deltas: [string, [string, number][]][];
  after: FoldState;
}

export class MongoWorkOrderRollupStore implements WorkOrderRollupStore {
  private readonly changes: KeyedList<ChangeValue>;
  private readonly control: Collection<ControlDoc>;
  private readonly rollups: Collection<RollupDoc>;
  private readonly days: Collection<RollupDoc>;

  constructor(private readonly conn: Connection) {
    this.changes = new KeyedList<ChangeValue>(conn, 'work_order_fact_changes');
    this.control = conn.collection('work_order_fold') as unknown as Collection<ControlDoc>;
    this.rollups = conn.collection('work_order_rollups') as unknown as Collection<RollupDoc>;
    this.days = conn.collection('work_order_rollup_days') as unknown as Collection<RollupDoc>;
  }

  private of(id: string): Collection<RollupDoc> {
    return isDayDoc(id) ? this.days : this.rollups;
  }

  async appendChange(hour: number, change: FactChange): Promise<void> {
    const value = { o: change.orderId, r: change.rev, d: JSON.stringify({ old: change.old, rows: change.rows }) };
    await this.changes.append(`h:${hour}`, value);
  }

  async readChanges(hour: number): Promise<FactChange[]> {
    return (await this.changes.scan(`h:${hour}`)).map(({ value: v }) => {
      const d = JSON.parse(v.d) as { old: PackedFactRow[]; rows: PackedFactRow[] };
      return { orderId: v.o, rev: v.r, old: d.old, rows: d.rows };
    });
  }

  async dropChanges(hour: number): Promise<void> {
    await this.changes.drop(`h:${hour}`);
  }

  async readState(): Promise<FoldState | null> {
    const d = await this.control.findOne({ _id: STATE_ID });
    return d ? (JSON.parse(d.body) as FoldState) : null;
  }

  async createState(state: FoldState): Promise<void> {
    try {
      await this.control.insertOne({ _id: STATE_ID, seq: state.seq, body: JSON.stringify(state) });
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
  }

  async writeState(state: FoldState): Promise<void> {
    await this.control.replaceOne({ _id: STATE_ID }, { seq: state.seq, body: JSON.stringify(state) }, { upsert: true });
  }

  async readBatch(seq: number): Promise<FoldBatch | null> {
    const d = await this.control.findOne({ _id: batchId(seq) });
    if (!d) return null;
    const b = JSON.parse(d.body) as BatchBody;
    return { seq, at: d.at ?? 0, gen: b.gen, deltas: new Map(b.deltas.map(([id, kv]) => [id, new Map(kv)])), after: b.after };
  }

  async insertBatch(batch: FoldBatch): Promise<boolean> {
    const body: BatchBody = { gen: batch.gen, deltas: [...batch.deltas].map(([id, bag]) => [id, [...bag]]), after: batch.after };
    try {
      // A retry after an insert that did land reads as "taken": the fold then treats its own batch
      // as another folder's and completes it once stale.
      await this.control.insertOne({ _id: batchId(batch.seq), seq: batch.seq, at: batch.at, body: JSON.stringify(body) });
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  async deleteBatch(seq: number): Promise<void> {
    await this.control.deleteOne({ _id: batchId(seq) });
  }

  async readRollups(gen: number, ids: readonly string[]): Promise<Map<string, StoredRollup>> {
    const docs = await Promise.all(ids.map((id) => this.of(id).findOne({ _id: genId(gen, id) })));
    const out = new Map<string, StoredRollup>();
    docs.forEach((d, i) => {
      if (d) out.set(ids[i] as string, { seq: d.seq, bag: new Map(JSON.parse(d.b) as [string, number][]) });
    });
    return out;
  }

  async writeRollups(gen: number, rollups: ReadonlyMap<string, StoredRollup>): Promise<void> {
    for (const coll of [this.rollups, this.days]) {
      const ops = [...rollups].filter(([id]) => this.of(id) === coll).map(([id, r]) => ({
        replaceOne: { filter: { _id: genId(gen, id) }, replacement: { g: gen, seq: r.seq, b: JSON.stringify([...r.bag]) }, upsert: true },
      }));
      for (let i = 0; i < ops.length; i += BULK) {
        const part = ops.slice(i, i + BULK);
        await coll.bulkWrite(part, { ordered: false });
      }
    }
  }

  async clearGeneration(gen: number): Promise<void> {
    for (const coll of [this.rollups, this.days]) await coll.deleteMany({ g: gen });
  }

  async clearOtherGenerations(keep: number): Promise<void> {
    for (const coll of [this.rollups, this.days]) await coll.deleteMany({ g: { $ne: keep } });
    // The per-order fact rows of the layout before the sums (aggregated at report time).
    await this.conn.db?.dropCollection('work_order_facts').catch((err: unknown) => {
      if (!/ns not found|not found|NamespaceNotFound/i.test(String(err))) throw err;
    });
  }
}

/** Every stored order, `batchSize` at a time (a rebuild's source: one pass over work_orders). */
export async function* scanWorkOrders(conn: Connection, batchSize = 1000): AsyncGenerator<StoredWorkOrder[]> {
  const orders = workOrderModel(conn).collection as unknown as Collection<WorkOrderDoc>;
  let part: StoredWorkOrder[] = [];
  for await (const d of orders.find({}, { batchSize })) {
    part.push(fromDoc(d));
    if (part.length >= batchSize) {
      yield part;
      part = [];
    }
  }
  if (part.length > 0) yield part;
}
