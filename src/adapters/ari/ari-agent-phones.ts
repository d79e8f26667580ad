/**
 * Agents' phones in Asterisk through ARI dynamic configuration (asterisk-config/sorcery.conf puts
 * res_pjsip endpoints, AORs and auths in the memory wizard after pjsip.conf): each enabled agent
 * becomes auth `<user>-auth`, AOR `<user>` and endpoint `<user>` with
 * PUT /asterisk/config/dynamic/res_pjsip/{type}/{id}, taken out with DELETE. Asterisk applies them
 * at once: no reload, no restart. Dynamic objects take no templates, so the fields below repeat
 * pjsip.conf's agent-endpoint / agent-aor (keep them together). Only the digest crosses the wire.
 *
 * Agents rendered into pjsip_agents.conf (the lab's agent1001…) keep their endpoint and AOR from
 * the file, which ARI may not change ("Cannot update"/"Could not delete"): only their auth is ours.
 */
import type { AgentPhone, AgentPhoneTarget } from '../../app/agents/agent-directory.ports';
import { sipAuthFields, sipAuthObjectId } from './ari-sip-auth';
import type { AriClientSource } from './ari-telephony';
import { DEFAULT_ARI_REQUEST_TIMEOUT_MS, isNotFound, withAriTimeout } from './ari-telephony';

export interface AgentPhoneSettings {
  /** Seconds without audio after which Asterisk ends a phone's leg (AGENT_RTP_TIMEOUT, as pjsip.conf). */
  readonly rtpTimeoutSec: number;
  /** OPTIONS to the phone every this many seconds (AGENT_QUALIFY_SEC, as pjsip.conf); 0 = off. */
  readonly qualifySec: number;
}

type Fields = Array<{ attribute: string; value: string }>;

/** The endpoint's fields: pjsip.conf's agent-endpoint template, with the phone's own AOR and auth. */
export function agentEndpointFields(phone: AgentPhone, s: AgentPhoneSettings): Fields {
  const f: Record<string, string> = {
    identify_by: 'username',
    transport: 'transport-udp',
    context: 'from-agent',
    allow: '!all,ulaw,alaw',
    dtmf_mode: 'rfc4733',
    direct_media: 'no',
    rtp_symmetric: 'yes',
    force_rport: 'yes',
    rewrite_contact: 'yes',
    send_connected_line: 'no',
    rtp_timeout: String(s.rtpTimeoutSec),
    aors: phone.username,
    // Never empty: an endpoint without auth would let anyone register as the agent.
    auth: sipAuthObjectId(phone.username),
    callerid: `"${phone.agentNumber}" <${phone.agentNumber}>`,
  };
  return Object.entries(f).map(([attribute, value]) => ({ attribute, value }));
}

/** The AOR's fields: pjsip.conf's agent-aor template (one phone per agent, qualified). */
export function agentAorFields(s: AgentPhoneSettings): Fields {
  return [
    { attribute: 'max_contacts', value: '1' },
    { attribute: 'remove_existing', value: 'yes' },
    { attribute: 'qualify_frequency', value: String(s.qualifySec) },
    { attribute: 'qualify_timeout', value: '2.0' },
  ];
}

/** Asterisk's answer for objects pjsip.conf defines (the config wizard cannot change them). */
const FROM_FILE = /Cannot update sorcery object|Could not delete object/i;

interface DynamicConfig {
  updateObject(p: { configClass: string; objectType: string; id: string; fields: Record<string, unknown> }): Promise<unknown>;
  deleteObject(p: { configClass: string; objectType: string; id: string }): Promise<unknown>;
}

export class AriAgentPhones implements AgentPhoneTarget {
  constructor(
    private readonly ari: AriClientSource,
    private readonly settings: AgentPhoneSettings,
    private readonly requestTimeoutMs = DEFAULT_ARI_REQUEST_TIMEOUT_MS,
  ) {}

  async put(phone: AgentPhone): Promise<void> {
    // The auth first and the endpoint last: the endpoint never exists without its auth.
    await this.update('auth', sipAuthObjectId(phone.username), sipAuthFields(phone.credential), false);
    await this.update('aor', phone.username, agentAorFields(this.settings), true);
    await this.update('endpoint', phone.username, agentEndpointFields(phone, this.settings), true);
  }

  async remove(username: string): Promise<void> {
    // The endpoint first: from then on the phone can neither register nor be called.
    await this.delete('endpoint', username);
    await this.delete('aor', username);
    await this.delete('auth', sipAuthObjectId(username));
  }

  private config(): DynamicConfig {
    return this.ari.current().asterisk as unknown as DynamicConfig;
  }

  private async update(objectType: string, id: string, fields: Fields, fileMayDefine: boolean): Promise<void> {
    try {
      // ari-client wraps `fields` in {"fields": [...]}, the body Asterisk expects; its types say an object.
      await withAriTimeout(
        this.config().updateObject({ configClass: 'res_pjsip', objectType, id, fields: fields as unknown as Record<string, unknown> }),
        `config/dynamic/res_pjsip/${objectType}/${id}`,
        this.requestTimeoutMs,
      );
    } catch (err) {
      if (fileMayDefine && FROM_FILE.test(String(err))) return;
      throw err;
    }
  }

  private async delete(objectType: string, id: string): Promise<void> {
    try {
      await withAriTimeout(this.config().deleteObject({ configClass: 'res_pjsip', objectType, id }), `DELETE config/dynamic/res_pjsip/${objectType}/${id}`, this.requestTimeoutMs);
    } catch (err) {
      if (isNotFound(err) || (objectType !== 'auth' && FROM_FILE.test(String(err)))) return;
      throw err;
    }
  }
}
