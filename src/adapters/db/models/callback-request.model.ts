/**
 * callback_requests: callers who asked, by keypad, to be called back (overflow path). One per call.
 * The call path writes a request; the callback service assigns, places (each placed call in `calls`,
 * with its own call id, times, outcome and recording) and closes it.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface CallbackCallDoc {
  callId: string;
  agentId: string;
  placedAt: Date;
  placedBy: string;
  agentAnsweredAt: Date | null;
  citizenAnsweredAt: Date | null;
  endedAt: Date | null;
  outcome: string;
  recording: string | null;
  recordingPurgedAt?: Date | null;
  talkMs: number | null;
}

export interface CallbackRequestDoc {
  callId: string;
  callerNumber: string;
  calledNumber: string;
  queueId: string;
  requestedAt: Date;
  dayKey: string;
  /** open → assigned → closed; requests stored before assignment existed may say `done` (read as closed). */
  status: 'open' | 'assigned' | 'closed' | 'done';
  assignedAgentId?: string | null;
  assignedAt?: Date | null;
  assignedBy?: string | null;
  closedAt?: Date | null;
  closedBy?: string | null;
  result?: string | null;
  note?: string | null;
  calls?: CallbackCallDoc[];
  /** When the retention took the citizen's number and the note out (docs/adr/0025); absent before. */
  personalDataRemovedAt?: Date | null;
}

const schema = new Schema<CallbackRequestDoc>(
  {
    callId: { type: String, required: true },
    callerNumber: { type: String, required: true },
    calledNumber: { type: String, default: '' },
    queueId: { type: String, required: true },
    requestedAt: { type: Date, required: true },
    dayKey: { type: String, required: true },
    status: { type: String, enum: ['open', 'assigned', 'closed', 'done'], default: 'open' },
    assignedAgentId: { type: String, default: null },
    assignedAt: { type: Date, default: null },
    assignedBy: { type: String, default: null },
    closedAt: { type: Date, default: null },
    closedBy: { type: String, default: null },
    result: { type: String, default: null },
    note: { type: String, default: null },
    calls: { type: [Schema.Types.Mixed], default: [] },
    personalDataRemovedAt: { type: Date },
  },
  { collection: 'callback_requests', versionKey: false },
);
schema.index({ callId: 1 }, { unique: true });
schema.index({ status: 1, requestedAt: 1 });
schema.index({ assignedAgentId: 1, requestedAt: 1 });
// The recordings' retention reads placed calls by when they were placed.
schema.index({ 'calls.placedAt': 1 });
schema.index({ 'calls.callId': 1 });
// Requests whose citizen's data the retention has still to remove, oldest first.
schema.index({ personalDataRemovedAt: 1, requestedAt: 1 });

export function callbackRequestModel(conn: Connection): Model<CallbackRequestDoc> {
  return (conn.models['CallbackRequest'] as Model<CallbackRequestDoc> | undefined) ?? conn.model<CallbackRequestDoc>('CallbackRequest', schema);
}
