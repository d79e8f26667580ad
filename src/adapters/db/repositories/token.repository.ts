/** TokenRepository over mongoose: refresh tokens and revoked access-token ids. */
import type { Connection, Model } from 'mongoose';
import type { RefreshTokenRecord, TokenRepository } from '../../../app/auth/auth.ports';
import {
  refreshFamilyModel,
  refreshTokenModel,
  revokedTokenModel,
  type RefreshFamilyDoc,
  type RefreshTokenDoc,
  type RevokedTokenDoc,
} from '../models/auth-token.model';
import { ensureIndexes } from '../indexes';

const DUPLICATE_KEY = 11000;

export class MongoTokenRepository implements TokenRepository {
  private readonly refresh: Model<RefreshTokenDoc>;
  private readonly revoked: Model<RevokedTokenDoc>;
  private readonly families: Model<RefreshFamilyDoc>;

  /** `familyTtlMs`: how long a revoked family is remembered (at least the refresh tokens' lifetime). */
  constructor(
    conn: Connection,
    private readonly familyTtlMs = 30 * 24 * 3600_000,
  ) {
    this.refresh = refreshTokenModel(conn);
    this.revoked = revokedTokenModel(conn);
    this.families = refreshFamilyModel(conn);
  }

  async init(now = Date.now()): Promise<void> {
    await ensureIndexes(this.refresh, this.revoked, this.families);
    // Written before the TTL index, without `expireAt`: removed here once expired (one-off, cheap).
    await Promise.all([
      this.refresh.deleteMany({ expireAt: { $exists: false }, expiresAt: { $lte: now } }),
      this.revoked.deleteMany({ expireAt: { $exists: false }, expiresAt: { $lte: now } }),
    ]);
  }

  async saveRefreshToken(t: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>): Promise<void> {
    await this.refresh.create({ _id: t.id, userId: t.userId, familyId: t.familyId, secretHash: t.secretHash, createdAt: t.createdAt, expiresAt: t.expiresAt, expireAt: new Date(t.expiresAt), usedAt: null, revokedAt: null });
  }

  async findRefreshToken(id: string): Promise<RefreshTokenRecord | null> {
    const d = await this.refresh.findById(id).lean<RefreshTokenDoc>();
    if (!d) return null;
    return {
      id: d._id,
      userId: d.userId,
      familyId: d.familyId,
      secretHash: d.secretHash,
      createdAt: d.createdAt,
      expiresAt: d.expiresAt,
      usedAt: d.usedAt ?? null,
      revokedAt: d.revokedAt ?? null,
    };
  }

  async consumeRefreshToken(id: string, now: number): Promise<boolean> {
    // One atomic conditional findOneAndUpdate (MongoDB, FerretDB v2): of concurrent refreshes only the
    // one that finds the token unused gets the document back.
    const before = await this.refresh.findOneAndUpdate({ _id: id, usedAt: null, revokedAt: null }, { $set: { usedAt: now } }, { returnDocument: 'before' }).lean();
    return before !== null;
  }

  async revokeFamily(familyId: string, userId: string, now: number): Promise<void> {
    // The family record first: from then on every refresh and request of the family is refused,
    // whatever a racing refresh still writes.
    await this.families.updateOne(
      { _id: familyId },
      { $setOnInsert: { userId, revokedAt: now, expireAt: new Date(now + this.familyTtlMs) } },
      { upsert: true },
    );
    await this.refresh.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } });
  }

  async isFamilyRevoked(familyId: string): Promise<boolean> {
    return (await this.families.exists({ _id: familyId })) !== null;
  }

  async revokeUserRefreshTokens(userId: string, now: number): Promise<void> {
    await this.refresh.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: now } });
  }

  async revokeAccessToken(jti: string, userId: string, expiresAt: number): Promise<void> {
    try {
      await this.revoked.create({ _id: jti, userId, expiresAt, expireAt: new Date(expiresAt) });
    } catch (err) {
      // Revoking twice is fine: the id is already stored.
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    }
  }

  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return (await this.revoked.exists({ _id: jti })) !== null;
  }
}
