/** queues: queue settings managed by administrators; settings: one document of monitoring settings. */
import { Schema, type Connection, type Model } from 'mongoose';

export interface QueueDoc {
  _id: string;
  name: string;
  unitId: string | null;
  serviceLevelThresholdSec: number;
  waitAlertSec: number;
  priority: number;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface SettingsDoc {
  _id: string;
  value: Record<string, unknown>;
  updatedAt: number;
}

const queueSchema = new Schema<QueueDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    unitId: { type: String, default: null },
    serviceLevelThresholdSec: { type: Number, required: true },
    waitAlertSec: { type: Number, required: true },
    priority: { type: Number, default: 0 },
    active: { type: Boolean, default: true },
    createdAt: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
  },
  { collection: 'queues', versionKey: false, minimize: false },
);

const settingsSchema = new Schema<SettingsDoc>(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Number, required: true },
  },
  { collection: 'settings', versionKey: false, minimize: false },
);

export function queueModel(conn: Connection): Model<QueueDoc> {
  return (conn.models['Queue'] as Model<QueueDoc> | undefined) ?? conn.model<QueueDoc>('Queue', queueSchema);
}

export function settingsModel(conn: Connection): Model<SettingsDoc> {
  return (conn.models['Settings'] as Model<SettingsDoc> | undefined) ?? conn.model<SettingsDoc>('Settings', settingsSchema);
}
