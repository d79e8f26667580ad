import { ConflictError, UnauthenticatedError } from '../../../src/shared/errors';
import type {
  AccessClaims,
  NewUser,
  PasswordHasher,
  RefreshTokenRecord,
  SecretSource,
  TokenRepository,
  TokenSigner,
  UserFilter,
  UserPatch,
  UserRecord,
  UserRepository,
} from '../../../src/app/auth/auth.ports';

export class MemoryUsers implements UserRepository {
  readonly rows = new Map<string, UserRecord>();
  private n = 0;
  async findById(id: string) {
    return this.rows.get(id) ?? null;
  }
  async findByUsername(username: string) {
    return [...this.rows.values()].find((u) => u.username === username) ?? null;
  }
  async findByAgentId(agentId: string) {
    return [...this.rows.values()].find((u) => u.agentId === agentId) ?? null;
  }
  async list(filter: UserFilter, page: number, pageSize: number) {
    const all = [...this.rows.values()].filter((u) => (filter.role ? u.role === filter.role : true));
    return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize };
  }
  async create(user: NewUser, now: number) {
    if (await this.findByUsername(user.username)) throw new ConflictError('username taken');
    const rec: UserRecord = { ...user, id: `u${++this.n}`, sessionsValidAfter: 0, createdAt: now, updatedAt: now };
    this.rows.set(rec.id, rec);
    return rec;
  }
  async update(id: string, patch: UserPatch, now: number) {
    const u = this.rows.get(id);
    if (!u) return null;
    const next = { ...u, ...patch, updatedAt: now };
    this.rows.set(id, next);
    return next;
  }
}

export class MemoryTokens implements TokenRepository {
  readonly refresh = new Map<string, RefreshTokenRecord>();
  readonly revoked = new Map<string, number>();
  readonly revokedFamilies = new Set<string>();
  async saveRefreshToken(t: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>) {
    this.refresh.set(t.id, { ...t, usedAt: null, revokedAt: null });
  }
  async findRefreshToken(id: string) {
    return this.refresh.get(id) ?? null;
  }
  async consumeRefreshToken(id: string, now: number) {
    const t = this.refresh.get(id);
    if (!t || t.usedAt !== null || t.revokedAt !== null) return false;
    this.refresh.set(id, { ...t, usedAt: now });
    return true;
  }
  async revokeFamily(familyId: string, _userId: string, now: number) {
    this.revokedFamilies.add(familyId);
    for (const [k, t] of this.refresh) if (t.familyId === familyId) this.refresh.set(k, { ...t, revokedAt: t.revokedAt ?? now });
  }
  async isFamilyRevoked(familyId: string) {
    return this.revokedFamilies.has(familyId);
  }
  async revokeUserRefreshTokens(userId: string, now: number) {
    for (const [k, t] of this.refresh) if (t.userId === userId) this.refresh.set(k, { ...t, revokedAt: t.revokedAt ?? now });
  }
  async revokeAccessToken(jti: string, _userId: string, expiresAt: number) {
    this.revoked.set(jti, expiresAt);
  }
  async isAccessTokenRevoked(jti: string) {
    return this.revoked.has(jti);
  }
}

export const plainHasher: PasswordHasher = {
  hash: async (p) => `h:${p}`,
  verify: async (p, h) => h === `h:${p}`,
};

/** Not a JWT: a readable token whose expiry is checked against the test clock. */
export class FakeSigner implements TokenSigner {
  constructor(private readonly clock: () => number) {}
  async sign(claims: Omit<AccessClaims, 'expMs'>, ttlSec: number) {
    return `tok:${JSON.stringify({ ...claims, expMs: claims.iatMs + ttlSec * 1000 })}`;
  }
  async verify(token: string) {
    if (!token.startsWith('tok:')) throw new UnauthenticatedError('invalid token');
    const c = JSON.parse(token.slice(4)) as AccessClaims;
    if (c.expMs <= this.clock()) throw new UnauthenticatedError('token expired');
    return c;
  }
}

export function counterSecrets(): SecretSource {
  let n = 0;
  return {
    randomId: () => `id${++n}`,
    randomSecret: () => `secret${++n}`,
    sha256: (v) => `sha(${v})`,
    safeEqual: (a, b) => a === b,
  };
}
