/** Authentication against a real database: login, refresh rotation, logout on every instance, bad tokens, rate limit, bad input. */
import { createHmac } from 'node:crypto';
import { JWT_SECRET, account, mongoBaseUrl, request, startApp, uniqueDbName, type TestApp } from '../../support/api-harness';

let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  const uri = `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`;
  a = await startApp({ dbUri: uri, loginRateLimit: { windowMs: 60_000, max: 3 } });
  b = await startApp({ dbUri: uri });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

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
    expect(res.body).toEqual({ code: 'AUTH.UNAUTHENTICATED', message: 'invalid username or password' });
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

  it('login rate limit: after 3 failures from one address → 429; other instances and routes keep serving', async () => {
    const sup = await account(a, 'supervisor');
    for (let i = 0; i < 3; i += 1) {
      expect((await request(a, 'POST', '/api/auth/login', { body: { username: sup.username, password: 'bad-password' } })).status).toBe(401);
    }
    const limited = await request(a, 'POST', '/api/auth/login', { body: { username: sup.username, password: sup.password } });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.headers.get('ratelimit-limit') ?? limited.headers.get('ratelimit')).toBeTruthy();
    expect((await request(a, 'GET', '/api/auth/me', { token: sup.token })).status).toBe(200);
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
