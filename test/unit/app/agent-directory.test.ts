/**
 * The agent directory's rules with in-memory ports: administrators only; 工号 and extension unique;
 * a generated secret returned once and a set one never; Asterisk gets the phone before the call path
 * watches it, and loses it after the agent is out of the call path; an extension change needs a new
 * secret; applyAll puts enabled agents in and disabled ones out and never rejects; Asterisk down →
 * `applied: false`, the change kept.
 */
import { nodeSipSecrets } from '../../../src/adapters/auth/node-secret-source';
import { agentAorFields, agentEndpointFields } from '../../../src/adapters/ari/ari-agent-phones';
import type { AgentDirectoryStore, DirectoryChangeFeed, AgentPhone, AgentPhoneTarget, AgentRoster, DirectoryAudit, DirectoryChange, DirectoryEntry } from '../../../src/app/agents/agent-directory.ports';
import { AgentDirectory } from '../../../src/app/agents/agent-directory.service';
import type { AgentProfile } from '../../../src/domain/acd/agent.types';
import type { Actor } from '../../../src/domain/access';
import { silentLogger } from '../../../src/shared/logger';
import { asAgentId, type AgentId } from '../../../src/shared/ids';

const admin: Actor = { userId: 'u-admin', role: 'admin', agentId: null, unitId: null, groupId: null };
const supervisor: Actor = { userId: 'u-sup', role: 'supervisor', agentId: null, unitId: null, groupId: null };

class MemoryDirectory implements AgentDirectoryStore {
  readonly entries = new Map<string, DirectoryEntry>();
  readonly audits: DirectoryAudit[] = [];
  listAll(): Promise<DirectoryEntry[]> {
    return Promise.resolve([...this.entries.values()]);
  }
  find(agentId: AgentId): Promise<DirectoryEntry | null> {
    return Promise.resolve(this.entries.get(agentId) ?? null);
  }
  insert(entry: DirectoryEntry): Promise<{ taken: 'agentNumber' | 'endpoint' | null }> {
    const all = [...this.entries.values()];
    if (all.some((e) => e.endpoint === entry.endpoint)) return Promise.resolve({ taken: 'endpoint' });
    if (all.some((e) => e.agentNumber === entry.agentNumber)) return Promise.resolve({ taken: 'agentNumber' });
    this.entries.set(entry.agentId, entry);
    return Promise.resolve({ taken: null });
  }
  change(agentId: AgentId, change: DirectoryChange): Promise<{ entry: DirectoryEntry | null; taken: 'endpoint' | null }> {
    const e = this.entries.get(agentId);
    if (!e) return Promise.resolve({ entry: null, taken: null });
    if (change.endpoint && [...this.entries.values()].some((o) => o.agentId !== agentId && o.endpoint === change.endpoint)) return Promise.resolve({ entry: null, taken: 'endpoint' });
    const next = { ...e, ...change };
    this.entries.set(agentId, next);
    return Promise.resolve({ entry: next, taken: null });
  }
  audit(a: DirectoryAudit): Promise<void> {
    this.audits.push(a);
    return Promise.resolve();
  }
  auditOf(agentId: AgentId): Promise<DirectoryAudit[]> {
    return Promise.resolve(this.audits.filter((a) => a.agentId === agentId));
  }
}

/** Asterisk and the call path write into one log, so their order can be checked. */
class Recorder implements AgentPhoneTarget, AgentRoster {
  readonly log: string[] = [];
  readonly phones = new Map<string, AgentPhone>();
  down = false;
  put(phone: AgentPhone): Promise<void> {
    if (this.down) return Promise.reject(new Error('ARI not connected'));
    this.phones.set(phone.username, phone);
    this.log.push(`put ${phone.username}`);
    return Promise.resolve();
  }
  remove(username: string): Promise<void> {
    if (this.down) return Promise.reject(new Error('ARI not connected'));
    this.phones.delete(username);
    this.log.push(`remove ${username}`);
    return Promise.resolve();
  }
  register(profile: AgentProfile): void {
    this.log.push(`register ${profile.agentId}`);
  }
  disable(agentId: AgentId): void {
    this.log.push(`disable ${agentId}`);
  }
}

function setup() {
  const store = new MemoryDirectory();
  const rec = new Recorder();
  const directory = new AgentDirectory({ store, asterisk: rec, roster: rec, secrets: nodeSipSecrets, clock: () => 1000, log: silentLogger });
  return { store, rec, directory };
}

const input = { agentNumber: '2001', name: '话务员2001', extension: '2001', queues: ['general'] };

describe('AgentDirectory', () => {
  it('only administrators', async () => {
    const { directory } = setup();
    await expect(directory.create(supervisor, input)).rejects.toMatchObject({ httpStatus: 403 });
    await expect(directory.list(supervisor)).rejects.toMatchObject({ httpStatus: 403 });
  });

  it('create: a generated secret returned once, the digest stored, Asterisk before the call path', async () => {
    const { directory, store, rec } = setup();
    const r = await directory.create(admin, input);
    expect(r).toMatchObject({ agent: { agentId: 'agent-2001', extension: '2001', sipUsername: 'agent2001', enabled: true, hasSipSecret: true }, applied: true });
    const secret = r.sip?.secret ?? '';
    expect(secret).toHaveLength(32);
    expect(store.entries.get('agent-2001')?.sip?.ha1Md5).toBe(nodeSipSecrets.md5Hex(`agent2001:hotline12345:${secret}`));
    expect(JSON.stringify([...store.entries.values()])).not.toContain(secret);
    expect(rec.log).toEqual(['put agent2001', 'register agent-2001']);
    expect(JSON.stringify(await directory.get(admin, 'agent-2001'))).not.toContain(secret);
    expect(store.audits).toEqual([{ agentId: 'agent-2001', action: 'created', fields: ['agentNumber', 'name', 'extension', 'queues', 'sipSecret'], by: 'u-admin', at: 1000 }]);
  });

  it('工号 and extension unique (409); bad extension or secret 400', async () => {
    const { directory } = setup();
    await directory.create(admin, input);
    await expect(directory.create(admin, { ...input, extension: '2002' })).rejects.toMatchObject({ httpStatus: 409, details: { field: 'body.agentNumber' } });
    await expect(directory.create(admin, { ...input, agentNumber: '2002' })).rejects.toMatchObject({ httpStatus: 409, details: { field: 'body.extension' } });
    await expect(directory.create(admin, { ...input, agentNumber: '2003', extension: '1x' })).rejects.toMatchObject({ httpStatus: 400 });
    await expect(directory.create(admin, { ...input, agentNumber: '2003', extension: '2003', sipSecret: 'short' })).rejects.toMatchObject({ httpStatus: 400 });
  });

  it('a secret the administrator sets is never returned', async () => {
    const { directory } = setup();
    const r = await directory.create(admin, { ...input, sipSecret: 'Admin-Set-Secret-2001!' });
    expect(r.sip).toEqual({ username: 'agent2001', realm: 'hotline12345' });
  });

  it('disable: out of the call path first, then out of Asterisk; enable: into Asterisk, then the call path', async () => {
    const { directory, rec, store } = setup();
    await directory.create(admin, input);
    rec.log.length = 0;
    expect(await directory.change(admin, 'agent-2001', { enabled: false })).toMatchObject({ agent: { enabled: false }, applied: true });
    expect(rec.log[0]).toBe('disable agent-2001');
    expect(rec.log.slice(1).every((l) => l === 'remove agent2001')).toBe(true);
    expect(rec.phones.has('agent2001')).toBe(false);
    rec.log.length = 0;
    await directory.change(admin, 'agent-2001', { enabled: true });
    expect(rec.log).toEqual(['put agent2001', 'register agent-2001']);
    expect(store.audits.map((a) => a.action)).toEqual(['created', 'disabled', 'enabled']);
  });

  it('a new extension needs a new secret: the old phone removed, the new one put in', async () => {
    const { directory, rec } = setup();
    await directory.create(admin, input);
    const r = await directory.change(admin, 'agent-2001', { extension: '2101' });
    expect(r.sip?.username).toBe('agent2101');
    expect(r.sip?.secret).toHaveLength(32);
    expect([...rec.phones.keys()]).toEqual(['agent2101']);
    await expect(directory.change(admin, 'agent-2001', { sipSecret: 'Admin-Set-Secret-2001!' })).rejects.toMatchObject({ httpStatus: 400 });
  });

  it('Asterisk down: the change is kept (applied: false); applyAll later puts enabled in, disabled out, and never rejects', async () => {
    const { directory, rec } = setup();
    rec.down = true;
    expect((await directory.create(admin, input)).applied).toBe(false);
    await directory.create(admin, { ...input, agentNumber: '2002', extension: '2002' });
    await directory.change(admin, 'agent-2002', { enabled: false });
    expect(await directory.applyAll()).toEqual({ applied: 0, failed: 2 });
    rec.down = false;
    expect(await directory.applyAll()).toEqual({ applied: 2, failed: 0 });
    expect([...rec.phones.keys()]).toEqual(['agent2001']);
  });
});

describe('the phone objects put into Asterisk', () => {
  it('the endpoint always names its own auth and AOR; the AOR keeps one contact, qualified', () => {
    const phone: AgentPhone = { username: 'agent2001', agentNumber: '2001', credential: { agentId: 'agent-2001' as AgentId, username: 'agent2001', realm: 'hotline12345', ha1Md5: '0'.repeat(32) } };
    const endpoint = Object.fromEntries(agentEndpointFields(phone, { rtpTimeoutSec: 10, qualifySec: 2 }).map((f) => [f.attribute, f.value]));
    expect(endpoint).toMatchObject({ auth: 'agent2001-auth', aors: 'agent2001', identify_by: 'username', context: 'from-agent', rtp_timeout: '10', direct_media: 'no' });
    expect(JSON.stringify(endpoint)).not.toContain('0'.repeat(32));
    const aor = Object.fromEntries(agentAorFields({ rtpTimeoutSec: 10, qualifySec: 2 }).map((f) => [f.attribute, f.value]));
    expect(aor).toEqual({ max_contacts: '1', remove_existing: 'yes', qualify_frequency: '2', qualify_timeout: '2.0' });
  });

  it('several instances: each change is announced once; another instance follows it from the store, in the safe order', async () => {
    const { store, rec } = setup();
    const announced: string[] = [];
    const feed: DirectoryChangeFeed = { publish: (id) => { announced.push(id); return Promise.resolve(); }, subscribe: () => () => undefined };
    const onA = new AgentDirectory({ store, asterisk: rec, roster: rec, secrets: nodeSipSecrets, clock: () => 1000, log: silentLogger, feed });
    await onA.create(admin, input);
    await onA.change(admin, 'agent-2001', { name: '改名' });
    await onA.change(admin, 'agent-2001', { name: '改名' }); // nothing changed: nothing announced
    await onA.setSipSecret(admin, 'agent-2001', undefined);
    expect(announced).toEqual(['agent-2001', 'agent-2001', 'agent-2001']);
    // Instance B (its own Asterisk and call path) follows a disable, then an enable.
    const bRec = new Recorder();
    const b = new AgentDirectory({ store, asterisk: bRec, roster: bRec, secrets: nodeSipSecrets, clock: () => 1000, log: silentLogger });
    await onA.change(admin, 'agent-2001', { enabled: false });
    await b.follow(asAgentId('agent-2001'));
    expect(bRec.log).toEqual(['disable agent-2001', 'remove agent2001']);
    await onA.change(admin, 'agent-2001', { enabled: true });
    await b.follow(asAgentId('agent-2001'));
    expect(bRec.log.slice(2)).toEqual(['put agent2001', 'register agent-2001']);
    // A follow that fails (Asterisk down) never rejects; an unknown agent is ignored.
    bRec.down = true;
    await expect(b.follow(asAgentId('agent-2001'))).resolves.toBeUndefined();
    await expect(b.follow(asAgentId('agent-9999'))).resolves.toBeUndefined();
  });

  it('an announcement that fails does not fail the change (the others follow at their next resync or start)', async () => {
    const { store, rec } = setup();
    const feed: DirectoryChangeFeed = { publish: () => Promise.reject(new Error('redis down')), subscribe: () => () => undefined };
    const d = new AgentDirectory({ store, asterisk: rec, roster: rec, secrets: nodeSipSecrets, clock: () => 1000, log: silentLogger, feed });
    await expect(d.create(admin, input)).resolves.toMatchObject({ applied: true });
  });
});
