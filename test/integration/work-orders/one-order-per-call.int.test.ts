/**
 * Work orders made from a call are unique per call (issue 24 §5, ADR 0007's open rule), in the real
 * database: a second order for the same call is 409 naming the first, also when two agents create
 * at once; linking another order to a call that has one is refused the same way; orders without a
 * call are not limited.
 */
import { account, insertCall, mongoBaseUrl, request, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';

let app: TestApp;
let sup: Account;
const at = (min: number) => new Date(Date.UTC(2026, 2, 2, 1, min));

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`, withWorkOrderModule: true });
  sup = await account(app, 'supervisor');
  for (const [callId, min] of [['call-a', 0], ['call-b', 10], ['call-c', 20]] as const) {
    await insertCall(app, { callId, callerNumber: '13900000077', agentId: '8001', agentIds: ['8001'], startedAt: at(min) });
  }
});
afterAll(async () => {
  await app?.stop();
});

const create = (body: Record<string, unknown>) =>
  request<{ id: string; rev: number; code?: string; orderId?: string; field?: string }>(app, 'POST', '/api/work-orders', {
    token: sup.token,
    body: { caller: { phone: '13900000077' }, category: '求助', urgency: '一般', areaCode: '110105', content: '一次来电一张工单', ...body },
  });
const ordersOf = (callId: string) => app.db.connection.collection('work_orders').countDocuments({ callId });

describe('one work order per call', () => {
  it('a second order for the same call is 409 naming the first; none is created', async () => {
    const first = await create({ callId: 'call-a' });
    expect(first.status).toBe(201);
    const second = await create({ callId: 'call-a' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'CONFLICT.STATE', field: 'body.callId', orderId: first.body.id });
    expect(await ordersOf('call-a')).toBe(1);
  });

  it('two creates for one call at once: one order', async () => {
    const both = await Promise.all([create({ callId: 'call-b' }), create({ callId: 'call-b' })]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await ordersOf('call-b')).toBe(1);
  });

  it('linking an order to a call that has one is refused; orders without a call are not limited', async () => {
    const loose = await create({});
    const again = await create({});
    expect([loose.status, again.status]).toEqual([201, 201]);
    const link = await request(app, 'POST', `/api/work-orders/${loose.body.id}/actions`, { token: sup.token, body: { type: 'linkCall', callId: 'call-a', rev: loose.body.rev } });
    expect(link.status).toBe(409);
    expect(await ordersOf('call-a')).toBe(1);
    const free = await request(app, 'POST', `/api/work-orders/${loose.body.id}/actions`, { token: sup.token, body: { type: 'linkCall', callId: 'call-c', rev: loose.body.rev } });
    expect(free.status).toBe(200);
    expect(await ordersOf('call-c')).toBe(1);
  });
});
