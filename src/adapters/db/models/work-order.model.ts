/**
 * work_orders: one document per order (the domain value, `_id` = order id) plus the revision and
 * the write-time index fields (wakeAt, unitIds, phoneKey).
 * (The KPI sums, work_order_facts and work_order_rollups, are read and written by `_id` without
 * a schema: repositories/work-order-facts.repository.ts. Per-day number sequences, orders by
 * phone and the wake schedule are KeyedLists: see keyed-list.ts. The notices the sweep sent are in
 * work_order_notices, `_id` = notice key: repositories/notice-log.repository.ts.)
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
  /** Who handles the case (domain/access caseHandlerKeys): a phone search may show them a confidential order. */
  handlerKeys?: string[];
  phoneKey?: string;
  wakeAt?: Date;
  /** The deadline radar's key (ports.ts WorkOrderIndexFields): set on open orders only. */
  radarDueAt?: Date;
  radarStage?: string;
  radarRemindAt?: Date;
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
    handlerKeys: { type: [String], default: undefined },
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
// The deadline radar: open orders by due instant, alone or after one filter (unit, category, urgency, status);
// a range on radarDueAt leaves out closed orders, which have none (no partial index on FerretDB).
workOrderSchema.index({ radarDueAt: 1, _id: 1 });
workOrderSchema.index({ unitIds: 1, radarDueAt: 1, _id: 1 });
workOrderSchema.index({ category: 1, radarDueAt: 1, _id: 1 });
workOrderSchema.index({ urgency: 1, radarDueAt: 1, _id: 1 });
workOrderSchema.index({ status: 1, radarDueAt: 1, _id: 1 });

function model<T>(conn: Connection, name: string, schema: Schema): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? (conn.model(name, schema) as unknown as Model<T>);
}

export const workOrderModel = (conn: Connection): Model<WorkOrderDoc> => model<WorkOrderDoc>(conn, 'WorkOrder', workOrderSchema);
