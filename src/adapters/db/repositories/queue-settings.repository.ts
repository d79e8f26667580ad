/** QueueRepository and SettingsRepository over mongoose. */
import type { Connection, Model } from 'mongoose';
import { ConflictError } from '../../../shared/errors';
import type {
  MonitoringSettings,
  NewQueue,
  QueuePatch,
  QueueRepository,
  QueueSettings,
  SettingsRepository,
} from '../../../app/queues/queues.ports';
import { queueModel, settingsModel, type QueueDoc, type SettingsDoc } from '../models/queue-settings.model';

const DUPLICATE_KEY = 11000;
const MONITORING = 'monitoring';

function toQueue(d: QueueDoc): QueueSettings {
  return {
    queueId: d._id,
    name: d.name,
    unitId: d.unitId ?? null,
    serviceLevelThresholdSec: d.serviceLevelThresholdSec,
    waitAlertSec: d.waitAlertSec,
    priority: d.priority ?? 0,
    active: d.active,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export class MongoQueueRepository implements QueueRepository {
  private readonly model: Model<QueueDoc>;

  constructor(conn: Connection) {
    this.model = queueModel(conn);
  }

  async list(): Promise<QueueSettings[]> {
    return (await this.model.find({}).sort({ _id: 1 }).lean<QueueDoc[]>()).map(toQueue);
  }

  async get(queueId: string): Promise<QueueSettings | null> {
    const d = await this.model.findById(queueId).lean<QueueDoc>();
    return d ? toQueue(d) : null;
  }

  async create(q: NewQueue, now: number): Promise<QueueSettings> {
    const { queueId, ...rest } = q;
    const doc: QueueDoc = { _id: queueId, ...rest, createdAt: now, updatedAt: now };
    try {
      await this.model.create(doc);
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) throw new ConflictError('queue already exists', { field: 'queueId' });
      throw err;
    }
    return toQueue(doc);
  }

  async update(queueId: string, patch: QueuePatch, now: number): Promise<QueueSettings | null> {
    const d = await this.model.findByIdAndUpdate(queueId, { $set: { ...patch, updatedAt: now } }, { returnDocument: 'after' }).lean<QueueDoc>();
    return d ? toQueue(d) : null;
  }
}

export class MongoSettingsRepository implements SettingsRepository {
  private readonly model: Model<SettingsDoc>;

  constructor(conn: Connection) {
    this.model = settingsModel(conn);
  }

  async get(): Promise<MonitoringSettings | null> {
    const d = await this.model.findById(MONITORING).lean<SettingsDoc>();
    return d ? (d.value as unknown as MonitoringSettings) : null;
  }

  async put(settings: MonitoringSettings, now: number): Promise<void> {
    await this.model.updateOne({ _id: MONITORING }, { $set: { value: { ...settings }, updatedAt: now } }, { upsert: true });
  }
}
