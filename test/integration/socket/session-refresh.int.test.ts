/**
 * In-band token refresh on a live socket (real Socket.IO clients, real database): a console that
 * presents a fresh access token of its own identity with `session:refresh` outlives the token it
 * connected with and still receives its events; without it the socket gets `session:expired` and is
 * cut; a token of another user, a forged one and a malformed payload are refused and leave the
 * socket's expiry unchanged.
 */
import {
  account,
  connectSocket,
  connected,
  emitAck,
  mongoBaseUrl,
  nextEvent,
  startApp,
  uniqueDbName,
  type TestApp,
  type TestSocket,
} from '../../support/api-harness';

const TTL_SEC = 3;
let app: TestApp;
const sockets: TestSocket[] = [];
const open = async (token: string) => {
  const s = connectSocket(app, token);
  sockets.push(s);
  await connected(s);
  return s;
};
const disconnected = (s: TestSocket) => new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`, accessTtlSec: TTL_SEC });
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await app?.stop();
});

describe('session:refresh', () => {
  it('without a refresh the socket is told its session expired and is disconnected', async () => {
    const agent = await account(app, 'agent', { agentId: '6001' });
    const s = await open(agent.token);
    const expired = nextEvent(s, 'session:expired', (TTL_SEC + 5) * 1000);
    const gone = disconnected(s);
    await expect(expired).resolves.toMatchObject({ at: expect.any(Number) });
    expect(await gone).toBe('io server disconnect');
  });

  it('a fresh token of the same user keeps the socket open past the first expiry, and events still arrive', async () => {
    const agent = await account(app, 'agent', { agentId: '6002' });
    const s = await open(agent.token);
    let expiredSeen = false;
    s.on('session:expired', () => {
      expiredSeen = true;
    });
    // Token expiries are whole seconds: refresh once the new token's expiry lies beyond the first's.
    await new Promise((r) => setTimeout(r, 1500));
    const { accessToken } = await app.auth.refresh(agent.refreshToken);
    const ack = await emitAck(s, 'session:refresh', { token: accessToken });
    expect(ack.ok).toBe(true);
    const firstExpMs = JSON.parse(Buffer.from(agent.token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    const newExp = (ack.data as { expMs: number }).expMs;
    expect(newExp).toBeGreaterThan(firstExpMs.exp * 1000);

    // Past the first token's expiry (waiting for the server's own timer of it to have fired): an
    // event for the agent still reaches the socket, and actions are still served.
    await new Promise((r) => setTimeout(r, Math.max(0, firstExpMs.exp * 1000 - Date.now()) + 300));
    expect(s.connected).toBe(true);
    const pushed = nextEvent(s, 'agent:state');
    app.feed({ kind: 'agent', agentId: '6002', state: 'not_ready', reason: '培训', at: Date.now() });
    await expect(pushed).resolves.toMatchObject({ agentId: '6002', state: 'not_ready', reason: '培训' });
    expect(await emitAck(s, 'agent:state_request', {})).toMatchObject({ ok: true, data: { agentId: '6002' } });
    expect(expiredSeen).toBe(false);
    expect(s.connected).toBe(true);
  });

  it('a token of another user, a forged token and a bad payload are refused; the socket keeps its own expiry', async () => {
    const agent = await account(app, 'agent', { agentId: '6003' });
    const other = await account(app, 'agent', { agentId: '6004' });
    const boss = await account(app, 'supervisor');
    const s = await open(agent.token);
    expect(await emitAck(s, 'session:refresh', { token: other.token })).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(await emitAck(s, 'session:refresh', { token: boss.token })).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(await emitAck(s, 'session:refresh', { token: 'not-a-token' })).toMatchObject({ ok: false, code: 'AUTH.UNAUTHENTICATED' });
    expect(await emitAck(s, 'session:refresh', { token: agent.token, extra: 1 })).toMatchObject({ ok: false, code: 'VALIDATION.FIELD' });
    expect(await emitAck(s, 'session:refresh', {})).toMatchObject({ ok: false, code: 'VALIDATION.FIELD', field: 'payload.token' });
    expect(s.connected).toBe(true);
    // The refused tokens did not extend it: it still expires with the token it connected with.
    await expect(nextEvent(s, 'session:expired', (TTL_SEC + 5) * 1000)).resolves.toMatchObject({ at: expect.any(Number) });
  });

  it('a revoked (logged-out) token is refused and the socket\'s own session goes on', async () => {
    const agent = await account(app, 'agent', { agentId: '6005' });
    const s = await open(agent.token);
    // Another login of the same user, logged out (logging out the socket's own login would end the
    // socket itself: ended sessions disconnect their sockets).
    const second = await app.auth.login(agent.username, agent.password);
    await app.auth.logout(await app.auth.authenticate(second.accessToken));
    expect(await emitAck(s, 'session:refresh', { token: second.accessToken })).toMatchObject({ ok: false, code: 'AUTH.UNAUTHENTICATED' });
    expect(await emitAck(s, 'agent:state_request', {})).toMatchObject({ ok: true, data: { agentId: '6005' } });
    expect(s.connected).toBe(true);
  });
});
