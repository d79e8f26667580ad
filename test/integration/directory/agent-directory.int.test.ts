/**
 * The agent directory over REST, provisioned into Asterisk live (issue 24 §2), with real SIP against
 * the lab's Asterisk and the product wired as in production:
 * - an administrator creates an agent; Asterisk has its PJSIP endpoint at once (no reload); a sipp
 *   phone registers with the secret handed out once and answers a call offered to the agent;
 * - the agent is disabled: the phone can no longer register, Asterisk has no endpoint, the agent is
 *   logged out and refused logins, and a caller is not offered to it;
 * - enabled again and its secret rotated: the old secret is refused, the new one registers;
 * - Asterisk restarts: the app puts the agent back when it reconnects, the phone registers again;
 * - only administrators manage the directory; no secret is stored, logged or shown again.
 * (Restarts the lab's Asterisk.)
 */
import type { Logger, LogFields } from '../../../src/shared/logger';
import { asAgentId } from '../../../src/shared/ids';
import { agentModel } from '../../../src/adapters/db/models/agent.model';
import { asteriskCli, LAB_DEFAULTS, restartAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { registerPhone, startCall, startRegisteredPhone, stopAllSipp, type AgentPhone, type SippResult } from '../../support/sipp';
import { completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const AGENT = asAgentId('agent-2001');
const ADMIN = { username: 'chief', password: 'directory-admin-0123456' };

/** Every line the app logs, as text: a secret must never appear in it. */
function capturingLogger(lines: string[], base: LogFields = {}): Logger {
  const write = (level: string) => (message: string, fields?: LogFields) => {
    lines.push(JSON.stringify({ level, message, ...base, ...fields }));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (f) => capturingLogger(lines, { ...base, ...f }) };
}

function finals(r: SippResult): number[] {
  return r.responses.filter((c) => c >= 200);
}

describe('agent directory provisioned into Asterisk live', () => {
  let sut: RunningSystem;
  let token = '';
  let phone: AgentPhone | null = null;
  const logLines: string[] = [];
  const secrets: string[] = [];

  async function api(method: string, path: string, body?: unknown, bearer = token): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const res = await fetch(`${sut.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
  }

  /**
   * One registration and its unregistration, from inside the agents' networks but not the trunk's
   * address (the lab's trunk is 127.0.0.1; an unknown user from there is taken for the trunk).
   */
  async function register(secret: string): Promise<SippResult> {
    return registerPhone({ username: 'agent2001', secret, fromIp: '127.0.0.5' });
  }

  async function endpointInAsterisk(): Promise<boolean> {
    const out = await asteriskCli('pjsip show endpoints');
    return /\bagent2001\b/.test(out);
  }

  beforeAll(async () => {
    sut = await startSystem(
      'agent_directory',
      {
        BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        WRAPUP_MS: '1000',
        RATING_TIMEOUT_MS: '2000',
        AGENT_RTP_TIMEOUT: LAB_DEFAULTS.AGENT_RTP_TIMEOUT,
        AGENT_QUALIFY_SEC: LAB_DEFAULTS.AGENT_QUALIFY_SEC,
      },
      { log: capturingLogger(logLines) },
    );
    const login = await fetch(`${sut.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    token = ((await login.json()) as { accessToken: string }).accessToken;
  }, 120_000);

  afterAll(async () => {
    await phone?.stop();
    await stopAllSipp();
    await sut?.stop(5000);
  });

  it('only administrators manage the directory', async () => {
    const created = await api('POST', '/api/users', { username: 'banzhang', password: 'supervisor-pass-1', role: 'supervisor', displayName: '班长' });
    expect(created.status).toBe(201);
    const login = await fetch(`${sut.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'banzhang', password: 'supervisor-pass-1' }) });
    const supervisor = ((await login.json()) as { accessToken: string }).accessToken;
    expect((await api('GET', '/api/directory/agents', undefined, supervisor)).status).toBe(403);
    expect((await api('POST', '/api/directory/agents', { agentNumber: '2999', name: '某', extension: '2999', queues: ['general'] }, supervisor)).status).toBe(403);
    expect((await api('GET', '/api/directory/agents', undefined, 'not-a-token')).status).toBe(401);
  });

  it('created over REST: Asterisk has the phone at once, it registers with the secret shown once and answers a call', async () => {
    expect(await endpointInAsterisk()).toBe(false);
    const res = await api('POST', '/api/directory/agents', { agentNumber: '2001', name: '话务员2001', extension: '2001', queues: ['general'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      agent: { agentId: 'agent-2001', agentNumber: '2001', extension: '2001', sipUsername: 'agent2001', enabled: true, hasSipSecret: true, queues: ['general'] },
      sip: { username: 'agent2001', realm: 'hotline12345' },
      applied: true,
    });
    const secret = (res.body['sip'] as { secret: string }).secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    secrets.push(secret);
    // The same 工号 or extension again: 409, nothing changed.
    expect((await api('POST', '/api/directory/agents', { agentNumber: '2001', name: '重复', extension: '2002', queues: ['general'] })).status).toBe(409);
    expect((await api('POST', '/api/directory/agents', { agentNumber: '2002', name: '重复', extension: '2001', queues: ['general'] })).status).toBe(409);
    // Never shown again.
    const read = await api('GET', '/api/directory/agents/agent-2001');
    expect(JSON.stringify(read.body)).not.toContain(secret);
    expect(read.body).not.toHaveProperty('sip');

    expect(await endpointInAsterisk()).toBe(true);
    expect(finals(await register('wrong-secret-0123456789'))).toEqual([401, 401]);
    // The phone registers from the port it answers calls on, and stays registered.
    phone = await startRegisteredPhone({ username: 'agent2001', secret, answerAfterMs: 500, hangupAfterMs: 1500 });
    sut.callPath.agents.login(AGENT, { ready: true });
    // Registered and answering Asterisk's OPTIONS: Asterisk reports the endpoint online.
    await eventually(() => sut.callPath.agents.get(AGENT)?.reachable === true, 30_000);
    const call = await startCall({ callerNumber: '13700002001', timeoutMs: 60_000 });
    expect((await call.result).success).toBe(true);
    const rec = await completedCall(sut, '13700002001');
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-2001' });
  }, 120_000);

  it('disabled: the phone cannot register, Asterisk has no endpoint, the agent is logged out and offered no call', async () => {
    await eventually(() => sut.callPath.agents.get(AGENT)?.status.type === 'ready', 30_000);
    const res = await api('PATCH', '/api/directory/agents/agent-2001', { enabled: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agent: { enabled: false }, applied: true });
    expect(sut.callPath.agents.get(AGENT)?.status.type).toBe('logged-out');
    expect(() => sut.callPath.agents.login(AGENT, { ready: true })).toThrow(/disabled/);
    expect(await endpointInAsterisk()).toBe(false);
    // The right secret no longer registers: there is no such agent in Asterisk (the challenge, then 401 to the credentials).
    expect(finals(await register(secrets[0]!))).toEqual([401, 401]);

    // A caller waits and leaves while the phone that was registered still runs: nobody was offered the call.
    const call = await startCall({ callerNumber: '13700002002', hangupAfterMs: 8000, timeoutMs: 40_000 });
    expect((await call.result).success).toBe(true);
    const rec = await completedCall(sut, '13700002002');
    expect(rec.attempts).toEqual([]);
    expect(rec.agentId).toBeNull();
    const phoneResult = await phone!.stop();
    phone = null;
    // Its registration had been accepted (challenge, then 200).
    expect(phoneResult.responses.slice(0, 2)).toEqual([401, 200]);
  }, 90_000);

  it('enabled again and rotated: the old secret is refused, the new one registers; after an Asterisk restart the phone is there again', async () => {
    const enabled = await api('PATCH', '/api/directory/agents/agent-2001', { enabled: true });
    expect(enabled.body).toMatchObject({ agent: { enabled: true }, applied: true });
    expect(await endpointInAsterisk()).toBe(true);
    const rotated = await api('POST', '/api/directory/agents/agent-2001/sip-secret', {});
    expect(rotated.status).toBe(200);
    const secret = (rotated.body['sip'] as { secret: string }).secret;
    secrets.push(secret);
    expect(secret).not.toBe(secrets[0]);
    expect(finals(await register(secrets[0]!))).toEqual([401, 401]);
    expect(finals(await register(secret))).toEqual([401, 200, 401, 200]);
    // A secret the administrator sets is taken, and never returned.
    const set = await api('POST', '/api/directory/agents/agent-2001/sip-secret', { secret: 'Admin-Set-Secret-2001!' });
    expect(set.status).toBe(200);
    expect(set.body['sip']).toEqual({ username: 'agent2001', realm: 'hotline12345' });
    secrets.push('Admin-Set-Secret-2001!');
    expect(finals(await register(secret))).toEqual([401, 401]);

    await restartAsterisk();
    await eventually(() => sut.ari.isConnected(), 60_000);
    await eventually(() => endpointInAsterisk(), 60_000);
    expect(finals(await register('Admin-Set-Secret-2001!'))).toEqual([401, 200, 401, 200]);
  }, 180_000);

  it('audited (who, what, when; field names only); no secret in the directory or the logs', async () => {
    const audit = await api('GET', '/api/directory/agents/agent-2001/audit');
    const items = audit.body['items'] as Array<{ action: string; by: string; fields: string[] }>;
    expect(items.map((i) => i.action)).toEqual(['created', 'disabled', 'enabled', 'sip-secret-rotated', 'sip-secret-set']);
    expect(new Set(items.map((i) => i.by)).size).toBe(1);
    const doc = await agentModel(sut.db.connection).findOne({ agentId: 'agent-2001' }).lean();
    const stored = JSON.stringify(doc);
    const logs = logLines.join('\n');
    for (const s of secrets) {
      expect(stored).not.toContain(s);
      expect(logs).not.toContain(s);
    }
    expect(logs).toContain('agent created');
  });
});
