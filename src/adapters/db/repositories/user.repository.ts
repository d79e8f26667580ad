/** UserRepository over mongoose (users collection). */
import { randomUUID } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { ConflictError } from '../../../shared/errors';
import type { NewUser, Page, UserFilter, UserPatch, UserRecord, UserRepository } from '../../../app/auth/auth.ports';
import { isRole } from '../../../domain/access';
import { userModel, type UserDoc } from '../models/user.model';
import { ensureIndexes } from '../indexes';

const DUPLICATE_KEY = 11000;

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
    // Agent ids are unique among users that have one (no partial indexes on FerretDB: checked here).
    if (user.agentId && (await this.model.exists({ agentId: user.agentId }))) {
      throw new ConflictError('agent id already in use', { field: 'agentId' });
    }
    const doc: UserDoc = { ...user, _id: randomUUID(), sessionsValidAfter: 0, createdAt: now, updatedAt: now };
    try {
      await this.model.create(doc);
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) throw new ConflictError('username already in use', { field: 'username' });
      throw err;
    }
    return toRecord(doc);
  }

  async update(id: string, patch: UserPatch, now: number): Promise<UserRecord | null> {
    if (patch.agentId && (await this.model.exists({ agentId: patch.agentId, _id: { $ne: id } }))) {
      throw new ConflictError('agent id already in use', { field: 'agentId' });
    }
    const d = await this.model.findByIdAndUpdate(id, { $set: { ...patch, updatedAt: now } }, { returnDocument: 'after' }).lean<UserDoc>();
    return d ? toRecord(d) : null;
  }
}
