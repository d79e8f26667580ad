/**
 * Idempotency-Key on creating a work order (real database): a client that retries after losing the
 * answer gets the first order again, and no second order exists.
 */
import { login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

describe('POST /api/work-orders with Idempotency-Key', () => {
  const clock = new TestClock(new Date('2026-03-02T09:00:00+08:00').getTime());
  let app: WorkOrderApp;
  let agent: Login;
  let agent2: Login;

  beforeAll(async () => {
    app = await startWorkOrderApp(await workOrderDbUri(__filename), clock);
    [agent, agent2] = await Promise.all([login(app, 'agent'), login(app, 'agent')]);
  });
  afterAll(async () => {
    await app.stop();
  });

  const order = (content: string) => ({ caller: { phone: '13911112222' }, category: '求助', urgency: '一般', content, areaCode: '110105' });
  const post = (who: Login, body: unknown, key?: string) =>
    fetch(`${app.baseUrl}/api/work-orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
      body: JSON.stringify(body),
    });
  // Counted in the database itself: what a second order would be.
  const countWith = (content: string) => app.db.connection.collection('work_orders').countDocuments({ content });

  it('a retry with the same key and body answers the first order and creates none', async () => {
    const first = await post(agent, order('路灯不亮 retry'), 'create-7f3a');
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; number: string };
    const retries = await Promise.all([post(agent, order('路灯不亮 retry'), 'create-7f3a'), post(agent, order('路灯不亮 retry'), 'create-7f3a')]);
    for (const retry of retries) {
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.json()).toMatchObject({ id: created.id, number: created.number });
    }
    expect(await countWith('路灯不亮 retry')).toBe(1);
  });

  it('two creates at once with one key make one order; the other gets it or 409', async () => {
    const both = await Promise.all([post(agent, order('井盖 concurrent'), 'create-c1'), post(agent, order('井盖 concurrent'), 'create-c1')]);
    expect(both.map((r) => r.status).sort()).toEqual(expect.arrayContaining([201]));
    for (const r of both) expect([201, 409]).toContain(r.status);
    expect(await countWith('井盖 concurrent')).toBe(1);
  });

  it('the same key with another body is 422 and creates nothing; keys are per user; no key creates each time', async () => {
    expect((await post(agent, order('噪音 first'), 'create-9b')).status).toBe(201);
    const other = await post(agent, order('噪音 changed'), 'create-9b');
    expect(other.status).toBe(422);
    expect(await countWith('噪音 changed')).toBe(0);
    // Another user's same key is theirs: it creates their order.
    expect((await post(agent2, order('噪音 first'), 'create-9b')).status).toBe(201);
    expect(await countWith('噪音 first')).toBe(2);
    expect((await post(agent, order('无键'))).status).toBe(201);
    expect((await post(agent, order('无键'))).status).toBe(201);
    expect(await countWith('无键')).toBe(2);
  });

  it('a failed create is forgotten: the corrected retry with the same key runs', async () => {
    const bad = await post(agent, { ...order('坏请求'), urgency: 'whenever' }, 'create-bad');
    expect(bad.status).toBe(400);
    const bad2 = await post(agent, { ...order('坏请求'), urgency: 'whenever' }, 'create-bad');
    expect(bad2.status).toBe(400);
    expect(bad2.headers.get('idempotent-replayed')).toBeNull();
    expect((await post(agent, order('坏请求'), 'create-bad')).status).toBe(201);
    expect(await countWith('坏请求')).toBe(1);
    expect((await post(agent, { caller: { phone: '13911112222' } }, 'bad key with spaces')).status).toBe(400);
  });
});
