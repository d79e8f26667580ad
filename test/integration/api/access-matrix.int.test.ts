/**
 * Every REST route × every role: allowed (not 401/403) or denied (403), and 401 without a token.
 * The expectation comes from the permission table, so a route added without a sample here fails.
 */
import { roleHas, ROLES, type Role } from '../../../src/domain/access';
import { account, insertCall, mongoBaseUrl, request, startApp, uniqueDbName, type Account, type TestApp } from '../../support/api-harness';

let app: TestApp;
const accounts = {} as Record<Role, Account>;
let victim: Account;
let n = 0;

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`, loginRateLimit: { windowMs: 60_000, max: 1000 } });
  for (const role of ROLES) accounts[role] = await account(app, role, role === 'agent' ? { agentId: '7001' } : {});
  victim = await account(app, 'supervisor');
  await insertCall(app, { callId: 'matrix-call', agentId: '7001', agentIds: ['7001'], unitIds: ['water'] });
  const admin = accounts.admin;
  await request(app, 'POST', '/api/queues', { token: admin.token, body: { queueId: 'general', name: '综合' } });
});
afterAll(async () => {
  await app?.stop();
});

interface Sample {
  path: string;
  body?: () => unknown;
  /** Routes every signed-in user may call (auth). */
  anyRole?: boolean;
}

const samples: Record<string, Sample> = {
  'POST /api/auth/login': { path: '/api/auth/login' },
  'POST /api/auth/refresh': { path: '/api/auth/refresh' },
  'POST /api/auth/logout': { path: '/api/auth/logout', body: () => ({}), anyRole: true },
  'GET /api/auth/me': { path: '/api/auth/me', anyRole: true },
  'GET /api/users': { path: '/api/users' },
  'POST /api/users': { path: '/api/users', body: () => ({ username: `m${++n}`, password: 'password-123', role: 'supervisor', displayName: 'm' }) },
  'GET /api/users/:userId': { path: '/api/users/{victim}' },
  'PATCH /api/users/:userId': { path: '/api/users/{victim}', body: () => ({ displayName: 'renamed' }) },
  'POST /api/users/:userId/revoke-sessions': { path: '/api/users/{victim}/revoke-sessions' },
  'GET /api/agents': { path: '/api/agents' },
  'GET /api/agents/:agentId/state': { path: '/api/agents/7001/state' },
  'POST /api/agents/:agentId/state': { path: '/api/agents/7001/state', body: () => ({ action: 'not_ready', reason: '休息' }) },
  'GET /api/dashboard/snapshot': { path: '/api/dashboard/snapshot' },
  'GET /api/dashboard/deltas': { path: '/api/dashboard/deltas?after=0' },
  'GET /api/queues': { path: '/api/queues' },
  'POST /api/queues': { path: '/api/queues', body: () => ({ queueId: `q${++n}`, name: 'q' }) },
  'GET /api/queues/:queueId': { path: '/api/queues/general' },
  'PATCH /api/queues/:queueId': { path: '/api/queues/general', body: () => ({ waitAlertSec: 90 }) },
  'GET /api/settings': { path: '/api/settings' },
  'PUT /api/settings': {
    path: '/api/settings',
    body: () => ({ serviceLevelThresholdSec: 15, serviceLevelDenominator: 'answered', shortAbandonSec: 5, ringAnswerThresholdSec: 10, waitAlertSec: 60, notReadyAlertSec: 900, missedStreakAlert: 2 }),
  },
  'GET /api/calls': { path: '/api/calls' },
  'GET /api/calls/:callId': { path: '/api/calls/matrix-call' },
  'GET /api/calls/:callId/caller-history': { path: '/api/calls/matrix-call/caller-history' },
  'GET /api/ratings/summary': { path: '/api/ratings/summary' },
  'GET /api/kpi/calls': { path: '/api/kpi/calls' },
};

describe('REST role × action matrix', () => {
  it('every documented route has a sample here', () => {
    const keys = app.docs.map((d) => `${d.method.toUpperCase()} ${d.path}`);
    expect(keys.filter((k) => !(k in samples))).toEqual([]);
  });

  it('public routes answer without a token; every other route → 401 without one', async () => {
    for (const d of app.docs) {
      const s = samples[`${d.method.toUpperCase()} ${d.path}`];
      if (!s || d.public) continue;
      const res = await request(app, d.method.toUpperCase(), s.path.replace('{victim}', victim.id), s.body ? { body: s.body() } : {});
      expect([d.path, res.status]).toEqual([d.path, 401]);
    }
  });

  for (const role of ROLES) {
    it(`${role}: allowed routes pass the policy, the others → 403`, async () => {
      const results: string[] = [];
      for (const d of app.docs) {
        if (d.public) continue;
        const s = samples[`${d.method.toUpperCase()} ${d.path}`];
        if (!s) continue;
        // A fresh session per request: logout and revoke-sessions must not spoil the next one.
        const pair = await app.auth.login(accounts[role].username, accounts[role].password);
        const res = await request(app, d.method.toUpperCase(), s.path.replace('{victim}', victim.id), { token: pair.accessToken, ...(s.body ? { body: s.body() } : {}) });
        const allowed = s.anyRole || (d.permission !== undefined && roleHas(role, d.permission));
        const ok = allowed ? res.status < 400 || res.status === 404 || res.status === 409 : res.status === 403;
        if (!ok) results.push(`${d.method} ${d.path} → ${res.status} (expected ${allowed ? 'allowed' : 403}) ${JSON.stringify(res.body)}`);
      }
      expect(results).toEqual([]);
    });
  }

  it('agent acting on another agent → 404; unit handler on agent state → 403', async () => {
    const other = await request(app, 'POST', '/api/agents/7999/state', { token: accounts.agent.token, body: { action: 'ready' } });
    expect(other.status).toBe(404);
    const unit = await request(app, 'GET', '/api/agents/7001/state', { token: accounts.unit_handler.token });
    expect(unit.status).toBe(403);
  });
});
