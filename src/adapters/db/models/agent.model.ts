/**
 * agents: the agent directory (工号, name, softphone endpoint, queues, the phone's SIP credential).
 * Presence lives in memory.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { DEFAULT_QUEUE_ID } from '../../../domain/call/call.settings';

/** The digest Asterisk checks an agent's phone against (HA1 = MD5 of user:realm:secret); never the secret. */
export interface AgentSipDoc {
  username: string;
  realm: string;
  ha1Md5: string;
}

export interface AgentDoc {
  agentId: string;
  agentNumber: string;
  name: string;
  endpoint: string;
  queues: string[];
  active: boolean;
  sip?: AgentSipDoc | null;
}

const schema = new Schema<AgentDoc>(
  {
    agentId: { type: String, required: true },
    agentNumber: { type: String, required: true },
    name: { type: String, required: true },
    endpoint: { type: String, required: true },
    queues: { type: [String], default: [DEFAULT_QUEUE_ID] },
    active: { type: Boolean, default: true },
    sip: {
      type: new Schema<AgentSipDoc>(
        { username: { type: String, required: true }, realm: { type: String, required: true }, ha1Md5: { type: String, required: true } },
        { _id: false },
      ),
      default: null,
    },
  },
  { collection: 'agents', versionKey: false },
);
schema.index({ agentId: 1 }, { unique: true });
schema.index({ agentNumber: 1 }, { unique: true });

export function agentModel(conn: Connection): Model<AgentDoc> {
  return (conn.models['Agent'] as Model<AgentDoc> | undefined) ?? conn.model<AgentDoc>('Agent', schema);
}
