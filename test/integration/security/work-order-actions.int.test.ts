/**
 * Issue 19 §6, reproduced against a running instance and the real database: `linkRepeat` and
 * `merge` were open to agents and accepted targets that do not exist (an order escalated to 疑难 by
 * a made-up root; an order merged into nothing and left unworkable). Now both are supervisors'
 * decisions, the target must exist, be visible to the actor and (for a merge) be open, and a
 * supervisor can undo a merge.
 */
import { account, mongoBaseUrl, request, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';

type Json = Record<string, unknown>;

describe('§6 work-order actions: linkRepeat, merge, unmerge', () => {
  let app: TestApp;
  let agent: Account;
  let sup: Account;
  let n = 0;

  beforeAll(async () => {
    app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`, withWorkOrderModule: true });
    [agent, sup] = [await account(app, 'agent'), await account(app, 'supervisor')];
  });
  afterAll(async () => {
    await app.stop();
  });

  const newOrder = async (): Promise<string> => {
    n += 1;
    const res = await request<Json>(app, 'POST', '/api/work-orders', {
      token: agent.token,
      body: { caller: { phone: `1370000${String(1000 + n)}`, callbackConsent: 'granted' }, category: `投诉${n}`, urgency: '一般', content: '路灯不亮', areaCode: `1101${n}` },
    });
    expect(res.status).toBe(201);
    return String(res.body['id']);
  };
  const act = (who: Account, id: string, body: Json) => request<Json>(app, 'POST', `/api/work-orders/${id}/actions`, { token: who.token, body });
  const get = async (id: string) => (await request<Json>(app, 'GET', `/api/work-orders/${id}`, { token: sup.token })).body;

  it('an agent may not link a repeat or merge (403), and the order is left as it was', async () => {
    const id = await newOrder();
    const before = await get(id);
    const link = await act(agent, id, { type: 'linkRepeat', rootOrderId: 'no-such-order', repeatNumber: 9, escalate: true });
    expect([link.status, link.body['code']]).toEqual([403, 'AUTH.FORBIDDEN']);
    const merge = await act(agent, id, { type: 'merge', masterId: 'no-such-order' });
    expect([merge.status, merge.body['code']]).toEqual([403, 'AUTH.FORBIDDEN']);
    const after = await get(id);
    expect(after).toMatchObject({ rev: before['rev'], status: 'PENDING_DISPATCH', urgency: '一般', escalated: false });
  });

  it('a root or master that does not exist → 404 WORK_ORDER.TARGET_NOT_FOUND naming the field; nothing changes', async () => {
    const id = await newOrder();
    const before = await get(id);
    const link = await act(sup, id, { type: 'linkRepeat', rootOrderId: 'no-such-order', repeatNumber: 9, escalate: true });
    expect(link.status).toBe(404);
    expect(link.body).toMatchObject({ code: 'NOT_FOUND', reasonCode: 'WORK_ORDER.TARGET_NOT_FOUND', field: 'body.rootOrderId' });
    const merge = await act(sup, id, { type: 'merge', masterId: 'no-such-order' });
    expect(merge.status).toBe(404);
    expect(merge.body).toMatchObject({ code: 'NOT_FOUND', reasonCode: 'WORK_ORDER.TARGET_NOT_FOUND', field: 'body.masterId' });
    expect(await get(id)).toMatchObject({ rev: before['rev'], status: 'PENDING_DISPATCH', urgency: '一般', escalated: false });
    // Still workable.
    expect((await act(sup, id, { type: 'dispatch', leadUnitId: 'water' })).status).toBe(200);
  });

  it('a master that is merged itself or closed → 409 with a clear code', async () => {
    const [master, dup, other, invalid] = [await newOrder(), await newOrder(), await newOrder(), await newOrder()];
    expect((await act(sup, dup, { type: 'merge', masterId: master })).status).toBe(200);
    const chained = await act(sup, other, { type: 'merge', masterId: dup });
    expect(chained.status).toBe(409);
    expect(chained.body).toMatchObject({ code: 'CONFLICT.STATE', reasonCode: 'WORK_ORDER.TARGET_MERGED', mergedInto: master });
    expect((await act(agent, invalid, { type: 'invalidate', reason: '无效来电' })).status).toBe(200);
    const closed = await act(sup, other, { type: 'merge', masterId: invalid });
    expect(closed.status).toBe(409);
    expect(closed.body).toMatchObject({ reasonCode: 'WORK_ORDER.TARGET_CLOSED' });
    expect(await get(other)).toMatchObject({ status: 'PENDING_DISPATCH' });
  });

  it('a supervisor links a real repeat; a supervisor can undo a merge and the order is workable again', async () => {
    const [root, repeat] = [await newOrder(), await newOrder()];
    const link = await act(sup, repeat, { type: 'linkRepeat', rootOrderId: root, repeatNumber: 2, escalate: false });
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({ repeatOf: root });

    const [master, dup] = [await newOrder(), await newOrder()];
    expect((await act(sup, dup, { type: 'dispatch', leadUnitId: 'water' })).status).toBe(200);
    expect((await act(sup, dup, { type: 'merge', masterId: master })).body).toMatchObject({ status: 'MERGED', mergedInto: master });
    const byAgent = await act(agent, dup, { type: 'unmerge', reason: '不是同一诉求' });
    expect([byAgent.status, byAgent.body['code']]).toEqual([403, 'AUTH.FORBIDDEN']);
    const undone = await act(sup, dup, { type: 'unmerge', reason: '不是同一诉求' });
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ status: 'PENDING_SIGN' });
    expect(undone.body['mergedInto']).toBeUndefined();
    const history = undone.body['history'] as Json[];
    expect(history[history.length - 1]).toMatchObject({ action: 'unmerge', fromStatus: 'MERGED', toStatus: 'PENDING_SIGN', comment: '不是同一诉求' });
    // The unit can work it again.
    const water = await account(app, 'unit_handler', { unitId: 'water' });
    expect((await act(water, dup, { type: 'sign' })).status).toBe(200);
  });
});
