/** UserRepository over mongoose (users collection). */
import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { ConflictError } from '../../../shared/errors';
import type { NewUser, Page, UserFilter, UserPatch, UserRecord, UserRepository } from '../../../app/auth/auth.ports';
import { isRole } from '../../../domain/access';
import { userModel, type UserDoc } from '../models/user.model';
import { ensureIndexes } from '../indexes';

const DUPLICATE_KEY = 11000;

/**
 * A unique index refused the write: which field (usernames and agent ids are unique, the latter
 * through a partial index over users that have one, so concurrent writers cannot both get it).
 */
function duplicateAsConflict(err: unknown): unknown {
  const e = err as { code?: number; keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown>; message?: string };
  if (e.code !== DUPLICATE_KEY) return err;
  const onAgentId = (e.keyPattern && 'agentId' in e.keyPattern) || (e.keyValue && 'agentId' in e.keyValue) || /agentId/.test(e.message ?? '');
  return onAgentId
    ? new ConflictError('agent id already in use', { field: 'agentId' })
    : new ConflictError('username already in use', { field: 'username' });
}

function toRecord(d: UserDoc): UserRecord {
  if (!isRole(d.role)) throw new Error(`stored user has an unknown role: ${d.role}`);
  return {
    id: d._id,
    username: d.username,
    passwordHash: d.passwordHash,
    role: d.role,
    displayName: d.displayName,
    agentId: d.agentId ?? null,
    unitId: d.unitId ?? null,
    groupId: d.groupId ?? null,
    active: d.active,
    sessionsValidAfter: d.sessionsValidAfter ?? 0,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export class MongoUserRepository implements UserRepository {
  readonly model: Model<UserDoc>;

  constructor(conn: Connection) {
    this.model = userModel(conn);
  }

  async init(): Promise<void> {
    await ensureIndexes(this.model);
  }

  async findById(id: string): Promise<UserRecord | null> {
    const d = await this.model.findById(id).lean<UserDoc>();
    return d ? toRecord(d) : null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const d = await this.model.findOne({ username }).lean<UserDoc>();
    return d ? toRecord(d) : null;
  }

  async findByAgentId(agentId: string): Promise<UserRecord | null> {
    const d = await this.model.findOne({ agentId }).lean<UserDoc>();
    return d ? toRecord(d) : null;
  }

  /** Units with an active unit handler, with the handlers' names (the dispatch targets). */
  async units(): Promise<Array<{ id: string; handlers: string[] }>> {
    const docs = await this.model.find({ role: 'unit_handler', active: true }, { unitId: 1, displayName: 1 }).sort({ unitId: 1, username: 1 }).lean<UserDoc[]>();
    const byUnit = new Map<string, string[]>();
    for (const d of docs) if (d.unitId) byUnit.set(d.unitId, [...(byUnit.get(d.unitId) ?? []), d.displayName]);
    return [...byUnit].map(([id, handlers]) => ({ id, handlers }));
  }

  async list(filter: UserFilter, page: number, pageSize: number): Promise<Page<UserRecord>> {
    const q: Record<string, unknown> = {};
    if (filter.role) q['role'] = filter.role;
    if (filter.active !== undefined) q['active'] = filter.active;
    if (filter.unitId) q['unitId'] = filter.unitId;
    if (filter.groupId) q['groupId'] = filter.groupId;
    const [docs, total] = await Promise.all([
      this.model
        .find(q)
        .sort({ username: 1 })
        .skip((page - 1) * pageSize)
        .limit(pageSize)
        .lean<UserDoc[]>(),
      this.model.countDocuments(q),
    ]);
    return { items: docs.map(toRecord), total, page, pageSize };
  }

  async create(user: NewUser, now: number): Promise<UserRecord> {
    const doc: UserDoc = { ...user, _id: randomUUID(), sessionsValidAfter: 0, createdAt: now, updatedAt: now };
    try {
      await this.model.create(doc);
    } catch (err) {
      throw duplicateAsConflict(err);
    }
    return toRecord(doc);
  }

  async update(id: string, patch: UserPatch, now: number): Promise<UserRecord | null> {
    // updateOne, not findOneAndUpdate: FerretDB v2 reports a unique-index violation of the latter as
    // an internal error without the index (docs/database.md); updateOne's is code 11000 on both.
    try {
      const { matchedCount } = await this.model.updateOne({ _id: id }, { $set: { ...patch, updatedAt: now } });
      if (matchedCount === 0) return null;
    } catch (err) {
      throw duplicateAsConflict(err);
    }
    return this.findById(id);
  }
}
