/** unit_complaints: complaints against handling units (监督投诉), judged upheld or not. */
import { Schema, type Connection, type Model } from 'mongoose';

export interface UnitComplaintDoc {
  _id: string;
  unitId: string;
  orderId?: string;
  ground: string;
  description: string;
  complainedAt: Date;
  recordedAt: Date;
  recordedBy: string;
  status: string;
  judgedAt?: Date;
  judgedBy?: string;
  finding?: string;
  rev: number;
}

const schema = new Schema(
  {
    _id: { type: String, required: true },
    unitId: { type: String, required: true },
    status: { type: String, required: true },
    complainedAt: { type: Date, required: true },
  },
  { collection: 'unit_complaints', strict: false, versionKey: false, minimize: false, autoIndex: false },
);
// The report counts upheld complaints of a period; lists filter by unit.
schema.index({ status: 1, complainedAt: 1 });
schema.index({ unitId: 1, complainedAt: -1 });

export function unitComplaintModel(conn: Connection): Model<UnitComplaintDoc> {
  return (conn.models['UnitComplaint'] as Model<UnitComplaintDoc> | undefined) ?? (conn.model('UnitComplaint', schema) as unknown as Model<UnitComplaintDoc>);
}
