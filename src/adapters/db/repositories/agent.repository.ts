/** The agent directory in the database; loaded into the call path's agent service at start. */
import type { Connection, Model } from 'mongoose';
import type { AgentProfile } from '../../../domain/acd/agent.types';
import { asAgentId, asQueueId } from '../../../shared/ids';
import { agentModel, type AgentDoc } from '../models/agent.model';
import { ensureIndexes } from '../indexes';

export class MongoAgentDirectory {
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

  /** Creates or updates one agent (idempotent by agentId). */
  async save(profile: AgentProfile): Promise<void> {
    await this.model.replaceOne(
      { agentId: profile.agentId },
      { ...profile, queues: [...profile.queues], active: true },
      { upsert: true },
    );
  }
}
