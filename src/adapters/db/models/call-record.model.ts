/**
 * calls: one record per call, a projection folded from its events, stored under `_id` = callId
 * (the `callId` field stays, unique, for the REST queries and sorting). `version` is the seq of the
 * last event folded in: a write never replaces a newer record with an older one (replays after an
 * outage may arrive out of order). The call path reads and writes a record only by `{ _id }`
 * (CallStore).
 * Reporting keys (dayKey, hourKey in Asia/Shanghai) are derived at write time because FerretDB
 * lacks date operators in aggregation.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface StoredRating {
  scale: string | number;
  digit: string | null;
  value: number | string;
  code?: string;
  label?: string;
  satisfied?: boolean;
}

export interface CallRecordDoc {
  callId: string;
  version: number;
  callerNumber: string;
  calledNumber: string;
  queueId: string | null;
  agentId: string | null;
  agentIds: string[];
  outcome: string;
  endReason: string | null;
  hungUpBy: string | null;
  conversationEndedBy: string | null;
  callerLost: { why: string; lastSignAt: Date } | null;
  wrapUp: { agentId: string; startedAt: Date; endedAt: Date; endedBy: string } | null;
  callerName: string | null;
  /**
   * The case fields, written only by the work-order side (call-case.repository.ts) and never by the
   * call path, so neither overwrites the other: a work order made from the call is confidential
   * (never withdrawn), units that received an order from it (may open it), lead units (handle it).
   */
  confidential?: boolean;
  unitIds?: string[];
  handlingUnitIds?: string[];
  /**
   * The rating as the call's scale has it: scale id, digit, value (1 = best), code, label, satisfied.
   * Records written by earlier versions hold `scale` 2 or 5 and the label as `value`; they are read
   * through the preset scales.
   */
  rating: StoredRating | null;
  recording: string | null;
  timeline: Array<{ type: string; at: Date; data?: Record<string, unknown> }>;
  attempts: Array<{
    attempt: number;
    agentId: string;
    startedAt: Date;
    endedAt: Date | null;
    outcome: string;
    ringMs: number | null;
  }>;
  waitMs: number | null;
  ringMs: number | null;
  talkMs: number | null;
  wrapUpMs: number | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  dayKey: string;
  hourKey: string;
  callbackRequested: boolean;
  /** The work order whose automated survey handed this call to the agent queue (the citizen pressed 0). */
  surveyOrder?: { orderId: string; orderNumber: string } | null;
  /** The full folded record (stage, times, abandon/overflow facts, rating detail) for the call's timeline view. */
  detail: Record<string, unknown> | null;
  /** When the retention took the citizen's number and name out (docs/adr/0025); absent before. */
  personalDataRemovedAt?: Date | null;
}

/** The stored document: the record under its call id. */
export type StoredCallRecordDoc = CallRecordDoc & { _id: string };

const schema = new Schema<StoredCallRecordDoc>(
  {
    /** = callId (set by CallStore). */
    _id: { type: String, required: true },
    callId: { type: String, required: true },
    version: { type: Number, required: true },
    callerNumber: { type: String, required: true },
    calledNumber: { type: String, default: '' },
    queueId: { type: String, default: null },
    agentId: { type: String, default: null },
    agentIds: { type: [String], default: [] },
    outcome: { type: String, required: true },
    endReason: { type: String, default: null },
    hungUpBy: { type: String, default: null },
    conversationEndedBy: { type: String, default: null },
    callerLost: { type: Schema.Types.Mixed, default: null },
    wrapUp: { type: Schema.Types.Mixed, default: null },
    confidential: { type: Boolean, default: false },
    callerName: { type: String, default: null },
    unitIds: { type: [String], default: [] },
    handlingUnitIds: { type: [String], default: [] },
    rating: { type: Schema.Types.Mixed, default: null },
    recording: { type: String, default: null },
    timeline: { type: Schema.Types.Mixed, default: [] },
    attempts: { type: Schema.Types.Mixed, default: [] },
    waitMs: { type: Number, default: null },
    ringMs: { type: Number, default: null },
    talkMs: { type: Number, default: null },
    wrapUpMs: { type: Number, default: null },
    startedAt: { type: Date, required: true },
    answeredAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    dayKey: { type: String, required: true },
    hourKey: { type: String, required: true },
    callbackRequested: { type: Boolean, default: false },
    surveyOrder: { type: Schema.Types.Mixed, default: null },
    detail: { type: Schema.Types.Mixed, default: null },
    personalDataRemovedAt: { type: Date },
  },
  { collection: 'calls', versionKey: false, minimize: false },
);
schema.index({ callId: 1 }, { unique: true });
schema.index({ dayKey: 1, outcome: 1 });
schema.index({ agentId: 1, startedAt: -1 });
schema.index({ callerNumber: 1, startedAt: -1 });
schema.index({ startedAt: -1 });
schema.index({ outcome: 1 });
// Calls still open (reconciliation after a restart).
schema.index({ endedAt: 1 });
// Calls whose citizen's data the retention has still to remove, oldest first.
schema.index({ personalDataRemovedAt: 1, startedAt: 1 });

export function callRecordModel(conn: Connection): Model<StoredCallRecordDoc> {
  return (conn.models['CallRecord'] as Model<StoredCallRecordDoc> | undefined) ?? conn.model<StoredCallRecordDoc>('CallRecord', schema);
}
