/**
 * Confidential callers (保密, PIPL) over the real REST API and database: each leak found in the
 * security review, reproduced. A call whose work order is confidential must be masked on the call
 * itself and in `?caller=` lists; its units must be able to open it; caller history shows an agent
 * only its own calls, no other agent's recording, no complaint text of a confidential order; a search
 * by phone does not confirm a confidential caller's number to someone who does not handle the case;
 * the call path's record write does not undo an order's mark.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CallStore } from '../../../src/adapters/db/call-store';
import type { CallRecordDoc } from '../../../src/adapters/db/models/call-record.model';
import { MongoCallCases } from '../../../src/adapters/db/repositories/call-case.repository';
import { Spool } from '../../../src/adapters/db/spool';
import { silentLogger } from '../../../src/shared/logger';
import { account, insertCall, mongoBaseUrl, request, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';

const CALLER = '13812345678';
const MASKED = '138****5678';
/** Complaint text with a name and an ID-card number (what the review saw leak through the history's title). */
const SECRET_TEXT = '本人王秀英身份证110105198001011234反映单位拖欠工资';

let app: TestApp;
let admin: Account;
let sup: Account;
let agentA: Account;
let agentB: Account;
let water: Account;
let gas: Account;

const T = Date.now() - 3600_000;
const at = (min: number) => new Date(T + min * 60_000);
const period = `from=${T - 3600_000}&to=${T + 24 * 3600_000}`;
const answered = (agentId: string, min: number) => ({
  agentId,
  agentIds: [agentId],
  startedAt: at(min),
  attempts: [{ attempt: 1, agentId, startedAt: at(min), endedAt: at(min + 1), outcome: 'answered', ringMs: 3000 }],
});

type CallView = { callId: string; callerNumber: string; masked: boolean; recording: string | null };
type List<T> = { items: T[]; total: number };
type History = { callerNumber: string; masked: boolean; calls: CallView[]; workOrders: { orderId: string; title: string | null; masked: boolean }[] };
type Order = { id: string; rev: number; caller: { phone?: string; confidential: boolean }; callerMasked: boolean };

async function createOrder(by: Account, body: Record<string, unknown>): Promise<Order> {
  const res = await request<Order>(app, 'POST', '/api/work-orders', {
    token: by.token,
    body: { category: '投诉', urgency: '一般', areaCode: '110105', content: SECRET_TEXT, ...body },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function act(by: Account, orderId: string, action: Record<string, unknown>): Promise<void> {
  const res = await request(app, 'POST', `/api/work-orders/${orderId}/actions`, { token: by.token, body: action });
  expect([res.status, res.body]).toEqual([200, expect.anything()]);
}

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`, withWorkOrderModule: true });
  admin = await account(app, 'admin');
  sup = await account(app, 'supervisor');
  agentA = await account(app, 'agent', { agentId: '8001' });
  agentB = await account(app, 'agent', { agentId: '8002' });
  water = await account(app, 'unit_handler', { unitId: 'water' });
  gas = await account(app, 'unit_handler', { unitId: 'gas' });
  // c0: B answered the caller earlier (recorded); B made a confidential order of it, led by water.
  // c1: A answers the same caller now; c2: A, another caller.
  await insertCall(app, { callId: 'c0', callerNumber: CALLER, recording: 'rec-c0-agent8002', ...answered('8002', 0) });
  await insertCall(app, { callId: 'c1', callerNumber: CALLER, recording: 'rec-c1-agent8001', ...answered('8001', 30) });
  await insertCall(app, { callId: 'c2', callerNumber: '13900000002', ...answered('8001', 40) });
});
afterAll(async () => {
  await app?.stop();
});

describe('confidential callers (PIPL) over the REST API', () => {
  let o0: Order;

  it('an order made confidential from a call masks that call on GET /api/calls/:id and in ?caller= lists', async () => {
    o0 = await createOrder(agentB, { callId: 'c0', caller: { phone: CALLER, name: '王秀英', confidential: true } });
    await act(sup, o0.id, { type: 'dispatch', leadUnitId: 'water', coUnitIds: ['gas'] });
    // The order itself is masked for the supervisor …
    const order = await request<Order>(app, 'GET', `/api/work-orders/${o0.id}`, { token: sup.token });
    expect(order.body.caller.phone).toBe(MASKED);
    // … and so is its call, for everyone not handling the case.
    for (const who of [sup, admin]) {
      const call = await request<CallView>(app, 'GET', '/api/calls/c0', { token: who.token });
      expect(call.status).toBe(200);
      expect(call.body).toMatchObject({ callerNumber: MASKED, masked: true });
      expect(JSON.stringify(call.body)).not.toContain(CALLER);
    }
    const mine = await request<CallView>(app, 'GET', '/api/calls/c0', { token: agentB.token });
    expect(mine.body).toMatchObject({ callerNumber: CALLER, masked: false });
  });

  it('the order\'s units may open its call: the lead unit sees the caller, a co-unit masked, another unit nothing', async () => {
    const lead = await request<CallView>(app, 'GET', '/api/calls/c0', { token: water.token });
    expect([lead.status, lead.body.callerNumber]).toEqual([200, CALLER]);
    const co = await request<CallView>(app, 'GET', '/api/calls/c0', { token: gas.token });
    expect([co.status, co.body.callerNumber, co.body.masked]).toEqual([200, MASKED, true]);
    const other = await account(app, 'unit_handler', { unitId: 'power' });
    expect((await request(app, 'GET', '/api/calls/c0', { token: other.token })).status).toBe(404);
    const waterList = await request<List<CallView>>(app, 'GET', `/api/calls?${period}`, { token: water.token });
    expect(waterList.body.items.map((c) => c.callId)).toEqual(['c0']);
  });

  it('a search by caller number does not confirm the confidential call to someone who does not handle it', async () => {
    const bySup = await request<List<CallView>>(app, 'GET', `/api/calls?${period}&caller=${CALLER}`, { token: sup.token });
    expect(bySup.body.items.map((c) => c.callId)).toEqual(['c1']);
    expect(bySup.body.total).toBe(1);
    const byHandler = await request<List<CallView>>(app, 'GET', `/api/calls?${period}&caller=${CALLER}`, { token: agentB.token });
    expect(byHandler.body.items.map((c) => [c.callId, c.callerNumber])).toEqual([['c0', CALLER]]);
  });

  it('caller history shows an agent its own calls only, no other agent\'s recording, no text of a confidential order', async () => {
    const res = await request<History>(app, 'GET', '/api/calls/c1/caller-history', { token: agentA.token });
    expect(res.status).toBe(200);
    expect(res.body.calls).toEqual([]);
    expect(res.body.workOrders).toEqual([expect.objectContaining({ orderId: o0.id, masked: true, title: null })]);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('rec-c0');
    expect(text).not.toContain('110105198001011234');
    expect(text).not.toContain('王秀英');
    // The supervisor does not handle the case either: the call is listed masked, the text is not shown.
    const bySup = await request<History>(app, 'GET', '/api/calls/c1/caller-history', { token: sup.token });
    expect(bySup.body.calls.map((c) => [c.callId, c.callerNumber, c.masked])).toEqual([['c0', MASKED, true]]);
    expect(JSON.stringify(bySup.body)).not.toContain('110105198001011234');
    // The agent who made the order handles it.
    await insertCall(app, { callId: 'c3', callerNumber: CALLER, ...answered('8002', 50) });
    const byB = await request<History>(app, 'GET', '/api/calls/c3/caller-history', { token: agentB.token });
    expect(byB.body.calls.map((c) => [c.callId, c.callerNumber, c.recording])).toEqual([['c0', CALLER, 'rec-c0-agent8002']]);
    expect(byB.body.workOrders[0]).toMatchObject({ masked: false, title: SECRET_TEXT.slice(0, 40) });
  });

  it('GET /api/work-orders?phone= does not confirm a confidential caller\'s number to someone who does not handle it', async () => {
    const open = await createOrder(agentA, { caller: { phone: '13900000002' } });
    const search = async (who: Account, phone: string) =>
      (await request<List<{ id: string }>>(app, 'GET', `/api/work-orders?phone=${phone}`, { token: who.token })).body;
    for (const who of [agentA, sup, admin, gas]) expect([who.username, (await search(who, CALLER)).total]).toEqual([who.username, 0]);
    for (const who of [agentB, water]) expect((await search(who, CALLER)).items.map((o) => o.id)).toEqual([o0.id]);
    expect((await search(sup, '13900000002')).items.map((o) => o.id)).toEqual([open.id]);
  });

  it('markConfidential on an order made from a call masks the call from then on', async () => {
    const o = await createOrder(agentA, { callId: 'c2', caller: { phone: '13900000002' } });
    expect((await request<CallView>(app, 'GET', '/api/calls/c2', { token: sup.token })).body.callerNumber).toBe('13900000002');
    await act(agentA, o.id, { type: 'markConfidential' });
    const call = await request<CallView>(app, 'GET', '/api/calls/c2', { token: sup.token });
    expect(call.body).toMatchObject({ callerNumber: '139****0002', masked: true });
    expect((await request<CallView>(app, 'GET', '/api/calls/c2', { token: agentA.token })).body.callerNumber).toBe('13900000002');
    expect((await request<Order>(app, 'GET', `/api/work-orders/${o.id}`, { token: sup.token })).body.caller.phone).toBe('139****0002');
  });

  it('linkCall: an order made without its call, confidential and dispatched, masks the call once linked', async () => {
    await insertCall(app, { callId: 'c4', callerNumber: '13600000004', ...answered('8001', 55) });
    const o = await createOrder(agentA, { caller: { phone: '13600000004', confidential: true } });
    await act(sup, o.id, { type: 'dispatch', leadUnitId: 'water' });
    expect((await request<CallView>(app, 'GET', '/api/calls/c4', { token: sup.token })).body.callerNumber).toBe('13600000004');
    expect((await request(app, 'GET', '/api/calls/c4', { token: water.token })).status).toBe(404);
    // Another agent's call cannot be linked (it would open that call to the order's units).
    const refused = await request(app, 'POST', `/api/work-orders/${o.id}/actions`, { token: agentA.token, body: { type: 'linkCall', callId: 'c0' } });
    expect(refused.status).toBe(400);
    await act(agentA, o.id, { type: 'linkCall', callId: 'c4' });
    expect((await request<CallView>(app, 'GET', '/api/calls/c4', { token: sup.token })).body).toMatchObject({ callerNumber: '136****0004', masked: true });
    expect((await request<CallView>(app, 'GET', '/api/calls/c4', { token: water.token })).body).toMatchObject({ callerNumber: '13600000004', masked: false });
    // One call per order.
    const again = await request(app, 'POST', `/api/work-orders/${o.id}/actions`, { token: agentA.token, body: { type: 'linkCall', callId: 'c2' } });
    expect(again.status).toBe(400);
  });

  it('an order names only a call its creator may open (else it would open the call to the order\'s units)', async () => {
    const res = await request(app, 'POST', '/api/work-orders', {
      token: agentA.token,
      body: { category: '投诉', urgency: '一般', areaCode: '110105', content: '诉求', callId: 'c0', caller: {} },
    });
    expect(res.status).toBe(400);
    const missing = await request(app, 'POST', '/api/work-orders', {
      token: sup.token,
      body: { category: '投诉', urgency: '一般', areaCode: '110105', content: '诉求', callId: 'no-such-call', caller: {} },
    });
    expect(missing.status).toBe(400);
  });

  it('the call path\'s record write keeps the order\'s mark, also when the order marked the call before its first record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'masking-spool-'));
    const store = new CallStore(app.db, new Spool(dir, 'calls'), silentLogger);
    await store.start();
    try {
      const record = (callId: string, version: number, min = 60): CallRecordDoc => ({
        callId, version, callerNumber: '13700000007', calledNumber: '12345', queueId: 'general', agentId: '8001', agentIds: ['8001'],
        outcome: version > 1 ? 'answered' : 'in-progress', endReason: null, hungUpBy: null, conversationEndedBy: null, callerLost: null, wrapUp: null, callerName: null, rating: null, recording: null,
        timeline: [], attempts: [{ attempt: 1, agentId: '8001', startedAt: at(min), endedAt: null, outcome: 'answered', ringMs: 2000 }],
        waitMs: 1000, ringMs: 2000, talkMs: null, wrapUpMs: null, startedAt: at(min), answeredAt: at(min), endedAt: null,
        dayKey: '2026-01-01', hourKey: '2026-01-01T10', callbackRequested: false, detail: null,
      });
      // Marked during the call: the record is stored, the order marks it, the call path writes it again at the end.
      await store.saveRecord(record('live-1', 1));
      const o = await createOrder(agentA, { callId: 'live-1', caller: { phone: '13700000007', confidential: true } });
      await act(sup, o.id, { type: 'dispatch', leadUnitId: 'water' });
      await store.saveRecord(record('live-1', 9));
      // Marked before the call's first record was stored (e.g. it waited in the spool), by the
      // adapter the work-order module uses (an order cannot name a call that is not stored).
      await new MongoCallCases(app.db.connection).mark('early-1', { confidential: true, unitIds: ['water'], handlingUnitIds: ['water'] });
      expect((await request(app, 'GET', '/api/calls/early-1', { token: sup.token })).status).toBe(404);
      await store.saveRecord(record('early-1', 3, 70));
      for (const id of ['live-1', 'early-1']) {
        const bySup = await request<CallView>(app, 'GET', `/api/calls/${id}`, { token: sup.token });
        expect([id, bySup.status, bySup.body.callerNumber, bySup.body.masked]).toEqual([id, 200, '137****0007', true]);
        const byUnit = await request<CallView>(app, 'GET', `/api/calls/${id}`, { token: water.token });
        expect([id, byUnit.status, byUnit.body.callerNumber]).toEqual([id, 200, '13700000007']);
      }
      const history = await request<History>(app, 'GET', '/api/calls/early-1/caller-history', { token: sup.token });
      expect(history.body.calls.map((c) => c.callId)).toEqual(['live-1']);
    } finally {
      await store.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
