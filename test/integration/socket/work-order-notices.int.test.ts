/**
 * Work-order notices pushed live, against the real database and Redis: two socket.io instances
 * (A, B) share Redis; the work-order module's events are projected by A, as main.ts wires them.
 * A dispatched order's 催办 reminder comes due, the sweep runs (twice): a unit handler of the lead
 * unit receives `workorder:notice` once on either instance, a handler of another unit nothing, a
 * supervisor who joined the staff room receives it; agents and unit handlers may not join that
 * room. No payload carries the caller.
 */
import type { WorkOrderChangedPayload, WorkOrderNoticePayload } from '../../../src/adapters/realtime/socket.events';
import { eventually } from '../../support/eventually';
import { collect, connectSocket, connected, emitAck, mongoBaseUrl, redisUrl, startApp, uniqueDbName, type TestApp, type TestSocket } from '../../support/api-harness';
import { call, login, startWorkOrderApp, TestClock, type Login, type WorkOrderApp } from '../../support/work-order-harness';

const T0 = new Date('2026-03-02T09:00:00+08:00');
const H = 3_600_000;
const CALLER = { name: '王秘密', phone: '13912345678', address: '朝阳区某小区 3-2-401', confidential: true };

let a: TestApp;
let b: TestApp;
let wo: WorkOrderApp;
const clock = new TestClock(T0.getTime());
const sockets: TestSocket[] = [];

interface Listener {
  socket: TestSocket;
  notices: WorkOrderNoticePayload[];
  changes: WorkOrderChangedPayload[];
  errors: { event: string; code: string; message: string }[];
}

async function listen(app: TestApp, who: Login): Promise<Listener> {
  const socket = connectSocket(app, who.token);
  sockets.push(socket);
  const notices = collect(socket, 'workorder:notice');
  const changes = collect(socket, 'workorder:changed');
  const errors = collect(socket, 'error');
  await connected(socket);
  return { socket, notices, changes, errors };
}

beforeAll(async () => {
  const uri = `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`;
  const redis = await redisUrl();
  a = await startApp({ dbUri: uri, redisUrl: redis });
  b = await startApp({ dbUri: uri, redisUrl: redis, withDashboard: false });
  wo = await startWorkOrderApp(uri, clock);
  a.projector.attachWorkOrders(wo.module.events);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await wo?.stop({ drop: false });
  await b?.stop();
  await a?.stop();
});

async function createAndDispatch(agent: Login, sup: Login, unitId: string, content: string): Promise<{ id: string; number: string }> {
  const c = await call<{ id: string; number: string }>(wo, 'POST', '/api/work-orders', agent, { caller: CALLER, category: '投诉', urgency: '一般', content, areaCode: '110105' });
  expect(c.status).toBe(201);
  const d = await call(wo, 'POST', `/api/work-orders/${c.body.id}/actions`, sup, { type: 'dispatch', leadUnitId: unitId });
  expect(d.status).toBe(200);
  return c.body;
}

describe('work-order notices over Socket.IO', () => {
  it('a due reminder reaches its unit (on every instance) and the staff room once, and no one else', async () => {
    const [agent, sup, admin, waterUser, waterUser2, gasUser] = await Promise.all([
      login(wo, 'agent'),
      login(wo, 'supervisor'),
      login(wo, 'admin'),
      login(wo, 'unit_handler', 'unit-water'),
      login(wo, 'unit_handler', 'unit-water'),
      login(wo, 'unit_handler', 'unit-gas'),
    ]);
    const waterOnB = await listen(b, waterUser);
    const waterOnA = await listen(a, waterUser2);
    const gasOnB = await listen(b, gasUser);
    const supOnB = await listen(b, sup);
    const adminOnA = await listen(a, admin);
    const agentOnB = await listen(b, agent);

    // Staff ask for the staff room; agents and unit handlers are refused with the reason.
    expect(await emitAck(supOnB.socket, 'workorders:join')).toEqual({ ok: true });
    expect(await emitAck(adminOnA.socket, 'workorders:join')).toEqual({ ok: true });
    expect(await emitAck(agentOnB.socket, 'workorders:join')).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(await emitAck(gasOnB.socket, 'workorders:join', { unknown: 1 })).toMatchObject({ ok: false, code: 'VALIDATION.FIELD', field: 'payload.unknown' });
    expect(await emitAck(gasOnB.socket, 'workorders:join')).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    await eventually(() => agentOnB.errors.length === 1 && gasOnB.errors.length === 2);
    expect(agentOnB.errors[0]).toMatchObject({ event: 'workorders:join', code: 'AUTH.FORBIDDEN', message: expect.stringContaining('role agent may not workorders:watch') });
    expect(gasOnB.errors[1]).toMatchObject({ event: 'workorders:join', code: 'AUTH.FORBIDDEN', message: expect.stringContaining('role unit_handler') });
    expect(agentOnB.socket.connected).toBe(true);

    clock.set(T0);
    const order = await createAndDispatch(agent, sup, 'unit-water', '自来水停水三天 王秘密反映');

    // Created (no unit yet: staff only), then dispatched (staff and the lead unit).
    await eventually(() => waterOnB.changes.length === 1 && waterOnA.changes.length === 1 && supOnB.changes.length === 2);
    expect(supOnB.changes.map((c) => [c.kind, c.action, c.to])).toEqual([
      ['created', 'create', 'PENDING_DISPATCH'],
      ['changed', 'dispatch', 'PENDING_SIGN'],
    ]);
    expect(waterOnB.changes[0]).toMatchObject({ kind: 'changed', orderId: order.id, number: order.number, action: 'dispatch', from: 'PENDING_DISPATCH', to: 'PENDING_SIGN', unitIds: ['unit-water'] });

    // Sign due T0+24 h; 催办 at 75 % = T0+18 h. Not yet at T0+17 h; due at T0+19 h; the second run sends nothing.
    clock.set(new Date(T0.getTime() + 17 * H));
    expect((await wo.module.sweep.run()).reminders).toBe(0);
    clock.set(new Date(T0.getTime() + 19 * H));
    expect((await wo.module.sweep.run()).reminders).toBe(1);
    expect((await wo.module.sweep.run()).reminders).toBe(0);

    await eventually(() => waterOnB.notices.length > 0 && waterOnA.notices.length > 0 && supOnB.notices.length > 0 && adminOnA.notices.length > 0);
    const expected = {
      kind: 'reminder',
      orderId: order.id,
      number: order.number,
      stage: 'sign',
      level: 'reminder',
      unitIds: ['unit-water'],
      dueAt: T0.getTime() + 24 * H,
      at: T0.getTime() + 19 * H,
      key: expect.any(String),
    };
    for (const l of [waterOnB, waterOnA, supOnB, adminOnA]) expect(l.notices).toEqual([expected]);

    // Sentinels: a later event each listener hears proves nothing else was on its way before it.
    expect((await call(wo, 'POST', `/api/work-orders/${order.id}/actions`, waterUser, { type: 'sign' })).status).toBe(200);
    const gasOrder = await createAndDispatch(agent, sup, 'unit-gas', '燃气味道很重');
    await eventually(() => waterOnB.changes.some((c) => c.action === 'sign') && waterOnA.changes.some((c) => c.action === 'sign'));
    await eventually(() => gasOnB.changes.some((c) => c.orderId === gasOrder.id) && supOnB.changes.some((c) => c.orderId === gasOrder.id));
    for (const l of [waterOnB, waterOnA, supOnB]) expect(l.notices).toHaveLength(1);
    expect(gasOnB.notices).toEqual([]);
    expect(gasOnB.changes.map((c) => c.orderId)).toEqual([gasOrder.id]);
    expect(waterOnB.changes.map((c) => c.orderId)).not.toContain(gasOrder.id);
    expect(agentOnB.notices).toEqual([]);
    expect(agentOnB.changes).toEqual([]);

    // An escalation (free-text reason naming the caller) reaches the unit without the reason.
    expect((await call(wo, 'POST', `/api/work-orders/${order.id}/actions`, sup, { type: 'escalate', reason: '王秘密多次投诉' })).status).toBe(200);
    await eventually(() => waterOnB.notices.some((n) => n.kind === 'escalation') && supOnB.notices.some((n) => n.kind === 'escalation'));
    expect(waterOnB.notices.find((n) => n.kind === 'escalation')).toEqual({ kind: 'escalation', orderId: order.id, number: order.number, unitIds: ['unit-water'], at: expect.any(Number), key: expect.any(String) });

    // Leaving the staff room stops the flow to that socket.
    expect(await emitAck(supOnB.socket, 'workorders:leave')).toEqual({ ok: true });
    const before = supOnB.changes.length;
    await createAndDispatch(agent, sup, 'unit-water', '水压低');
    await eventually(() => waterOnB.changes.filter((c) => c.action === 'dispatch').length === 2 && adminOnA.changes.filter((c) => c.action === 'dispatch').length === 3);
    expect(supOnB.changes).toHaveLength(before);

    // Nothing about the confidential caller went out to anyone.
    const everything = JSON.stringify([waterOnB, waterOnA, gasOnB, supOnB, adminOnA, agentOnB].map((l) => [l.notices, l.changes]));
    for (const secret of [CALLER.name, CALLER.phone, CALLER.address, '自来水停水', '多次投诉']) expect(everything).not.toContain(secret);
  });
});
