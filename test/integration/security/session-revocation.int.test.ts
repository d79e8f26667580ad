/**
 * Issue 19 §4, reproduced with real Socket.IO clients against two app instances sharing the
 * database and Redis (the Socket.IO Redis adapter): logout, disabling a user, a role change and a
 * password change made through instance A disconnect that user's sockets on instance B at once;
 * a socket whose user lost a role can no longer use it, even if no disconnect reached it.
 */
import {
  account,
  connectSocket,
  connected,
  emitAck,
  mongoBaseUrl,
  redisUrl,
  request,
  startApp,
  uniqueDbName,
  type Account,
  type TestApp,
  type TestSocket,
} from '../../support/api-harness';

let a: TestApp;
let b: TestApp;
let admin: Account;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  const uri = `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`;
  const redis = await redisUrl();
  a = await startApp({ dbUri: uri, redisUrl: redis });
  b = await startApp({ dbUri: uri, redisUrl: redis, withDashboard: false });
  admin = await account(a, 'admin');
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await b?.stop();
  await a?.stop();
});

/** A socket on B, connected, that joined the dashboard (a supervisor's sensitive room). */
async function dashboardSocketOnB(who: Account): Promise<{ s: TestSocket; revoked: Promise<{ reason: string }>; gone: Promise<string> }> {
  const s = connectSocket(b, who.token);
  sockets.push(s);
  await connected(s);
  expect(await emitAck(s, 'dashboard:join')).toMatchObject({ ok: true });
  const revoked = new Promise<{ reason: string }>((resolve) => s.once('session:revoked', resolve));
  const gone = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
  return { s, revoked, gone };
}

/** Whether a new socket with this token is refused at the handshake. */
function refusedAtHandshake(token: string): Promise<boolean> {
  const s = connectSocket(b, token);
  sockets.push(s);
  return connected(s).then(
    () => false,
    () => true,
  );
}

describe('§4 sessions revoked at once, on every instance', () => {
  it('logout on A disconnects the session\'s sockets on B; the token cannot reconnect', async () => {
    const sup = await account(a, 'supervisor');
    const { revoked, gone } = await dashboardSocketOnB(sup);
    const out = await request(a, 'POST', '/api/auth/logout', { token: sup.token, body: { refreshToken: sup.refreshToken } });
    expect(out.status).toBe(204);
    expect(await revoked).toMatchObject({ reason: 'logout' });
    expect(await gone).toBe('io server disconnect');
    expect(await refusedAtHandshake(sup.token)).toBe(true);
  });

  it.each([
    ['disabling the user', { active: false }],
    ['a role change (supervisor → agent)', { role: 'agent', agentId: '9301' }],
    ['a password change', { password: 'a-brand-new-password-42' }],
  ])('%s through A disconnects the user\'s sockets on B', async (_what, patch) => {
    const sup = await account(a, 'supervisor');
    const { revoked, gone } = await dashboardSocketOnB(sup);
    const changed = await request(a, 'PATCH', `/api/users/${sup.id}`, { token: admin.token, body: patch });
    expect(changed.status).toBe(200);
    expect(await revoked).toMatchObject({ reason: 'revoked' });
    expect(await gone).toBe('io server disconnect');
    expect(await refusedAtHandshake(sup.token)).toBe(true);
  });

  it('a sensitive socket action checks the current role, even when no disconnect reached the socket', async () => {
    const sup = await account(a, 'supervisor');
    const s = connectSocket(b, sup.token);
    sockets.push(s);
    await connected(s);
    expect(await emitAck(s, 'workorders:join')).toMatchObject({ ok: true });
    // The role changes in the database without any announcement (e.g. a change made by another tool).
    await b.userRepo.update(sup.id, { role: 'agent', agentId: '9302' }, Date.now());
    for (const event of ['dashboard:join', 'workorders:join', 'dashboard:resync'] as const) {
      const res = await emitAck(s, event, event === 'dashboard:resync' ? { afterSeq: 0 } : undefined);
      expect([event, res.ok, res.code]).toEqual([event, false, 'AUTH.FORBIDDEN']);
    }
    // Disabled meanwhile: the next action ends the connection.
    await b.userRepo.update(sup.id, { active: false }, Date.now());
    const gone = new Promise<string>((resolve) => s.once('disconnect', (reason) => resolve(reason)));
    const res = await emitAck(s, 'dashboard:join');
    expect(res).toMatchObject({ ok: false, code: 'AUTH.UNAUTHENTICATED' });
    expect(await gone).toBe('io server disconnect');
  });

  it('another user\'s sockets stay connected', async () => {
    const keep = await account(a, 'supervisor');
    const s = connectSocket(b, keep.token);
    sockets.push(s);
    await connected(s);
    const victim = await account(a, 'supervisor');
    const { gone } = await dashboardSocketOnB(victim);
    expect((await request(a, 'POST', `/api/users/${victim.id}/revoke-sessions`, { token: admin.token })).status).toBe(204);
    await gone;
    expect(await emitAck(s, 'dashboard:join')).toMatchObject({ ok: true });
    expect(s.connected).toBe(true);
  });
});
