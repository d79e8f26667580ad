/**
 * refresh_tokens: one per issued refresh token (secret stored hashed), grouped in login families.
 * refresh_families: one per revoked login family (`_id` = family id), read at every refresh and
 *   request; a family is revoked here first, so a token issued in it by a racing refresh is dead too.
 *   Kept (`expireAt`) longer than any refresh token of the family lives.
 * revoked_tokens: ids of access tokens revoked before expiry, so every instance refuses them.
 * All are removed by the server once expired: a TTL index on `expireAt` (for the tokens the same
 * instant as `expiresAt`, as a Date, which TTL indexes need). The server's TTL task runs about once a minute
 * (MongoDB's and DocumentDB's alike); readers check `expiresAt` themselves, so a document the task
 * has not reached yet is already refused.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface RefreshTokenDoc {
  _id: string;
  userId: string;
  familyId: string;
  secretHash: string;
  createdAt: number;
  expiresAt: number;
  expireAt: Date;
  usedAt: number | null;
  revokedAt: number | null;
}

export interface RefreshFamilyDoc {
  _id: string;
  userId: string;
  revokedAt: number;
  /** When the server may remove the record: after every token of the family has expired. */
  expireAt: Date;
}

export interface RevokedTokenDoc {
  _id: string;
  userId: string;
  expiresAt: number;
  expireAt: Date;
}

const refreshSchema = new Schema<RefreshTokenDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    familyId: { type: String, required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: Number, required: true },
    expiresAt: { type: Number, required: true },
    expireAt: { type: Date, required: true },
    usedAt: { type: Number, default: null },
    revokedAt: { type: Number, default: null },
  },
  { collection: 'refresh_tokens', versionKey: false, minimize: false },
);
refreshSchema.index({ familyId: 1 });
refreshSchema.index({ userId: 1 });
refreshSchema.index({ expireAt: 1 }, { expireAfterSeconds: 0 });

const familySchema = new Schema<RefreshFamilyDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    revokedAt: { type: Number, required: true },
    expireAt: { type: Date, required: true },
  },
  { collection: 'refresh_families', versionKey: false },
);
familySchema.index({ expireAt: 1 }, { expireAfterSeconds: 0 });

const revokedSchema = new Schema<RevokedTokenDoc>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    expiresAt: { type: Number, required: true },
    expireAt: { type: Date, required: true },
  },
  { collection: 'revoked_tokens', versionKey: false },
);
revokedSchema.index({ expireAt: 1 }, { expireAfterSeconds: 0 });

export function refreshTokenModel(conn: Connection): Model<RefreshTokenDoc> {
  return (conn.models['RefreshToken'] as Model<RefreshTokenDoc> | undefined) ?? conn.model<RefreshTokenDoc>('RefreshToken', refreshSchema);
}

export function refreshFamilyModel(conn: Connection): Model<RefreshFamilyDoc> {
  return (conn.models['RefreshFamily'] as Model<RefreshFamilyDoc> | undefined) ?? conn.model<RefreshFamilyDoc>('RefreshFamily', familySchema);
}

export function revokedTokenModel(conn: Connection): Model<RevokedTokenDoc> {
  return (conn.models['RevokedToken'] as Model<RevokedTokenDoc> | undefined) ?? conn.model<RevokedTokenDoc>('RevokedToken', revokedSchema);
}
