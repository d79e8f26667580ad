/**
 * The live layer over a real call: sipp calls through real Asterisk into the product (as main.ts
 * wires it, real database); an agent console (socket.io-client) gets the screen pop, then the pop's
 * history follow-up (without the caller's previous call, never offered to this agent: an agent's history
 * shows its own calls only), and answered / ended / rated; a supervisor dashboard sees the queue
 * and agent changes in order and the day's counters move.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../src/adapters/realtime/socket.events';
import type { DashboardDelta, DashboardSnapshot } from '../../../src/app/live/dashboard.types';
import type { Actor } from '../../../src/domain/access';
import { asUserId } from '../../../src/shared/ids';
import { agentPortFor, placeCall, startAgentPhone, stopAllSipp } from '../../support/sipp';
import { addAgents, startSystem, type RunningSystem } from '../../support/system-harness';
import { eventually } from '../../support/eventually';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CALLER = '13911112222';

async function login(sut: RunningSystem, username: string, password: string): Promise<string> {
  const res = await fetch(`${sut.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

function connect(sut: RunningSystem, token: string): Promise<Client> {
  const s: Client = io(sut.baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

describe('live consoles over a real call', () => {
  let sut: RunningSystem;
  const sockets: Client[] = [];

  beforeAll(async () => {
    sut = await startSystem('console_call', { WRAPUP_MS: '1000' });
    await addAgents(sut, [1001]);
    await sut.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '话务员1001', agentId: 'agent-1001' });
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长' });
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await stopAllSipp();
    await sut?.stop();
  });

  it('screen pop with history, answered, ended, rated; dashboard deltas in order with counters moving', async () => {
    // An earlier call from the same number: the caller hangs up during the greeting.
    const first = await placeCall({ callerNumber: CALLER, hangupAfterMs: 2000, timeoutMs: 30_000 });
    expect(first.success).toBe(true);
    await eventually(async () => (await sut.callStore.records.findOne({ callerNumber: CALLER, outcome: 'abandoned' }).lean()) ?? null, 15_000);

    const agent = await connect(sut, await login(sut, 'agent1001', 'agent-password-1'));
    const boss = await connect(sut, await login(sut, 'boss', 'supervisor-password'));
    sockets.push(agent, boss);
    const consoleEvents: Array<{ event: string; payload: unknown }> = [];
    for (const name of ['call:ringing', 'call:history', 'call:answered', 'call:ended', 'call:rated'] as const) {
      agent.on(name, (payload: unknown) => consoleEvents.push({ event: name, payload }));
    }
    const snapshot = await new Promise<DashboardSnapshot>((resolve) => {
      boss.once('dashboard:snapshot', resolve);
      boss.emit('dashboard:join', {});
    });
    const received: DashboardDelta[] = [];
    boss.on('dashboard:deltas', (batch) => received.push(...batch));

    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 8000 });
    const call = await placeCall({ callerNumber: CALLER, dtmfDigit: 1, dtmfAfterMs: 26_000, hangupAfterMs: -1, timeoutMs: 90_000 });
    expect(call.success).toBe(true);
    await phone.stop();

    await eventually(() => consoleEvents.some((e) => e.event === 'call:rated'), 15_000);
    // The history follows the pop (it may arrive before or after the answer).
    expect(consoleEvents.map((e) => e.event).filter((e) => e !== 'call:history')).toEqual(['call:ringing', 'call:answered', 'call:ended', 'call:rated']);
    expect(consoleEvents.map((e) => e.event).indexOf('call:history')).toBeGreaterThan(0);
    const pop = consoleEvents[0]!.payload as { callId: string; attempt: number; callerNumber: string };
    expect(pop.callerNumber).toBe(CALLER);
    const history = consoleEvents.filter((e) => e.event === 'call:history').map((e) => e.payload as { callId: string; attempt: number; history: { calls: Array<{ outcome: string }> } | null });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ callId: pop.callId, attempt: pop.attempt });
    // The earlier call was never offered to this agent: an agent's history shows only its own calls.
    expect(history[0]!.history).toEqual({ calls: [], workOrders: [] });
    expect(consoleEvents.find((e) => e.event === 'call:rated')!.payload).toMatchObject({ value: 1, satisfied: true });

    // Deltas arrive in sequence order, right after the snapshot, with no gap (a client skips any the
    // snapshot already holds).
    const deltas = received.filter((d) => d.seq > snapshot.seq);
    const seqs = deltas.map((d) => d.seq);
    expect(seqs[0]).toBe(snapshot.seq + 1);
    expect(seqs).toEqual(seqs.map((_, i) => snapshot.seq + 1 + i));
    const agentStates = deltas.flatMap((d) => (d.type === 'agent' ? [d.agent.state] : []));
    expect(agentStates).toEqual(expect.arrayContaining(['ringing', 'on_call']));
    expect(agentStates.indexOf('ringing')).toBeLessThan(agentStates.indexOf('on_call'));
    expect(deltas.some((d) => d.type === 'queue')).toBe(true);
    const last = [...deltas].reverse().find((d) => d.type === 'counters');
    expect(last && last.type === 'counters' ? last.counters : null).toMatchObject({
      offered: snapshot.counters.offered + 1,
      answered: snapshot.counters.answered + 1,
    });
  });
});
