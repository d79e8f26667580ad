/**
 * Agents' SIP credentials in Asterisk, through ARI dynamic configuration: each one becomes the
 * res_pjsip auth object `<username>-auth` that the agent's endpoint names (pjsip_agents.conf),
 * created in sorcery's memory wizard (asterisk-config/sorcery.conf) with
 * PUT /asterisk/config/dynamic/res_pjsip/auth/{id}. Only the digest (password_digest = MD5:HA1)
 * crosses the wire, never a secret.
 */
import type { SipAuthTarget, SipCredential } from '../../app/agents/sip-credentials.ports';
import type { AriClientSource } from './ari-telephony';
import { DEFAULT_ARI_REQUEST_TIMEOUT_MS, withAriTimeout } from './ari-telephony';

/** The auth object of an agent's endpoint (pjsip_agents.conf: `auth = agent<N>-auth`). */
export function sipAuthObjectId(username: string): string {
  return `${username}-auth`;
}

/** The fields of the auth object, as ARI's PUT takes them. */
export function sipAuthFields(credential: SipCredential): Array<{ attribute: string; value: string }> {
  return [
    { attribute: 'auth_type', value: 'digest' },
    { attribute: 'username', value: credential.username },
    { attribute: 'realm', value: credential.realm },
    { attribute: 'password_digest', value: `MD5:${credential.ha1Md5}` },
  ];
}

export class AriSipAuth implements SipAuthTarget {
  constructor(
    private readonly ari: AriClientSource,
    private readonly requestTimeoutMs = DEFAULT_ARI_REQUEST_TIMEOUT_MS,
  ) {}

  async put(credential: SipCredential): Promise<void> {
    const id = sipAuthObjectId(credential.username);
    // ari-client wraps `fields` in {"fields": [...]}, the body Asterisk expects; its types say an object.
    const fields = sipAuthFields(credential) as unknown as Record<string, unknown>;
    await withAriTimeout(
      this.ari.current().asterisk.updateObject({ configClass: 'res_pjsip', objectType: 'auth', id, fields }),
      `config/dynamic/res_pjsip/auth/${id}`,
      this.requestTimeoutMs,
    );
  }
}
