/**
 * The agent directory in the database; loaded into the call path's agent service at start. It also
 * holds each agent phone's SIP credential (the digest only), put into Asterisk by the application.
 */
import type { Collection, Connection, Model } from 'mongoose';
import type { AgentDirectoryStore, DirectoryAudit, DirectoryChange, DirectoryEntry } from '../../../app/agents/agent-directory.ports';
import type { SipCredential, SipCredentialStore } from '../../../app/agents/sip-credentials.ports';
import type { AgentProfile } from '../../../domain/acd/agent.types';
import { asAgentId, asQueueId } from '../../../shared/ids';
import { agentModel, type AgentDoc } from '../models/agent.model';
import { createIndexRetrying, ensureIndexes } from '../indexes';

type AuditDoc = Omit<DirectoryAudit, 'agentId' | 'fields'> & { agentId: string; fields: string[] };

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 11000;
}

function entryOf(d: AgentDoc): DirectoryEntry {
  return {
    agentId: asAgentId(d.agentId),
    agentNumber: d.agentNumber,
    name: d.name,
    endpoint: d.endpoint,
    queues: d.queues.map(asQueueId),
    active: d.active,
    sip: d.sip ? { agentId: asAgentId(d.agentId), username: d.sip.username, realm: d.sip.realm, ha1Md5: d.sip.ha1Md5 } : null,
  };
}

export class MongoAgentDirectory implements SipCredentialStore, AgentDirectoryStore {
  private readonly model: Model<AgentDoc>;
  /** Who created, changed, disabled an agent or replaced its secret, and when (agent_directory_audit). */
  private readonly audits: Collection<AuditDoc>;

  constructor(conn: Connection) {
    this.model = agentModel(conn);
    this.audits = conn.collection('agent_directory_audit') as unknown as Collection<AuditDoc>;
  }

  async init(): Promise<void> {
    await ensureIndexes(this.model);
    await createIndexRetrying(() => this.audits.createIndex({ agentId: 1, at: 1 }));
  }

  async listAll(): Promise<DirectoryEntry[]> {
    const docs = await this.model.find({}).sort({ agentNumber: 1 }).lean();
    return docs.map(entryOf);
  }

  async find(agentId: string): Promise<DirectoryEntry | null> {
    const doc = await this.model.findOne({ agentId }).lean();
    return doc ? entryOf(doc) : null;
  }

  async insert(entry: DirectoryEntry): Promise<{ taken: 'agentNumber' | 'endpoint' | null }> {
    // The endpoint is unique by rule, checked here (lab directories may predate a unique index on it).
    if (await this.model.exists({ endpoint: entry.endpoint })) return { taken: 'endpoint' };
    try {
      await this.model.create({ ...entry, queues: [...entry.queues], sip: entry.sip ? sipDocOf(entry.sip) : null });
      return { taken: null };
    } catch (err) {
      if (isDuplicateKey(err)) return { taken: 'agentNumber' };
      throw err;
    }
  }

  async change(agentId: string, change: DirectoryChange): Promise<{ entry: DirectoryEntry | null; taken: 'endpoint' | null }> {
    if (change.endpoint !== undefined && (await this.model.exists({ endpoint: change.endpoint, agentId: { $ne: agentId } }))) {
      return { entry: null, taken: 'endpoint' };
    }
    const set: Partial<AgentDoc> = {};
    if (change.name !== undefined) set.name = change.name;
    if (change.endpoint !== undefined) set.endpoint = change.endpoint;
    if (change.queues !== undefined) set.queues = [...change.queues];
    if (change.active !== undefined) set.active = change.active;
    if (change.sip !== undefined) set.sip = change.sip ? sipDocOf(change.sip) : null;
    const doc = await this.model.findOneAndUpdate({ agentId }, { $set: set }, { new: true }).lean();
    return { entry: doc ? entryOf(doc) : null, taken: null };
  }

  async audit(entry: DirectoryAudit): Promise<void> {
    await this.audits.insertOne({ ...entry, fields: [...entry.fields] });
  }

  async auditOf(agentId: string): Promise<DirectoryAudit[]> {
    const docs = await this.audits.find({ agentId }, { projection: { _id: 0 } }).sort({ at: 1 }).toArray();
    return docs.map((d) => ({ agentId: asAgentId(d.agentId), action: d.action, fields: d.fields, by: d.by, at: d.at }));
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
    const r = await this.model.updateOne({ agentId: credential.agentId }, { $set: { sip: sipDocOf(credential) } });
    return r.matchedCount > 0;
  }

  async listSipCredentials(): Promise<SipCredential[]> {
    const docs = await this.model.find({ active: true }, { agentId: 1, sip: 1 }).sort({ agentNumber: 1 }).lean();
    return docs.flatMap((d) => (d.sip ? [{ agentId: asAgentId(d.agentId), username: d.sip.username, realm: d.sip.realm, ha1Md5: d.sip.ha1Md5 }] : []));
  }
}

function sipDocOf(c: SipCredential): { username: string; realm: string; ha1Md5: string } {
  return { username: c.username, realm: c.realm, ha1Md5: c.ha1Md5 };
}
