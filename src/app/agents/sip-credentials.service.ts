/**
 * Each agent's own SIP secret: generated when it is issued, handed out once, stored only as the
 * digest Asterisk needs (HA1 = MD5 of user:realm:secret). The database is the source of truth;
 * Asterisk keeps its copy in memory (sorcery.conf), so every credential is put into Asterisk again
 * after each (re)connection to it, and a new one at once when Asterisk is reachable.
 */
import type { AgentId } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { mapInWindows } from '../../shared/windows';
import type { SipAuthTarget, SipCredential, SipCredentialStore, SipSecretSource } from './sip-credentials.ports';

/** Realm of the agents' digest challenges; part of every stored HA1, so changing it voids them all. */
export const SIP_REALM = 'hotline12345';

const PJSIP_ENDPOINT = /^PJSIP\/([A-Za-z0-9_.-]+)$/;

export class SipCredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SipCredentialError';
  }
}

export interface IssuedSipSecret {
  readonly username: string;
  readonly realm: string;
  /** Shown once to whoever created the agent; not kept anywhere. */
  readonly secret: string;
  /** False when Asterisk could not be reached: it gets the credential at its next connection. */
  readonly applied: boolean;
}

export interface SipCredentialDeps {
  readonly store: SipCredentialStore;
  readonly asterisk: SipAuthTarget;
  readonly secrets: SipSecretSource;
  readonly log: Logger;
}

export class AgentSipCredentials {
  constructor(private readonly deps: SipCredentialDeps) {}

  /** The SIP user name of a PJSIP endpoint dial string (`PJSIP/agent1001` → `agent1001`). */
  static usernameOf(endpoint: string): string | null {
    return PJSIP_ENDPOINT.exec(endpoint)?.[1] ?? null;
  }

  /**
   * Gives the agent a new secret (replacing any earlier one) and returns it: the only time it exists.
   * Throws SipCredentialError for an endpoint that is not PJSIP or an agent the directory does not have.
   */
  async issue(agent: { readonly agentId: AgentId; readonly endpoint: string }): Promise<IssuedSipSecret> {
    const username = AgentSipCredentials.usernameOf(agent.endpoint);
    if (!username) throw new SipCredentialError(`endpoint ${agent.endpoint} is not a PJSIP endpoint`);
    const secret = this.deps.secrets.randomSecret();
    const credential: SipCredential = {
      agentId: agent.agentId,
      username,
      realm: SIP_REALM,
      ha1Md5: this.deps.secrets.md5Hex(`${username}:${SIP_REALM}:${secret}`),
    };
    if (!(await this.deps.store.saveSipCredential(credential))) {
      throw new SipCredentialError(`agent ${agent.agentId} is not in the directory`);
    }
    const applied = await this.apply(credential);
    return { username, realm: SIP_REALM, secret, applied };
  }

  /**
   * Puts every stored credential into Asterisk (after each ARI connection). Never rejects: a failure
   * is logged and the agent's phone is refused until the next connection or issue.
   */
  async applyAll(): Promise<{ applied: number; failed: number }> {
    let credentials: SipCredential[];
    try {
      credentials = await this.deps.store.listSipCredentials();
    } catch (err) {
      this.deps.log.error('agent sip credentials not read', { err: String(err) });
      return { applied: 0, failed: 0 };
    }
    const results = await mapInWindows(credentials, 16, (c) => this.apply(c));
    const applied = results.filter(Boolean).length;
    const failed = results.length - applied;
    (failed > 0 ? this.deps.log.warn : this.deps.log.info).call(this.deps.log, 'agent sip credentials applied', { applied, failed });
    return { applied, failed };
  }

  private async apply(credential: SipCredential): Promise<boolean> {
    try {
      await this.deps.asterisk.put(credential);
      return true;
    } catch (err) {
      this.deps.log.warn('agent sip credential not applied', { agentId: credential.agentId, username: credential.username, err: String(err) });
      return false;
    }
  }
}
