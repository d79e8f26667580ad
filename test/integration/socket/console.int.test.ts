/**
 * Socket.IO against a real database: handshake auth, agent console (state on connect, screen pop,
 * then the caller's previous call as its history follow-up, answered/ended/rated), manager dashboard (snapshot then ordered
 * deltas with moving counters), bad payloads and the role × event matrix.
 */
import { createHmac } from 'node:crypto';
import type { CallEventBody } from '../../../src/domain/call/call.events';
import type { LiveInput } from '../../../src/app/live/live.ports';
import type { DashboardDelta } from '../../../src/app/live/dashboard.types';
import { asCallId } from '../../../src/shared/ids';
import { eventually } from '../../support/eventually';
import {
  JWT_SECRET,
  account,
  collect,
  collectDeltas,
  connectSocket,
  connected,
  deltasAfter,
  emitAck,
  insertCall,
  mongoBaseUrl,
  nextEvent,
  startApp,
  uniqueDbName,
  type TestApp,
  type TestSocket,
} from '../../support/api-harness';

let app: TestApp;
const sockets: TestSocket[] = [];
const open = async (token: string | null) => {
  const s = connectSocket(app, token);
  sockets.push(s);
  await connected(s);
  return s;
};

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}` });
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await app?.stop();
});

let seq = 0;
const ev = (callId: string, body: CallEventBody, extra: Partial<Extract<LiveInput, { kind: 'call' }>> = {}): LiveInput => ({
  kind: 'call',
  event: { callId: asCallId(callId), seq: ++seq, at: Date.now(), ...body } as never,
  ...extra,
});

describe('handshake', () => {
  it('no token, a forged token and an expired token are refused', async () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const mk = (secret: string, exp: number) => {
      const p = Buffer.from(JSON.stringify({ iss: 'hotline12345', aud: 'hotline12345-api', sub: 'x', jti: 'j', role: 'admin', iatMs: Date.now(), exp })).toString('base64url');
      return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
    };
    for (const token of [null, 'garbage', mk('wrong-secret-wrong-secret-wrong-secret', 2e9), mk(JWT_SECRET, 1000)]) {
      const s = connectSocket(app, token);
      sockets.push(s);
      await expect(connected(s)).rejects.toThrow();
    }
  });
});

describe('agent console', () => {
  it('on connect the console receives its current state (also after a reconnect)', async () => {
    const agent = await account(app, 'agent', { agentId: '5001' });
    app.feed({ kind: 'agent', agentId: '5001', state: 'not_ready', reason: '培训', at: Date.now() });
    const s = connectSocket(app, agent.token);
    sockets.push(s);
    const state = await nextEvent(s, 'agent:state');
    expect(state).toMatchObject({ agentId: '5001', state: 'not_ready', reason: '培训' });
  });

  it('ready / not ready with reason / wrap-up done are acknowledged and echoed as state', async () => {
    const agent = await account(app, 'agent', { agentId: '5002' });
    const s = await open(agent.token);
    const states = collect(s, 'agent:state');
    expect(await emitAck(s, 'agent:ready')).toMatchObject({ ok: true });
    expect(await emitAck(s, 'agent:not_ready', { reason: '会议' })).toMatchObject({ ok: true });
    await eventually(() => states.some((x) => x.state === 'not_ready' && x.reason === '会议'));
    expect(app.control.performed.filter((p) => p.agentId === '5002').map((p) => p.action)).toEqual(['ready', 'not_ready']);
  });

  it('ring → screen pop, then its history with the caller\'s previous call; then answered, ended, rated in order', async () => {
    const agent = await account(app, 'agent', { agentId: '5003' });
    await insertCall(app, { callId: 'prev-1', callerNumber: '13700000001', agentId: '5003', agentIds: ['5003'], startedAt: new Date(Date.now() - 86_400_000), rating: { scale: 2, digit: '1', value: 'satisfied' } });
    const s = await open(agent.token);
    const got: string[] = [];
    for (const e of ['call:ringing', 'call:history', 'call:answered', 'call:ended', 'call:rated'] as const) s.on(e, () => got.push(e));
    const ringing = nextEvent(s, 'call:ringing');
    const history = nextEvent(s, 'call:history');
    app.feed(ev('live-1', { type: 'CallEntered', channelId: 'live-1', callerNumber: '13700000001', calledNumber: '12345', queueId: 'general' as never, priority: 0 }));
    app.feed(ev('live-1', { type: 'CallQueued', queueId: 'general' as never, priority: 0, retry: false }));
    app.feed(ev('live-1', { type: 'AgentOffered', attempt: 1, agentId: '5003' as never, agentNumber: '5003', endpoint: 'PJSIP/5003', channelId: 'r', waitMs: 1200 }));
    const pop = await ringing;
    expect(pop).toMatchObject({ callId: 'live-1', callerNumber: '13700000001', masked: false, queueId: 'general', waitMs: 1200 });
    expect(pop).not.toHaveProperty('history');
    const h = await history;
    expect(h).toMatchObject({ callId: 'live-1', attempt: 1 });
    expect(h.history?.calls.map((c) => c.callId)).toEqual(['prev-1']);
    expect(h.history?.calls[0]).toMatchObject({ agentId: '5003', masked: false, rating: { value: 1, satisfied: true } });
    app.feed(ev('live-1', { type: 'AgentAnswered', attempt: 1, agentId: '5003' as never, agentNumber: '5003', ringMs: 2000, waitMs: 3200 }));
    app.feed(ev('live-1', { type: 'CallCompleted', agentId: '5003' as never, endedBy: 'caller', talkMs: 40_000 }));
    app.feed(ev('live-1', { type: 'CallRated', scale: 'two-level', digit: '1', value: 1, code: 'satisfied', label: '满意', satisfied: true }));
    await eventually(() => got.length === 5);
    expect(got).toEqual(['call:ringing', 'call:history', 'call:answered', 'call:ended', 'call:rated']);
  });

  it('a confidential caller is masked in the screen pop', async () => {
    const agent = await account(app, 'agent', { agentId: '5004' });
    const s = await open(agent.token);
    const ringing = nextEvent(s, 'call:ringing');
    app.feed(ev('conf-1', { type: 'CallEntered', channelId: 'conf-1', callerNumber: '13812345678', calledNumber: '12345', queueId: 'general' as never, priority: 0 }, { confidential: true }));
    const history = nextEvent(s, 'call:history');
    app.feed(ev('conf-1', { type: 'AgentOffered', attempt: 1, agentId: '5004' as never, agentNumber: '5004', endpoint: 'e', channelId: 'r', waitMs: 0 }));
    expect(await ringing).toMatchObject({ callerNumber: '138****5678', masked: true });
    expect(await history).toEqual({ callId: 'conf-1', attempt: 1, history: { calls: [], workOrders: [] } });
  });
});

describe('manager dashboard', () => {
  it('join → snapshot, then deltas in sequence order while the counters move', async () => {
    const sup = await account(app, 'supervisor');
    const s = await open(sup.token);
    const snapshotP = nextEvent(s, 'dashboard:snapshot');
    const received = collectDeltas(s);
    expect(await emitAck(s, 'dashboard:join')).toMatchObject({ ok: true });
    const snap = await snapshotP;
    const offered0 = snap.counters.offered;
    app.feed(ev('d-1', { type: 'CallEntered', channelId: 'd-1', callerNumber: '13600000001', calledNumber: '12345', queueId: 'general' as never, priority: 0 }));
    app.feed(ev('d-1', { type: 'CallQueued', queueId: 'general' as never, priority: 0, retry: false }));
    app.feed(ev('d-1', { type: 'AgentOffered', attempt: 1, agentId: '5009' as never, agentNumber: '5009', endpoint: 'e', channelId: 'r', waitMs: 0 }));
    app.feed(ev('d-1', { type: 'AgentAnswered', attempt: 1, agentId: '5009' as never, agentNumber: '5009', ringMs: 4000, waitMs: 4000 }));
    await eventually(() => received.some((d) => d.type === 'agent' && d.agent.agentId === '5009' && d.agent.callsToday === 1));
    const deltas: DashboardDelta[] = deltasAfter(received, snap.seq);
    deltas.forEach((d, i) => expect(d.seq).toBe(snap.seq + i + 1));
    const types = deltas.map((d) => d.type);
    expect(types.indexOf('queue')).toBeLessThan(types.lastIndexOf('agent'));
    const last = [...deltas].reverse().find((d) => d.type === 'counters');
    expect(last?.type === 'counters' && last.counters).toMatchObject({ offered: offered0 + 1, answered: snap.counters.answered + 1 });
    const queue = deltas.find((d) => d.type === 'queue');
    expect(queue?.type === 'queue' && queue.queue.waiting.map((w) => w.callId)).toEqual(['d-1']);
  });

  it('resync after a gap replays the missed deltas', async () => {
    const sup = await account(app, 'supervisor');
    const s = await open(sup.token);
    const snap = nextEvent(s, 'dashboard:snapshot');
    await emitAck(s, 'dashboard:join');
    const { seq } = await snap;
    app.feed({ kind: 'agent', agentId: '5010', state: 'ready', reason: null, at: Date.now() });
    const replay = collectDeltas(s);
    expect(await emitAck(s, 'dashboard:resync', { afterSeq: seq - 1 })).toMatchObject({ ok: true, data: { replayed: expect.any(Number) } });
    await eventually(() => replay.some((d) => d.seq === seq));
  });
});

describe('bad payloads', () => {
  it('wrong types, missing and unknown fields → error event naming the field; the connection stays up', async () => {
    const agent = await account(app, 'agent', { agentId: '5020' });
    const s = await open(agent.token);
    const errors = collect(s, 'error');
    expect(await emitAck(s, 'agent:not_ready', { reason: 5 })).toMatchObject({ ok: false, code: 'VALIDATION.FIELD', field: 'payload.reason' });
    expect(await emitAck(s, 'agent:not_ready', {})).toMatchObject({ ok: false, field: 'payload.reason' });
    expect(await emitAck(s, 'agent:ready', { hack: true })).toMatchObject({ ok: false, field: 'payload.hack' });
    expect(await emitAck(s, 'dashboard:resync', 'nonsense')).toMatchObject({ ok: false, field: 'payload' });
    (s.emit as (e: string, p: unknown) => void)('no:such_event', {});
    await eventually(() => errors.length === 5);
    expect(errors.map((e) => e.field)).toEqual(['payload.reason', 'payload.reason', 'payload.hack', 'payload', 'event']);
    expect(s.connected).toBe(true);
    expect(await emitAck(s, 'agent:ready')).toMatchObject({ ok: true });
  });

  it('a huge message drops that socket only; the server keeps serving', async () => {
    const agent = await account(app, 'agent', { agentId: '5021' });
    const s = await open(agent.token);
    const gone = new Promise((r) => s.once('disconnect', r));
    s.emit('agent:not_ready', { reason: 'x'.repeat(200_000) });
    await gone;
    const again = await open(agent.token);
    expect(await emitAck(again, 'agent:ready')).toMatchObject({ ok: true });
  });
});

describe('socket role × event matrix', () => {
  const events = ['agent:login', 'agent:logout', 'agent:ready', 'agent:not_ready', 'agent:wrap_up_done', 'agent:state_request', 'dashboard:join', 'dashboard:resync', 'call:watch', 'workorders:join'] as const;
  // allowed: true; denied: the error code expected
  const expected: Record<string, Record<(typeof events)[number], true | string>> = {
    agent: { 'agent:login': true, 'agent:logout': true, 'agent:ready': true, 'agent:not_ready': true, 'agent:wrap_up_done': true, 'agent:state_request': true, 'dashboard:join': 'AUTH.FORBIDDEN', 'dashboard:resync': 'AUTH.FORBIDDEN', 'call:watch': 'NOT_FOUND', 'workorders:join': 'AUTH.FORBIDDEN' },
    supervisor: { 'agent:login': true, 'agent:logout': true, 'agent:ready': true, 'agent:not_ready': true, 'agent:wrap_up_done': true, 'agent:state_request': true, 'dashboard:join': true, 'dashboard:resync': true, 'call:watch': true, 'workorders:join': true },
    unit_handler: { 'agent:login': 'AUTH.FORBIDDEN', 'agent:logout': 'AUTH.FORBIDDEN', 'agent:ready': 'AUTH.FORBIDDEN', 'agent:not_ready': 'AUTH.FORBIDDEN', 'agent:wrap_up_done': 'AUTH.FORBIDDEN', 'agent:state_request': 'AUTH.FORBIDDEN', 'dashboard:join': 'AUTH.FORBIDDEN', 'dashboard:resync': 'AUTH.FORBIDDEN', 'call:watch': 'AUTH.FORBIDDEN', 'workorders:join': 'AUTH.FORBIDDEN' },
    admin: { 'agent:login': true, 'agent:logout': true, 'agent:ready': true, 'agent:not_ready': true, 'agent:wrap_up_done': true, 'agent:state_request': true, 'dashboard:join': true, 'dashboard:resync': true, 'call:watch': true, 'workorders:join': true },
  };
  for (const role of ['agent', 'supervisor', 'unit_handler', 'admin'] as const) {
    it(`${role}`, async () => {
      const who = await account(app, role, role === 'agent' ? { agentId: `6${role.length}01` } : {});
      const s = await open(who.token);
      const target = role === 'agent' ? {} : { agentId: '6999' };
      const payload: Record<string, unknown> = {
        'agent:not_ready': { ...target, reason: '休息' },
        'dashboard:resync': { afterSeq: 0 },
        'call:watch': { callId: 'someone-elses-call' },
        'dashboard:join': undefined,
        'workorders:join': undefined,
      };
      const results: Record<string, true | string> = {};
      for (const e of events) {
        const res = await emitAck(s, e, e in payload ? payload[e] : target);
        results[e] = res.ok ? true : (res.code ?? 'unknown');
      }
      expect(results).toEqual(expected[role]);
      // agents act only on themselves
      if (role === 'agent') expect(await emitAck(s, 'agent:ready', { agentId: '6999' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    });
  }
});
