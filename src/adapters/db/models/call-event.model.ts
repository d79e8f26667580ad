/**
 * call_events: the append-only log of every call fact (enter queue, offer, ring-no-answer with ms,
 * connect, complete, abandon, rating…). The unique (callId, seq) index makes replays idempotent,
 * and the raw facts let every service-level / ASA / abandon variant be recomputed later.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface CallEventDoc {
  callId: string;
  seq: number;
  type: string;
  at: Date;
  dayKey: string;
  data: Record<string, unknown>;
}

const schema = new Schema<CallEventDoc>(
  {
    callId: { type: String, required: true },
    seq: { type: Number, required: true },
    type: { type: String, required: true },
    at: { type: Date, required: true },
    dayKey: { type: String, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'call_events', versionKey: false, minimize: false },
);
schema.index({ callId: 1, seq: 1 }, { unique: true });
schema.index({ dayKey: 1, type: 1 });

export function callEventModel(conn: Connection): Model<CallEventDoc> {
  return (conn.models['CallEvent'] as Model<CallEventDoc> | undefined) ?? conn.model<CallEventDoc>('CallEvent', schema);
}
