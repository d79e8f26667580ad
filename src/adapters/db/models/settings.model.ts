/**
 * work_order_settings: the active regulation preset, administrator-edited presets
 * (`preset:<id>`) and calendar years (`calendar:<year>`), each with its version.
 * work_order_reports: stored report snapshots.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface WorkOrderSettingDoc {
  _id: string;
  /** `preset`: a preset stored before versions were kept; `presetVersion`: one version of a preset. */
  kind: 'activePreset' | 'preset' | 'presetVersion' | 'calendarYear';
  version: number;
  value: Record<string, unknown>;
  updatedAt: Date;
  updatedBy: string;
  /** `presetVersion` only: when the version applies. */
  effectiveFrom?: Date;
}

export interface ReportSnapshotDoc {
  _id: string;
  report: unknown;
  createdAt: Date;
}

const settingSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    version: { type: Number, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
    effectiveFrom: { type: Date },
  },
  { collection: 'work_order_settings', versionKey: false, minimize: false, autoIndex: false },
);
settingSchema.index({ kind: 1 });

const reportSchema = new Schema(
  { _id: { type: String, required: true }, report: { type: Schema.Types.Mixed }, createdAt: { type: Date, required: true } },
  { collection: 'work_order_reports', versionKey: false, minimize: false, autoIndex: false },
);

export function workOrderSettingModel(conn: Connection): Model<WorkOrderSettingDoc> {
  return (conn.models['WorkOrderSetting'] as Model<WorkOrderSettingDoc> | undefined) ?? (conn.model('WorkOrderSetting', settingSchema) as unknown as Model<WorkOrderSettingDoc>);
}

export function reportSnapshotModel(conn: Connection): Model<ReportSnapshotDoc> {
  return (conn.models['WorkOrderReport'] as Model<ReportSnapshotDoc> | undefined) ?? (conn.model('WorkOrderReport', reportSchema) as unknown as Model<ReportSnapshotDoc>);
}
