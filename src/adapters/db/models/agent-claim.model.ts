/**
 * agent_claims: who may offer a call to an agent, across app instances. One document per claim,
 * `_id` = `offer:<agentId>:<gen>`, where `gen` counts the agent's claims. Claiming inserts the next
 * generation: of several instances inserting the same `_id` only one succeeds (a unique insert is
 * atomic; a generation per claim is also the agent's claim history). The latest generation
 * decides: it holds the agent while it is not released and its lease (`until`) has not passed.
 * Only the instance that inserted a document ever updates it (renewal, release).
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface AgentClaimDoc {
  _id: string;
  agentId: string;
  gen: number;
  callId: string;
  /** The app instance holding the claim. */
  owner: string;
  claimedAt: Date;
  /** End of the lease; the owner renews it while it holds the agent. */
  until: Date;
  releasedAt: Date | null;
}

const schema = new Schema<AgentClaimDoc>(
  {
    _id: { type: String, required: true },
    agentId: { type: String, required: true },
    gen: { type: Number, required: true },
    callId: { type: String, required: true },
    owner: { type: String, required: true },
    claimedAt: { type: Date, required: true },
    until: { type: Date, required: true },
    releasedAt: { type: Date, default: null },
  },
  { collection: 'agent_claims', versionKey: false, autoIndex: false },
);
schema.index({ agentId: 1, gen: -1 });

export function agentClaimModel(conn: Connection): Model<AgentClaimDoc> {
  return (conn.models['AgentClaim'] as Model<AgentClaimDoc> | undefined) ?? conn.model<AgentClaimDoc>('AgentClaim', schema);
}
