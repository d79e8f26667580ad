/**
 * The agent directory over REST (administrators): create, change, disable agents, set or rotate
 * their phones' SIP secrets. The database is the source of truth; Asterisk follows it live (each
 * enabled agent's PJSIP endpoint, AOR and auth pushed over ARI, a disabled one's removed), and the
 * whole directory is put back after every (re)connection to Asterisk. No Asterisk restart or reload.
 *
 * A secret exists only in the request that sets it or the answer that hands a generated one out
 * once; the directory keeps its digest (HA1). Nothing here logs a secret.
 */
import type { AgentProfile } from '../../domain/acd/agent.types';
import { requirePermission, type Actor } from '../../domain/access';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { asAgentId, asQueueId, type AgentId } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { mapInWindows } from '../../shared/windows';
import type { AgentDirectoryStore, AgentPhoneTarget, AgentRoster, DirectoryAudit, DirectoryChange, DirectoryChangeFeed, DirectoryEntry } from './agent-directory.ports';
import { SIP_REALM } from './sip-credentials.service';
import type { SipCredential, SipSecretSource } from './sip-credentials.ports';

/** A secret an administrator sets: long enough not to be guessed, printable ASCII a softphone takes. */
const SECRET = /^[\x21-\x7e]{16,128}$/;
const EXTENSION = /^[0-9]{3,8}$/;

/** What the API shows of an agent: never the secret or its digest. */
export interface DirectoryAgentView {
  readonly agentId: string;
  readonly agentNumber: string;
  readonly name: string;
  readonly extension: string | null;
  /** SIP user name of the phone (its PJSIP endpoint), null when the endpoint is not PJSIP/agent<N>. */
  readonly sipUsername: string | null;
  readonly queues: readonly string[];
  readonly enabled: boolean;
  /** Whether the phone has a secret (it cannot register without one). */
  readonly hasSipSecret: boolean;
}

export interface SipSecretResult {
  readonly username: string;
  readonly realm: string;
  /** Only when generated here: shown this once, kept nowhere. */
  readonly secret?: string;
}

export interface DirectoryResult {
  readonly agent: DirectoryAgentView;
  /** The secret just set or generated (create, rotation, extension change). */
  readonly sip?: SipSecretResult;
  /** False when Asterisk could not be reached: it follows at its next connection. */
  readonly applied: boolean;
}

export interface CreateAgentInput {
  readonly agentNumber: string;
  readonly name: string;
  readonly extension: string;
  readonly queues: readonly string[];
  /** Set by the administrator; omitted → one is generated and returned once. */
  readonly sipSecret?: string;
}

export interface ChangeAgentInput {
  readonly name?: string;
  readonly extension?: string;
  readonly queues?: readonly string[];
  readonly enabled?: boolean;
  /** With an extension change: the new phone's secret (omitted → generated and returned once). */
  readonly sipSecret?: string;
}

export interface AgentDirectoryDeps {
  readonly store: AgentDirectoryStore;
  readonly asterisk: AgentPhoneTarget;
  readonly roster: AgentRoster;
  readonly secrets: SipSecretSource;
  readonly clock: () => number;
  readonly log: Logger;
  /** The other app instances (several instances): each change is announced to them; absent: one instance. */
  readonly feed?: DirectoryChangeFeed;
}

export function endpointOfExtension(extension: string): string {
  return `PJSIP/agent${extension}`;
}

function usernameOf(endpoint: string): string | null {
  return /^PJSIP\/([A-Za-z0-9_.-]+)$/.exec(endpoint)?.[1] ?? null;
}

function extensionOf(endpoint: string): string | null {
  return /^PJSIP\/agent([0-9]+)$/.exec(endpoint)?.[1] ?? null;
}

export function directoryView(e: DirectoryEntry): DirectoryAgentView {
  return {
    agentId: e.agentId,
    agentNumber: e.agentNumber,
    name: e.name,
    extension: extensionOf(e.endpoint),
    sipUsername: usernameOf(e.endpoint),
    queues: [...e.queues],
    enabled: e.active,
    hasSipSecret: e.sip !== null,
  };
}

function profileOf(e: DirectoryEntry): AgentProfile {
  return { agentId: e.agentId, agentNumber: e.agentNumber, name: e.name, endpoint: e.endpoint, queues: [...e.queues] };
}

export class AgentDirectory {
  constructor(private readonly deps: AgentDirectoryDeps) {}

  async list(actor: Actor): Promise<DirectoryAgentView[]> {
    requirePermission(actor, 'agents:manage');
    return (await this.deps.store.listAll()).map(directoryView);
  }

  async get(actor: Actor, agentId: string): Promise<DirectoryAgentView> {
    requirePermission(actor, 'agents:manage');
    return directoryView(await this.require(agentId));
  }

  async auditOf(actor: Actor, agentId: string): Promise<DirectoryAudit[]> {
    requirePermission(actor, 'agents:manage');
    await this.require(agentId);
    return this.deps.store.auditOf(asAgentId(agentId));
  }

  async create(actor: Actor, input: CreateAgentInput): Promise<DirectoryResult> {
    requirePermission(actor, 'agents:manage');
    checkExtension(input.extension, 'body.extension');
    const agentId = asAgentId(`agent-${input.agentNumber}`);
    const endpoint = endpointOfExtension(input.extension);
    const { credential, sip } = this.credentialFor(agentId, endpoint, input.sipSecret, 'body.sipSecret');
    const entry: DirectoryEntry = {
      agentId,
      agentNumber: input.agentNumber,
      name: input.name,
      endpoint,
      queues: input.queues.map(asQueueId),
      active: true,
      sip: credential,
    };
    const { taken } = await this.deps.store.insert(entry);
    if (taken === 'agentNumber') throw new ConflictError('工号 already in the directory', { field: 'body.agentNumber' });
    if (taken === 'endpoint') throw new ConflictError('extension already used by another agent', { field: 'body.extension' });
    await this.audit(actor, agentId, 'created', ['agentNumber', 'name', 'extension', 'queues', 'sipSecret']);
    // Into Asterisk first: the call path then watches an endpoint that exists.
    const applied = await this.push(entry);
    this.deps.roster.register(profileOf(entry));
    await this.announce(agentId);
    this.deps.log.info('agent created', { agentId, by: actor.userId, applied });
    return { agent: directoryView(entry), sip, applied };
  }

  async change(actor: Actor, agentId: string, input: ChangeAgentInput): Promise<DirectoryResult> {
    requirePermission(actor, 'agents:manage');
    const before = await this.require(agentId);
    const change: { -readonly [K in keyof DirectoryChange]: DirectoryChange[K] } = {};
    const fields: string[] = [];
    if (input.name !== undefined && input.name !== before.name) {
      change.name = input.name;
      fields.push('name');
    }
    if (input.queues !== undefined && input.queues.join(',') !== before.queues.join(',')) {
      change.queues = input.queues.map(asQueueId);
      fields.push('queues');
    }
    let sip: SipSecretResult | undefined;
    if (input.extension !== undefined) {
      checkExtension(input.extension, 'body.extension');
      const endpoint = endpointOfExtension(input.extension);
      if (endpoint !== before.endpoint) {
        // The digest binds the user name: a new extension needs a new secret.
        const issued = this.credentialFor(before.agentId, endpoint, input.sipSecret, 'body.sipSecret');
        change.endpoint = endpoint;
        change.sip = issued.credential;
        sip = issued.sip;
        fields.push('extension', 'sipSecret');
      }
    }
    if (input.sipSecret !== undefined && change.endpoint === undefined) {
      throw new ValidationError('body.sipSecret', 'only with a new extension; use the sip-secret route');
    }
    if (input.enabled !== undefined && input.enabled !== before.active) change.active = input.enabled;
    if (fields.length === 0 && change.active === undefined) return { agent: directoryView(before), applied: true };
    const { entry, taken } = await this.deps.store.change(before.agentId, change);
    if (taken) throw new ConflictError('extension already used by another agent', { field: 'body.extension' });
    if (!entry) throw new NotFoundError('agent');
    if (fields.length > 0) await this.audit(actor, entry.agentId, 'changed', fields);
    if (change.active !== undefined) await this.audit(actor, entry.agentId, entry.active ? 'enabled' : 'disabled', ['enabled']);
    // Disabled: out of the call path first, then its phone out of Asterisk. Enabled: the other way round.
    if (!entry.active) this.deps.roster.disable(entry.agentId);
    let applied = true;
    if (change.endpoint !== undefined || !entry.active) applied = await this.removePhone(before);
    applied = (await this.push(entry)) && applied;
    if (entry.active) this.deps.roster.register(profileOf(entry));
    await this.announce(entry.agentId);
    this.deps.log.info('agent changed', { agentId: entry.agentId, by: actor.userId, fields, enabled: entry.active, applied });
    return { agent: directoryView(entry), ...(sip ? { sip } : {}), applied };
  }

  /** Sets the phone's secret (`secret` given) or rotates it (a new one, returned once). */
  async setSipSecret(actor: Actor, agentId: string, secret: string | undefined): Promise<DirectoryResult & { sip: SipSecretResult }> {
    requirePermission(actor, 'agents:manage');
    const before = await this.require(agentId);
    const { credential, sip } = this.credentialFor(before.agentId, before.endpoint, secret, 'body.secret');
    const { entry } = await this.deps.store.change(before.agentId, { sip: credential });
    if (!entry) throw new NotFoundError('agent');
    await this.audit(actor, entry.agentId, secret === undefined ? 'sip-secret-rotated' : 'sip-secret-set', ['sipSecret']);
    const applied = await this.push(entry);
    await this.announce(entry.agentId);
    this.deps.log.info('agent sip secret replaced', { agentId: entry.agentId, by: actor.userId, generated: secret === undefined, applied });
    return { agent: directoryView(entry), sip, applied };
  }

  /**
   * Makes Asterisk follow the whole directory (after each ARI connection): every enabled agent's
   * phone put in, every disabled one's taken out (a change made while Asterisk was unreachable).
   * Never rejects: a failure is logged and that phone is retried at the next connection or change.
   */
  async applyAll(): Promise<{ applied: number; failed: number }> {
    let entries: DirectoryEntry[];
    try {
      entries = await this.deps.store.listAll();
    } catch (err) {
      this.deps.log.error('agent directory not read', { err: String(err) });
      return { applied: 0, failed: 0 };
    }
    const results = await mapInWindows(entries, 16, (e) => this.push(e));
    const applied = results.filter(Boolean).length;
    const failed = results.length - applied;
    (failed > 0 ? this.deps.log.warn : this.deps.log.info).call(this.deps.log, 'agent directory applied to asterisk', { applied, failed });
    return { applied, failed };
  }

  /**
   * Another instance changed the agent: this instance's call path and Asterisk follow the directory
   * as stored (a disabled agent out of the call path, then its phone out of Asterisk; an enabled one
   * the other way round). Never rejects: a failure is logged, and the next change or resync repairs it.
   */
  async follow(agentId: AgentId): Promise<void> {
    try {
      const entry = await this.deps.store.find(agentId);
      if (!entry) return;
      if (!entry.active) this.deps.roster.disable(entry.agentId);
      const applied = await this.push(entry);
      if (entry.active) this.deps.roster.register(profileOf(entry));
      this.deps.log.info('agent directory change followed', { agentId, enabled: entry.active, applied });
    } catch (err) {
      this.deps.log.warn('agent directory change not followed', { agentId, err: String(err) });
    }
  }

  /** Follows the whole directory (after the feed reconnected: changes announced meanwhile were missed). */
  async followAll(): Promise<void> {
    let entries: DirectoryEntry[];
    try {
      entries = await this.deps.store.listAll();
    } catch (err) {
      this.deps.log.warn('agent directory not read', { err: String(err) });
      return;
    }
    await mapInWindows(entries, 16, (e) => this.follow(e.agentId));
  }

  /** Tells the other instances; a failure is logged (they follow at their next resync or start). */
  private async announce(agentId: AgentId): Promise<void> {
    try {
      await this.deps.feed?.publish(agentId);
    } catch (err) {
      this.deps.log.warn('agent directory change not announced to other instances', { agentId, err: String(err) });
    }
  }

  private async require(agentId: string): Promise<DirectoryEntry> {
    const entry = await this.deps.store.find(asAgentId(agentId));
    if (!entry) throw new NotFoundError('agent');
    return entry;
  }

  private credentialFor(agentId: AgentId, endpoint: string, given: string | undefined, field: string): { credential: SipCredential; sip: SipSecretResult } {
    const username = usernameOf(endpoint);
    if (!username) throw new ConflictError('the agent\'s endpoint is not a PJSIP endpoint', { field });
    if (given !== undefined && !SECRET.test(given)) throw new ValidationError(field, '16-128 printable ASCII characters, no spaces');
    const secret = given ?? this.deps.secrets.randomSecret();
    const credential: SipCredential = { agentId, username, realm: SIP_REALM, ha1Md5: this.deps.secrets.md5Hex(`${username}:${SIP_REALM}:${secret}`) };
    return { credential, sip: { username, realm: SIP_REALM, ...(given === undefined ? { secret } : {}) } };
  }

  /** An enabled agent with a secret: its phone into Asterisk; otherwise its phone out of it. */
  private async push(entry: DirectoryEntry): Promise<boolean> {
    const username = usernameOf(entry.endpoint);
    if (!username) return false;
    if (!entry.active || !entry.sip) return this.removePhone(entry);
    try {
      await this.deps.asterisk.put({ username, agentNumber: entry.agentNumber, credential: entry.sip });
      return true;
    } catch (err) {
      this.deps.log.warn('agent phone not applied to asterisk', { agentId: entry.agentId, username, err: String(err) });
      return false;
    }
  }

  private async removePhone(entry: DirectoryEntry): Promise<boolean> {
    const username = usernameOf(entry.endpoint);
    if (!username) return true;
    try {
      await this.deps.asterisk.remove(username);
      return true;
    } catch (err) {
      this.deps.log.warn('agent phone not removed from asterisk', { agentId: entry.agentId, username, err: String(err) });
      return false;
    }
  }

  private async audit(actor: Actor, agentId: AgentId, action: DirectoryAudit['action'], fields: string[]): Promise<void> {
    await this.deps.store.audit({ agentId, action, fields, by: actor.userId, at: this.deps.clock() });
  }
}

function checkExtension(extension: string, field: string): void {
  if (!EXTENSION.test(extension)) throw new ValidationError(field, '3-8 digits');
}
