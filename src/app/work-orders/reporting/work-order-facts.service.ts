/**
 * WorkOrderFacts: the KPI sums of every order per report period, exact with several app instances
 * writing at once, without any query over the orders.
 *
 * Why this shape: nothing here is kept per order, the collections read on the hot paths stay small,
 * and no conditional update or `$inc` is used (docs/database.md, "Designs from the FerretDB v1
 * days that stay").
 *
 * Write path (`put`, after each successful order write): the write is appended to the change list
 * of the current epoch hour (a KeyedList: a unique insert per slot) as the rows of the revision it
 * replaced and its own rows. Writers never touch the sums. Order writes are serialized per order by
 * revision claims, so the replaced rows are exactly those of the previous revision, and the changes
 * of an order add up to its current rows whatever order they are folded in.
 *
 * Fold (`fold`, the scheduled job; one runner at a time through the job lease): reads the lists
 * from its cursor (per hour, the number of changes already folded), adds rows − replaced rows of
 * each new change to the rollup documents (domain/kpi/work-order-rollups.ts). Each step is a batch written
 * BEFORE any of its effects (write-ahead, unique `seq`): the deltas and the cursor after it.
 * Applying a batch skips rollup documents that already carry its `seq` and rewrites the same state,
 * so a crash at any point is repaired by applying the batch again: the next fold does that once the
 * batch is older than `staleBatchMs`. Two folders that both start (a lost lease) race for the
 * batch's unique insert: the loser stops. So every listed change is added exactly once. A change
 * listed twice in an hour (an append retried after a failure that had landed) counts once. An
 * hour's list is closed and deleted once fully folded and `graceMs` past its end.
 *
 * Read path (`view`): the state, the batch in progress if any (added in memory to the documents it
 * has not reached yet), the rollup documents of the periods, plus the changes listed after the
 * cursor, so a report counts a write as soon as `put` returned. The state and batch are read again
 * at the end: if a fold step started or finished in between, the view is read again.
 *
 * What is not exact (repaired by `rebuild`: `npx tsx scripts/work-order-rollups.ts rebuild`):
 *  - an order write whose change was never listed (the process died between the two, or the append
 *    failed: logged as "work order facts not written"): the sums miss that revision's change, also
 *    after later writes of the order;
 *  - a change appended more than `graceMs` after its hour ended (a writer's clock that far behind,
 *    or a writer stalled that long): that hour may have been folded and deleted already;
 *  - order writes that change KPI facts without `put` (every write that can goes through
 *    WorkOrderService; the sweep's notices change no fact).
 * `rebuild` recomputes every sum from the stored orders into the next generation while writers and
 * folds go on, then switches to it in one batch, adding the changes listed since it began for
 * revisions newer than those it read.
 */
import type { Logger } from '../../../shared/logger';
import { mapInWindows } from '../../../shared/windows';
import type {
  Clock, FactChange, FoldBatch, FoldCursor, FoldState, PackedFactRow, StoredRollup, StoredWorkOrder,
  WorkOrderFactsRepository, WorkOrderFactsView, WorkOrderRollupStore,
} from '../work-orders.ports';
import { factRowsOf, type WorkOrderFactRow } from '../../../domain/kpi/work-order-facts';
import {
  addBag, addChange, addRows, newChanges, packRows, pruneDelta, RollupView, viewDocIds, type Bag, type Delta,
} from '../../../domain/kpi/work-order-rollups';

export const HOUR_MS = 3_600_000;
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);

export interface WorkOrderFactsDeps {
  readonly store: WorkOrderRollupStore;
  readonly log: Logger;
  /** Time of the change log (hour lists, grace, stale batches): real time, not the business clock. */
  readonly logClock?: Clock;
}

export interface WorkOrderFactsOptions {
  /** How long after its hour ends a list still takes late appends before it may be closed. */
  readonly graceMs?: number;
  /** A batch not completed after this long is completed by the next fold (its folder died). */
  readonly staleBatchMs?: number;
  /** Changes folded per batch. */
  readonly maxChangesPerBatch?: number;
  /** A fold stops starting batches after this long (the next run continues). */
  readonly foldBudgetMs?: number;
  /** A rebuild's hold on closing hours lapses after this long (the rebuild died; default 6 h). */
  readonly holdMaxMs?: number;
}

export interface FoldResult {
  /** Batches committed (including one completed for a dead folder). */
  readonly batches: number;
  /** Changes added to the sums. */
  readonly changes: number;
  /** Hours closed. */
  readonly closedHours: number;
  /** Another folder was in the middle of a batch: this run did nothing more. */
  readonly busy: boolean;
  /** Unfinished batches of a dead folder that this run completed. */
  readonly recovered: number;
}

/** An order's current revision and rows (a rebuild's input). */
export interface OrderFacts {
  readonly orderId: string;
  readonly rev: number;
  readonly rows: readonly PackedFactRow[];
}

interface Pending {
  readonly changes: FactChange[];
  readonly cursor: FoldCursor;
  readonly closed: number[];
  /** Stopped at the limit: more changes are listed. */
  readonly truncated: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Lists read at once. */
const READ_CONCURRENCY = 8;

export class WorkOrderFacts implements WorkOrderFactsRepository {
  private readonly logClock: Clock;
  private readonly graceMs: number;
  private readonly staleBatchMs: number;
  private readonly maxChanges: number;
  private readonly budgetMs: number;
  private readonly holdMaxMs: number;

  constructor(
    private readonly deps: WorkOrderFactsDeps,
    opts: WorkOrderFactsOptions = {},
  ) {
    this.logClock = deps.logClock ?? Date.now;
    this.graceMs = opts.graceMs ?? 10 * 60_000;
    this.staleBatchMs = opts.staleBatchMs ?? 2 * 60_000;
    this.maxChanges = opts.maxChangesPerBatch ?? 2000;
    this.budgetMs = opts.foldBudgetMs ?? 20_000;
    this.holdMaxMs = opts.holdMaxMs ?? 6 * HOUR_MS;
  }

  /** Creates the fold state of an empty database (the log is read from the previous hour on). */
  async init(): Promise<void> {
    await this.state();
  }

  async put(orderId: string, orderRev: number, rows: readonly WorkOrderFactRow[], previousRows: readonly WorkOrderFactRow[]): Promise<void> {
    await this.deps.store.appendChange(hourOf(this.logClock()), { orderId, rev: orderRev, old: packRows(previousRows), rows: packRows(rows) });
  }

  // ---- read ----

  async view(periodKeys: readonly string[], asOf: Date, opts: { readonly topics?: boolean } = {}): Promise<WorkOrderFactsView> {
    for (let attempt = 1; ; attempt++) {
      const docs = await this.tryView(periodKeys, asOf, opts.topics ?? true);
      if (docs) return new RollupView(docs, asOf);
      if (attempt >= 20) throw new Error('KPI rollups changed during every read attempt');
      await sleep(Math.min(500, 10 * attempt * attempt));
    }
  }

  /** One consistent read, or null when a fold step started or ended meanwhile. */
  private async tryView(periodKeys: readonly string[], asOf: Date, topics: boolean): Promise<Map<string, Bag> | null> {
    const { store } = this.deps;
    const state = await this.state();
    const batch = await store.readBatch(state.seq + 1);
    const eff = batch ? batch.after : state;
    const ids = viewDocIds(periodKeys, asOf, topics);
    const [stored, pending] = await Promise.all([store.readRollups(eff.gen, ids), this.readPending(eff.cursor, Infinity, false)]);
    const delta: Delta = new Map();
    for (const c of pending.changes) addChange(delta, c);
    const docs = new Map<string, Bag>();
    for (const id of ids) {
      const d = stored.get(id);
      if (d && d.seq > eff.seq) return null;
      const bag = new Map(d?.bag ?? []);
      if (batch && batch.gen === eff.gen && (!d || d.seq < batch.seq)) addBag(bag, batch.deltas.get(id));
      docs.set(id, addBag(bag, delta.get(id)));
    }
    const [after, next] = await Promise.all([store.readState(), store.readBatch(eff.seq + 1)]);
    if (!after || next || (after.seq !== state.seq && after.seq !== eff.seq)) return null;
    return docs;
  }

  // ---- fold ----

  /** Folds the listed changes into the sums, batch after batch, until none is left or the budget is spent. */
  async fold(): Promise<FoldResult> {
    const t0 = this.logClock();
    let batches = 0;
    let changes = 0;
    let closedHours = 0;
    let recovered = 0;
    for (;;) {
      const r = await this.foldStep();
      if (r === 'busy') return { batches, changes, closedHours, busy: true, recovered };
      if (r === 'idle') break;
      batches += 1;
      changes += r.changes;
      closedHours += r.closed;
      if (r.recovered) recovered += 1;
      else if (!r.more) break;
      if (this.logClock() - t0 > this.budgetMs) break;
    }
    return { batches, changes, closedHours, busy: false, recovered };
  }

  private async foldStep(): Promise<'busy' | 'idle' | { changes: number; closed: number; more: boolean; recovered: boolean }> {
    const { store } = this.deps;
    const state = await this.state();
    const open = await store.readBatch(state.seq + 1);
    if (open) {
      if (this.logClock() - open.at < this.staleBatchMs) return 'busy';
      this.deps.log.warn('completing a KPI fold batch left unfinished', { seq: open.seq, at: new Date(open.at).toISOString() });
      await this.apply(open);
      return { changes: 0, closed: open.after.drop.length, more: true, recovered: true };
    }
    for (const h of state.drop) await store.dropChanges(h);
    const pending = await this.readPending(state.cursor, this.maxChanges, !this.holding(state));
    if (pending.changes.length === 0 && pending.closed.length === 0 && sameCursor(pending.cursor, state.cursor)) return 'idle';
    const deltas: Delta = new Map();
    for (const c of pending.changes) addChange(deltas, c);
    const seq = state.seq + 1;
    const batch: FoldBatch = {
      seq, at: this.logClock(), gen: state.gen, deltas: pruneDelta(deltas),
      after: { ...state, seq, cursor: pending.cursor, drop: pending.closed },
    };
    if (!(await store.insertBatch(batch))) return 'busy';
    await this.apply(batch);
    return { changes: pending.changes.length, closed: pending.closed.length, more: pending.truncated, recovered: false };
  }

  /** Applies a stored batch; applying it again (after a crash, or by a second folder) changes nothing. */
  private async apply(batch: FoldBatch): Promise<void> {
    const { store } = this.deps;
    const ids = [...batch.deltas.keys()];
    const current = await store.readRollups(batch.gen, ids);
    const changed = new Map<string, StoredRollup>();
    for (const id of ids) {
      const cur = current.get(id);
      if (cur && cur.seq >= batch.seq) continue;
      changed.set(id, { seq: batch.seq, bag: addBag(new Map(cur?.bag ?? []), batch.deltas.get(id)) });
    }
    if (changed.size > 0) await store.writeRollups(batch.gen, changed);
    await store.writeState(batch.after);
    for (const h of batch.after.drop) await store.dropChanges(h);
    await store.deleteBatch(batch.seq);
    // Also the previous batch: left behind when its folder died after writing the state.
    await store.deleteBatch(batch.seq - 1);
  }

  /**
   * The changes listed after `cursor`, up to `limit`, and the cursor after them. With `close`,
   * hours fully read and `graceMs` past their end are closed (left out of the new cursor).
   */
  private async readPending(cursor: FoldCursor, limit: number, close: boolean): Promise<Pending> {
    const now = this.logClock();
    const last = hourOf(now) + 1; // a writer whose clock runs a little ahead
    const hours = Array.from({ length: Math.max(0, last - cursor.from + 1) }, (_, i) => cursor.from + i);
    const lists = await mapInWindows(hours, READ_CONCURRENCY, (h) => this.deps.store.readChanges(h));
    const slots: Record<string, number> = {};
    const changes: FactChange[] = [];
    const closed: number[] = [];
    let from: number | undefined;
    let truncated = false;
    for (let i = 0; i < hours.length; i++) {
      const h = hours[i] as number;
      let listed = lists[i] as FactChange[];
      const done = Math.min(cursor.slots[String(h)] ?? 0, listed.length);
      if (listed.length - done > limit - changes.length) {
        listed = listed.slice(0, done + limit - changes.length);
        truncated = true;
      }
      changes.push(...newChanges(listed, done));
      if (close && !truncated && (h + 1) * HOUR_MS + this.graceMs <= now) {
        if (listed.length > 0) closed.push(h);
      } else {
        from ??= h;
        if (listed.length > 0) slots[String(h)] = listed.length;
      }
      if (truncated) {
        for (const [k, v] of Object.entries(cursor.slots)) if (Number(k) > h) slots[k] = v;
        break;
      }
    }
    return { changes, cursor: { from: from ?? last, slots }, closed, truncated };
  }

  // ---- rebuild ----

  /**
   * Recomputes every sum from `source` (every stored order's current revision, in batches) into a
   * new generation, then switches to it. Writers and folds go on meanwhile: no hour is closed until
   * the switch, which adds the changes listed since the rebuild began for revisions newer than the
   * ones it read. Old generations are deleted afterwards. Refused while another rebuild holds the
   * log, unless `takeOver` (that rebuild died: its switch will fail).
   */
  async rebuild(source: AsyncIterable<readonly OrderFacts[]>, opts: { takeOver?: boolean } = {}): Promise<{ gen: number; orders: number; documents: number }> {
    const held = await this.commitControl((s) => {
      if (this.holding(s) && opts.takeOver !== true) {
        throw new Error(`a rebuild of generation ${s.hold?.gen ?? '?'} is running (its hold lapses ${this.holdMaxMs / 60_000} min after it began)`);
      }
      const gen = Math.max(s.gen, s.hold?.gen ?? 0) + 1;
      return { ...s, hold: { gen, at: this.logClock(), cursor: s.cursor } };
    });
    const gen = held.hold?.gen as number;
    const { store } = this.deps;
    await store.clearGeneration(gen);
    const revs = new Map<string, number>();
    const base: Delta = new Map();
    for await (const part of source) {
      for (const o of part) {
        if (revs.has(o.orderId)) continue; // listed twice by the scan: its first rows were added
        revs.set(o.orderId, o.rev);
        addRows(base, o.rows, 1);
      }
    }
    pruneDelta(base);
    const baseDoc = (id: string): Bag => new Map(base.get(id) ?? []);
    const ids = [...base.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      await store.writeRollups(gen, new Map(ids.slice(i, i + 500).map((id) => [id, { seq: 0, bag: baseDoc(id) }])));
    }
    let corrected = new Set<string>();
    await this.commitControl(async (s) => {
      if (s.hold?.gen !== gen) throw new Error(`the rebuild of generation ${gen} lost its hold`);
      // The changes listed since the rebuild began, for revisions newer than the ones it read.
      const since = await this.readPending(s.hold.cursor, Infinity, false);
      const delta: Delta = new Map();
      for (const c of since.changes) if (c.rev > (revs.get(c.orderId) ?? 0)) addChange(delta, c);
      const docs = new Map<string, StoredRollup>();
      for (const id of new Set([...corrected, ...delta.keys()])) docs.set(id, { seq: 0, bag: addBag(baseDoc(id), delta.get(id)) });
      if (docs.size > 0) await store.writeRollups(gen, docs);
      corrected = new Set(delta.keys());
      return { gen, seq: s.seq, cursor: since.cursor, drop: s.drop };
    });
    await store.clearOtherGenerations(gen);
    this.deps.log.info('KPI rollups rebuilt', { gen, orders: revs.size, documents: base.size });
    return { gen, orders: revs.size, documents: base.size };
  }

  /** `rebuild` from stored orders (their current revision's rows). */
  async rebuildFromOrders(orders: AsyncIterable<readonly StoredWorkOrder[]>, opts: { takeOver?: boolean } = {}): Promise<{ gen: number; orders: number; documents: number }> {
    return this.rebuild(factsOf(orders), opts);
  }

  /** Commits a batch without deltas that sets the state `next(current)` returns; waits for a fold step in progress. */
  private async commitControl(next: (s: FoldState) => FoldState | Promise<FoldState>): Promise<FoldState> {
    for (let attempt = 1; attempt <= 600; attempt++) {
      const s = await this.state();
      const open = await this.deps.store.readBatch(s.seq + 1);
      if (open) {
        if (this.logClock() - open.at >= this.staleBatchMs) await this.apply(open);
        else await sleep(100);
        continue;
      }
      const after = { ...(await next(s)), seq: s.seq + 1 };
      const batch: FoldBatch = { seq: s.seq + 1, at: this.logClock(), gen: s.gen, deltas: new Map(), after };
      if (await this.deps.store.insertBatch(batch)) {
        await this.apply(batch);
        return after;
      }
    }
    throw new Error('KPI fold state kept changing');
  }

  // ---- helpers ----

  private holding(s: FoldState): boolean {
    return s.hold !== undefined && this.logClock() - s.hold.at < this.holdMaxMs;
  }

  private async state(): Promise<FoldState> {
    const s = await this.deps.store.readState();
    if (s) return s;
    await this.deps.store.createState({ gen: 0, seq: 0, cursor: { from: hourOf(this.logClock()) - 1, slots: {} }, drop: [] });
    const created = await this.deps.store.readState();
    if (!created) throw new Error('KPI fold state not stored');
    return created;
  }
}

async function* factsOf(orders: AsyncIterable<readonly StoredWorkOrder[]>): AsyncGenerator<OrderFacts[]> {
  for await (const part of orders) yield part.map((s) => ({ orderId: s.order.id, rev: s.rev, rows: packRows(factRowsOf(s.order)) }));
}

function sameCursor(a: FoldCursor, b: FoldCursor): boolean {
  const ka = Object.entries(a.slots).filter(([, v]) => v > 0);
  const kb = Object.entries(b.slots).filter(([, v]) => v > 0);
  return a.from === b.from && ka.length === kb.length && ka.every(([k, v]) => b.slots[k] === v);
}
