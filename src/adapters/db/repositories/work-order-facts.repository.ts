/**
 * WorkOrderRollupStore (app/work-orders/work-order-facts.rollup.ts). Every collection here stays
 * small, because on FerretDB v1 on SQLite even a lookup by `_id` is a pass over the whole table
 * (FerretDB's `_id` index is on another expression than its lookup uses; `EXPLAIN QUERY PLAN`
 * says SCAN; the lab's build fixes that, see scripts/ferretdb.sh): at a million documents one
 * lookup takes seconds on an unpatched FerretDB v1.
 *
 *  - work_order_fact_changes: KeyedList `h:<epoch hour>` of the order writes (the change log;
 *    appended by every instance, atomic through unique slot inserts). Only the hours not folded
 *    and closed yet are kept; a list is read with one range query (KeyedList.scan);
 *  - work_order_fold: `S` the fold state and `B|<seq>` the batch being applied (write-ahead);
 *  - work_order_rollups: `<gen>|P|…`, `<gen>|O|…`, `<gen>|T|…` the sums per period;
 *  - work_order_rollup_days: `<gen>|D|…` the open due instants of one period and day.
 * Sums, batches and the state are JSON strings: nobody queries inside them, FerretDB v1 rejects
 * nested arrays and converts big arrays several times slower than one string.
 *
 * Bulk replacements go at most 50 to a request: FerretDB v1.24 never answers an `update` command
 * of 100 statements or more that replace existing documents (the connection hangs).
 *
 * Writes are retried when FerretDB v1 answers SQLITE_BUSY ("database is locked"): SQLite does not
 * wait for a lock a deferred transaction must upgrade, so concurrent writers (other instances'
 * appends, the sweep) make a write fail now and then. An append retried after a failure that had
 * landed lists the write twice in the same hour; the fold counts it once.
 */
import type { Collection, Connection } from 'mongoose';
import type {
  FactChange, FoldBatch, FoldState, PackedFactRow, StoredRollup, StoredWorkOrder, WorkOrderRollupStore,
} from '../../../app/work-orders/ports';
import { KeyedList } from '../keyed-list';
import { workOrderModel, type WorkOrderDoc } from '../models/work-order.model';
import { fromDoc } from './work-order.repository';

const DUPLICATE_KEY = 11000;
const BUSY_ATTEMPTS = 8;
/** Statements per bulk write (see the header: 100 hang FerretDB v1). */
const BULK = 50;

const isDuplicate = (err: unknown): boolean => (err as { code?: number }).code === DUPLICATE_KEY;
const isBusy = (err: unknown): boolean => /SQLITE_BUSY|database is locked/.test(String((err as { message?: unknown }).message ?? err));

/** Runs `fn`, again after a short random pause while the server reports a lock conflict. */
async function retryBusy<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusy(err) || attempt >= BUSY_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

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
    await retryBusy(() => this.changes.append(`h:${hour}`, value));
  }

  async readChanges(hour: number): Promise<FactChange[]> {
    return (await this.changes.scan(`h:${hour}`)).map(({ value: v }) => {
      const d = JSON.parse(v.d) as { old: PackedFactRow[]; rows: PackedFactRow[] };
      return { orderId: v.o, rev: v.r, old: d.old, rows: d.rows };
    });
  }

  async dropChanges(hour: number): Promise<void> {
    await retryBusy(() => this.changes.drop(`h:${hour}`));
  }

  async readState(): Promise<FoldState | null> {
    const d = await this.control.findOne({ _id: STATE_ID });
    return d ? (JSON.parse(d.body) as FoldState) : null;
  }

  async createState(state: FoldState): Promise<void> {
    try {
      await retryBusy(() => this.control.insertOne({ _id: STATE_ID, seq: state.seq, body: JSON.stringify(state) }));
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
  }

  async writeState(state: FoldState): Promise<void> {
    await retryBusy(() => this.control.replaceOne({ _id: STATE_ID }, { seq: state.seq, body: JSON.stringify(state) }, { upsert: true }));
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
      await retryBusy(() => this.control.insertOne({ _id: batchId(batch.seq), seq: batch.seq, at: batch.at, body: JSON.stringify(body) }));
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  async deleteBatch(seq: number): Promise<void> {
    await retryBusy(() => this.control.deleteOne({ _id: batchId(seq) }));
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
        await retryBusy(() => coll.bulkWrite(part, { ordered: false }));
      }
    }
  }

  async clearGeneration(gen: number): Promise<void> {
    for (const coll of [this.rollups, this.days]) await retryBusy(() => coll.deleteMany({ g: gen }));
  }

  async clearOtherGenerations(keep: number): Promise<void> {
    for (const coll of [this.rollups, this.days]) await retryBusy(() => coll.deleteMany({ g: { $ne: keep } }));
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
