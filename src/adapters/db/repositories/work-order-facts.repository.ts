/**
 * WorkOrderFactsRepository over work_order_facts: the compact KPI rows of every order (see
 * app/work-orders/work-order.facts.ts). Aggregation uses only $match/$group($sum)/$sort/$limit.
 */
import type { Collection, Connection } from 'mongoose';
import type { OpenDueField, UnitCounterSums, WorkOrderFactsRepository } from '../../../app/work-orders/ports';
import { FACT_COUNTERS, type WorkOrderFactRow } from '../../../app/work-orders/work-order.facts';
import { workOrderFactModel, type WorkOrderFactDoc } from '../models/work-order.model';

const DUPLICATE_KEY = 11000;
const isDuplicate = (err: unknown): boolean => (err as { code?: number }).code === DUPLICATE_KEY;

function factDoc(row: WorkOrderFactRow, orderRev: number): WorkOrderFactDoc {
  const doc: Record<string, unknown> = {
    _id: row.id, orderId: row.orderId, orderRev, idx: row.idx, unitId: row.unitId, category: row.category, areaCode: row.areaCode,
    periods: [...row.periods], topicPeriods: [...row.topicPeriods],
  };
  for (const f of ['signOpenDueAt', 'otcOpenDueAt', 'unfinishedDueAt', 'feedbackOpenDueAt'] as const) {
    const v = row[f];
    if (v) doc[f] = v;
  }
  for (const c of FACT_COUNTERS) doc[`c_${c}`] = row.counters[c];
  return doc as unknown as WorkOrderFactDoc;
}

export class MongoWorkOrderFactsRepository implements WorkOrderFactsRepository {
  readonly facts: Collection<WorkOrderFactDoc>;

  constructor(private readonly conn: Connection) {
    this.facts = workOrderFactModel(conn).collection as unknown as Collection<WorkOrderFactDoc>;
  }

  async init(): Promise<void> {
    await workOrderFactModel(this.conn).createIndexes();
  }

  static toDoc = factDoc;

  async put(orderId: string, orderRev: number, rows: readonly WorkOrderFactRow[]): Promise<void> {
    // Replace only rows written from an older revision: a late writer never overwrites newer facts.
    await Promise.all(
      rows.map(async (row) => {
        try {
          await this.facts.replaceOne({ _id: row.id, orderRev: { $lt: orderRev } }, factDoc(row, orderRev), { upsert: true });
        } catch (err) {
          if (!isDuplicate(err)) throw err; // duplicate: a newer revision is already stored
        }
      }),
    );
    await this.facts.deleteMany({ orderId, idx: { $gte: rows.length }, orderRev: { $lt: orderRev } });
  }

  /**
   * Groups by the unit and the combination of counter values with a single `$sum: 1`, then adds
   * up counter × rows here. (FerretDB v1 returns 0 for every `$sum` accumulator after the first in
   * one `$group`; the combinations of 0/1 counters are few, so this stays small and exact.)
   */
  async sumByUnit(periodKey: string, unitId?: string): Promise<UnitCounterSums[]> {
    const key: Record<string, string> = { u: '$unitId' };
    for (const c of FACT_COUNTERS) key[c] = `$c_${c}`;
    const rows = await this.facts
      .aggregate<{ _id: Record<string, unknown> & { u: string }; n: number }>([
        { $match: { periods: periodKey, ...(unitId !== undefined ? { unitId } : {}) } },
        { $group: { _id: key, n: { $sum: 1 } } },
      ])
      .toArray();
    const byUnit = new Map<string, Record<string, number>>();
    for (const r of rows) {
      const sums = byUnit.get(r._id.u) ?? Object.fromEntries(FACT_COUNTERS.map((c) => [c, 0]));
      for (const c of FACT_COUNTERS) {
        const v = r._id[c];
        if (typeof v === 'number') sums[c] = (sums[c] ?? 0) + v * r.n;
      }
      byUnit.set(r._id.u, sums);
    }
    return [...byUnit.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([u, counters]) => ({ unitId: u, counters }));
  }

  async countOpenBefore(periodKey: string, field: OpenDueField, before: Date, unitId?: string): Promise<Map<string, number>> {
    const rows = await this.facts
      .aggregate<{ _id: string; n: number }>([
        { $match: { periods: periodKey, [field]: { $lt: before }, ...(unitId !== undefined ? { unitId } : {}) } },
        { $group: { _id: '$unitId', n: { $sum: 1 } } },
      ])
      .toArray();
    return new Map(rows.map((r) => [r._id, r.n]));
  }

  async topics(periodKey: string, dimension: 'category' | 'areaCode', limit: number): Promise<{ key: string; count: number }[]> {
    const rows = await this.facts
      .aggregate<{ _id: string; count: number }>([
        { $match: { topicPeriods: periodKey } },
        { $group: { _id: `$${dimension}`, count: { $sum: 1 } } },
        { $sort: { count: -1, _id: 1 } },
        { $limit: limit },
      ])
      .toArray();
    return rows.map((r) => ({ key: r._id, count: r.count }));
  }
}
