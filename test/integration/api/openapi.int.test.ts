/** The OpenAPI document covers every registered express route; /metrics is protected. */
import type { Router } from 'express';
import { openApiPath } from '../../../src/adapters/http/openapi';
import { SCRAPE_TOKEN, account, mongoBaseUrl, request, startApp, uniqueDbName, type TestApp } from '../../support/api-harness';

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}` });
});
afterAll(async () => {
  await app?.stop();
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (method, path) in an express router tree (routers are mounted without a prefix). */
function routesOf(stack: Layer[]): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push(`${m} ${layer.route.path}`);
    } else if (layer.handle?.stack) {
      out.push(...routesOf(layer.handle.stack));
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  it('is served at /openapi.json as OpenAPI 3.1', async () => {
    const res = await request<{ openapi: string; paths: Record<string, unknown> }>(app, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
  });

  it('lists every route registered on the express app, with its method', async () => {
    const doc = (await request<{ paths: Record<string, Record<string, unknown>> }>(app, 'GET', '/openapi.json')).body;
    const express = app.http.app as unknown as { router: Router & { stack: Layer[] } };
    const routes = routesOf(express.router.stack);
    expect(routes).toEqual(expect.arrayContaining(['post /api/auth/login', 'get /api/calls', 'get /api/calls/:callId']));
    const missing = routes.filter((r) => {
      const [method, path] = r.split(' ') as [string, string];
      return !doc.paths[openApiPath(path)]?.[method];
    });
    expect(missing).toEqual([]);
    // And nothing is documented that the app does not serve.
    const served = new Set(routes.map((r) => { const [m, p] = r.split(' ') as [string, string]; return `${m} ${openApiPath(p)}`; }));
    const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).filter((m) => METHODS.has(m)).map((m) => `${m} ${p}`));
    expect(documented.filter((d) => !served.has(d))).toEqual([]);
  });

  it('documents request bodies from the validation schemas (strict: no extra properties)', async () => {
    const doc = (await request<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>> }>(app, 'GET', '/openapi.json')).body;
    const login = doc.paths['/api/auth/login']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(login).toMatchObject({ type: 'object', required: ['username', 'password'], additionalProperties: false });
  });
});

describe('GET /metrics', () => {
  it('needs the scrape token or an administrator', async () => {
    expect((await request(app, 'GET', '/metrics')).status).toBe(401);
    const agent = await account(app, 'agent');
    expect((await request(app, 'GET', '/metrics', { token: agent.token })).status).toBe(403);
    const admin = await account(app, 'admin');
    const byAdmin = await request<string>(app, 'GET', '/metrics', { token: admin.token });
    expect(byAdmin.status).toBe(200);
    const res = await request<string>(app, 'GET', '/metrics', { token: SCRAPE_TOKEN });
    expect(res.status).toBe(200);
    for (const name of ['hotline_calls_in_progress', 'hotline_queue_waiting_calls', 'hotline_agents', 'hotline_ring_misses_total', 'nodejs_eventloop_lag_seconds', 'hotline_http_request_duration_seconds_bucket']) {
      expect(res.body).toContain(name);
    }
    expect(res.body).toMatch(/hotline_http_request_duration_seconds_count\{method="GET",route="\/openapi.json",status="200"\}/);
  });
});
