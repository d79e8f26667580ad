/**
 * A caller marked confidential (保密) without a work order, on another instance (docs/adr/0027): two
 * instances of the product as main.ts wires them, on one database and one Redis. A supervisor marks
 * a number on A; B, which runs the calls (its ARI application gets the sipp caller), hears of it over
 * Redis and reads it at once. The caller's next real SIP call is masked on B from its first event:
 * the supervisor's dashboard deltas, the ringing agent's screen pop and history, the record and REST
 * on both instances. Then the mark is withdrawn on A: the caller's next call is shown in clear, the
 * earlier one stays masked, and the audit holds who, when and why with the number masked.
 */
import type { DashboardDelta } from '../../../src/app/live/dashboard.types';
import type { Actor } from '../../../src/domain/access';
import { asAgentId, asUserId } from '../../../src/shared/ids';
import type { LogFields } from '../../../src/shared/logger';
import { collectDeltas, connected, connectSocket, nextEvent, request, type TestSocket } from '../../support/api-harness';
import { ensureAsterisk } from '../../support/asterisk';
import { capturingLogger } from '../../support/capture-log';
import { testMongoUri } from '../../support/db';
import { eventually } from '../../support/eventually';
import { login } from '../../support/live-call';
import { agentPortFor, placeCall, startAgentPhone, stopAllSipp } from '../../support/sipp';
import { addAgents, completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CALLER = '13966001122';
const MASKED = '139****1122';

const api = <T>(sut: RunningSystem, token: string, method: string, path: string, body?: unknown) => request<T>(sut, method, path, { token, ...(body === undefined ? {} : { body }) });

describe('a caller marked confidential on one instance is masked on another from the first event of the next call', () => {
  let a: RunningSystem;
  let b: RunningSystem;
  const aLog: LogFields[] = [];
  const bLog: LogFields[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    const lab = await ensureAsterisk();
    const redis = process.env['TEST_REDIS_URL'] ?? '';
    expect(redis).not.toBe('');
    const shared = { MONGODB_URI: testMongoUri('confidential_mark_instances'), REDIS_URL: redis, WRAPUP_MS: '1000', RATING_TIMEOUT_MS: '1000' };
    a = await startSystem('confidential_mark_instances_a', { ...shared, ARI_APP: `${lab.ariApp}-conf-a` }, { log: capturingLogger(aLog) });
    b = await startSystem('confidential_mark_instances_b', { ...shared, ARI_APP: lab.ariApp }, { log: capturingLogger(bLog) });
    await addAgents(b, [1001]);
    await a.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '话务员1001', agentId: 'agent-1001' });
    await a.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长' });
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await stopAllSipp();
    await b?.stop(5_000);
    await a?.stop(5_000);
  });

  /** How many changes of the directory B has read because another instance announced them. */
  const followed = () => bLog.filter((l) => l['message'] === 'confidential caller change followed').length;

  /** One call from CALLER through B, answered by agent 1001: the supervisor's deltas on B and the agent's console events. */
  async function callThroughB(bossToken: string, agentToken: string): Promise<{ deltas: DashboardDelta[]; console: Array<{ event: string; payload: Record<string, unknown> }>; callId: string }> {
    await eventually(() => b.callPath.agents.get(asAgentId('agent-1001'))?.status.type === 'ready', 20_000);
    const boss = connectSocket(b, bossToken);
    const agent = connectSocket(b, agentToken);
    sockets.push(boss, agent);
    await Promise.all([connected(boss), connected(agent)]);
    const snapshot = nextEvent(boss, 'dashboard:snapshot');
    boss.emit('dashboard:join', {});
    await snapshot;
    const deltas = collectDeltas(boss);
    const events: Array<{ event: string; payload: Record<string, unknown> }> = [];
    for (const name of ['call:ringing', 'call:history', 'call:answered'] as const) agent.on(name, (payload: unknown) => events.push({ event: name, payload: payload as Record<string, unknown> }));
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 2000 });
    const done = await placeCall({ callerNumber: CALLER, hangupAfterMs: -1, timeoutMs: 60_000 });
    expect(done.success).toBe(true);
    await phone.stop();
    await eventually(() => events.some((e) => e.event === 'call:history'), 10_000);
    const ringing = events.find((e) => e.event === 'call:ringing');
    expect(ringing).toBeDefined();
    boss.disconnect();
    agent.disconnect();
    return { deltas, console: events, callId: String(ringing?.payload['callId']) };
  }

  it('marked on A: B masks the next call from its first event; withdrawn on A: B shows the call after it in clear, the earlier one stays masked', async () => {
    const bossA = await login(a, 'boss', 'supervisor-password');
    const bossB = await login(b, 'boss', 'supervisor-password');
    const agentB = await login(b, 'agent1001', 'agent-password-1');

    // The mark, on A, with its reason; B hears of it over Redis and reads it.
    const before = followed();
    const marked = await api<{ id: string; callerNumber: string; active: boolean; sources: string[] }>(a, bossA, 'POST', '/api/callers/confidential', { number: CALLER, reason: '来电人电话中要求保密' });
    expect(marked.status).toBe(201);
    expect(marked.body).toMatchObject({ callerNumber: MASKED, active: true, sources: [expect.stringMatching(/^user:/)] });
    expect(JSON.stringify(marked.body)).not.toContain(CALLER);
    await eventually(() => followed() > before, 20_000, 20);
    expect(await b.workOrders.confidentialCallers.isConfidential(CALLER)).toBe(true);

    // The next call, on B: masked on the dashboard from its first delta, in the ringing agent's pop, on the record and over REST.
    const first = await callThroughB(bossB, agentB);
    const queued = first.deltas.flatMap((d) => (d.type === 'queue' ? d.queue.waiting.map((w) => w.callerNumber) : []));
    expect(queued.length).toBeGreaterThan(0);
    expect(new Set(queued)).toEqual(new Set([MASKED]));
    expect(JSON.stringify(first.deltas)).not.toContain(CALLER);
    expect(first.console.find((e) => e.event === 'call:ringing')?.payload).toMatchObject({ callerNumber: MASKED, masked: true });
    expect(JSON.stringify(first.console.filter((e) => e.event !== 'call:answered'))).not.toContain(CALLER);
    // The agent who answered handles the call: the number is theirs to see (docs/adr/0002).
    expect(first.console.find((e) => e.event === 'call:answered')?.payload).toMatchObject({ callerNumber: CALLER, masked: false });
    const record = await completedCall(b, CALLER, 30_000);
    expect([record.callId, record.confidential]).toEqual([first.callId, true]);
    for (const [sut, token] of [[a, bossA], [b, bossB]] as const) {
      const one = await api<{ callerNumber: string; masked: boolean }>(sut, token, 'GET', `/api/calls/${first.callId}`);
      expect([one.status, one.body.callerNumber, one.body.masked]).toEqual([200, MASKED, true]);
    }

    // The list shows it masked; withdrawn on A with a reason; B reads the withdrawal at once.
    const list = await api<{ items: Array<{ id: string; callerNumber: string }> }>(a, bossA, 'GET', `/api/callers/confidential?number=${CALLER}`);
    expect(list.body.items.map((i) => [i.id, i.callerNumber])).toEqual([[marked.body.id, MASKED]]);
    expect(JSON.stringify(list.body)).not.toContain(CALLER);
    const beforeWithdrawal = followed();
    const withdrawn = await api<{ active: boolean; withdrawal: { reason: string } | null }>(a, bossA, 'POST', `/api/callers/confidential/${marked.body.id}/withdraw`, { reason: '来电人撤回保密要求' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ active: false, withdrawal: { reason: '来电人撤回保密要求' } });
    await eventually(() => followed() > beforeWithdrawal, 20_000, 20);
    expect(await b.workOrders.confidentialCallers.isConfidential(CALLER)).toBe(false);

    // The next call is shown in clear everywhere; the earlier one stays masked.
    const second = await callThroughB(bossB, agentB);
    const queuedAgain = second.deltas.flatMap((d) => (d.type === 'queue' ? d.queue.waiting.map((w) => w.callerNumber) : []));
    expect(queuedAgain.length).toBeGreaterThan(0);
    expect(new Set(queuedAgain)).toEqual(new Set([CALLER]));
    expect(second.console.find((e) => e.event === 'call:ringing')?.payload).toMatchObject({ callerNumber: CALLER, masked: false });
    await eventually(async () => (await b.callStore.records.findOne({ _id: second.callId, endedAt: { $ne: null } }).lean()) ?? null, 30_000);
    const clear = await api<{ callerNumber: string; masked: boolean }>(b, bossB, 'GET', `/api/calls/${second.callId}`);
    expect([clear.status, clear.body.callerNumber, clear.body.masked]).toEqual([200, CALLER, false]);
    const earlier = await api<{ callerNumber: string; masked: boolean }>(a, bossA, 'GET', `/api/calls/${first.callId}`);
    expect([earlier.body.callerNumber, earlier.body.masked]).toEqual([MASKED, true]);

    // The audit: who, when, why, with the number masked, as the log lines of the changes.
    const audit = await api<{ items: Array<{ action: string; callerNumber: string; reason: string; role: string }> }>(a, bossA, 'GET', `/api/callers/confidential/${marked.body.id}/audit`);
    expect(audit.body.items.map((e) => [e.action, e.callerNumber, e.reason, e.role])).toEqual([
      ['marked', MASKED, '来电人电话中要求保密', 'supervisor'],
      ['withdrawn', MASKED, '来电人撤回保密要求', 'supervisor'],
    ]);
    const stored = await a.db.connection.collection('confidential_caller_audit').find({}).toArray();
    expect(JSON.stringify(stored)).not.toContain(CALLER);
    const changes = aLog.filter((l) => ['confidential caller marked', 'confidential caller mark withdrawn'].includes(String(l['message'])));
    expect(changes.map((l) => [l['message'], l['callerNumber']])).toEqual([['confidential caller marked', MASKED], ['confidential caller mark withdrawn', MASKED]]);
  }, 180_000);
});
