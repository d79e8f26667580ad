/**
 * Ports of the authentication use cases. Adapters: mongoose repositories (adapters/db), bcrypt
 * and jose (adapters/auth).
 */
import type { Role } from '../../domain/access';

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly role: Role;
  readonly displayName: string;
  /** 工号, for agents. */
  readonly agentId: string | null;
  /** For unit handlers. */
  readonly unitId: string | null;
  /** 班组 (shift group) of agents and supervisors. */
  readonly groupId: string | null;
  readonly active: boolean;
  /** Access and refresh tokens issued before this instant (ms) are no longer accepted. */
  readonly sessionsValidAfter: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type NewUser = Omit<UserRecord, 'id' | 'createdAt' | 'updatedAt' | 'sessionsValidAfter'>;
export type UserPatch = Partial<Pick<UserRecord, 'passwordHash' | 'role' | 'displayName' | 'agentId' | 'unitId' | 'groupId' | 'active' | 'sessionsValidAfter'>>;

export interface UserFilter {
  readonly role?: Role;
  readonly active?: boolean;
  readonly unitId?: string;
  readonly groupId?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

export interface UserRepository {
  findById(id: string): Promise<UserRecord | null>;
  findByUsername(username: string): Promise<UserRecord | null>;
  findByAgentId(agentId: string): Promise<UserRecord | null>;
  list(filter: UserFilter, page: number, pageSize: number): Promise<Page<UserRecord>>;
  /** Throws ConflictError when the username or agent id is taken. */
  create(user: NewUser, now: number): Promise<UserRecord>;
  /** Null when there is no such user; ConflictError on a taken agent id. */
  update(id: string, patch: UserPatch, now: number): Promise<UserRecord | null>;
}

export interface RefreshTokenRecord {
  readonly id: string;
  readonly userId: string;
  /** All tokens of one login share a family; reuse of a spent token revokes the family. */
  readonly familyId: string;
  readonly secretHash: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
  readonly revokedAt: number | null;
}

/** Refresh tokens and revoked access-token ids, in the database so every instance honours them. */
export interface TokenRepository {
  saveRefreshToken(token: Omit<RefreshTokenRecord, 'usedAt' | 'revokedAt'>): Promise<void>;
  findRefreshToken(id: string): Promise<RefreshTokenRecord | null>;
  /**
   * Marks the token used if it was unused and not revoked, in one atomic conditional update;
   * false when someone used it first.
   */
  consumeRefreshToken(id: string, now: number): Promise<boolean>;
  /**
   * Revokes a login family: its family record (checked at every refresh and request, so a token the
   * family issues after this, in a race, is dead as well) and every token of it stored so far.
   */
  revokeFamily(familyId: string, userId: string, now: number): Promise<void>;
  /** Whether the family was revoked (a family never revoked may have no record). */
  isFamilyRevoked(familyId: string): Promise<boolean>;
  revokeUserRefreshTokens(userId: string, now: number): Promise<void>;
  revokeAccessToken(jti: string, userId: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

export interface AccessClaims {
  readonly sub: string;
  readonly role: Role;
  readonly jti: string;
  /** The login family the token was issued in (absent in tokens from before families were checked). */
  readonly fam?: string;
  /** Issue instant in ms (finer than the JWT's `iat`, for session revocation). */
  readonly iatMs: number;
  /** Expiry in ms. */
  readonly expMs: number;
}

export interface TokenSigner {
  sign(claims: Omit<AccessClaims, 'expMs'>, ttlSec: number): Promise<string>;
  /** Throws UnauthenticatedError on a bad signature, a wrong algorithm, malformed or expired tokens. */
  verify(token: string): Promise<AccessClaims>;
}

/** Randomness and digests (node:crypto in the adapter). */
export interface SecretSource {
  randomId(): string;
  /** URL-safe, ≥ 256 bits. */
  randomSecret(): string;
  sha256(value: string): string;
  /** Constant-time comparison of two equal-length hex strings. */
  safeEqual(a: string, b: string): boolean;
}

export type { Clock } from '../../shared/clock';
