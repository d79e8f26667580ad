/**
 * The arithmetic of the KPI rollups (pure; the storage and the fold are in
 * app/work-orders/reporting/work-order-facts.service.ts). An order's fact rows (work-order-facts.ts) contribute counts to a
 * few rollup documents per report period; each write of an order adds its rows' contributions and
 * subtracts those of the revision it replaced. The writes of an order telescope, in any order, to
 * its current rows, so once every listed write is added the documents hold the sums over every
 * order (a count may be negative meanwhile, while a write is added before the one it followed).
 *
 * Documents of a period `<p>` (key: JSON of the tuple, value: count):
 *  - `P|<p>`: `[unit, counter]` counter sums per unit;
 *  - `O|<p>`: `[field, unit, day]` open due instants per unit and epoch day (UTC days: any
 *    partition of time would do);
 *  - `D|<p>|<day>`: `[field, unit, ms]` the open due instants of that day, exactly;
 *  - `T|<p>`: `["category", key]`, `["areaCode", key]` orders per hot-topic key.
 * "Open before asOf" = the day counts of earlier days + the exact instants of asOf's day before it:
 * two documents instead of one entry per open order.
 */
import { FACT_COUNTERS, type FactChange, type OpenDueField, type PackedFactRow, type UnitCounterSums, type WorkOrderFactRow, type WorkOrderFactsView } from './work-order-facts';

export const DAY_MS = 86_400_000;
const OPEN_FIELDS: readonly OpenDueField[] = ['signOpenDueAt', 'otcOpenDueAt', 'unfinishedDueAt', 'feedbackOpenDueAt'];

/** Counts per tuple key. */
export type Bag = Map<string, number>;
/** Counts to add, per rollup document. */
export type Delta = Map<string, Bag>;

export const periodDocId = (periodKey: string): string => `P|${periodKey}`;
export const openDocId = (periodKey: string): string => `O|${periodKey}`;
export const topicDocId = (periodKey: string): string => `T|${periodKey}`;
export const openDayDocId = (periodKey: string, day: number): string => `D|${periodKey}|${day}`;
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** The documents a view of these periods at `asOf` reads (without the hot-topic ones when `topics` is false). */
export function viewDocIds(periodKeys: readonly string[], asOf: Date, topics = true): string[] {
  const day = dayOf(asOf.getTime());
  return periodKeys.flatMap((p) => [periodDocId(p), openDocId(p), ...(topics ? [topicDocId(p)] : []), openDayDocId(p, day)]);
}

/** The rows of one revision as stored: only what the sums need. */
export function packRows(rows: readonly WorkOrderFactRow[]): PackedFactRow[] {
  return rows.map((r) => {
    const n: Record<string, number> = {};
    for (const c of FACT_COUNTERS) if (r.counters[c] !== 0) n[c] = r.counters[c];
    const o: Partial<Record<OpenDueField, number>> = {};
    for (const f of OPEN_FIELDS) {
      const d = r[f];
      if (d) o[f] = d.getTime();
    }
    return { u: r.unitId, c: r.category, a: r.areaCode, p: [...r.periods], t: [...r.topicPeriods], n, o };
  });
}

function bump(delta: Delta, docId: string, tuple: readonly (string | number)[], by: number): void {
  let bag = delta.get(docId);
  if (!bag) {
    bag = new Map();
    delta.set(docId, bag);
  }
  const key = JSON.stringify(tuple);
  bag.set(key, (bag.get(key) ?? 0) + by);
}

/** Adds `sign` × the contributions of `rows` to `delta`. */
export function addRows(delta: Delta, rows: readonly PackedFactRow[], sign: 1 | -1): void {
  for (const r of rows) {
    if (r.u !== null) {
      for (const p of r.p) {
        const pid = periodDocId(p);
        for (const [counter, v] of Object.entries(r.n)) bump(delta, pid, [r.u, counter], sign * v);
        for (const f of OPEN_FIELDS) {
          const ms = r.o[f];
          if (ms === undefined) continue;
          const day = dayOf(ms);
          bump(delta, openDocId(p), [f, r.u, day], sign);
          bump(delta, openDayDocId(p, day), [f, r.u, ms], sign);
        }
      }
    }
    for (const p of r.t) {
      bump(delta, topicDocId(p), ['category', r.c], sign);
      bump(delta, topicDocId(p), ['areaCode', r.a], sign);
    }
  }
}

/** Drops zero counts and documents left without any. */
export function pruneDelta(delta: Delta): Delta {
  for (const [id, bag] of delta) {
    for (const [k, v] of bag) if (v === 0) bag.delete(k);
    if (bag.size === 0) delta.delete(id);
  }
  return delta;
}

/** Adds what one order write changed: its rows minus the rows of the revision it replaced. */
export function addChange(delta: Delta, change: FactChange): void {
  addRows(delta, change.old, -1);
  addRows(delta, change.rows, 1);
}

/** Adds `add` into `bag` in place, dropping counts that reach 0. */
export function addBag(bag: Bag, add: ReadonlyMap<string, number> | undefined): Bag {
  if (!add) return bag;
  for (const [k, v] of add) {
    const n = (bag.get(k) ?? 0) + v;
    if (n === 0) bag.delete(k);
    else bag.set(k, n);
  }
  return bag;
}

/**
 * The changes of one hour's list from slot `from` on that are not repeats of an earlier slot's
 * (orderId, rev): an append retried after a failure that did land lists the same write twice, in
 * the same hour (the retry keeps the hour).
 */
export function newChanges(list: readonly FactChange[], from: number): FactChange[] {
  const seen = new Set<string>();
  const out: FactChange[] = [];
  list.forEach((c, slot) => {
    const key = `${c.rev}|${c.orderId}`;
    if (!seen.has(key) && slot >= from) out.push(c);
    seen.add(key);
  });
  return out;
}

/** Sums from scratch, for a rebuild (or a bulk load): every order's current rows added once. */
export function rollupsOf(orders: Iterable<readonly PackedFactRow[]>): Delta {
  const d: Delta = new Map();
  for (const rows of orders) addRows(d, rows, 1);
  return pruneDelta(d);
}

type Tuple = (string | number)[];

function parsed(bag: ReadonlyMap<string, number> | undefined): [Tuple, number][] {
  return bag ? [...bag].map(([k, v]) => [JSON.parse(k) as Tuple, v]) : [];
}

/** WorkOrderFactsView over rollup documents read for `asOf` (see viewDocIds). */
export class RollupView implements WorkOrderFactsView {
  private readonly cache = new Map<string, [Tuple, number][]>();

  constructor(
    private readonly docs: ReadonlyMap<string, ReadonlyMap<string, number>>,
    private readonly asOf: Date,
  ) {}

  private tuples(docId: string): [Tuple, number][] {
    let t = this.cache.get(docId);
    if (!t) {
      if (!this.docs.has(docId)) throw new Error(`rollup document ${docId} was not read for this view`);
      t = parsed(this.docs.get(docId));
      this.cache.set(docId, t);
    }
    return t;
  }

  sumByUnit(periodKey: string, unitId?: string): UnitCounterSums[] {
    const byUnit = new Map<string, Record<string, number>>();
    for (const [[unit, counter], v] of this.tuples(periodDocId(periodKey))) {
      if (unitId !== undefined && unit !== unitId) continue;
      const u = String(unit);
      const sums = byUnit.get(u) ?? Object.fromEntries(FACT_COUNTERS.map((c) => [c, 0]));
      sums[String(counter)] = (sums[String(counter)] ?? 0) + v;
      byUnit.set(u, sums);
    }
    return [...byUnit.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([u, counters]) => ({ unitId: u, counters }));
  }

  countOpenBefore(periodKey: string, field: OpenDueField, unitId?: string): Map<string, number> {
    const before = this.asOf.getTime();
    const day = dayOf(before);
    const out = new Map<string, number>();
    const add = (unit: string, v: number): void => {
      if (unitId === undefined || unit === unitId) out.set(unit, (out.get(unit) ?? 0) + v);
    };
    for (const [[f, unit, d], v] of this.tuples(openDocId(periodKey))) {
      if (f === field && Number(d) < day) add(String(unit), v);
    }
    for (const [[f, unit, ms], v] of this.tuples(openDayDocId(periodKey, day))) {
      if (f === field && Number(ms) < before) add(String(unit), v);
    }
    for (const [u, v] of out) if (v === 0) out.delete(u);
    return out;
  }

  topics(periodKey: string, dimension: 'category' | 'areaCode', limit: number): { key: string; count: number }[] {
    return this.tuples(topicDocId(periodKey))
      .filter(([[d], v]) => d === dimension && v !== 0)
      .map(([[, key], count]) => ({ key: String(key), count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit);
  }
}
