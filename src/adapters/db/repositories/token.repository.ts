/** TokenRepository over mongoose: refresh tokens and revoked access-token ids. */
import type { Connection, Model } from 'mongoose';
import type { RefreshTokenRecord, TokenRepository } from '../../../app/auth/auth.ports';
import { refreshTokenModel, revokedTokenModel, type RefreshTokenDoc, type RevokedTokenDoc } from '../models/auth-token.model';
import { ensureIndexes } from '../indexes';

const DUPLICATE_KEY = 11000;

export class MongoTokenRepository implements TokenRepository {
  private readonly refresh: Model<RefreshTokenDoc>;
  private readonly revoked: Model<RevokedTokenDoc>;

  constructor(conn: Connection) {
    this.refresh = refreshTokenModel(conn);
    this.revoked = revokedTokenModel(conn);
  }

  async init(now = Date.now()): Promise<void> {
    await ensureIndexes(this.refresh, this.revoked);
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
    // Single-document conditional update: of two concurrent refreshes only one matches.
    const res = await this.refresh.updateOne({ _id: id, usedAt: null, revokedAt: null }, { $set: { usedAt: now } });
    return res.modifiedCount === 1;
  }

  async revokeFamily(familyId: string, now: number): Promise<void> {
    await this.refresh.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } });
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
