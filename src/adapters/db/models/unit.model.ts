/** units: the directory of handling units (承办单位), keyed by the unit id orders and users carry. */
import { Schema, type Connection, type Model } from 'mongoose';

export interface UnitDoc {
  _id: string;
  name: string;
  shortName: string | null;
  contact: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const unitSchema = new Schema<UnitDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    shortName: { type: String, default: null },
    contact: { type: String, default: null },
    enabled: { type: Boolean, default: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'units', versionKey: false, minimize: false },
);

export function unitModel(conn: Connection): Model<UnitDoc> {
  return (conn.models['Unit'] as Model<UnitDoc> | undefined) ?? conn.model<UnitDoc>('Unit', unitSchema);
}
