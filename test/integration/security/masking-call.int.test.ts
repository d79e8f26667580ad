/**
 * Confidential callers over a real call: sipp calls through real Asterisk into the product as main.ts
 * wires it (real database). While agent 1001 talks to the caller, the agent makes a work order of the
 * call and marks it confidential, and the supervisor dispatches it to the water company. Then REST
 * (the call, the ?caller= list, caller history), the sockets (dashboard, another agent's console), the
 * CSV export and the log lines the app wrote for the call show the caller masked to everyone who does
 * not handle the case; the agent and the lead unit still see the number.
 */
import { Writable } from 'node:stream';
import { io, type Socket } from 'socket.io-client';
import { createLogger } from '../../../src/adapters/logging/logger';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../src/adapters/realtime/socket.events';
import type { DashboardDelta, DashboardSnapshot } from '../../../src/app/live/dashboard.types';
import type { Actor } from '../../../src/domain/access';
import { asUserId } from '../../../src/shared/ids';
import { eventually } from '../../support/eventually';
import { agentPortFor, placeCall, startAgentPhone, stopAllSipp } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, type RunningSystem } from '../../support/system-harness';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CALLER = '13966667777';
const MASKED = '139****7777';
const SECRET_TEXT = '本人李建国身份证110105197002023456反映噪声扰民';
/** A caller who hangs up in the queue, is called back, and asks for confidentiality. */
const CALLER2 = '13755556666';
const MASKED2 = '137****6666';

async function login(sut: RunningSystem, username: string, password: string): Promise<string> {
  const res = await fetch(`${sut.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function api<T = Record<string, unknown>>(sut: RunningSystem, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${sut.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // CSV
  }
  return { status: res.status, body: parsed as T, text };
}

function connect(sut: RunningSystem, token: string): Promise<Client> {
  const s: Client = io(sut.baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

function joinDashboard(s: Client): Promise<DashboardSnapshot> {
  return new Promise((resolve) => {
    s.once('dashboard:snapshot', resolve);
    s.emit('dashboard:join', {});
  });
}

describe('a confidential caller over a real call', () => {
  let sut: RunningSystem;
  const sockets: Client[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    });
    sut = await startSystem('masking_call', { WRAPUP_MS: '1000' }, { log: createLogger({ level: 'debug', stream }) });
    await addAgents(sut, [1001]);
    await sut.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '话务员1001', agentId: 'agent-1001' });
    await sut.users.create(ADMIN, { username: 'agent1002', password: 'agent-password-2', role: 'agent', displayName: '话务员1002', agentId: 'agent-1002' });
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长' });
    await sut.users.create(ADMIN, { username: 'chief', password: 'administrator-password', role: 'admin', displayName: '热线办' });
    await sut.users.create(ADMIN, { username: 'water', password: 'water-unit-password', role: 'unit_handler', displayName: '自来水公司', unitId: 'water' });
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await stopAllSipp();
    await sut?.stop();
  });

  it('REST, sockets, CSV export and logs show it masked to those who do not handle the case', async () => {
    const tokens = {
      agent: await login(sut, 'agent1001', 'agent-password-1'),
      other: await login(sut, 'agent1002', 'agent-password-2'),
      boss: await login(sut, 'boss', 'supervisor-password'),
      chief: await login(sut, 'chief', 'administrator-password'),
      water: await login(sut, 'water', 'water-unit-password'),
    };
    const agent = await connect(sut, tokens.agent);
    const boss = await connect(sut, tokens.boss);
    sockets.push(agent, boss);
    await joinDashboard(boss);
    const deltas: DashboardDelta[] = [];
    boss.on('dashboard:deltas', (batch) => deltas.push(...batch));
    const answered = new Promise<{ callId: string }>((resolve) => agent.once('call:answered', resolve));

    // The agent talks for 12 s; meanwhile the order is made, marked confidential and dispatched.
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 12_000 });
    const call = placeCall({ callerNumber: CALLER, hangupAfterMs: -1, timeoutMs: 90_000 });
    const { callId } = await answered;
    // The call path stores the record when the agent answers (it then names the agent); an agent types
    // for seconds, the test waits for that write.
    await eventually(async () => (await sut.callStore.records.findOne({ _id: callId, agentId: 'agent-1001' }).lean()) ?? null, 5_000);
    const order = await api<{ id: string }>(sut, tokens.agent, 'POST', '/api/work-orders', {
      callId, caller: { phone: CALLER, name: '李建国' }, category: '投诉', urgency: '一般', areaCode: '110105', content: SECRET_TEXT,
    });
    expect(order.status).toBe(201);
    expect((await api(sut, tokens.agent, 'POST', `/api/work-orders/${order.body.id}/actions`, { type: 'markConfidential' })).status).toBe(200);
    const markedAtDelta = deltas.length;
    expect((await api(sut, tokens.boss, 'POST', `/api/work-orders/${order.body.id}/actions`, { type: 'dispatch', leadUnitId: 'water' })).status).toBe(200);
    expect((await call).success).toBe(true);
    await phone.stop();
    // The call path wrote the record again at the end of the call: the order's mark is kept.
    const stored = await completedCall(sut, CALLER, 30_000);
    expect(stored).toMatchObject({ callId, confidential: true, unitIds: ['water'], handlingUnitIds: ['water'] });

    // REST: the call and ?caller= lists.
    for (const who of [tokens.boss, tokens.chief]) {
      const one = await api<{ callerNumber: string; masked: boolean }>(sut, who, 'GET', `/api/calls/${callId}`);
      expect([one.status, one.body.callerNumber, one.body.masked]).toEqual([200, MASKED, true]);
      expect(one.text).not.toContain(CALLER);
      const list = await api<{ total: number }>(sut, who, 'GET', `/api/calls?caller=${CALLER}`);
      expect([list.status, list.body.total]).toEqual([200, 0]);
      const orders = await api<{ total: number }>(sut, who, 'GET', `/api/work-orders?phone=${CALLER}`);
      expect([orders.status, orders.body.total]).toEqual([200, 0]);
    }
    expect((await api(sut, tokens.other, 'GET', `/api/calls/${callId}`)).status).toBe(404);
    for (const who of [tokens.agent, tokens.water]) {
      const one = await api<{ callerNumber: string }>(sut, who, 'GET', `/api/calls/${callId}`);
      expect([one.status, one.body.callerNumber]).toEqual([200, CALLER]);
    }
    // Caller history: the order's complaint text is not shown to the supervisor.
    const history = await api<{ callerNumber: string; masked: boolean; workOrders: { title: string | null; masked: boolean }[] }>(
      sut, tokens.boss, 'GET', `/api/calls/${callId}/caller-history`,
    );
    expect(history.body).toMatchObject({ callerNumber: MASKED, masked: true, workOrders: [{ title: null, masked: true }] });
    expect(history.text).not.toMatch(/110105197002023456|李建国/);

    // Sockets: after the mark no delta carried the number; a dashboard joined now shows none.
    expect(JSON.stringify(deltas.slice(markedAtDelta))).not.toContain(CALLER);
    const late = await connect(sut, tokens.chief);
    sockets.push(late);
    expect(JSON.stringify(await joinDashboard(late))).not.toContain(CALLER);

    // CSV export of the month's work orders: no caller data.
    const csv = await api(sut, tokens.boss, 'GET', '/api/reports/work-orders?period=month&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.text).not.toContain(CALLER);
    expect(csv.text).not.toContain('110105197002023456');

    // Logs: the app logged the call (entered with a masked number), never the full number.
    await eventually(() => logLines.some((l) => l.includes('"call entered"')), 5_000);
    const entered = logLines.filter((l) => l.includes('"call entered"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entered).toEqual([expect.objectContaining({ callerNumber: MASKED })]);
    expect(logLines.filter((l) => l.includes(callId)).length).toBeGreaterThan(3);
    expect(logLines.filter((l) => l.includes(CALLER))).toEqual([]);
  });

  it('an abandoned caller made confidential is masked on dashboards; another agent\'s screen pop history of the caller shows no case text', async () => {
    const boss = await connect(sut, await login(sut, 'boss', 'supervisor-password'));
    const other = await connect(sut, await login(sut, 'agent1002', 'agent-password-2'));
    sockets.push(boss, other);
    await joinDashboard(boss);
    const deltas: DashboardDelta[] = [];
    boss.on('dashboard:deltas', (batch) => deltas.push(...batch));

    // No agent ready: the caller waits after the greeting and hangs up.
    await setAgentStates(sut, { notReady: [1001] });
    expect((await placeCall({ callerNumber: CALLER2, hangupAfterMs: 12_000, timeoutMs: 30_000 })).success).toBe(true);
    const abandoned = await completedCall(sut, CALLER2);
    expect(abandoned.outcome).toBe('abandoned');
    await eventually(() => deltas.some((d) => d.type === 'abandoned' && d.call.callerNumber === CALLER2), 5_000);

    // The supervisor calls back and records the complaint from that call; the caller asks for confidentiality.
    const bossToken = await login(sut, 'boss', 'supervisor-password');
    const order = await api<{ id: string }>(sut, bossToken, 'POST', '/api/work-orders', {
      callId: abandoned.callId, caller: { phone: CALLER2, name: '李建国', confidential: true }, category: '投诉', urgency: '一般', areaCode: '110105', content: SECRET_TEXT,
    });
    expect(order.status).toBe(201);
    await eventually(() => deltas.some((d) => d.type === 'abandoned' && d.call.callId === abandoned.callId && d.call.callerNumber === MASKED2), 5_000);
    const late = await connect(sut, bossToken);
    sockets.push(late);
    const snapshot = await joinDashboard(late);
    expect(snapshot.abandoned.filter((a) => a.callId === abandoned.callId).map((a) => a.callerNumber)).toEqual([MASKED2]);
    expect(JSON.stringify(snapshot)).not.toContain(CALLER2);

    // The caller is now known confidential (docs/adr/0021): the next call is masked from its first event.
    expect(await sut.db.connection.collection('confidential_callers').findOne({ _id: CALLER2 } as never)).toMatchObject({ sources: [`order:${order.body.id}`] });

    // The caller calls again; agent 1002 (not handling the case) gets the pop and its history.
    const consoleEvents: Array<{ event: string; payload: unknown }> = [];
    for (const name of ['call:ringing', 'call:history'] as const) other.on(name, (payload: unknown) => consoleEvents.push({ event: name, payload }));
    await addAgents(sut, [1002]);
    await setAgentStates(sut, { ready: [1002], notReady: [1001] });
    const deltasBefore = deltas.length;
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 500, hangupAfterMs: 3000 });
    const call = await placeCall({ callerNumber: CALLER2, hangupAfterMs: -1, timeoutMs: 60_000 });
    expect(call.success).toBe(true);
    await phone.stop();
    await eventually(() => consoleEvents.some((e) => e.event === 'call:history'), 10_000);
    // The new call: on the supervisor's dashboard in the queue (masked) from its first delta on, and
    // the ringing agent's pop masked; its record is marked and REST shows it masked.
    const newDeltas = deltas.slice(deltasBefore);
    const queued = newDeltas.flatMap((d) => (d.type === 'queue' ? d.queue.waiting.map((w) => w.callerNumber) : []));
    expect(queued.length).toBeGreaterThan(0);
    expect(new Set(queued)).toEqual(new Set([MASKED2]));
    expect(JSON.stringify(newDeltas)).not.toContain(CALLER2);
    const ringing = consoleEvents.find((e) => e.event === 'call:ringing')!.payload as { callId: string; callerNumber: string; masked: boolean };
    expect([ringing.callerNumber, ringing.masked]).toEqual([MASKED2, true]);
    const again = await eventually(async () => (await sut.callStore.records.findOne({ _id: ringing.callId, endedAt: { $ne: null } }).lean()) ?? null, 15_000);
    expect(again.confidential).toBe(true);
    const seen = await api<{ callerNumber: string; masked: boolean }>(sut, bossToken, 'GET', `/api/calls/${ringing.callId}`);
    expect([seen.status, seen.body.callerNumber, seen.body.masked]).toEqual([200, MASKED2, true]);
    expect((await api<{ total: number }>(sut, bossToken, 'GET', `/api/calls?caller=${CALLER2}`)).body.total).toBe(0);
    const history = consoleEvents.find((e) => e.event === 'call:history')!.payload as {
      history: { calls: unknown[]; workOrders: { orderId: string; title: string | null; masked: boolean }[] } | null;
    };
    expect(history.history).toEqual({ calls: [], workOrders: [expect.objectContaining({ orderId: order.body.id, title: null, masked: true })] });
    expect(JSON.stringify(consoleEvents)).not.toMatch(/110105197002023456|李建国/);
  });
});
