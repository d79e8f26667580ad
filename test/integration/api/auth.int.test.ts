/** Authentication against a real database: login, refresh rotation, logout on every instance, bad tokens, rate limit, bad input. */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { JWT_SECRET, account, mongoBaseUrl, request, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';

let uri: string;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  uri = `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`;
  a = await startApp({ dbUri: uri, loginRateLimit: { windowMs: 60_000, maxFailuresPerAccount: 3, maxFailuresPerAddress: 20 } });
  b = await startApp({ dbUri: uri });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

/** POST /api/auth/login from another loopback address (the app sees 127.0.0.2, not 127.0.0.1). */
function loginFrom(app: TestApp, localAddress: string, body: { username: string; password: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL('/api/auth/login', app.baseUrl);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const login = (app: TestApp, username: string, password: string, headers: Record<string, string> = {}) =>
  request(app, 'POST', '/api/auth/login', { body: { username, password }, headers });

/** Signs arbitrary claims as HS256 (what an attacker with or without the secret could produce). */
function sign(claims: Record<string, unknown>, secret = JWT_SECRET, exp = Math.floor(Date.now() / 1000) + 600, aud = 'hotline12345-api'): string {
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const p = Buffer.from(JSON.stringify({ iss: 'hotline12345', aud, iat: Math.floor(Date.now() / 1000), exp, ...claims })).toString('base64url');
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
}

describe('auth API', () => {
  it('login → token works on both instances; /me has no password hash', async () => {
    const sup = await account(a, 'supervisor');
    const res = await request(a, 'POST', '/api/auth/login', { body: { username: sup.username, password: sup.password } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { username: sup.username, role: 'supervisor' } });
    const token = (res.body as { accessToken: string }).accessToken;
    for (const app of [a, b]) {
      const me = await request(app, 'GET', '/api/auth/me', { token });
      expect(me.status).toBe(200);
      expect(me.body).not.toHaveProperty('passwordHash');
    }
  });

  it('wrong password → 401 without saying which part was wrong', async () => {
    const sup = await account(a, 'supervisor');
    const res = await request(b, 'POST', '/api/auth/login', { body: { username: sup.username, password: 'wrong-password' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      type: 'urn:hotline12345:problem:auth.unauthenticated',
      title: 'Unauthorized',
      status: 401,
      detail: 'invalid username or password',
      instance: '/api/auth/login',
      code: 'AUTH.UNAUTHENTICATED',
    });
  });

  it('refresh rotates; a reused refresh token kills the family on every instance', async () => {
    const sup = await account(a, 'supervisor');
    const r1 = await request<{ refreshToken: string; accessToken: string }>(a, 'POST', '/api/auth/refresh', { body: { refreshToken: sup.refreshToken } });
    expect(r1.status).toBe(200);
    const reuse = await request(b, 'POST', '/api/auth/refresh', { body: { refreshToken: sup.refreshToken } });
    expect(reuse.status).toBe(401);
    const r2 = await request(a, 'POST', '/api/auth/refresh', { body: { refreshToken: r1.body.refreshToken } });
    expect(r2.status).toBe(401);
  });

  it('logout on instance A revokes the token on instance B (revocation is in the database)', async () => {
    const sup = await account(a, 'supervisor');
    expect((await request(b, 'GET', '/api/auth/me', { token: sup.token })).status).toBe(200);
    const out = await request(a, 'POST', '/api/auth/logout', { token: sup.token, body: { refreshToken: sup.refreshToken } });
    expect(out.status).toBe(204);
    expect((await request(b, 'GET', '/api/auth/me', { token: sup.token })).status).toBe(401);
    expect((await request(b, 'POST', '/api/auth/refresh', { body: { refreshToken: sup.refreshToken } })).status).toBe(401);
  });

  it('expired, forged, alg=none, wrong-audience and malformed tokens → 401', async () => {
    const sup = await account(a, 'supervisor');
    const claims = { sub: sup.id, role: 'admin', jti: 'x1', iatMs: Date.now() };
    const expired = sign(claims, JWT_SECRET, Math.floor(Date.now() / 1000) - 5);
    const forged = sign(claims, 'another-secret-another-secret-another-secret');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ ...claims, iss: 'hotline12345', aud: 'hotline12345-api', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    const none = `${header}.${body}.`;
    const wrongAud = sign(claims, JWT_SECRET, Math.floor(Date.now() / 1000) + 600, 'other');
    for (const token of [expired, forged, none, wrongAud, 'not-a-jwt', `${sup.token}x`]) {
      const res = await request(a, 'GET', '/api/auth/me', { token });
      expect(res.status).toBe(401);
    }
    const noHeader = await request(a, 'GET', '/api/auth/me');
    expect(noHeader.status).toBe(401);
    const basic = await request(a, 'GET', '/api/auth/me', { headers: { authorization: 'Basic YTpi' } });
    expect(basic.status).toBe(401);
    // A well-signed token for a role the user does not have still acts with the stored role.
    const valid = sign(claims);
    const users = await request(a, 'GET', '/api/users', { token: valid });
    expect(users.status).toBe(403);
  });

  it('a disabled account is refused at once, even with a live token', async () => {
    const admin = await account(a, 'admin');
    const agent = await account(a, 'agent');
    expect((await request(a, 'PATCH', `/api/users/${agent.id}`, { token: admin.token, body: { active: false } })).status).toBe(200);
    expect((await request(b, 'GET', '/api/auth/me', { token: agent.token })).status).toBe(401);
  });

});

describe('login rate limit (failed attempts per account and address, and per address)', () => {
  it('15 agents signing in at once from one address all succeed, round after round: successes count towards no limit', async () => {
    const agents: Account[] = [];
    for (let i = 0; i < 15; i += 1) agents.push(await account(a, 'agent'));
    // 4 rounds: 60 sign-ins from one address (per-address cap 20) and 4 per account (limit 3).
    for (let round = 0; round < 4; round += 1) {
      const results = await Promise.all(agents.map((ag) => login(a, ag.username, ag.password)));
      expect(results.map((r) => r.status)).toEqual(agents.map(() => 200));
    }
  });

  it('repeated wrong passwords for one account → 429 for that account only; others from the same address still sign in', async () => {
    const victim = await account(a, 'supervisor');
    const colleague = await account(a, 'agent');
    for (let i = 0; i < 3; i += 1) {
      expect((await login(a, victim.username, 'bad-password')).status).toBe(401);
    }
    // Locked, even with the right password (the attacker would not know it is right).
    const limited = await login(a, victim.username, victim.password);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED', policy: 'login-account' });
    expect(limited.headers.get('ratelimit')).toContain('"login-account"');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another account from the same address: a typo is a plain 401, the right password signs in.
    expect((await login(a, colleague.username, 'bad-password')).status).toBe(401);
    expect((await login(a, colleague.username, colleague.password)).status).toBe(200);
    // The same account from another address is not locked (the limit is per username and address).
    expect((await loginFrom(a, '127.0.0.2', { username: victim.username, password: victim.password })).status).toBe(200);
    // Its existing session, other routes and other instances keep serving.
    expect((await request(a, 'GET', '/api/auth/me', { token: victim.token })).status).toBe(200);
    expect((await login(b, victim.username, victim.password)).status).toBe(200);
  });

  it('password spraying: failures over many usernames from one address hit the looser per-address cap', async () => {
    // Its own instance and database: its stop() drops the database.
    const c = await startApp({ dbUri: `${uri}_spray`, loginRateLimit: { windowMs: 60_000, maxFailuresPerAccount: 3, maxFailuresPerAddress: 8 } });
    try {
      const fresh = await account(c, 'agent');
      // Malformed requests and successes are not failed sign-ins.
      expect((await request(c, 'POST', '/api/auth/login', { body: { username: 'x' } })).status).toBe(400);
      expect((await login(c, fresh.username, fresh.password)).status).toBe(200);
      for (let i = 0; i < 8; i += 1) {
        expect((await login(c, `sprayed-${i}`, 'Summer2026!')).status).toBe(401);
      }
      const limited = await login(c, fresh.username, fresh.password);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ code: 'RATE_LIMITED', policy: 'login-address' });
      // The address is the connection's: a forged X-Forwarded-For does not escape the cap.
      expect((await login(c, fresh.username, fresh.password, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
      expect((await loginFrom(c, '127.0.0.2', { username: fresh.username, password: fresh.password })).status).toBe(200);
    } finally {
      await c.stop();
    }
  });
});

describe('bad input', () => {
  it('malformed JSON → 400 naming the body', async () => {
    const res = await request(b, 'POST', '/api/auth/login', { rawBody: '{"username": "x", ' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION.FIELD', field: 'body' });
  });

  it('wrong types, missing and unknown fields → 400 naming the field', async () => {
    const admin = await account(b, 'admin');
    const cases: [unknown, string][] = [
      [{ username: 'x', password: 5 }, 'body.password'],
      [{ username: 'x' }, 'body.password'],
      [{ username: 'x', password: 'y', role: 'admin' }, 'body.role'],
      [[], 'body'],
      ['"just a string"', 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await request(b, 'POST', '/api/auth/login', typeof body === 'string' ? { rawBody: body } : { body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION.FIELD', field });
    }
    const q = await request(b, 'GET', '/api/calls?pageSize=abc', { token: admin.token });
    expect(q.body).toMatchObject({ field: 'query.pageSize' });
    const unknownQuery = await request(b, 'GET', '/api/calls?foo=1', { token: admin.token });
    expect(unknownQuery).toMatchObject({ status: 400, body: { field: 'query.foo' } });
    const nested = await request(b, 'POST', '/api/users', { token: admin.token, body: { username: 'zz', password: 'longenough', role: 'king', displayName: 'z' } });
    expect(nested).toMatchObject({ status: 400, body: { field: 'body.role' } });
  });

  it('a huge payload → 413, and the process keeps serving', async () => {
    const res = await request(b, 'POST', '/api/auth/login', { body: { username: 'x', password: 'y'.repeat(300_000) } });
    expect(res.status).toBe(413);
    expect((await request(b, 'GET', '/healthz')).status).toBe(200);
  });

  it('no stack traces: an unknown route is a plain 404', async () => {
    const res = await request(b, 'GET', '/api/nope');
    expect(res).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts/);
  });
});
