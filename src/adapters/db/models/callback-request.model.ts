/** callback_requests: callers who asked, by keypad, to be called back (overflow path). One per call. */
import { Schema, type Connection, type Model } from 'mongoose';

export interface CallbackRequestDoc {
  callId: string;
  callerNumber: string;
  calledNumber: string;
  queueId: string;
  requestedAt: Date;
  dayKey: string;
  status: 'open' | 'done';
}

const schema = new Schema<CallbackRequestDoc>(
  {
    callId: { type: String, required: true },
    callerNumber: { type: String, required: true },
    calledNumber: { type: String, default: '' },
    queueId: { type: String, required: true },
    requestedAt: { type: Date, required: true },
    dayKey: { type: String, required: true },
    status: { type: String, enum: ['open', 'done'], default: 'open' },
  },
  { collection: 'callback_requests', versionKey: false },
);
schema.index({ callId: 1 }, { unique: true });
schema.index({ status: 1, requestedAt: 1 });

export function callbackRequestModel(conn: Connection): Model<CallbackRequestDoc> {
  return (conn.models['CallbackRequest'] as Model<CallbackRequestDoc> | undefined) ?? conn.model<CallbackRequestDoc>('CallbackRequest', schema);
}
