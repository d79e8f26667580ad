/** WorkOrderSettingsStore and ReportSnapshotStore over work_order_settings / work_order_reports. */
import type { Collection, Connection } from 'mongoose';
import type { CalendarYearData } from '../../../domain/calendar';
import { regulationPresetSchema, type RegulationPreset } from '../../../domain/work-order';
import type { ReportSnapshotStore, StoredPreset, WorkOrderSettingsStore } from '../../../app/work-orders/work-orders.ports';
import {
  reportSnapshotModel, workOrderSettingModel, type ReportSnapshotDoc, type WorkOrderSettingDoc,
} from '../models/settings.model';
import { ensureIndexes } from '../indexes';

const DUPLICATE_KEY = 11000;
const ACTIVE = 'activePreset';

export class MongoWorkOrderSettingsStore implements WorkOrderSettingsStore {
  private readonly settings: Collection<WorkOrderSettingDoc>;

  constructor(private readonly conn: Connection) {
    this.settings = workOrderSettingModel(conn).collection as unknown as Collection<WorkOrderSettingDoc>;
  }

  async init(): Promise<void> {
    await ensureIndexes(workOrderSettingModel(this.conn));
  }

  async getActivePresetId(): Promise<string | null> {
    const d = await this.settings.findOne({ _id: ACTIVE });
    const id = d?.value['presetId'];
    return typeof id === 'string' ? id : null;
  }

  async setActivePresetId(id: string, by: string, now: Date): Promise<void> {
    await this.settings.updateOne(
      { _id: ACTIVE },
      { $set: { kind: 'activePreset', version: 1, value: { presetId: id }, updatedAt: now, updatedBy: by } },
      { upsert: true },
    );
  }

  async listPresets(): Promise<StoredPreset[]> {
    const docs = await this.settings.find({ kind: 'preset' }).toArray();
    // Parsed again: a preset stored before a field existed gets the field's default (preset.schema.ts).
    return docs.flatMap((d) => {
      const parsed = regulationPresetSchema.safeParse(d.value);
      return parsed.success ? [{ preset: parsed.data, updatedAt: d.updatedAt, updatedBy: d.updatedBy }] : [];
    });
  }

  async putPreset(preset: RegulationPreset, by: string, now: Date): Promise<void> {
    await this.settings.updateOne(
      { _id: `preset:${preset.id}` },
      { $set: { kind: 'preset', version: preset.version, value: preset as unknown as Record<string, unknown>, updatedAt: now, updatedBy: by } },
      { upsert: true },
    );
  }

  async listCalendarYears(): Promise<CalendarYearData[]> {
    const docs = await this.settings.find({ kind: 'calendarYear' }).toArray();
    return docs.map((d) => d.value as unknown as CalendarYearData);
  }

  async putCalendarYear(year: CalendarYearData, by: string, now: Date): Promise<boolean> {
    try {
      const res = await this.settings.updateOne(
        { _id: `calendar:${year.year}`, version: { $lt: year.version } },
        { $set: { kind: 'calendarYear', version: year.version, value: year as unknown as Record<string, unknown>, updatedAt: now, updatedBy: by } },
        { upsert: true },
      );
      return res.matchedCount === 1 || res.upsertedCount === 1;
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) return false; // a newer version is stored
      throw err;
    }
  }
}

export class MongoReportSnapshotStore implements ReportSnapshotStore {
  private readonly reports: Collection<ReportSnapshotDoc>;

  constructor(conn: Connection) {
    this.reports = reportSnapshotModel(conn).collection as unknown as Collection<ReportSnapshotDoc>;
  }

  async save(id: string, report: unknown, now: Date): Promise<void> {
    await this.reports.updateOne({ _id: id }, { $set: { report, createdAt: now } }, { upsert: true });
  }

  async get(id: string): Promise<unknown> {
    const d = await this.reports.findOne({ _id: id });
    return d ? d.report : null;
  }
}
