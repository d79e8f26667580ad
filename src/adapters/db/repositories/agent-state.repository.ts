/** Agents' presence in the database (one document per agent, replaced on each change). */
import type { Connection, Model } from 'mongoose';
import type { AgentStateStore, StoredAgentState } from '../../../app/calls/agent-state.ports';
import { asAgentId } from '../../../shared/ids';
import { agentStateModel, type AgentStateDoc } from '../models/agent-state.model';
import { ensureIndexes } from '../indexes';

const STATUSES: ReadonlySet<string> = new Set(['logged-out', 'ready', 'not-ready']);

export class MongoAgentStates implements AgentStateStore {
  private readonly model: Model<AgentStateDoc>;

  constructor(conn: Connection) {
    this.model = agentStateModel(conn);
  }

  async init(): Promise<void> {
    await ensureIndexes(this.model);
  }

  async save(state: StoredAgentState): Promise<void> {
    const { agentId, status, reason, since } = state;
    await this.model.updateOne({ agentId }, { $set: { agentId, status, reason, since: new Date(since) } }, { upsert: true });
  }

  async loadAll(): Promise<StoredAgentState[]> {
    const docs = await this.model.find({}).lean();
    return docs.flatMap((d) =>
      STATUSES.has(d.status)
        ? [{ agentId: asAgentId(d.agentId), status: d.status as StoredAgentState['status'], reason: d.reason ?? null, since: new Date(d.since).getTime() }]
        : [],
    );
  }
}
