/**
 * Fidelity to the seed regulations over the REST API on the real database: the 延吉 extension cap
 * counts applications, callbacks on the five-level scale, upheld complaints in the Beijing score,
 * yearly rates both ways, and provisional deadlines counted again when a calendar year is stored
 * (logged on the order, announced to the unit, 催办 re-planned, never retroactively overdue).
 */
import type { WorkOrderDeadlineChanged, WorkOrderNotice } from '../../../src/app/work-orders/lifecycle/work-order.events';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

type Deadline = { dueAt: string; provisional: boolean; metAt?: string; startAt: string };
type Order = {
  id: string; number: string; status: string; rev: number; reopenCount: number;
  deadlines: Record<string, Deadline>;
  extensions: { decision?: string }[];
  callbacks: { result: string; level?: string }[];
  history: { action: string; actor: string; role: string; comment?: string }[];
  closure?: { kind: string; result?: string };
};
type RateJson = { numerator: number; denominator: number; value: number | null };
type AnnualJson = { monthlyAverage: number | null; pooled: RateJson; months: number };
type UnitRow = {
  unitId: string; upheldComplaints: number; kpis: Record<string, RateJson>;
  beijing: { completion: number | null; complaints: number; total: number | null };
  annual?: { aggregation: string; onTimeCompletion: AnnualJson; beijing: { monthlyAverage: { completion: number | null }; pooled: { completion: number | null } } };
};

const H = 3_600_000;
const MIN = 60_000;

describe('regulation fidelity over REST (real database)', () => {
  const clock = new TestClock(new Date('2026-03-02T09:00:00+08:00').getTime());
  let app: WorkOrderApp;
  let agent: Login;
  let sup: Login;
  let sup2: Login;
  let admin: Login;
  let water: Login;
  let annualUnit: Login;

  beforeAll(async () => {
    app = await startWorkOrderApp(await workOrderDbUri(__filename), clock);
    [agent, sup, sup2, admin, water, annualUnit] = await Promise.all([
      login(app, 'agent'), login(app, 'supervisor'), login(app, 'supervisor'), login(app, 'admin'),
      login(app, 'unit_handler', 'unit-water'), login(app, 'unit_handler', 'unit-annual'),
    ]);
  });
  afterAll(async () => {
    await app.stop();
  });

  let phoneSeq = 0;
  async function create(urgency = '一般', category = '投诉'): Promise<Order> {
    phoneSeq += 1;
    const res = await call<Order>(app, 'POST', '/api/work-orders', agent, {
      caller: { name: '王五', phone: `1371000${String(1000 + phoneSeq)}`, callbackConsent: 'granted' }, category, urgency, content: `自来水浑浊 ${phoneSeq}`, areaCode: '110105',
    });
    expect(res.status).toBe(201);
    return res.body;
  }
  async function act(id: string, who: Login, body: Record<string, unknown>, status = 200): Promise<Order> {
    const res = await call<Order>(app, 'POST', `/api/work-orders/${id}/actions`, who, body);
    if (res.status !== status) throw new Error(`${String(body['type'])}: expected ${status}, got ${res.status} ${res.text}`);
    return res.body;
  }
  const read = async (id: string): Promise<Order> => (await call<Order>(app, 'GET', `/api/work-orders/${id}`, sup)).body;
  const activate = async (presetId: string) => expect((await call(app, 'PUT', '/api/presets/active', admin, { presetId })).status).toBe(200);
  async function signed(unit: Login, unitId: string, urgency = '一般'): Promise<Order> {
    const o = await create(urgency);
    await act(o.id, sup, { type: 'dispatch', leadUnitId: unitId });
    return act(o.id, unit, { type: 'sign' });
  }

  it('延吉: the 4th extension application is refused after three rejected ones, and the refusal changes nothing', async () => {
    await activate('yanji-2019');
    clock.set(new Date('2026-03-02T09:00:00+08:00'));
    const o = await signed(water, 'unit-water'); // complete due 03-05 (3 WD)
    for (let i = 0; i < 3; i += 1) {
      clock.advance(H);
      await act(o.id, water, { type: 'requestExtension', step: 2, reason: '需要检测水质' });
      await act(o.id, sup, { type: 'rejectExtension', reason: '可在期限内办结' });
    }
    const before = await read(o.id);
    const res = await call<{ reasonCode?: string }>(app, 'POST', `/api/work-orders/${o.id}/actions`, water, { type: 'requestExtension', step: 2, reason: '第四次申请' });
    expect(res.status).toBe(409);
    expect(res.body.reasonCode).toBe('WORK_ORDER.EXTENSION_LIMIT_REACHED');
    const after = await read(o.id);
    expect(after.rev).toBe(before.rev);
    expect(after.extensions.map((e) => e.decision)).toEqual(['rejected', 'rejected', 'rejected']);
    await activate('beijing-2023');
  });

  async function awaitingCallback(unit: Login, unitId: string): Promise<Order> {
    const o = await signed(unit, unitId);
    await act(o.id, unit, { type: 'complete', summary: '已更换管道' });
    await act(o.id, sup, { type: 'passReview' });
    return act(o.id, unit, { type: 'recordFeedback', channel: 'phone' });
  }

  it('callback on the five-level scale: 基本满意 counts as satisfied and closes; 不满意 is redone; a bad level is a 400', async () => {
    clock.set(new Date('2026-04-06T09:00:00+08:00'));
    const a = await awaitingCallback(water, 'unit-water');
    expect(a.status).toBe('PENDING_CALLBACK');
    const bad = await call<{ field?: string }>(app, 'POST', `/api/work-orders/${a.id}/actions`, agent, { type: 'recordCallback', level: '还行' });
    expect(bad.status).toBe(400);
    const clash = await call(app, 'POST', `/api/work-orders/${a.id}/actions`, agent, { type: 'recordCallback', level: '满意', result: 'unsatisfied' });
    expect(clash.status).toBe(400);
    expect((await read(a.id)).status).toBe('PENDING_CALLBACK');
    const closed = await act(a.id, agent, { type: 'recordCallback', level: '基本满意', contacted: true, feedbackReceived: true, resolution: 'resolved' });
    expect(closed.status).toBe('CLOSED');
    expect(closed.callbacks).toEqual([expect.objectContaining({ result: 'satisfied', level: '基本满意' })]);

    const b = await awaitingCallback(water, 'unit-water');
    const redone = await act(b.id, agent, { type: 'recordCallback', level: '不满意', contacted: true, feedbackReceived: true, resolution: 'unresolved' });
    expect(redone.status).toBe('IN_PROGRESS');
    expect(redone.reopenCount).toBe(1);
    expect(redone.callbacks).toEqual([expect.objectContaining({ result: 'unsatisfied', level: '不满意' })]);

    const r = await call<{ units: UnitRow[] }>(app, 'GET', '/api/reports/work-orders?period=month&key=2026-04', sup);
    // 满意率 = satisfied / reached: 基本满意 counts, 不满意 does not.
    expect(r.body.units.find((u) => u.unitId === 'unit-water')?.kpis['satisfaction']).toEqual({ numerator: 1, denominator: 2, value: 0.5 });
  });

  it('complaints against a unit: recorded, judged by another reviewer, the upheld ones cost 0.01 each in the Beijing score', async () => {
    clock.set(new Date('2026-04-20T10:00:00+08:00'));
    const order = await create();
    await act(order.id, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
    const body = (extra: Record<string, unknown> = {}) => ({ unitId: 'unit-water', ground: 'lateHandling', description: '三天无人联系', orderId: order.id, ...extra });

    // Input and roles.
    expect((await call(app, 'POST', '/api/complaints', agent, body({ ground: 'noise' }))).status).toBe(400);
    expect((await call(app, 'POST', '/api/complaints', agent, body({ unitId: 'unit-roads' }))).status).toBe(400);
    expect((await call(app, 'POST', '/api/complaints', agent, body({ extra: 1 }))).status).toBe(400);
    expect((await call(app, 'POST', '/api/complaints', water, body())).status).toBe(403);
    expect((await call(app, 'POST', '/api/complaints', null, body())).status).toBe(401);

    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await call<{ id: string; status: string; rev: number }>(app, 'POST', '/api/complaints', i === 0 ? sup : agent, body());
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'pending', rev: 1 });
      ids.push(res.body.id);
    }
    const [first, second, third] = ids as [string, string, string];
    const judge = (id: string, who: Login, decision: string) => call<{ status: string; reasonCode?: string }>(app, 'POST', `/api/complaints/${id}/judgement`, who, { decision, finding: '经核查属实' });
    expect((await judge(second, agent, 'upheld')).status).toBe(403);
    expect((await judge(second, water, 'upheld')).status).toBe(403);
    expect((await judge(first, sup, 'upheld')).status).toBe(403); // sup recorded it
    expect((await call(app, 'GET', '/api/complaints', water)).status).toBe(403);

    expect((await judge(first, sup2, 'upheld')).body.status).toBe('upheld');
    expect((await judge(second, sup, 'upheld')).body.status).toBe('upheld');
    expect((await judge(third, sup, 'rejected')).body.status).toBe('rejected');
    const again = await judge(second, sup2, 'rejected');
    expect([again.status, again.body.reasonCode]).toEqual([409, 'COMPLAINT.ALREADY_JUDGED']);
    expect((await call<{ status: string }>(app, 'GET', `/api/complaints/${second}`, sup)).body.status).toBe('upheld');
    const list = await call<{ total: number }>(app, 'GET', '/api/complaints?unitId=unit-water&status=upheld', sup);
    expect(list.body.total).toBe(2);

    const r = await call<{ units: UnitRow[] }>(app, 'GET', '/api/reports/work-orders?period=month&key=2026-04', sup);
    const row = r.body.units.find((u) => u.unitId === 'unit-water');
    expect(row?.upheldComplaints).toBe(2);
    expect(row?.beijing.complaints).toBeCloseTo(0.38, 10); // 0.4 − 2 × 0.01
    const may = await call<{ units: UnitRow[] }>(app, 'GET', '/api/reports/work-orders?period=month&key=2026-03', sup);
    expect(may.body.units.find((u) => u.unitId === 'unit-water')?.upheldComplaints).toBe(0);
    const csv = await call(app, 'GET', '/api/reports/work-orders?period=month&key=2026-04&format=csv', sup);
    expect(csv.text.split('\r\n')[0]).toContain('属实投诉(件)');
  });

  it('yearly report: 按期办结率 as the average of monthly rates (preset) and pooled, both shown; the preset decides the score', async () => {
    // January: 1 of 1 on time. February: 1 on time, 1 overdue and unfinished → 1/2.
    clock.set(new Date('2026-01-05T10:00:00+08:00'));
    const jan = await signed(annualUnit, 'unit-annual');
    await act(jan.id, annualUnit, { type: 'complete', summary: '已处理' });
    await act(jan.id, sup, { type: 'passReview' });
    clock.set(new Date('2026-02-02T10:00:00+08:00'));
    const feb1 = await signed(annualUnit, 'unit-annual');
    await signed(annualUnit, 'unit-annual');
    await act(feb1.id, annualUnit, { type: 'complete', summary: '已处理' });
    await act(feb1.id, sup, { type: 'passReview' });

    clock.set(new Date('2026-03-15T10:00:00+08:00')); // the second February order's 7-day limit has passed
    const year = async () => (await call<{ units: UnitRow[] }>(app, 'GET', '/api/reports/work-orders?period=year&key=2026&unitId=unit-annual', sup)).body.units[0];
    const y = await year();
    expect(y?.annual?.aggregation).toBe('monthlyAverage');
    expect(y?.annual?.onTimeCompletion.monthlyAverage).toBeCloseTo(0.75, 12); // (1 + 0.5) / 2
    expect(y?.annual?.onTimeCompletion.pooled).toEqual({ numerator: 2, denominator: 3, value: 2 / 3 });
    expect(y?.annual?.onTimeCompletion.months).toBe(2);
    expect(y?.beijing.completion).toBeCloseTo(0.75, 12);
    expect(y?.annual?.beijing.pooled.completion).toBeCloseTo(2 / 3, 12);

    // An administrator switches the preset's rule to the pooled rate.
    const preset = (await call<Record<string, unknown> & { version: number }>(app, 'GET', '/api/presets/beijing-2023', admin)).body;
    const put = await call(app, 'PUT', '/api/presets/beijing-2023', admin, { ...preset, version: preset.version + 1, scoring: { annualAggregation: 'pooled', source: '试行: 全年汇总' } });
    expect(put.status).toBe(200);
    const pooled = await year();
    expect(pooled?.annual?.aggregation).toBe('pooled');
    expect(pooled?.beijing.completion).toBeCloseTo(2 / 3, 12);
    const bad = await call(app, 'PUT', '/api/presets/beijing-2023', admin, { ...preset, version: preset.version + 2, scoring: { annualAggregation: 'median', source: 'x' } });
    expect(bad.status).toBe(400);
  });

  describe('a stored calendar year recounts open provisional deadlines', () => {
    const source = (year: number) => ({ title: `国务院办公厅关于${year}年部分节假日安排的通知`, publishedOn: `${year - 1}-11-01` });

    it('2027 元旦: a 10-working-day deadline moves a day, is logged, announced to the unit, and 催办 follows the new deadline', async () => {
      await activate('qingpu-2020');
      clock.set(new Date('2026-12-30T10:00:00+08:00'));
      const o = await signed(water, 'unit-water', '疑难');
      const done = await create(); // an order closed before the change is left alone
      await act(done.id, agent, { type: 'invalidate', reason: '重复来电' });
      // 12-31 (1), then 2027 assumed Mon–Fri: 01-01 (2), 01-04…08, 01-11…13 (10).
      expect(o.deadlines['complete']).toMatchObject({ dueAt: '2027-01-13T15:59:59.999Z', provisional: true });
      await app.module.sweep.run();

      const changed: WorkOrderDeadlineChanged[] = [];
      const reminders: WorkOrderNotice[] = [];
      app.module.events.on('workOrder:deadlineChanged', (e) => changed.push(e));
      app.module.events.on('workOrder:reminder', (e) => reminders.push(e));

      clock.set(new Date('2027-01-04T10:00:00+08:00'));
      const bad = await call(app, 'PUT', '/api/calendar/years/2027', admin, { year: 2027, version: 1, source: source(2027), holidays: [], makeUpWorkdays: [] });
      expect(bad.status).toBe(400);
      expect((await read(o.id)).deadlines['complete']?.provisional).toBe(true);
      expect((await call(app, 'PUT', '/api/calendar/years/2027', sup, { year: 2027 })).status).toBe(403);

      const put = await call<{ provisionalDeadlines: { examined: number; changed: number } }>(app, 'PUT', '/api/calendar/years/2027', admin, {
        year: 2027, version: 1, source: source(2027), holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }], makeUpWorkdays: [],
      });
      expect(put.status).toBe(200);
      expect(put.body.provisionalDeadlines.changed).toBeGreaterThanOrEqual(1);

      const after = await read(o.id);
      // 12-31 (1), 01-04…08 (2–6), 01-11…14 (7–10).
      expect(after.deadlines['complete']).toMatchObject({ dueAt: '2027-01-14T15:59:59.999Z', provisional: false });
      const entry = after.history[after.history.length - 1];
      expect(entry).toMatchObject({ action: 'recomputeDeadlines', actor: 'system', role: 'system' });
      expect(entry?.comment).toContain('complete 2027-01-13T15:59:59.999Z → 2027-01-14T15:59:59.999Z (official)');
      expect(changed.filter((c) => c.orderId === o.id).map((c) => [c.stage, c.dueAt.toISOString(), c.unitIds])).toContainEqual(
        ['complete', '2027-01-14T15:59:59.999Z', ['unit-water']],
      );
      expect((await read(done.id)).history.some((h) => h.action === 'recomputeDeadlines')).toBe(false);

      // 催办 at half the allowed time: from dispatch (12-30 10:00) to the deadline.
      const start = new Date(after.deadlines['complete']?.startAt ?? '').getTime();
      const halfway = (due: string) => start + 0.5 * (new Date(due).getTime() - start);
      const oldReminder = halfway('2027-01-13T15:59:59.999Z');
      const newReminder = halfway('2027-01-14T15:59:59.999Z');
      clock.set(new Date(oldReminder + MIN));
      await app.module.sweep.run();
      expect(reminders.filter((n) => n.orderId === o.id && n.stage === 'complete')).toEqual([]);
      clock.set(new Date(newReminder + MIN));
      await app.module.sweep.run();
      expect(reminders.filter((n) => n.orderId === o.id && n.stage === 'complete').map((n) => n.dueAt.toISOString())).toEqual(['2027-01-14T15:59:59.999Z']);
    });

    it('a recount that has already passed does not make the order overdue: it keeps the deadline the unit was given', async () => {
      // 疑难 10 WD from 2027-12-29 (Wed): 12-30, 12-31 (1, 2), 2028 assumed Mon–Fri: 01-03…07 (3–7), 01-10, 11, 12 (8–10).
      clock.set(new Date('2027-12-29T10:00:00+08:00'));
      const o = await signed(water, 'unit-water', '疑难');
      expect(o.deadlines['complete']).toMatchObject({ dueAt: '2028-01-12T15:59:59.999Z', provisional: true });
      // 2028 with Saturday 01-08 a 补班 day: 01-03…07 (3–7), 01-08 (8), 01-10 (9), 01-11 (10) → 01-11, already past at 01-12 09:00.
      clock.set(new Date('2028-01-12T09:00:00+08:00'));
      const put = await call(app, 'PUT', '/api/calendar/years/2028', admin, {
        year: 2028, version: 1, source: source(2028), holidays: [{ name: '春节', from: '2028-01-26', to: '2028-02-01' }], makeUpWorkdays: ['2028-01-08'],
      });
      expect(put.status).toBe(200);
      const after = await read(o.id);
      expect(after.deadlines['complete']).toMatchObject({ dueAt: '2028-01-12T15:59:59.999Z', provisional: false });
      expect(after.history[after.history.length - 1]?.comment).toContain('kept: the recount 2028-01-11T15:59:59.999Z had passed');
      await activate('beijing-2023');
    });
  });
});
