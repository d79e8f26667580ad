/**
 * work_orders: one document per order (the domain value, `_id` = order id) plus the revision and
 * the write-time index fields (wakeAt, unitIds, phoneKey). work_order_revs: revision claims.
 * work_order_facts: the compact KPI rows
 * reports aggregate. work_order_counters: per-day sequences of readable numbers.
 * Only plain single-field/compound/multikey indexes (FerretDB: no partial, TTL or text indexes).
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface WorkOrderDoc {
  _id: string;
  rev: number;
  number: string;
  status: string;
  createdAt: Date;
  unitIds: string[];
  phoneKey?: string;
  wakeAt?: Date;
  nextNoticeAt?: Date;
  contactRetryAt?: Date;
  callbackDueAt?: Date;
  sentNoticeKeys: string[];
  [field: string]: unknown;
}

const workOrderSchema = new Schema(
  {
    _id: { type: String, required: true },
    rev: { type: Number, required: true },
    number: { type: String, required: true },
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    unitIds: { type: [String], default: [] },
    phoneKey: { type: String },
    wakeAt: { type: Date },
  },
  { collection: 'work_orders', strict: false, versionKey: false, minimize: false, autoIndex: false },
);
workOrderSchema.index({ number: 1 }, { unique: true });
workOrderSchema.index({ wakeAt: 1, _id: 1 });
workOrderSchema.index({ createdAt: -1, _id: -1 });
workOrderSchema.index({ status: 1, createdAt: -1 });
workOrderSchema.index({ unitIds: 1, createdAt: -1 });
workOrderSchema.index({ phoneKey: 1, createdAt: -1 });

export interface WorkOrderFactDoc {
  _id: string;
  orderId: string;
  orderRev: number;
  idx: number;
  unitId: string | null;
  category: string;
  areaCode: string;
  periods: string[];
  topicPeriods: string[];
  signOpenDueAt?: Date;
  otcOpenDueAt?: Date;
  unfinishedDueAt?: Date;
  feedbackOpenDueAt?: Date;
  /** Counters are stored flat as `c_<name>`. */
  [counter: `c_${string}`]: number;
}

const factSchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    orderRev: { type: Number, required: true },
    periods: { type: [String], default: [] },
    topicPeriods: { type: [String], default: [] },
    unitId: { type: String, default: null },
  },
  { collection: 'work_order_facts', strict: false, versionKey: false, minimize: false, autoIndex: false },
);
factSchema.index({ periods: 1, unitId: 1 });
factSchema.index({ topicPeriods: 1 });
factSchema.index({ orderId: 1 });

/**
 * work_order_revs: the claim of a revision (`<orderId>:<rev>`, unique), holding the state written
 * with it. Inserting the claim is what makes a conditional write atomic on FerretDB v1 too; the
 * state lets a later writer roll the order forward if the claimant died before updating it.
 */
export interface RevisionClaimDoc {
  _id: string;
  orderId: string;
  rev: number;
  at: Date;
  doc: WorkOrderDoc;
}

const claimSchema = new Schema(
  { _id: { type: String, required: true }, orderId: { type: String, required: true }, rev: { type: Number, required: true }, at: { type: Date, required: true } },
  { collection: 'work_order_revs', strict: false, versionKey: false, minimize: false, autoIndex: false },
);
claimSchema.index({ orderId: 1, rev: 1 });

export interface CounterDoc {
  _id: string;
  seq: number;
}

const counterSchema = new Schema<CounterDoc>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true } },
  { collection: 'work_order_counters', versionKey: false, autoIndex: false },
);

function model<T>(conn: Connection, name: string, schema: Schema): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? (conn.model(name, schema) as unknown as Model<T>);
}

export const workOrderModel = (conn: Connection): Model<WorkOrderDoc> => model<WorkOrderDoc>(conn, 'WorkOrder', workOrderSchema);
export const workOrderFactModel = (conn: Connection): Model<WorkOrderFactDoc> => model<WorkOrderFactDoc>(conn, 'WorkOrderFact', factSchema);
export const revisionClaimModel = (conn: Connection): Model<RevisionClaimDoc> => model<RevisionClaimDoc>(conn, 'WorkOrderRevision', claimSchema);
export const workOrderCounterModel = (conn: Connection): Model<CounterDoc> => model<CounterDoc>(conn, 'WorkOrderCounter', counterSchema);
