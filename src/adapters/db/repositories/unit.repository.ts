/** UnitRepository over mongoose: the unit directory (units collection). */
import type { Connection, Model } from 'mongoose';
import { ConflictError } from '../../../shared/errors';
import type { UnitEntry, UnitInput, UnitRepository } from '../../../app/work-orders/units/unit-directory.service';
import { unitModel, type UnitDoc } from '../models/unit.model';

const DUPLICATE_KEY = 11000;

const toEntry = (d: UnitDoc): UnitEntry => ({
  id: d._id, name: d.name, shortName: d.shortName ?? null, contact: d.contact ?? null, enabled: d.enabled, createdAt: d.createdAt, updatedAt: d.updatedAt,
});

export class MongoUnitRepository implements UnitRepository {
  private readonly model: Model<UnitDoc>;

  constructor(conn: Connection) {
    this.model = unitModel(conn);
  }

  async list(): Promise<UnitEntry[]> {
    return (await this.model.find({}).sort({ _id: 1 }).lean<UnitDoc[]>()).map(toEntry);
  }

  async create(id: string, input: UnitInput, now: Date): Promise<UnitEntry> {
    const doc: UnitDoc = { _id: id, ...input, createdAt: now, updatedAt: now };
    try {
      await this.model.collection.insertOne(doc as never);
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) throw new ConflictError('a unit with this id exists', { field: 'body.id', reasonCode: 'UNIT.EXISTS' });
      throw err;
    }
    return toEntry(doc);
  }

  async update(id: string, input: UnitInput, now: Date): Promise<UnitEntry | null> {
    const d = await this.model.findByIdAndUpdate(id, { $set: { ...input, updatedAt: now } }, { returnDocument: 'after' }).lean<UnitDoc>();
    return d ? toEntry(d) : null;
  }

  async stopped(ids: readonly string[]): Promise<string[]> {
    const docs = await this.model.find({ _id: { $in: [...ids] }, enabled: false }, { _id: 1 }).lean<Array<{ _id: string }>>();
    return docs.map((d) => d._id);
  }

  async ensure(ids: readonly string[], now: Date): Promise<number> {
    let written = 0;
    for (const id of ids) {
      try {
        const r = await this.model.collection.updateOne(
          { _id: id as never },
          { $setOnInsert: { name: id, shortName: null, contact: null, enabled: true, createdAt: now, updatedAt: now } },
          { upsert: true },
        );
        written += r.upsertedCount;
      } catch (err) {
        // Another instance wrote the same entry between the match and the insert: it is there.
        if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      }
    }
    return written;
  }
}
