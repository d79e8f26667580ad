/**
 * The agent directory in the database; loaded into the call path's agent service at start. It also
 * holds each agent phone's SIP credential (the digest only), put into Asterisk by the application.
 */
import type { Connection, Model } from 'mongoose';
import type { SipCredential, SipCredentialStore } from '../../../app/agents/sip-credentials.ports';
import type { AgentProfile } from '../../../domain/acd/agent.types';
import { asAgentId, asQueueId } from '../../../shared/ids';
import { agentModel, type AgentDoc } from '../models/agent.model';
import { ensureIndexes } from '../indexes';

export class MongoAgentDirectory implements SipCredentialStore {
  private readonly model: Model<AgentDoc>;

  constructor(conn: Connection) {
    this.model = agentModel(conn);
  }

  async init(): Promise<void> {
    await ensureIndexes(this.model);
  }

  async listActive(): Promise<AgentProfile[]> {
    const docs = await this.model.find({ active: true }).sort({ agentNumber: 1 }).lean();
    return docs.map((d) => ({
      agentId: asAgentId(d.agentId),
      agentNumber: d.agentNumber,
      name: d.name,
      endpoint: d.endpoint,
      queues: d.queues.map(asQueueId),
    }));
  }

  /** Creates or updates one agent (idempotent by agentId); its SIP credential is kept. */
  async save(profile: AgentProfile): Promise<void> {
    const { agentId, agentNumber, name, endpoint } = profile;
    await this.model.updateOne(
      { agentId },
      { $set: { agentId, agentNumber, name, endpoint, queues: [...profile.queues], active: true } },
      { upsert: true },
    );
  }

  /** Whether the agent has a SIP credential (the seed issues one only to agents without). */
  async hasSipCredential(agentId: string): Promise<boolean> {
    const doc = await this.model.findOne({ agentId }, { sip: 1 }).lean();
    return Boolean(doc?.sip);
  }

  async saveSipCredential(credential: SipCredential): Promise<boolean> {
    const { username, realm, ha1Md5 } = credential;
    const r = await this.model.updateOne({ agentId: credential.agentId }, { $set: { sip: { username, realm, ha1Md5 } } });
    return r.matchedCount > 0;
  }

  async listSipCredentials(): Promise<SipCredential[]> {
    const docs = await this.model.find({ active: true }, { agentId: 1, sip: 1 }).sort({ agentNumber: 1 }).lean();
    return docs.flatMap((d) => (d.sip ? [{ agentId: asAgentId(d.agentId), username: d.sip.username, realm: d.sip.realm, ha1Md5: d.sip.ha1Md5 }] : []));
  }
}
