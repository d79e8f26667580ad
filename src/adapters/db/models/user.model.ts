/** users: people who sign in (agents, supervisors, unit handlers, administrators). Ids are UUID strings. */
import { Schema, type Connection, type Model } from 'mongoose';

export interface UserDoc {
  _id: string;
  username: string;
  passwordHash: string;
  role: string;
  displayName: string;
  agentId: string | null;
  unitId: string | null;
  groupId: string | null;
  active: boolean;
  sessionsValidAfter: number;
  createdAt: number;
  updatedAt: number;
}

const schema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true },
    passwordHash: { type: String, required: true },
    role: { type: String, required: true },
    displayName: { type: String, required: true },
    agentId: { type: String, default: null },
    unitId: { type: String, default: null },
    groupId: { type: String, default: null },
    active: { type: Boolean, default: true },
    sessionsValidAfter: { type: Number, default: 0 },
    createdAt: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
  },
  { collection: 'users', versionKey: false, minimize: false },
);
schema.index({ username: 1 }, { unique: true });
// An agent id belongs to at most one user; users without one (null) are not indexed.
schema.index({ agentId: 1 }, { unique: true, partialFilterExpression: { agentId: { $type: 'string' } } });
schema.index({ role: 1 });

export function userModel(conn: Connection): Model<UserDoc> {
  return (conn.models['User'] as Model<UserDoc> | undefined) ?? conn.model<UserDoc>('User', schema);
}
