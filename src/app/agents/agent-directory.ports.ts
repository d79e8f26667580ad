/**
 * Ports of the agent directory managed over REST: the directory in the database (the source of
 * truth, with an audit trail), the agents' phones in Asterisk (PJSIP endpoint, AOR and auth pushed
 * live), and the call path's roster of agents it may offer calls to.
 */
import type { AgentProfile } from '../../domain/acd/agent.types';
import type { AgentId, QueueId } from '../../shared/ids';
import type { SipCredential } from './sip-credentials.ports';

/** One agent of the directory as stored: never a secret, only the digest of the phone's. */
export interface DirectoryEntry {
  readonly agentId: AgentId;
  /** 工号, unique. */
  readonly agentNumber: string;
  readonly name: string;
  /** Dial string of the phone, `PJSIP/agent<extension>`; unique. */
  readonly endpoint: string;
  readonly queues: readonly QueueId[];
  /** A disabled agent's phone cannot register and is offered no call. */
  readonly active: boolean;
  readonly sip: SipCredential | null;
}

export type DirectoryChange = Partial<Pick<DirectoryEntry, 'name' | 'endpoint' | 'queues' | 'active' | 'sip'>>;

/** What was done to an agent, by whom: field names only, never values of credentials. */
export interface DirectoryAudit {
  readonly agentId: AgentId;
  readonly action: 'created' | 'changed' | 'disabled' | 'enabled' | 'sip-secret-set' | 'sip-secret-rotated';
  /** Fields changed (name, queues, extension, …). */
  readonly fields: readonly string[];
  readonly by: string;
  readonly at: number;
}

export interface AgentDirectoryStore {
  listAll(): Promise<DirectoryEntry[]>;
  find(agentId: AgentId): Promise<DirectoryEntry | null>;
  /** `taken` names the unique field another agent already has. */
  insert(entry: DirectoryEntry): Promise<{ taken: 'agentNumber' | 'endpoint' | null }>;
  /** Null when there is no such agent; `taken` when the new endpoint is another agent's. */
  change(agentId: AgentId, change: DirectoryChange): Promise<{ entry: DirectoryEntry | null; taken: 'endpoint' | null }>;
  audit(entry: DirectoryAudit): Promise<void>;
  auditOf(agentId: AgentId): Promise<DirectoryAudit[]>;
}

/** An agent's phone as Asterisk needs it. */
export interface AgentPhone {
  /** The PJSIP endpoint / AOR name (agent2001); the auth object is `<username>-auth`. */
  readonly username: string;
  readonly agentNumber: string;
  readonly credential: SipCredential;
}

/** Asterisk's copy of the agents' phones (in memory: lost when Asterisk restarts). */
export interface AgentPhoneTarget {
  /** Creates or replaces the phone's auth, AOR and endpoint. Rejects when Asterisk cannot be reached or refuses. */
  put(phone: AgentPhone): Promise<void>;
  /** Removes the phone's endpoint, AOR and auth (absent ones are fine). Rejects when Asterisk cannot be reached. */
  remove(username: string): Promise<void>;
}

/** The call path's agents (AgentService). */
export interface AgentRoster {
  /** Adds the agent (logged out) or updates its profile; re-enables a disabled one. */
  register(profile: AgentProfile): unknown;
  /** Logs the agent out (after a call in progress) and refuses its logins until it is registered again. */
  disable(agentId: AgentId): void;
}

/**
 * Tells the other app instances that an agent of the directory changed, and hears theirs, so each
 * instance's call path (and its Asterisk) follows at once, not at its next start.
 */
export interface DirectoryChangeFeed {
  /** Announces a change of the agent to the other instances (not to this one). */
  publish(agentId: AgentId): Promise<void>;
  /** `onChange` for each change another instance announces; `onResync` after each (re)connection, when changes may have been missed. */
  subscribe(onChange: (agentId: AgentId) => void, onResync: () => void): () => void;
}
