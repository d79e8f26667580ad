/**
 * WorkOrderRollupStore in memory, with the contract of MongoWorkOrderRollupStore: values are
 * copied in and out (as a database would), batch inserts are unique by seq, and a test can make
 * the n-th call of a method fail (a crash at that point) or run code inside a call.
 */
import type { FactChange, FoldBatch, FoldState, StoredRollup, WorkOrderRollupStore } from '../../../../src/app/work-orders/work-orders.ports';

type Method = keyof WorkOrderRollupStore;

const copy = <T>(v: T): T => structuredClone(v);

export class FakeRollupStore implements WorkOrderRollupStore {
  readonly lists = new Map<number, FactChange[]>();
  state: FoldState | null = null;
  readonly batches = new Map<number, FoldBatch>();
  readonly rollups = new Map<string, StoredRollup>();
  readonly calls = new Map<Method, number>();
  /** Throws at the n-th call (1-based) of the method, before it has any effect (or, `partial`, after half of a bulk write). */
  private crash: { method: Method; at: number; partial: boolean } | null = null;
  /** Runs (and awaits) `fn` at the start of the n-th call of the method. */
  private hooks: { method: Method; at: number; fn: () => Promise<void> }[] = [];

  crashAt(method: Method, at: number, partial = false): void {
    this.crash = { method, at: (this.calls.get(method) ?? 0) + at, partial };
  }

  hookAt(method: Method, at: number, fn: () => Promise<void>): void {
    this.hooks.push({ method, at: (this.calls.get(method) ?? 0) + at, fn });
  }

  private async enter(method: Method): Promise<void> {
    const n = (this.calls.get(method) ?? 0) + 1;
    this.calls.set(method, n);
    if (this.crash?.method === method && this.crash.at === n && !this.crash.partial) {
      this.crash = null;
      throw new Error(`crash in ${method}`);
    }
    for (const h of this.hooks.filter((x) => x.method === method && x.at === n)) {
      this.hooks = this.hooks.filter((x) => x !== h);
      await h.fn();
    }
    await Promise.resolve();
  }

  /** Writes the items one by one; a partial crash stops half-way. */
  private bulk<T>(method: Method, items: readonly T[], write: (x: T) => void): void {
    const n = this.calls.get(method) ?? 0;
    const partial = this.crash?.method === method && this.crash.at === n && this.crash.partial;
    items.forEach((x, i) => {
      if (partial && i >= Math.floor(items.length / 2)) {
        this.crash = null;
        throw new Error(`crash in ${method}`);
      }
      write(x);
    });
  }

  async appendChange(hour: number, change: FactChange): Promise<void> {
    await this.enter('appendChange');
    const l = this.lists.get(hour) ?? [];
    l.push(copy(change));
    this.lists.set(hour, l);
  }
  async readChanges(hour: number): Promise<FactChange[]> {
    await this.enter('readChanges');
    return copy(this.lists.get(hour) ?? []);
  }
  async dropChanges(hour: number): Promise<void> {
    await this.enter('dropChanges');
    this.lists.delete(hour);
  }
  async readState(): Promise<FoldState | null> {
    await this.enter('readState');
    return copy(this.state);
  }
  async createState(state: FoldState): Promise<void> {
    await this.enter('createState');
    this.state ??= copy(state);
  }
  async writeState(state: FoldState): Promise<void> {
    await this.enter('writeState');
    this.state = copy(state);
  }
  async readBatch(seq: number): Promise<FoldBatch | null> {
    await this.enter('readBatch');
    return copy(this.batches.get(seq) ?? null);
  }
  async insertBatch(batch: FoldBatch): Promise<boolean> {
    await this.enter('insertBatch');
    if (this.batches.has(batch.seq)) return false;
    this.batches.set(batch.seq, copy(batch));
    return true;
  }
  async deleteBatch(seq: number): Promise<void> {
    await this.enter('deleteBatch');
    this.batches.delete(seq);
  }
  async readRollups(gen: number, ids: readonly string[]): Promise<Map<string, StoredRollup>> {
    await this.enter('readRollups');
    const out = new Map<string, StoredRollup>();
    for (const id of ids) {
      const r = this.rollups.get(`${gen}|${id}`);
      if (r) out.set(id, copy(r));
    }
    return out;
  }
  async writeRollups(gen: number, rollups: ReadonlyMap<string, StoredRollup>): Promise<void> {
    await this.enter('writeRollups');
    this.bulk('writeRollups', [...rollups], ([id, r]) => this.rollups.set(`${gen}|${id}`, copy(r)));
  }
  async clearGeneration(gen: number): Promise<void> {
    await this.enter('clearGeneration');
    for (const k of [...this.rollups.keys()]) if (k.startsWith(`${gen}|`)) this.rollups.delete(k);
  }
  async clearOtherGenerations(keep: number): Promise<void> {
    await this.enter('clearOtherGenerations');
    for (const k of [...this.rollups.keys()]) if (!k.startsWith(`${keep}|`)) this.rollups.delete(k);
  }

  /** The rollup documents of a generation, without their seq (for comparisons). */
  sums(gen: number): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    for (const [k, r] of this.rollups) if (k.startsWith(`${gen}|`) && r.bag.size > 0) out.set(k.slice(`${gen}|`.length), new Map(r.bag));
    return out;
  }
}
