/**
 * The supervision sweep against the real database: a 催办 reminder once before the sign deadline,
 * 督办 once after it, also when the sweep runs twice and when two instances sweep the same
 * orders concurrently; an order read ahead and then written through another instance is read again;
 * an instance taking the sweep over continues from the other's saved progress;
 * one scheduled runner per job across instances (database lease).
 */
import { SWEEP_JOB } from '../../../src/app/work-orders/work-order.jobs';
import type { WorkOrderNotice } from '../../../src/app/work-orders/lifecycle/work-order.events';
import { MongoJobLock } from '../../../src/adapters/db/repositories/job-lock.repository';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

const T0 = new Date('2026-03-02T09:00:00+08:00');
const H = 3_600_000;

function record(app: WorkOrderApp): WorkOrderNotice[] {
  const out: WorkOrderNotice[] = [];
  app.module.events.on('workOrder:reminder', (n) => out.push(n));
  app.module.events.on('workOrder:supervision', (n) => out.push(n));
  return out;
}

describe('supervision sweep (real database)', () => {
  const clock = new TestClock(T0.getTime());
  let dbUri: string;
  let a: WorkOrderApp;
  let b: WorkOrderApp;
  let agent: Login;
  let sup: Login;
  let water: Login;

  beforeAll(async () => {
    dbUri = await workOrderDbUri(__filename);
    a = await startWorkOrderApp(dbUri, clock, { sweep: { concurrency: 4 } });
    b = await startWorkOrderApp(dbUri, clock, { sweep: { concurrency: 3 } });
    [agent, sup, water] = await Promise.all([login(a, 'agent'), login(a, 'supervisor'), login(a, 'unit_handler', 'unit-water')]);
  });
  afterAll(async () => {
    await b.stop({ drop: false });
    await a.stop();
  });

  /** Orders created and dispatched at T0: sign due T0+24 h, 催办 at 75 % = T0+18 h. */
  async function dispatched(n: number): Promise<string[]> {
    clock.set(T0);
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const c = await call<{ id: string }>(a, 'POST', '/api/work-orders', agent, {
        caller: { phone: `1380000${String(1000 + i + Math.floor(Math.random() * 8000))}` }, category: '求助', urgency: '一般', content: `路灯不亮 ${i}`, areaCode: '110105',
      });
      expect(c.status).toBe(201);
      const d = await call(a, 'POST', `/api/work-orders/${c.body.id}/actions`, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
      expect(d.status).toBe(200);
      ids.push(c.body.id);
    }
    return ids;
  }

  const keysOf = async (id: string): Promise<string[]> =>
    (await call<{ sentNoticeKeys: string[] }>(a, 'GET', `/api/work-orders/${id}`, sup)).body.sentNoticeKeys;

  it('reminds once before the deadline and raises 督办 once after it, however often it runs', async () => {
    const [id] = await dispatched(1);
    const seen = record(a);
    clock.set(new Date(T0.getTime() + 17 * H));
    expect((await a.module.sweep.run()).reminders).toBe(0);

    clock.set(new Date(T0.getTime() + 19 * H));
    const first = await a.module.sweep.run();
    const second = await a.module.sweep.run();
    expect(first).toMatchObject({ reminders: 1, supervisions: 0 });
    expect(second).toMatchObject({ examined: 0, reminders: 0 });
    expect(seen.map((n) => [n.orderId, n.stage, n.kind, n.level])).toEqual([[id, 'sign', 'reminder', 'reminder']]);
    expect(seen[0]?.unitIds).toEqual(['unit-water']);

    clock.set(new Date(T0.getTime() + 25 * H));
    await a.module.sweep.run();
    await a.module.sweep.run();
    expect(seen.map((n) => [n.stage, n.kind, n.level])).toEqual([['sign', 'reminder', 'reminder'], ['sign', 'supervision', 'yellow']]);
    const keys = await keysOf(id as string);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    const history = (await call<{ history: { action: string; actor: string }[] }>(a, 'GET', `/api/work-orders/${id}`, sup)).body.history;
    expect(history.filter((h) => h.action === 'recordNotice').map((h) => h.actor)).toEqual(['supervision-sweep', 'supervision-sweep']);

    // The sweep kept them apart from the order; the order shows them when read and stores them with its next write.
    const raw = async () => a.db.connection.collection('work_orders').findOne({ _id: id as never });
    expect((await raw())?.['sentNoticeKeys']).toEqual([]);
    // Signing stops the sign clock: no red 督办 later for that stage.
    expect((await call(a, 'POST', `/api/work-orders/${id}/actions`, water, { type: 'sign' })).status).toBe(200);
    expect((await raw())?.['sentNoticeKeys']).toEqual(keys);
    expect(((await raw())?.['history'] as { action: string }[]).map((h) => h.action).slice(-3)).toEqual(['recordNotice', 'recordNotice', 'sign']);
    clock.set(new Date(T0.getTime() + 5 * 24 * H));
    await a.module.sweep.run();
    expect(seen.filter((n) => n.stage === 'sign')).toHaveLength(2);
  });

  it('two instances sweeping the same due orders at once send each notice exactly once', async () => {
    const ids = await dispatched(24);
    const seenA = record(a);
    const seenB = record(b);
    clock.set(new Date(T0.getTime() + 19 * H));
    const [ra, rb] = await Promise.all([a.module.sweep.run(), b.module.sweep.run()]);
    const [ra2, rb2] = await Promise.all([a.module.sweep.run(), b.module.sweep.run()]);
    const sent = [...seenA, ...seenB].filter((n) => ids.includes(n.orderId));
    expect(sent).toHaveLength(24);
    expect(new Set(sent.map((n) => n.key)).size).toBe(24);
    expect(ra.reminders + rb.reminders).toBe(24);
    expect(ra2.reminders + rb2.reminders).toBe(0);

    clock.set(new Date(T0.getTime() + 25 * H));
    await Promise.all([a.module.sweep.run(), b.module.sweep.run(), a.module.sweep.run()]);
    const supervised = [...seenA, ...seenB].filter((n) => ids.includes(n.orderId) && n.kind === 'supervision');
    expect(supervised).toHaveLength(24);
    for (const id of ids) expect(await keysOf(id)).toHaveLength(2);
  });

  it('first-contact retries and callbacks are announced once when due', async () => {
    const [id] = await dispatched(1);
    const orderId = id as string;
    clock.set(new Date(T0.getTime() + 2 * H));
    await call(a, 'POST', `/api/work-orders/${orderId}/actions`, water, { type: 'sign' });
    await call(a, 'POST', `/api/work-orders/${orderId}/actions`, water, { type: 'recordContactAttempt', channel: 'phone', reached: false });
    const retries: string[] = [];
    const callbacks: string[] = [];
    a.module.events.on('workOrder:contactRetryDue', (e) => retries.push(e.orderId));
    b.module.events.on('workOrder:contactRetryDue', (e) => retries.push(e.orderId));
    a.module.events.on('workOrder:callbackDue', (e) => callbacks.push(e.orderId));
    clock.set(new Date(T0.getTime() + 2.5 * H));
    await a.module.sweep.run();
    expect(retries).toEqual([]); // ≥ 1 h apart
    clock.set(new Date(T0.getTime() + 3.1 * H));
    await Promise.all([a.module.sweep.run(), b.module.sweep.run()]);
    await a.module.sweep.run();
    expect(retries).toEqual([orderId]);
    await call(a, 'POST', `/api/work-orders/${orderId}/actions`, water, { type: 'recordContactAttempt', channel: 'phone', reached: true });
    await call(a, 'POST', `/api/work-orders/${orderId}/actions`, water, { type: 'complete', summary: '已修复' });
    await call(a, 'POST', `/api/work-orders/${orderId}/actions`, sup, { type: 'passReview' });
    await call(a, 'POST', `/api/work-orders/${orderId}/actions`, water, { type: 'recordFeedback', channel: 'phone' });
    await a.module.sweep.run();
    await a.module.sweep.run();
    expect(callbacks).toEqual([orderId]);
  });

  it('orders created at once on two instances get distinct numbers and are all listed for the sweep', async () => {
    clock.set(T0);
    const create = (app: WorkOrderApp, i: number) =>
      call<{ id: string; number: string }>(app, 'POST', '/api/work-orders', agent, {
        caller: { phone: `1390000${String(1000 + i)}` }, category: '求助', urgency: '一般', content: `井盖缺失 ${i}`, areaCode: '110105',
      });
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => create(i % 2 === 0 ? a : b, i)));
    expect(made.map((m) => m.status)).toEqual(Array(20).fill(201));
    expect(new Set(made.map((m) => m.body.number)).size).toBe(20);
    const ids = made.map((m) => m.body.id);
    await Promise.all(ids.map((id, i) => call(i % 2 === 0 ? b : a, 'POST', `/api/work-orders/${id}/actions`, sup, { type: 'dispatch', leadUnitId: 'unit-water' })));
    const seen = record(a);
    clock.set(new Date(T0.getTime() + 19 * H));
    await a.module.sweep.run();
    expect(new Set(seen.filter((n) => ids.includes(n.orderId) && n.kind === 'reminder').map((n) => n.orderId)).size).toBe(20);
  });

  it('orders read ahead by one instance: one signed through another instance meanwhile gets no 催办, the other one gets it without a read', async () => {
    const [x, y] = (await dispatched(2)) as [string, string];
    const seen = record(a);
    clock.set(new Date(T0.getTime() + 18 * H - 10 * 60_000));
    expect((await a.module.sweep.run()).readAhead).toBeGreaterThanOrEqual(2);
    clock.set(new Date(T0.getTime() + 18 * H - 5 * 60_000));
    expect((await call(b, 'POST', `/api/work-orders/${x}/actions`, water, { type: 'sign' })).status).toBe(200);
    clock.set(new Date(T0.getTime() + 18 * H + 30_000));
    const r = await a.module.sweep.run();
    expect(r.fromAhead).toBeGreaterThanOrEqual(1);
    expect(seen.filter((n) => n.orderId === x || n.orderId === y).map((n) => [n.orderId, n.stage, n.level])).toEqual([[y, 'sign', 'reminder']]);
  });

  it('an instance taking the sweep over continues from the progress the other one saved: nothing looked at twice', async () => {
    const ids = await dispatched(3);
    const seen = record(a);
    clock.set(new Date(T0.getTime() + 18 * H + 10_000));
    expect((await a.module.sweep.run()).reminders).toBeGreaterThanOrEqual(3);
    clock.set(new Date(T0.getTime() + 18 * H + 20_000));
    expect(await b.module.sweep.run()).toMatchObject({ examined: 0, conflicts: 0, reminders: 0 });
    expect(seen.filter((n) => ids.includes(n.orderId))).toHaveLength(3);
  });

  it('one scheduled runner per job across instances: the database lease', async () => {
    const lockA = new MongoJobLock(a.db.connection);
    const lockB = new MongoJobLock(b.db.connection);
    // Leases are time slots of 10 s, offset by half a slot: start at a slot's first instant so the
    // steps below (+1 s, +5 s, +11 s) fall in the same slot, the same, and the next one.
    const now = new Date(Math.ceil(Date.now() / 10_000) * 10_000 - 5_000);
    const got = await Promise.all([lockA.acquire('test-job', 'A', 10_000, now), lockB.acquire('test-job', 'B', 10_000, now)]);
    expect(got.filter(Boolean)).toHaveLength(1);
    const holder = got[0] ? 'A' : 'B';
    const [holderLock, otherLock, other] = holder === 'A' ? [lockA, lockB, 'B'] : [lockB, lockA, 'A'];
    expect(await holderLock.acquire('test-job', holder, 10_000, new Date(now.getTime() + 1000))).toBe(true); // renewal
    expect(await otherLock.acquire('test-job', other, 10_000, new Date(now.getTime() + 5000))).toBe(false);
    expect(await otherLock.acquire('test-job', other, 10_000, new Date(now.getTime() + 11_001))).toBe(true); // lease ran out

    const x = await startWorkOrderApp(dbUri, clock, { jobs: { sweepCron: '0 0 1 1 *', reportCron: '0 0 1 1 *' }, instanceId: 'x' });
    const y = await startWorkOrderApp(dbUri, clock, { jobs: { sweepCron: '0 0 1 1 *', reportCron: '0 0 1 1 *' }, instanceId: 'y' });
    try {
      const outcomes = await Promise.all([x.module.scheduler?.runNow(SWEEP_JOB), y.module.scheduler?.runNow(SWEEP_JOB), x.module.scheduler?.runNow(SWEEP_JOB)]);
      expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
      expect(outcomes).toContain('skipped:locked');
      expect(outcomes.filter((o) => o === 'skipped:running' || o === 'skipped:locked')).toHaveLength(2);
    } finally {
      await x.stop({ drop: false });
      await y.stop({ drop: false });
    }
  });
});
