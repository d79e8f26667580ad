/**
 * A short, bounded fuzz run (fixed seed, loopback only) over every REST route of the OpenAPI document
 * (/openapi.json, so a new route is covered without touching this file) and every client socket
 * event (CLIENT_EVENTS): hostile bodies, queries and path parameters built from each route's own
 * schema (its field names and enum values, with wrong types, operator objects, prototype keys, huge
 * and odd strings), sent with tokens of every role. Asserted: no 5xx, no INTERNAL socket error, the
 * server never drops a connection over a payload, and valid requests still succeed afterwards.
 */
import fc from 'fast-check';
import { ROLES, type Role } from '../../../src/domain/access';
import { CLIENT_EVENTS } from '../../../src/adapters/realtime/socket.events';
import {
  account,
  connectSocket,
  connected,
  emitAck,
  mongoBaseUrl,
  request,
  startApp,
  uniqueDbName,
  type Account,
  type TestApp,
  type TestSocket,
} from '../../support/api-harness';

type Json = Record<string, unknown>;

const SEED = 19_2026;
const RUNS_PER_ROUTE = 30;
const RUNS_PER_EVENT = 25;

/** Every property name and enum value anywhere in a JSON schema: the words a route understands. */
function vocabulary(schema: unknown, keys = new Set<string>(), values = new Set<string>()): { keys: Set<string>; values: Set<string> } {
  if (Array.isArray(schema)) {
    for (const s of schema) vocabulary(s, keys, values);
  } else if (schema && typeof schema === 'object') {
    const o = schema as Json;
    if (o['properties'] && typeof o['properties'] === 'object') for (const k of Object.keys(o['properties'] as Json)) keys.add(k);
    for (const e of (o['enum'] as unknown[] | undefined) ?? []) if (typeof e === 'string') values.add(e);
    if (typeof o['const'] === 'string') values.add(o['const']);
    for (const v of Object.values(o)) vocabulary(v, keys, values);
  }
  return { keys, values };
}

const nasty = fc.constantFrom(
  '', ' ', '\u0000', '../../etc/passwd', '%2e%2e%2f', '${jndi:ldap://x}', '<script>alert(1)</script>', "' OR 1=1 --",
  '=HYPERLINK("x")', '😀'.repeat(50), '１２３４５', 'a'.repeat(5000), '__proto__', 'constructor', 'prototype', '$where', '-1', '1e309', 'NaN', 'null',
);
const operatorObject = fc.constantFrom<unknown>({ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }, { __proto__: { admin: true } }, JSON.parse('{"__proto__":{"polluted":1}}'));
const scalar = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), operatorObject);

function valueFor(values: string[], realIds: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: values.length > 0 ? fc.constantFrom(...values) : scalar },
    { weight: 1, arbitrary: realIds.length > 0 ? fc.constantFrom(...realIds) : scalar },
    { weight: 3, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }) },
  );
}

/** A body built from the route's words: some of its keys with hostile or plausible values, sometimes extra keys. */
function bodyFor(schema: unknown, realIds: string[]): fc.Arbitrary<unknown> {
  const { keys, values } = vocabulary(schema);
  const k = [...keys];
  const v = [...values];
  // Each known field present half the time, plus now and then a field the route does not know.
  const shaped =
    k.length > 0
      ? fc.tuple(
          fc.record(Object.fromEntries(k.map((key) => [key, valueFor(v, realIds)])), { requiredKeys: [] }),
          fc.option(fc.tuple(fc.constantFrom('__proto__', 'constructor', '$set', 'role', 'extra'), scalar), { nil: undefined }),
        ).map(([known, extra]) => (extra ? { ...known, [extra[0]]: extra[1] } : known))
      : fc.object();
  return fc.oneof({ weight: 6, arbitrary: shaped }, { weight: 1, arbitrary: fc.anything() }, { weight: 1, arbitrary: operatorObject });
}

function queryFor(params: Json[], realIds: string[]): fc.Arbitrary<string> {
  const names = params.map((p) => String(p['name']));
  const { values } = vocabulary(params);
  const pair = fc.tuple(
    fc.oneof(fc.constantFrom(...(names.length > 0 ? names : ['q'])), fc.constantFrom('a[$ne]', 'page[$gt]', '__proto__[x]', 'pageSize', 'x[]')),
    fc.oneof(fc.constantFrom(...(values.size > 0 ? [...values] : ['x'])), nasty, fc.integer().map(String), realIds.length > 0 ? fc.constantFrom(...realIds) : nasty),
  );
  return fc.array(pair, { maxLength: 5 }).map((pairs) => pairs.map(([a, b]) => `${encodeURIComponent(a)}=${encodeURIComponent(b)}`).join('&'));
}

function pathFor(template: string, realIds: string[]): fc.Arbitrary<string> {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const value = fc.oneof(nasty, fc.string({ minLength: 1, maxLength: 30 }), ...(realIds.length > 0 ? [fc.constantFrom(...realIds)] : []), fc.constantFrom('2026', 'general', 'beijing-2023', 'agent-1001'));
  return fc.tuple(...names.map(() => value)).map((vals) => names.reduce((p, n, i) => p.replace(`{${n}}`, encodeURIComponent(String(vals[i]))), template));
}

describe('bounded fuzz run over every REST route and socket event', () => {
  let app: TestApp;
  const accounts = {} as Record<Role, Account>;
  let orderId = '';
  /** Users the fuzz may change (a PATCH, a revocation): never the accounts it signs in with. */
  const victims: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startApp({
      dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`,
      withWorkOrderModule: true,
      loginRateLimit: { windowMs: 60_000, maxFailuresPerAccount: 100_000, maxFailuresPerAddress: 100_000 },
    });
    for (const role of ROLES) accounts[role] = await account(app, role, role === 'unit_handler' ? { unitId: 'water' } : {});
    for (const role of ['agent', 'supervisor'] as const) victims.push((await account(app, role)).id);
    const created = await request<Json>(app, 'POST', '/api/work-orders', {
      token: accounts.agent.token,
      body: { caller: { phone: '13900001111', callbackConsent: 'granted' }, category: '投诉', urgency: '一般', content: '路面塌陷', areaCode: '110105' },
    });
    orderId = String(created.body['id']);
  });
  afterAll(async () => {
    await app.stop();
  });

  /** A fresh token per request: logout or session revocation in one request does not blunt the next. */
  const tokenOf = async (role: Role | null) => (role === null ? undefined : (await app.auth.login(accounts[role].username, accounts[role].password)).accessToken);

  it('every REST route: no 5xx on hostile bodies, queries and path parameters', async () => {
    const doc = (await request<{ paths: Record<string, Record<string, Json>> }>(app, 'GET', '/openapi.json')).body;
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ path: p, method: method.toUpperCase(), op })));
    // Every route the app registered is in the document (so the fuzz reaches them all).
    expect(routes.length).toBeGreaterThanOrEqual(app.docs.length);
    const realIds = () => [orderId, ...victims];
    let sent = 0;
    for (const r of routes) {
      const params = ((r.op['parameters'] as Json[] | undefined) ?? []).filter((p) => p['in'] === 'query');
      const bodySchema = (r.op['requestBody'] as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.['application/json']?.schema;
      const hasBody = r.method !== 'GET';
      const arb = fc.record({
        url: pathFor(r.path, realIds()),
        query: queryFor(params, realIds()),
        body: hasBody ? fc.option(bodyFor(bodySchema, realIds()), { nil: undefined }) : fc.constant(undefined),
        // Now and then a body that is not JSON at all (or not an object).
        raw: hasBody
          ? fc.oneof(
              { weight: 7, arbitrary: fc.constant(undefined) },
              { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'null', '[]', '"str"', '{"a":1}{"b":2}', '\u0000') },
            )
          : fc.constant(undefined),
        who: fc.constantFrom<Role | null>(...ROLES, null),
      });
      await fc.assert(
        fc.asyncProperty(arb, async (c) => {
          const token = await tokenOf(c.who);
          const url = `${c.url}${c.query ? `?${c.query}` : ''}`;
          const res = await request(app, r.method, url, {
            ...(token ? { token } : {}),
            ...(c.raw !== undefined ? { rawBody: c.raw } : c.body !== undefined ? { body: c.body } : {}),
          });
          sent += 1;
          if (res.status >= 500) problems.push(`${r.method} ${url} as ${c.who ?? 'anonymous'} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          return res.status < 500;
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    }
    expect(problems).toEqual([]);
    expect(sent).toBe(routes.length * RUNS_PER_ROUTE);
  }, 300_000);

  it('every client socket event: no INTERNAL error, no dropped connection', async () => {
    const sockets: TestSocket[] = [];
    try {
      for (const role of ROLES) {
        const s = connectSocket(app, (await tokenOf(role)) as string);
        sockets.push(s);
        await connected(s);
      }
      const internal: string[] = [];
      for (const s of sockets) s.on('error', (e: { code?: string; event?: string }) => e.code === 'INTERNAL' && internal.push(`error event ${e.event ?? ''}`));
      const payload = fc.oneof(
        fc.anything(),
        fc.dictionary(fc.constantFrom('agentId', 'reason', 'afterSeq', 'callId', '__proto__', 'constructor'), fc.oneof(scalar, fc.integer({ min: -5, max: 1e9 })), { maxKeys: 4 }),
        fc.constant(undefined),
      );
      for (const event of CLIENT_EVENTS) {
        await fc.assert(
          fc.asyncProperty(payload, fc.nat({ max: sockets.length - 1 }), async (p, i) => {
            const s = sockets[i] as TestSocket;
            const res = await emitAck(s, event, p);
            if (res.code === 'INTERNAL') internal.push(`${event} ${JSON.stringify(p)?.slice(0, 120)}`);
            if (!s.connected) internal.push(`${event}: connection dropped after ${JSON.stringify(p)?.slice(0, 120)}`);
            return res.code !== 'INTERNAL' && s.connected;
          }),
          { seed: SEED, numRuns: RUNS_PER_EVENT, endOnFailure: true },
        );
      }
      expect(internal).toEqual([]);
      // An unknown event is answered with an error, not silence or a crash.
      const unknown = new Promise<{ code: string; field?: string }>((resolve) => sockets[0]?.once('error', resolve));
      (sockets[0]?.emit as (ev: string, p: unknown) => void)('no:such_event', { x: 1 });
      expect(await unknown).toMatchObject({ code: 'VALIDATION.FIELD', field: 'event' });
    } finally {
      for (const s of sockets) s.disconnect();
    }
  }, 120_000);

  it('valid requests still succeed afterwards', async () => {
    expect((await request(app, 'GET', '/healthz')).status).toBe(200);
    const token = await tokenOf('supervisor');
    expect((await request(app, 'GET', '/api/auth/me', { token })).status).toBe(200);
    const created = await request<Json>(app, 'POST', '/api/work-orders', {
      token,
      body: { caller: { phone: '13900002222', callbackConsent: 'granted' }, category: '咨询', urgency: '一般', content: '办证地点', areaCode: '110101' },
    });
    expect(created.status).toBe(201);
    expect((await request(app, 'GET', `/api/work-orders/${String(created.body['id'])}`, { token })).status).toBe(200);
    const s = connectSocket(app, token as string);
    try {
      await connected(s);
      expect(await emitAck(s, 'dashboard:join')).toMatchObject({ ok: true });
    } finally {
      s.disconnect();
    }
  });
});
