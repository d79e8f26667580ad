/**
 * Two app instances (two socket.io servers in one process) sharing the database and Redis:
 * an event produced on instance A reaches clients connected to instance B.
 */
import type { CallEventBody } from '../../../src/domain/call/call.events';
import type { LiveInput } from '../../../src/app/live/live.ports';
import { asCallId } from '../../../src/shared/ids';
import { eventually } from '../../support/eventually';
import { account, collectDeltas, connectSocket, deltasAfter, connected, emitAck, mongoBaseUrl, nextEvent, redisUrl, startApp, uniqueDbName, type TestApp, type TestSocket } from '../../support/api-harness';

let a: TestApp;
let b: TestApp;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  const uri = `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`;
  const redis = await redisUrl();
  a = await startApp({ dbUri: uri, redisUrl: redis });
  b = await startApp({ dbUri: uri, redisUrl: redis, withDashboard: false });
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await b?.stop();
  await a?.stop();
});

let seq = 0;
const ev = (callId: string, body: CallEventBody): LiveInput => ({ kind: 'call', event: { callId: asCallId(callId), seq: ++seq, at: Date.now(), ...body } as never });

describe('two instances with the Redis adapter', () => {
  it('a supervisor on B gets A\'s dashboard snapshot and then A\'s deltas', async () => {
    const sup = await account(b, 'supervisor');
    const s = connectSocket(b, sup.token);
    sockets.push(s);
    await connected(s);
    const snap = nextEvent(s, 'dashboard:snapshot');
    const deltas = collectDeltas(s);
    expect(await emitAck(s, 'dashboard:join')).toMatchObject({ ok: true });
    const snapshot = await snap;
    a.feed(ev('m-1', { type: 'CallEntered', channelId: 'm-1', callerNumber: '13500000001', calledNumber: '12345', queueId: 'general' as never, priority: 0 }));
    a.feed(ev('m-1', { type: 'CallQueued', queueId: 'general' as never, priority: 0, retry: false }));
    await eventually(() => deltas.some((d) => d.type === 'queue'));
    expect(deltasAfter(deltas, snapshot.seq)[0]?.seq).toBe(snapshot.seq + 1);
  });

  it('an agent console on B receives the screen pop and its history for a call handled by A', async () => {
    const agent = await account(b, 'agent', { agentId: '9001' });
    const s = connectSocket(b, agent.token);
    sockets.push(s);
    await connected(s);
    const ringing = nextEvent(s, 'call:ringing');
    // A has no console of 9001: it looks the history up because B has one.
    const history = nextEvent(s, 'call:history');
    a.feed(ev('m-2', { type: 'CallEntered', channelId: 'm-2', callerNumber: '13500000002', calledNumber: '12345', queueId: 'general' as never, priority: 0 }));
    a.feed(ev('m-2', { type: 'AgentOffered', attempt: 1, agentId: '9001' as never, agentNumber: '9001', endpoint: 'e', channelId: 'r', waitMs: 500 }));
    expect(await ringing).toMatchObject({ callId: 'm-2', callerNumber: '13500000002' });
    expect(await history).toEqual({ callId: 'm-2', attempt: 1, history: { calls: [], workOrders: [] } });
  });

  it('logout on A disconnects the user\'s sockets on B', async () => {
    const sup = await account(a, 'supervisor');
    const s = connectSocket(b, sup.token);
    sockets.push(s);
    await connected(s);
    const gone = new Promise((r) => s.once('disconnect', r));
    a.realtime.disconnectUser(sup.id);
    // Disconnected by the server (B, told by A), not by a lost transport.
    expect(await gone).toBe('io server disconnect');
    expect(s.connected).toBe(false);
  });
});
