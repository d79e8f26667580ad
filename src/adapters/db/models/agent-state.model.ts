/**
 * agent_states: each agent's presence (logged out, Ready, not-ready and why, since when), so a
 * restarted app puts agents back as they were (app/calls/agent-state.ports.ts).
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface AgentStateDoc {
  agentId: string;
  status: string;
  reason: string | null;
  since: Date;
}

const schema = new Schema<AgentStateDoc>(
  {
    agentId: { type: String, required: true },
    status: { type: String, required: true },
    reason: { type: String, default: null },
    since: { type: Date, required: true },
  },
  { collection: 'agent_states', versionKey: false },
);
schema.index({ agentId: 1 }, { unique: true });

export function agentStateModel(conn: Connection): Model<AgentStateDoc> {
  return (conn.models['AgentState'] as Model<AgentStateDoc> | undefined) ?? conn.model<AgentStateDoc>('AgentState', schema);
}
