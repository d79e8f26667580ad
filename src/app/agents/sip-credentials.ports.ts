/**
 * Ports of agents' SIP credentials: where the digest is stored (the agent directory in the
 * database, the source of truth), where Asterisk gets it (ARI dynamic configuration), and the
 * randomness and hashing behind it (node:crypto).
 */
import type { AgentId } from '../../shared/ids';

/**
 * What Asterisk needs to check an agent phone's digest authentication, and nothing more: the
 * secret itself is never stored.
 */
export interface SipCredential {
  readonly agentId: AgentId;
  /** SIP user name = the agent's PJSIP endpoint (agent1001); its auth object is `<username>-auth`. */
  readonly username: string;
  readonly realm: string;
  /** MD5 of `username:realm:secret` (the digest's HA1), lower-case hex. */
  readonly ha1Md5: string;
}

export interface SipCredentialStore {
  /** Stores (replaces) the agent's credential; false when the directory has no such agent. */
  saveSipCredential(credential: SipCredential): Promise<boolean>;
  /** The credentials of every active agent that has one. */
  listSipCredentials(): Promise<SipCredential[]>;
}

/** Asterisk's copy of the credentials (lost when Asterisk restarts). */
export interface SipAuthTarget {
  /** Creates or replaces the agent's auth object. Rejects when Asterisk cannot be reached or refuses. */
  put(credential: SipCredential): Promise<void>;
}

export interface SipSecretSource {
  /** A new random secret, printable and safe in a softphone's password field. */
  randomSecret(): string;
  /** MD5 of the UTF-8 text, lower-case hex. */
  md5Hex(text: string): string;
}
