/** WorkOrderSettingsStore and ReportSnapshotStore over work_order_settings / work_order_reports. */
import type { Collection, Connection } from 'mongoose';
import type { CalendarYearData } from '../../../domain/calendar';
import { regulationPresetSchema } from '../../../domain/work-order';
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

  /**
   * Every version: `presetVersion` documents (one per version, with its effective instant) and the
   * single `preset` document a preset was stored as before versions were kept (in effect since it
   * was stored).
   */
  async listPresets(): Promise<StoredPreset[]> {
    const docs = await this.settings.find({ kind: { $in: ['preset', 'presetVersion'] } }).toArray();
    // Parsed again: a preset stored before a field existed gets the field's default (preset.schema.ts).
    return docs.flatMap((d) => {
      const parsed = regulationPresetSchema.safeParse(d.value);
      const effectiveFrom = d.effectiveFrom ?? d.updatedAt;
      return parsed.success ? [{ preset: parsed.data, updatedAt: d.updatedAt, updatedBy: d.updatedBy, effectiveFrom }] : [];
    });
  }

  async putPreset(stored: StoredPreset): Promise<boolean> {
    const { preset } = stored;
    try {
      await this.settings.insertOne({
        _id: `preset:${preset.id}@${preset.version}`, kind: 'presetVersion', version: preset.version,
        value: preset as unknown as Record<string, unknown>, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy, effectiveFrom: stored.effectiveFrom,
      });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) return false; // stored by another request
      throw err;
    }
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
