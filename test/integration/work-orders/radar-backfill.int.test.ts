/**
 * Orders written before the deadline radar's fields existed (stored as an older version wrote them:
 * every other index field, no radarDueAt / radarStage / radarRemindAt) get them without a write of
 * the order, against the real database:
 *  - at start, in the background: another instance starting finds them and they appear on the radar
 *    with the engine's current stage and due instant; closed orders stay off it;
 *  - in batches, by two instances at once: each order is written exactly once, its revision unchanged;
 *    a second run finds nothing to do;
 *  - an order written since (with its own radar fields) keeps them.
 */
import { BEIJING_2023, QINGPU_2020, createWorkOrder, radarDeadline, transition, type RegulationPreset, type WorkOrder, type WorkOrderAction } from '../../../src/domain/work-order';
import { MongoWorkOrderRepository, toDoc } from '../../../src/adapters/db/repositories/work-order.repository';
import { indexFieldsOf } from '../../../src/app/work-orders/lifecycle/work-order.index';
import { backfillRadar } from '../../../src/app/work-orders/lifecycle/radar-backfill';
import { RADAR_NO_DEADLINE } from '../../../src/app/work-orders/work-orders.ports';
import { silentLogger } from '../../../src/shared/logger';
import { eventually } from '../../support/eventually';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

const T0 = new Date('2026-03-02T09:00:00+08:00');
const H = 3_600_000;
type Doc = Record<string, unknown> & { _id: string; rev: number; radarDueAt?: Date; radarStage?: string; radarRemindAt?: Date };

describe('radar fields of orders from before them (real database)', () => {
  const clock = new TestClock(T0.getTime());
  let dbUri: string;
  let a: WorkOrderApp;
  let b: WorkOrderApp | null = null;
  let sup: Login;
  let seq = 0;

  const docs = () => a.db.connection.collection<Doc>('work_orders');

  /** An order `hoursAgo` old, taken to `upTo` under `preset`, stored without the radar fields. */
  async function legacy(preset: RegulationPreset, upTo: 'pendingDispatch' | 'pendingSign' | 'inProgress' | 'invalid', hoursAgo: number): Promise<WorkOrder> {
    seq += 1;
    const at = new Date(T0.getTime() - hoursAgo * H);
    const calendar = a.module.regulation.workCalendar();
    let o = createWorkOrder({
      id: `legacy-${String(seq).padStart(3, '0')}`, number: `WO20260201-7${String(seq).padStart(5, '0')}`, presetId: preset.id, createdAt: at,
      createdBy: { id: 'old', role: 'supervisor' }, caller: { name: '郑先生', phone: `1386666${String(seq).padStart(4, '0')}`, confidential: false, callbackConsent: 'unknown' },
      category: '求助', urgency: '一般', content: `路灯不亮 ${seq}`, areaCode: '110105',
    });
    const steps: Array<[WorkOrderAction, 'supervisor' | 'unitHandler']> = [[{ type: 'accept' }, 'supervisor']];
    if (upTo === 'invalid') steps.push([{ type: 'invalidate', reason: '无效来电' }, 'supervisor']);
    if (upTo === 'pendingSign' || upTo === 'inProgress') steps.push([{ type: 'dispatch', leadUnitId: 'unit-water' }, 'supervisor']);
    if (upTo === 'inProgress') steps.push([{ type: 'sign' }, 'unitHandler']);
    for (const [action, role] of steps) {
      const actor = role === 'supervisor' ? { id: 'old', role } as const : { id: 'old-unit', role, unitId: 'unit-water' } as const;
      const r = transition(o, action, { now: at, actor, preset, calendar });
      if (!r.ok) throw new Error(`${action.type}: ${r.reason}`);
      o = r.order;
    }
    const { radarDueAt: _d, radarStage: _s, radarRemindAt: _r, ...older } = indexFieldsOf({ order: o, events: [], now: at, preset, calendar });
    await docs().insertOne(toDoc(o, 1, older) as never);
    return o;
  }

  /** What a write would store: the engine's current stage (none for a closed order). */
  function expected(o: WorkOrder, preset: RegulationPreset): { radarDueAt?: Date; radarStage?: string; radarRemindAt?: Date } {
    if (o.status === 'INVALID') return {};
    const r = radarDeadline(o, preset);
    return { radarDueAt: r?.dueAt ?? RADAR_NO_DEADLINE, ...(r ? { radarStage: r.stage, ...(r.remindAt ? { radarRemindAt: r.remindAt } : {}) } : {}) };
  }

  async function expectStored(orders: Array<[WorkOrder, RegulationPreset]>): Promise<void> {
    for (const [o, preset] of orders) {
      const d = await docs().findOne({ _id: o.id });
      expect({ id: o.id, rev: d?.rev, radarDueAt: d?.radarDueAt, radarStage: d?.radarStage, radarRemindAt: d?.radarRemindAt })
        .toEqual({ id: o.id, rev: 1, radarDueAt: undefined, radarStage: undefined, radarRemindAt: undefined, ...expected(o, preset) });
    }
  }

  beforeAll(async () => {
    dbUri = await workOrderDbUri(__filename);
    a = await startWorkOrderApp(dbUri, clock);
    sup = await login(a, 'supervisor');
  });
  afterAll(async () => {
    await b?.stop({ drop: false });
    await a.stop();
  });

  it('an instance starting gives them their radar fields in the background; they appear on the radar, closed ones do not', async () => {
    const orders: Array<[WorkOrder, RegulationPreset]> = [
      [await legacy(BEIJING_2023, 'pendingDispatch', 2), BEIJING_2023],
      [await legacy(BEIJING_2023, 'pendingSign', 30), BEIJING_2023],
      [await legacy(QINGPU_2020, 'inProgress', 5), QINGPU_2020],
      [await legacy(QINGPU_2020, 'pendingSign', 1), QINGPU_2020],
      [await legacy(BEIJING_2023, 'invalid', 3), BEIJING_2023],
    ];
    const open = orders.filter(([o]) => o.status !== 'INVALID');
    // Not on the radar: it reads the fields they lack.
    const before = await call<{ items: Array<{ id: string }> }>(a, 'GET', '/api/work-order-radar?pageSize=100', sup);
    expect(before.body.items).toEqual([]);

    b = await startWorkOrderApp(dbUri, clock);
    const radar = await eventually(async () => {
      const r = await call<{ items: Array<{ id: string; stage: string | null; dueAt: string | null }> }>(a, 'GET', '/api/work-order-radar?pageSize=100', sup);
      return r.body.items.length === open.length ? r.body.items : null;
    }, 30_000, 200);
    const byDue = [...open].sort(([x, px], [y, py]) => (expected(x, px).radarDueAt!.getTime() - expected(y, py).radarDueAt!.getTime()) || (x.id < y.id ? -1 : 1));
    expect(radar.map((r) => [r.id, r.stage, r.dueAt])).toEqual(byDue.map(([o, p]) => {
      const e = expected(o, p);
      return [o.id, e.radarStage ?? null, e.radarStage ? e.radarDueAt!.toISOString() : null];
    }));
    await expectStored(orders);
  });

  it('in batches, two instances at once: each order written once, revisions unchanged; a second run has nothing to do', async () => {
    const orders: Array<[WorkOrder, RegulationPreset]> = [];
    for (let i = 0; i < 7; i += 1) {
      const preset = i % 2 === 0 ? BEIJING_2023 : QINGPU_2020;
      orders.push([await legacy(preset, i % 3 === 0 ? 'pendingDispatch' : 'pendingSign', 1 + i * 7), preset]);
    }
    const run = (app: WorkOrderApp, batch: number) => backfillRadar({ store: new MongoWorkOrderRepository(app.db.connection), regulation: app.module.regulation, log: silentLogger, batch });
    const [x, y] = await Promise.all([run(a, 2), run(b!, 3)]);
    expect(x.failed + y.failed).toBe(0);
    expect(x.written + y.written).toBe(7);
    await expectStored(orders);
    expect(await a.module.backfillRadar()).toEqual({ examined: 0, written: 0, failed: 0 });
  });

  it('an order written since keeps the radar fields its write gave it', async () => {
    const o = await legacy(BEIJING_2023, 'pendingDispatch', 1);
    const stale = (await new MongoWorkOrderRepository(a.db.connection).withoutRadar('', 100)).find((s) => s.order.id === o.id);
    expect(stale?.rev).toBe(1);
    const d = await call(a, 'POST', `/api/work-orders/${o.id}/actions`, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
    expect(d.status).toBe(200);
    const written = await docs().findOne({ _id: o.id });
    expect(written?.rev).toBe(2);
    expect(written?.radarStage).toBeDefined();
    // The backfill's read was of revision 1: its write does not land.
    const repo = new MongoWorkOrderRepository(a.db.connection);
    expect(await repo.setRadar(o.id, 1, { radarDueAt: new Date(0), radarStage: 'dispatch' })).toBe(false);
    expect(await repo.setRadar(o.id, 2, { radarDueAt: new Date(0), radarStage: 'dispatch' })).toBe(false);
    const after = await docs().findOne({ _id: o.id });
    expect([after?.rev, after?.radarDueAt, after?.radarStage]).toEqual([2, written?.radarDueAt, written?.radarStage]);
  });
});
