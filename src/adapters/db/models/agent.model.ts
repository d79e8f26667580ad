/** agents: the agent directory (工号, name, softphone endpoint, queues). Presence lives in memory. */
import { Schema, type Connection, type Model } from 'mongoose';

export interface AgentDoc {
  agentId: string;
  agentNumber: string;
  name: string;
  endpoint: string;
  queues: string[];
  active: boolean;
}

const schema = new Schema<AgentDoc>(
  {
    agentId: { type: String, required: true },
    agentNumber: { type: String, required: true },
    name: { type: String, required: true },
    endpoint: { type: String, required: true },
    queues: { type: [String], default: ['general'] },
    active: { type: Boolean, default: true },
  },
  { collection: 'agents', versionKey: false },
);
schema.index({ agentId: 1 }, { unique: true });
schema.index({ agentNumber: 1 }, { unique: true });

export function agentModel(conn: Connection): Model<AgentDoc> {
  return (conn.models['Agent'] as Model<AgentDoc> | undefined) ?? conn.model<AgentDoc>('Agent', schema);
}
