/** Call records over a real database: ownership, masking of confidential callers, query filters, ratings, KPIs. */
import { account, insertCall, mongoBaseUrl, request, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';

let app: TestApp;
let admin: Account;
let sup: Account;
let agentA: Account;
let agentB: Account;
let water: Account;
let power: Account;

const T = Date.UTC(2025, 5, 10, 2, 0, 0); // 2025-06-10 10:00 Beijing
const at = (min: number) => new Date(T + min * 60_000);
const period = `from=${T - 3600_000}&to=${T + 24 * 3600_000}`;

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}` });
  admin = await account(app, 'admin');
  sup = await account(app, 'supervisor');
  agentA = await account(app, 'agent', { agentId: '8001' });
  agentB = await account(app, 'agent', { agentId: '8002' });
  water = await account(app, 'unit_handler', { unitId: 'water' });
  power = await account(app, 'unit_handler', { unitId: 'power' });
  // c1 A answered in 8 s, satisfied; c2 B answered after 20 s (A missed first), dissatisfied;
  // c3 abandoned after 3 s; c4 abandoned after 12 s; c5 A answered after 15 s, confidential, power's case.
  await insertCall(app, { callId: 'c1', callerNumber: '13900000001', agentId: '8001', agentIds: ['8001'], waitMs: 8000, talkMs: 120_000, startedAt: at(0), unitIds: ['water'],
    attempts: [{ attempt: 1, agentId: '8001', startedAt: at(0), endedAt: at(0), outcome: 'answered', ringMs: 8000 }],
    rating: { scale: 2, digit: '1', value: 'satisfied' }, timeline: [{ type: 'CallEntered', at: at(0), data: { callerNumber: '13900000001' } }, { type: 'CallEnded', at: at(2) }] });
  await insertCall(app, { callId: 'c2', callerNumber: '13900000002', agentId: '8002', agentIds: ['8001', '8002'], waitMs: 20_000, talkMs: 200_000, startedAt: at(10),
    attempts: [
      { attempt: 1, agentId: '8001', startedAt: at(10), endedAt: at(10), outcome: 'no-answer', ringMs: 10_000 },
      { attempt: 2, agentId: '8002', startedAt: at(10), endedAt: at(10), outcome: 'answered', ringMs: 3000 },
    ],
    rating: { scale: 2, digit: '2', value: 'dissatisfied' } });
  await insertCall(app, { callId: 'c3', callerNumber: '13900000003', outcome: 'abandoned', waitMs: 3000, talkMs: null, startedAt: at(20) });
  await insertCall(app, { callId: 'c4', callerNumber: '13900000004', outcome: 'abandoned', waitMs: 12_000, talkMs: null, startedAt: at(30),
    attempts: [{ attempt: 1, agentId: '8002', startedAt: at(30), endedAt: at(30), outcome: 'cancelled', ringMs: 4000 }] });
  await insertCall(app, { callId: 'c5', callerNumber: '13812345678', callerName: '张三丰', confidential: true, agentId: '8001', agentIds: ['8001'], waitMs: 15_000, talkMs: 60_000, startedAt: at(40), unitIds: ['power'], handlingUnitIds: ['power'],
    attempts: [{ attempt: 1, agentId: '8001', startedAt: at(40), endedAt: at(40), outcome: 'answered', ringMs: 15_000 }],
    timeline: [{ type: 'CallEntered', at: at(40), data: { callerNumber: '13812345678', queueId: 'general' } }] });
  // A later call from the confidential caller, handled for the water unit.
  await insertCall(app, { callId: 'c6', callerNumber: '13812345678', confidential: false, agentId: '8002', agentIds: ['8002'], startedAt: at(50), unitIds: ['water'] });
});
afterAll(async () => {
  await app?.stop();
});

type List = { items: { callId: string; callerNumber: string; masked: boolean }[]; total: number };
const ids = (b: List) => b.items.map((i) => i.callId);

describe('call records API', () => {
  it('an agent lists only calls offered to them (answered or missed)', async () => {
    const a = await request<List>(app, 'GET', `/api/calls?${period}`, { token: agentA.token });
    expect(ids(a.body).sort()).toEqual(['c1', 'c2', 'c5']);
    const b = await request<List>(app, 'GET', `/api/calls?${period}`, { token: agentB.token });
    expect(ids(b.body).sort()).toEqual(['c2', 'c4', 'c6']);
  });

  it('an agent cannot read another agent\'s call: 404, same as a missing one', async () => {
    expect((await request(app, 'GET', '/api/calls/c6', { token: agentA.token })).status).toBe(404);
    expect((await request(app, 'GET', '/api/calls/c6/caller-history', { token: agentA.token })).status).toBe(404);
    expect((await request(app, 'GET', '/api/calls/nope', { token: agentA.token })).status).toBe(404);
    expect((await request(app, 'GET', '/api/calls/c1', { token: agentA.token })).status).toBe(200);
  });

  it('a unit handler lists only their unit\'s calls and cannot open another unit\'s', async () => {
    const w = await request<List>(app, 'GET', `/api/calls?${period}`, { token: water.token });
    expect(ids(w.body).sort()).toEqual(['c1', 'c6']);
    expect((await request(app, 'GET', '/api/calls/c5', { token: water.token })).status).toBe(404);
  });

  it('confidential caller: the handling agent and unit see the number; others see it masked', async () => {
    const own = await request<{ callerNumber: string; callerName: string; masked: boolean }>(app, 'GET', '/api/calls/c5', { token: agentA.token });
    expect(own.body).toMatchObject({ callerNumber: '13812345678', callerName: '张三丰', masked: false });
    const unit = await request(app, 'GET', '/api/calls/c5', { token: power.token });
    expect(unit.body).toMatchObject({ callerNumber: '13812345678', masked: false });
    for (const who of [sup, admin]) {
      const res = await request<{ callerNumber: string; callerName: string; masked: boolean; timeline: { data?: Record<string, unknown> }[] }>(app, 'GET', '/api/calls/c5', { token: who.token });
      expect(res.body).toMatchObject({ callerNumber: '138****5678', callerName: '张**', masked: true });
      expect(res.body.timeline[0]?.data).toEqual({ queueId: 'general' });
    }
    // A search by the number does not confirm the confidential call to someone who does not handle it.
    const list = await request<List>(app, 'GET', `/api/calls?${period}&caller=13812345678`, { token: sup.token });
    expect(list.body.items.map((i) => [i.callId, i.callerNumber])).toEqual([['c6', '13812345678']]);
    const mine = await request<List>(app, 'GET', `/api/calls?${period}&caller=13812345678`, { token: agentA.token });
    expect(mine.body.items.map((i) => [i.callId, i.callerNumber])).toEqual([['c5', '13812345678']]);
  });

  it('a unit handler\'s caller history lists only calls of its unit (another unit\'s confidential case not at all)', async () => {
    const h = await request<{ calls: { callId: string; callerNumber: string; masked: boolean }[] }>(app, 'GET', '/api/calls/c6/caller-history', { token: water.token });
    expect(h.status).toBe(200);
    expect(h.body.calls).toEqual([]);
    const bySup = await request<{ calls: { callId: string; callerNumber: string; masked: boolean }[] }>(app, 'GET', '/api/calls/c6/caller-history', { token: sup.token });
    expect(bySup.body.calls).toEqual([expect.objectContaining({ callId: 'c5', callerNumber: '138****5678', masked: true })]);
    // while the handling unit sees its own case unmasked
    const p = await request<{ calls: unknown[] }>(app, 'GET', '/api/calls/c5/caller-history', { token: power.token });
    expect(p.status).toBe(200);
  });

  it('a rating on a deployment\'s own scale reads back as the call stored it (scale, digit, value, label, satisfied)', async () => {
    // Outside the period the other cases count.
    await insertCall(app, { callId: 'c7', callerNumber: '13900000007', agentId: '8001', agentIds: ['8001'], startedAt: new Date('2031-03-01T02:00:00Z'),
      rating: { scale: 'city-three-level', digit: '3', value: 2, code: 'basic', label: '基本满意', satisfied: true } });
    const one = await request<{ rating: unknown }>(app, 'GET', '/api/calls/c7', { token: admin.token });
    expect(one.status).toBe(200);
    expect(one.body.rating).toEqual({ scale: 'city-three-level', digit: '3', value: 2, label: '基本满意', satisfied: true });
  });

  it('filters: outcome, agent, rating, rated; paging and sort', async () => {
    const q = (s: string) => request<List>(app, 'GET', `/api/calls?${period}&${s}`, { token: sup.token }).then((r) => r.body);
    expect(ids(await q('outcome=abandoned')).sort()).toEqual(['c3', 'c4']);
    expect(ids(await q('agentId=8001')).sort()).toEqual(['c1', 'c5']);
    expect(ids(await q('rating=2'))).toEqual(['c2']);
    expect(ids(await q('rated=true')).sort()).toEqual(['c1', 'c2']);
    expect(ids(await q('sort=waitMs&order=asc&pageSize=2'))).toEqual(['c3', 'c6']);
    const p2 = await q('sort=startedAt&order=desc&pageSize=2&page=2');
    expect({ ids: ids(p2), total: p2.total }).toEqual({ ids: ['c4', 'c3'], total: 6 });
    const early = await request<List>(app, 'GET', `/api/calls?from=${at(0).toISOString()}&to=${at(15).toISOString()}`, { token: sup.token });
    expect(ids(early.body).sort()).toEqual(['c1', 'c2']);
    const bad = await request(app, 'GET', `/api/calls?from=${T}&to=${T - 1}`, { token: sup.token });
    expect(bad).toMatchObject({ status: 400, body: { field: 'to' } });
  });

  it('one call has its full timeline', async () => {
    const res = await request<{ timeline: { seq: number; type: string }[] }>(app, 'GET', '/api/calls/c1', { token: sup.token });
    expect(res.body.timeline.map((t) => [t.seq, t.type])).toEqual([
      [1, 'CallEntered'],
      [2, 'CallEnded'],
    ]);
  });

  it('ratings summary: 1 satisfied of 2, by value and by agent; an agent sees only their own', async () => {
    const all = await request(app, 'GET', `/api/ratings/summary?${period}`, { token: sup.token });
    expect(all.body).toMatchObject({
      total: 2,
      satisfied: 1,
      satisfactionRate: 0.5,
      byValue: [{ value: 1, count: 1 }, { value: 2, count: 1 }],
      byAgent: [
        { agentId: '8001', total: 1, satisfied: 1, satisfactionRate: 1 },
        { agentId: '8002', total: 1, satisfied: 0, satisfactionRate: 0 },
      ],
    });
    const mine = await request(app, 'GET', `/api/ratings/summary?${period}`, { token: agentA.token });
    expect(mine.body).toMatchObject({ total: 2 }); // c2 was offered to 8001 too (missed), so it is in their scope
  });

  it('KPIs from the records: the same calls give different service levels under the two denominators', async () => {
    const ans = await request<Record<string, { value: number | null }>>(app, 'GET', `/api/kpi/calls?${period}&slDenominator=answered`, { token: sup.token });
    // answered: c1 8 s ✓, c2 20 s ✗, c5 15 s ✓, c6 5 s ✓ → 3/4
    expect(ans.body['serviceLevel']).toMatchObject({ numerator: 3, denominator: 4, basis: 'answered' });
    const qd = await request<Record<string, { value: number | null }>>(app, 'GET', `/api/kpi/calls?${period}&slDenominator=queued`, { token: sup.token });
    // queued: + c3 abandoned 3 s ✓, c4 abandoned 12 s ✓ → 5/6
    expect(qd.body['serviceLevel']).toMatchObject({ numerator: 5, denominator: 6, basis: 'queued' });
    expect(qd.body['abandonRate']).toMatchObject({ numerator: 1, denominator: 5 }); // c3 is a short abandon
    expect(qd.body['satisfactionRate']).toMatchObject({ value: 0.5 });
    expect((await request(app, 'GET', `/api/kpi/calls?${period}`, { token: agentA.token })).status).toBe(403);
  });
});
