/**
 * KPI rollups against the real database (FerretDB in the lab): three app instances write orders of
 * the same unit and month at once; a report counts every write before any fold; after folds (also
 * two at once, and through the scheduled job) the stored sums equal the sums over the orders from
 * scratch, a second fold changes nothing, and a rebuild from the stored orders gives the same sums.
 */
import { MongoWorkOrderRollupStore, scanWorkOrders } from '../../../src/adapters/db/repositories/work-order-facts.repository';
import { MongoWorkOrderRepository } from '../../../src/adapters/db/repositories/work-order.repository';
import type { StoredWorkOrder } from '../../../src/app/work-orders/work-orders.ports';
import { FOLD_JOB } from '../../../src/app/work-orders/work-order.jobs';
import { factRowsOf } from '../../../src/domain/kpi/work-order-facts';
import { packRows, rollupsOf } from '../../../src/domain/kpi/work-order-rollups';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

const T0 = new Date('2026-05-11T09:00:00+08:00');
const H = 3_600_000;
/** Cron expressions that never fire during a test run: jobs run only through runNow. */
const NEVER = '0 0 1 1 *';

interface Report {
  units: { unitId: string; dispatched: number; kpis: Record<string, { numerator: number; denominator: number }> }[];
  hotTopics: { categories: { key: string; count: number }[]; areas: { key: string; count: number }[] };
  computeMs?: number;
}

describe('KPI rollups (real database, several instances)', () => {
  const clock = new TestClock(T0.getTime());
  let apps: WorkOrderApp[];
  let agent: Login;
  let sup: Login;
  let water: Login;
  const ids: string[] = [];

  beforeAll(async () => {
    const dbUri = await workOrderDbUri(__filename);
    apps = [
      await startWorkOrderApp(dbUri, clock),
      await startWorkOrderApp(dbUri, clock),
      await startWorkOrderApp(dbUri, clock, { jobs: { sweepCron: NEVER, reportCron: NEVER, foldCron: NEVER } }),
    ];
    [agent, sup, water] = await Promise.all([login(apps[0] as WorkOrderApp, 'agent'), login(apps[0] as WorkOrderApp, 'supervisor'), login(apps[0] as WorkOrderApp, 'unit_handler', 'unit-water')]);
  });
  afterAll(async () => {
    for (const app of apps.slice(1)) await app.stop({ drop: false });
    await apps[0]?.stop();
  });

  const app = (i: number): WorkOrderApp => apps[i % apps.length] as WorkOrderApp;

  async function act(i: number, id: string, who: Login, action: Record<string, unknown>): Promise<void> {
    const r = await call(app(i), 'POST', `/api/work-orders/${id}/actions`, who, action);
    expect([action['type'], r.status, r.status === 200 ? '' : r.text.slice(0, 200)]).toEqual([action['type'], 200, '']);
  }

  /** Order n: created, dispatched to unit-water and taken further through a varied lifecycle; each step on another instance. */
  async function lifecycle(n: number): Promise<string> {
    const c = await call<{ id: string }>(app(n), 'POST', '/api/work-orders', agent, {
      caller: { phone: `1371${String(n).padStart(7, '0')}`, callbackConsent: 'granted' },
      category: n % 3 === 0 ? '投诉' : '求助', urgency: '一般', content: `诉求 ${n}`, areaCode: n % 2 === 0 ? '110105' : '110108',
    });
    expect(c.status).toBe(201);
    const id = c.body.id;
    await act(n + 1, id, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
    if (n % 4 === 0) return id; // stays unsigned: counted as open at asOf once its sign limit passed
    await act(n + 2, id, water, { type: 'sign' });
    if (n % 4 === 1) return id;
    await act(n + 3, id, water, { type: 'complete', summary: '已处理' });
    await act(n + 4, id, sup, { type: 'passReview' });
    if (n % 4 === 2) return id;
    await act(n + 5, id, water, { type: 'recordFeedback', channel: 'phone' });
    await act(n + 6, id, agent, { type: 'recordCallback', result: n % 8 === 3 ? 'unsatisfied' : 'satisfied', contacted: true, feedbackReceived: true, resolution: 'resolved' });
    return id;
  }

  const report = async (i = 0): Promise<Report> => {
    const r = await call<Report>(app(i), 'GET', '/api/reports/work-orders?period=month&key=2026-05', sup);
    expect(r.status).toBe(200);
    const { computeMs: _ms, ...rest } = r.body;
    return rest;
  };

  /** Sums over every stored order, from scratch. */
  async function expectedSums(): Promise<Map<string, Map<string, number>>> {
    const repo = new MongoWorkOrderRepository(app(0).db.connection);
    const stored = (await Promise.all(ids.map((id) => repo.get(id)))).filter((s): s is StoredWorkOrder => s !== null);
    expect(stored).toHaveLength(ids.length);
    return rollupsOf(stored.map((s) => packRows(factRowsOf(s.order))));
  }

  /** Every rollup document of the generation in use (a scan: fine in a test). */
  async function storedSums(): Promise<{ gen: number; sums: Map<string, Map<string, number>>; raw: unknown[] }> {
    const store = new MongoWorkOrderRollupStore(app(0).db.connection);
    const state = await store.readState();
    const gen = state?.gen ?? -1;
    const raw = [
      ...(await app(0).db.connection.collection('work_order_rollups').find({ g: gen }).sort({ _id: 1 }).toArray()),
      ...(await app(0).db.connection.collection('work_order_rollup_days').find({ g: gen }).sort({ _id: 1 }).toArray()),
    ];
    const docIds = raw.map((d) => String(d['_id']).slice(`${gen}|`.length));
    const docs = await store.readRollups(gen, docIds);
    const sums = new Map<string, Map<string, number>>();
    for (const [id, d] of docs) if (d.bag.size > 0) sums.set(id, new Map(d.bag));
    return { gen, sums, raw };
  }

  it('concurrent writers on three instances: reports count every write before any fold; folded sums equal the sums from scratch', async () => {
    clock.set(T0);
    // 24 orders of one unit and month, written concurrently, 8 at a time per instance.
    ids.push(...(await Promise.all(Array.from({ length: 24 }, (_, n) => lifecycle(n)))));
    clock.set(new Date('2026-05-14T10:00:00+08:00')); // some sign limits have passed, some handling ones not

    const before = await report(1);
    const water0 = before.units.find((u) => u.unitId === 'unit-water');
    expect(water0).toMatchObject({ dispatched: 24 });
    // Called back: n % 4 === 3 (6 orders), unsatisfied when n % 8 === 3 (3 of them).
    expect(water0?.kpis['satisfaction']).toMatchObject({ numerator: 3, denominator: 6 });
    expect(water0?.kpis['timelySign']?.denominator).toBe(24);
    expect(before.hotTopics.categories).toEqual([{ key: '求助', count: 16, previousCount: 0, change: 16, changeRate: null }, expect.objectContaining({ key: '投诉', count: 8 })]);
    expect(await report(2)).toEqual(before);

    // Two folds at once (two instances whose job leases overlapped): the sums stay exact.
    const folds = await Promise.all([app(0).module.facts.fold(), app(1).module.facts.fold()]);
    expect(folds.some((f) => f.changes > 0)).toBe(true);
    await app(0).module.facts.fold();
    const after = await storedSums();
    expect(after.gen).toBe(0);
    expect(after.sums).toEqual(await expectedSums());
    expect(await report(0)).toEqual(before);

    // A second fold finds nothing to do and changes no document.
    expect(await app(1).module.facts.fold()).toMatchObject({ batches: 0, changes: 0, busy: false });
    expect((await storedSums()).raw).toEqual(after.raw);
  });

  it('a write after the fold counts at once; the scheduled fold job folds it', async () => {
    clock.set(new Date('2026-05-14T11:00:00+08:00'));
    const id = await lifecycle(100); // n % 4 === 0: dispatched, unsigned
    ids.push(id);
    const r = await report(0);
    expect(r.units.find((u) => u.unitId === 'unit-water')).toMatchObject({ dispatched: 25 });
    expect(await app(2).module.scheduler?.runNow(FOLD_JOB)).toBe('ran');
    expect((await storedSums()).sums).toEqual(await expectedSums());
    expect(await report(1)).toEqual(r);
  });

  it('the store replaces many sums at once (FerretDB v1 hangs on 100 replacements in one request)', async () => {
    const store = new MongoWorkOrderRollupStore(app(0).db.connection);
    const sums = (seq: number) => new Map(Array.from({ length: 240 }, (_, i) => [
      i % 2 === 0 ? `P|bulk-${i}` : `D|bulk|${i}`, { seq, bag: new Map([['["u","dispatched"]', i + 1]]) },
    ]));
    await store.writeRollups(99, sums(1));
    await store.writeRollups(99, sums(2));
    const read = await store.readRollups(99, [...sums(2).keys()]);
    expect([...read.values()].map((r) => r.seq)).toEqual(Array.from({ length: 240 }, () => 2));
    expect(read.get('D|bulk|7')?.bag).toEqual(new Map([['["u","dispatched"]', 8]]));
    await store.clearGeneration(99);
    expect((await store.readRollups(99, ['P|bulk-0', 'D|bulk|1'])).size).toBe(0);
  });

  it('rebuild from the stored orders into a new generation: the same sums, the same report', async () => {
    const r = await report(0);
    const res = await app(1).module.facts.rebuildFromOrders(scanWorkOrders(app(1).db.connection, 7));
    expect(res).toMatchObject({ gen: 1, orders: ids.length });
    const after = await storedSums();
    expect(after.gen).toBe(1);
    expect(after.sums).toEqual(await expectedSums());
    expect(await app(0).db.connection.collection('work_order_rollups').countDocuments({ g: 0 })).toBe(0);
    expect(await app(0).db.connection.collection('work_order_rollup_days').countDocuments({ g: 0 })).toBe(0);
    expect(await report(2)).toEqual(r);
    clock.advance(H);
    ids.push(await lifecycle(101)); // n % 4 === 1: dispatched and signed at once (on time)
    const water = (x: Report) => x.units.find((u) => u.unitId === 'unit-water');
    const now = water(await report(0));
    expect(now?.dispatched).toBe((water(r)?.dispatched ?? 0) + 1);
    expect(now?.kpis['timelySign']?.numerator).toBe((water(r)?.kpis['timelySign']?.numerator ?? 0) + 1);
    await app(0).module.facts.fold();
    expect((await storedSums()).sums).toEqual(await expectedSums());
  });
});
