/**
 * Agent directory changes reach the other app instances at runtime (docs/several-instances.md): two
 * instances of the product as main.ts wires it, on one database and Redis, each with its own call
 * path (its own ARI application on the lab's Asterisk). An administrator creates, renames, disables,
 * enables an agent and rotates its SIP secret on instance A; instance B's call path follows each
 * change without a restart: the new agent is there, renamed, logged out and refused logins while
 * disabled, back when enabled; the rotation is followed (B puts the new digest into its Asterisk).
 */
import type { LogFields } from '../../../src/shared/logger';
import { asAgentId } from '../../../src/shared/ids';
import { ensureAsterisk } from '../../support/asterisk';
import { redisUrl } from '../../support/api-harness';
import { capturingLogger } from '../../support/capture-log';
import { testMongoUri } from '../../support/db';
import { eventually } from '../../support/eventually';
import { startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { username: 'chief', password: 'directory-admin-0123456' };
const AGENT = asAgentId('agent-3101');

describe('agent directory changes reach the other instances', () => {
  let a: RunningSystem;
  let b: RunningSystem;
  let token = '';
  const bLog: LogFields[] = [];

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${a.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** How many times B has followed a change of the agent so far. */
  const followed = () => bLog.filter((l) => l['message'] === 'agent directory change followed' && l['agentId'] === AGENT).length;

  beforeAll(async () => {
    const lab = await ensureAsterisk();
    const shared = {
      MONGODB_URI: testMongoUri('directory_instances'),
      REDIS_URL: await redisUrl(),
      BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    };
    a = await startSystem('directory_instances_a', { ...shared, ARI_APP: `${lab.ariApp}-dir-a` });
    b = await startSystem('directory_instances_b', { ...shared, ARI_APP: `${lab.ariApp}-dir-b` }, { log: capturingLogger(bLog) });
    const login = await fetch(`${a.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    token = ((await login.json()) as { accessToken: string }).accessToken;
  }, 120_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('a new agent created on A is in B\'s call path, then renamed', async () => {
    expect(b.callPath.agents.get(AGENT)).toBeUndefined();
    const created = await api('POST', '/api/directory/agents', { agentNumber: '3101', name: '话务员甲', extension: '3101', queues: ['general'] });
    expect(created.status).toBe(201);
    const there = await eventually(() => b.callPath.agents.get(AGENT) ?? null, 20_000, 50);
    expect(there).toMatchObject({ name: '话务员甲', endpoint: 'PJSIP/agent3101', status: { type: 'logged-out' } });
    expect(b.callPath.agents.isDisabled(AGENT)).toBe(false);
    expect((await api('PATCH', `/api/directory/agents/${AGENT}`, { name: '话务员乙' })).status).toBe(200);
    await eventually(() => b.callPath.agents.get(AGENT)?.name === '话务员乙', 20_000, 50);
  });

  it('disabled on A: logged out on B and refused logins there; enabled again: B takes it back', async () => {
    b.callPath.agents.login(AGENT, { ready: true });
    expect(b.callPath.agents.get(AGENT)?.status.type).toBe('ready');
    expect((await api('PATCH', `/api/directory/agents/${AGENT}`, { enabled: false })).status).toBe(200);
    await eventually(() => b.callPath.agents.isDisabled(AGENT), 20_000, 50);
    expect(b.callPath.agents.get(AGENT)?.status.type).toBe('logged-out');
    expect(() => b.callPath.agents.login(AGENT, { ready: true })).toThrow('agent is disabled in the directory');
    expect((await api('PATCH', `/api/directory/agents/${AGENT}`, { enabled: true })).status).toBe(200);
    await eventually(() => !b.callPath.agents.isDisabled(AGENT), 20_000, 50);
    b.callPath.agents.login(AGENT, { ready: false });
    expect(b.callPath.agents.get(AGENT)?.status.type).toBe('not-ready');
  });

  it('a rotated SIP secret is followed by B (never sent: B reads the digest from the database)', async () => {
    const before = followed();
    const rotated = await api('POST', `/api/directory/agents/${AGENT}/sip-secret`, {});
    expect(rotated.status).toBe(200);
    const secret = String((rotated.body['sip'] as { secret: string }).secret);
    await eventually(() => followed() > before, 20_000, 50);
    expect(bLog.filter((l) => l['agentId'] === AGENT).at(-1)).toMatchObject({ message: 'agent directory change followed', enabled: true, applied: true });
    expect(JSON.stringify(bLog)).not.toContain(secret);
  });
});
