/**
 * Agents' own SIP secrets: issued once, stored only as the digest HA1, put into Asterisk at once and
 * again after every connection; a failure to reach Asterisk never rejects. HA1 values computed with
 * `printf 'agent1001:hotline12345:s3cret-one' | md5sum`.
 */
import { nodeSipSecrets } from '../../../src/adapters/auth/node-secret-source';
import { sipAuthFields, sipAuthObjectId } from '../../../src/adapters/ari/ari-sip-auth';
import type { SipAuthTarget, SipCredential, SipCredentialStore } from '../../../src/app/agents/sip-credentials.ports';
import { AgentSipCredentials, SipCredentialError } from '../../../src/app/agents/sip-credentials.service';
import { silentLogger } from '../../../src/shared/logger';
import { asAgentId } from '../../../src/shared/ids';

class MemoryStore implements SipCredentialStore {
  readonly byAgent = new Map<string, SipCredential>();
  constructor(readonly agents: string[]) {}
  saveSipCredential(c: SipCredential): Promise<boolean> {
    if (!this.agents.includes(c.agentId)) return Promise.resolve(false);
    this.byAgent.set(c.agentId, c);
    return Promise.resolve(true);
  }
  listSipCredentials(): Promise<SipCredential[]> {
    return Promise.resolve([...this.byAgent.values()]);
  }
}

class RecordingAsterisk implements SipAuthTarget {
  readonly received: SipCredential[] = [];
  down = false;
  put(c: SipCredential): Promise<void> {
    if (this.down) return Promise.reject(new Error('ARI not connected'));
    this.received.push(c);
    return Promise.resolve();
  }
}

const A1 = asAgentId('agent-1001');
const A2 = asAgentId('agent-1002');

function setup(secrets: string[]) {
  const store = new MemoryStore([A1, A2]);
  const asterisk = new RecordingAsterisk();
  const service = new AgentSipCredentials({
    store,
    asterisk,
    secrets: { randomSecret: () => secrets.shift() ?? 'none', md5Hex: nodeSipSecrets.md5Hex },
    log: silentLogger,
  });
  return { store, asterisk, service };
}

describe('AgentSipCredentials', () => {
  it('issues a secret once: stores and applies only the HA1 of user:realm:secret', async () => {
    const { store, asterisk, service } = setup(['s3cret-one']);
    const issued = await service.issue({ agentId: A1, endpoint: 'PJSIP/agent1001' });
    expect(issued).toEqual({ username: 'agent1001', realm: 'hotline12345', secret: 's3cret-one', applied: true });
    const stored = { agentId: A1, username: 'agent1001', realm: 'hotline12345', ha1Md5: '6c69160ae2c9e5db3d6d99be1cb0fd62' };
    expect(store.byAgent.get(A1)).toEqual(stored);
    expect(asterisk.received).toEqual([stored]);
    expect(JSON.stringify([...store.byAgent.values(), ...asterisk.received])).not.toContain('s3cret-one');
  });

  it('a new issue replaces the earlier secret', async () => {
    const { store, service } = setup(['first', 'second']);
    await service.issue({ agentId: A1, endpoint: 'PJSIP/agent1001' });
    const before = store.byAgent.get(A1)?.ha1Md5;
    const again = await service.issue({ agentId: A1, endpoint: 'PJSIP/agent1001' });
    expect(again.secret).toBe('second');
    expect(store.byAgent.get(A1)?.ha1Md5).not.toBe(before);
  });

  it('refuses an endpoint that is not PJSIP and an agent the directory lacks', async () => {
    const { service } = setup(['x', 'y']);
    await expect(service.issue({ agentId: A1, endpoint: 'SIP/agent1001' })).rejects.toBeInstanceOf(SipCredentialError);
    await expect(service.issue({ agentId: asAgentId('agent-9999'), endpoint: 'PJSIP/agent9999' })).rejects.toBeInstanceOf(SipCredentialError);
  });

  it('Asterisk unreachable: the secret is still issued (applied: false) and applyAll puts it there later without rejecting', async () => {
    const { asterisk, service } = setup(['s1', 's2']);
    asterisk.down = true;
    expect((await service.issue({ agentId: A1, endpoint: 'PJSIP/agent1001' })).applied).toBe(false);
    expect((await service.issue({ agentId: A2, endpoint: 'PJSIP/agent1002' })).applied).toBe(false);
    expect(await service.applyAll()).toEqual({ applied: 0, failed: 2 });
    asterisk.down = false;
    expect(await service.applyAll()).toEqual({ applied: 2, failed: 0 });
    expect(asterisk.received.map((c) => c.username).sort()).toEqual(['agent1001', 'agent1002']);
  });

  it('applyAll does not reject when the directory cannot be read', async () => {
    const { store, service } = setup([]);
    store.listSipCredentials = () => Promise.reject(new Error('database down'));
    await expect(service.applyAll()).resolves.toEqual({ applied: 0, failed: 0 });
  });

  it('the auth object Asterisk gets: agent<N>-auth, digest with the MD5 HA1', () => {
    const c = { agentId: A1, username: 'agent1001', realm: 'hotline12345', ha1Md5: '6c69160ae2c9e5db3d6d99be1cb0fd62' };
    expect(sipAuthObjectId(c.username)).toBe('agent1001-auth');
    expect(sipAuthFields(c)).toEqual([
      { attribute: 'auth_type', value: 'digest' },
      { attribute: 'username', value: 'agent1001' },
      { attribute: 'realm', value: 'hotline12345' },
      { attribute: 'password_digest', value: 'MD5:6c69160ae2c9e5db3d6d99be1cb0fd62' },
    ]);
  });

  it('secrets are random and softphone-safe', () => {
    const a = nodeSipSecrets.randomSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(nodeSipSecrets.randomSecret()).not.toBe(a);
  });
});
