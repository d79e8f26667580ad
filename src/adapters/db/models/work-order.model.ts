/**
 * work_orders: one document per order (the domain value, `_id` = order id) plus the revision and
 * the write-time index fields (wakeAt, unitIds, phoneKey). work_order_revs: revision claims.
 * (The KPI sums, work_order_facts and work_order_rollups, are read and written by `_id` without
 * a schema: repositories/work-order-facts.repository.ts. Per-day number sequences, orders by
 * phone and the wake schedule are KeyedLists: see keyed-list.ts. The notices the sweep sent are in
 * work_order_notices, `_id` = notice key: repositories/notice-log.repository.ts.)
 * Only plain single-field/compound/multikey indexes (FerretDB: no partial, TTL or text indexes).
 */
import { Schema, type Connection, type Model, type mongo } from 'mongoose';

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
workOrderSchema.index({ createdAt: -1, _id: -1 });
workOrderSchema.index({ status: 1, createdAt: -1 });
workOrderSchema.index({ unitIds: 1, createdAt: -1 });
workOrderSchema.index({ phoneKey: 1, createdAt: -1 });

/**
 * work_order_revs: the claim of a revision (`<orderId>:<rev>`, unique), holding the state written
 * with it. Inserting the claim is what makes a conditional write atomic on FerretDB v1 too; the
 * state lets a later writer roll the order forward if the claimant died before updating it.
 * The state is kept as the order document's BSON bytes: nothing queries inside a claim, and
 * FerretDB stores a nested document as JSON it parses again on every delete, so a claim as bytes
 * costs it less than half as much to insert and delete (a 7 KB order: 569 of each 2.2 s → 0.85 s).
 */
export interface RevisionClaimDoc {
  _id: string;
  orderId: string;
  rev: number;
  at: Date;
  /** BSON of the WorkOrderDoc; a claim written by an earlier version holds the document itself. */
  doc: mongo.Binary | WorkOrderDoc;
}

const claimSchema = new Schema(
  { _id: { type: String, required: true }, orderId: { type: String, required: true }, rev: { type: Number, required: true }, at: { type: Date, required: true } },
  { collection: 'work_order_revs', strict: false, versionKey: false, minimize: false, autoIndex: false },
);

function model<T>(conn: Connection, name: string, schema: Schema): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? (conn.model(name, schema) as unknown as Model<T>);
}

export const workOrderModel = (conn: Connection): Model<WorkOrderDoc> => model<WorkOrderDoc>(conn, 'WorkOrder', workOrderSchema);
export const revisionClaimModel = (conn: Connection): Model<RevisionClaimDoc> => model<RevisionClaimDoc>(conn, 'WorkOrderRevision', claimSchema);
