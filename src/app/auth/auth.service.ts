/**
 * Login, refresh-token rotation, logout and authentication of every request and socket.
 *
 * Access tokens are short-lived JWTs (default 15 min). Refresh tokens are opaque `<id>.<secret>`
 * strings; only a hash of the secret is stored. Each refresh spends the token and issues a new one
 * in the same family; presenting a spent token again means it was stolen, so the whole family is
 * revoked. Spending is one atomic conditional update, so of parallel refreshes exactly one wins. A
 * revoked family is recorded under its id and that record is checked at every refresh and (through
 * the access token's `fam` claim) every request, so a token a racing refresh issued in the family
 * after the revocation is dead as well. Logout revokes the access token's id (stored until it
 * expires) and the refresh family. Revoking a user's sessions (password change, role change,
 * disabled account) moves `sessionsValidAfter`. Every ended session is announced to the
 * `onSessionsEnded` listeners (the socket server disconnects the sockets it covers, on every instance).
 */
import { UnauthenticatedError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { Actor } from '../../domain/access';
import type {
  AccessClaims,
  Clock,
  PasswordHasher,
  SecretSource,
  TokenRepository,
  TokenSigner,
  UserRecord,
  UserRepository,
} from './auth.ports';

export interface AuthOptions {
  accessTtlSec: number;
  refreshTtlSec: number;
}

export const DEFAULT_AUTH_OPTIONS: AuthOptions = { accessTtlSec: 900, refreshTtlSec: 7 * 24 * 3600 };

export interface PublicUser {
  id: string;
  username: string;
  role: UserRecord['role'];
  displayName: string;
  agentId: string | null;
  unitId: string | null;
  groupId: string | null;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export function toPublicUser(u: UserRecord): PublicUser {
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    displayName: u.displayName,
    agentId: u.agentId,
    unitId: u.unitId,
    groupId: u.groupId,
    active: u.active,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

export interface TokenPair {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  tokenType: 'Bearer';
}

export interface AuthContext {
  actor: Actor;
  jti: string;
  expMs: number;
  /** The login family of the token; null for tokens issued before families were carried. */
  familyId: string | null;
}

/**
 * Sessions that just ended: every session of a user (password, role or account change, revocation
 * by an administrator), or one login session (logout, refresh-token reuse).
 */
export type SessionsEnded =
  | { kind: 'user'; userId: string; reason: 'revoked' }
  | { kind: 'session'; userId: string; familyId: string | null; jti: string | null; reason: 'logout' | 'reuse' };

export interface AuthDeps {
  users: UserRepository;
  tokens: TokenRepository;
  hasher: PasswordHasher;
  signer: TokenSigner;
  secrets: SecretSource;
  clock: Clock;
  log: Logger;
}

const BAD_CREDENTIALS = 'invalid username or password';

export function actorOf(u: UserRecord): Actor {
  return { userId: u.id, role: u.role, agentId: u.agentId, unitId: u.unitId, groupId: u.groupId };
}

export class AuthService {
  private readonly opts: AuthOptions;
  private dummyHash: Promise<string> | null = null;
  private readonly endedListeners = new Set<(e: SessionsEnded) => void>();

  constructor(
    private readonly deps: AuthDeps,
    opts: Partial<AuthOptions> = {},
  ) {
    this.opts = { ...DEFAULT_AUTH_OPTIONS, ...opts };
  }

  async login(username: string, password: string): Promise<TokenPair & { user: PublicUser }> {
    const user = await this.deps.users.findByUsername(username);
    if (!user) {
      // Same work as a real check, so response time does not reveal which usernames exist.
      this.dummyHash ??= this.deps.hasher.hash('not-a-real-password');
      await this.deps.hasher.verify(password, await this.dummyHash);
      throw new UnauthenticatedError(BAD_CREDENTIALS);
    }
    const ok = await this.deps.hasher.verify(password, user.passwordHash);
    if (!ok || !user.active) {
      this.deps.log.info('login refused', { userId: user.id, reason: ok ? 'inactive' : 'bad password' });
      throw new UnauthenticatedError(BAD_CREDENTIALS);
    }
    const pair = await this.issue(user, this.deps.secrets.randomId());
    this.deps.log.info('login', { userId: user.id, role: user.role });
    return { ...pair, user: toPublicUser(user) };
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.deps.clock();
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) throw new UnauthenticatedError('invalid refresh token');
    const stored = await this.deps.tokens.findRefreshToken(parsed.id);
    if (!stored || !this.deps.secrets.safeEqual(stored.secretHash, this.deps.secrets.sha256(parsed.secret))) {
      throw new UnauthenticatedError('invalid refresh token');
    }
    if (stored.revokedAt !== null || stored.expiresAt <= now || (await this.deps.tokens.isFamilyRevoked(stored.familyId))) {
      throw new UnauthenticatedError('refresh token expired or revoked');
    }
    if (stored.usedAt !== null || !(await this.deps.tokens.consumeRefreshToken(stored.id, now))) {
      await this.deps.tokens.revokeFamily(stored.familyId, stored.userId, now);
      this.deps.log.warn('refresh token reused, family revoked', { userId: stored.userId, familyId: stored.familyId });
      this.announce({ kind: 'session', userId: stored.userId, familyId: stored.familyId, jti: null, reason: 'reuse' });
      throw new UnauthenticatedError('refresh token already used');
    }
    const user = await this.deps.users.findById(stored.userId);
    if (!user || !user.active || stored.createdAt < user.sessionsValidAfter) {
      await this.deps.tokens.revokeFamily(stored.familyId, stored.userId, now);
      throw new UnauthenticatedError('session revoked');
    }
    return this.issue(user, stored.familyId);
  }

  /** Revokes this access token and, when given and owned by the same user, the refresh token's family. */
  async logout(ctx: AuthContext, refreshToken?: string): Promise<void> {
    const now = this.deps.clock();
    await this.deps.tokens.revokeAccessToken(ctx.jti, ctx.actor.userId, ctx.expMs);
    const parsed = refreshToken ? parseRefreshToken(refreshToken) : null;
    let familyId = ctx.familyId;
    if (parsed) {
      const stored = await this.deps.tokens.findRefreshToken(parsed.id);
      if (stored && stored.userId === ctx.actor.userId) familyId = stored.familyId;
    }
    // The access token's own family ends too, so a logout without the refresh token still ends the session.
    if (ctx.familyId && ctx.familyId !== familyId) await this.deps.tokens.revokeFamily(ctx.familyId, ctx.actor.userId, now);
    if (familyId) await this.deps.tokens.revokeFamily(familyId, ctx.actor.userId, now);
    this.deps.log.info('logout', { userId: ctx.actor.userId });
    this.announce({ kind: 'session', userId: ctx.actor.userId, familyId, jti: ctx.jti, reason: 'logout' });
  }

  /** Ends every session of a user (all instances): tokens issued before now stop working. */
  async revokeSessions(userId: string): Promise<void> {
    const now = this.deps.clock();
    await this.deps.users.update(userId, { sessionsValidAfter: now }, now);
    await this.deps.tokens.revokeUserRefreshTokens(userId, now);
    this.announce({ kind: 'user', userId, reason: 'revoked' });
  }

  /** Called after sessions ended (on the instance that ended them); returns the unsubscribe. */
  onSessionsEnded(listener: (e: SessionsEnded) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  private announce(e: SessionsEnded): void {
    for (const l of this.endedListeners) {
      try {
        l(e);
      } catch (err) {
        // A failing listener must not undo the revocation, which is already stored.
        this.deps.log.error('sessions-ended listener failed', { userId: e.userId, kind: e.kind, err: String(err) });
      }
    }
  }

  /**
   * The actor behind an access token. The role and ids come from the stored user, not the token,
   * so a role change or a disabled account takes effect at once.
   */
  async authenticate(accessToken: string): Promise<AuthContext> {
    const claims: AccessClaims = await this.deps.signer.verify(accessToken);
    const [revoked, familyRevoked, user] = await Promise.all([
      this.deps.tokens.isAccessTokenRevoked(claims.jti),
      claims.fam ? this.deps.tokens.isFamilyRevoked(claims.fam) : Promise.resolve(false),
      this.deps.users.findById(claims.sub),
    ]);
    if (revoked || familyRevoked) throw new UnauthenticatedError('token revoked');
    if (!user || !user.active) throw new UnauthenticatedError('account disabled');
    if (claims.iatMs < user.sessionsValidAfter) throw new UnauthenticatedError('session revoked');
    return { actor: actorOf(user), jti: claims.jti, expMs: claims.expMs, familyId: claims.fam ?? null };
  }

  async me(ctx: AuthContext): Promise<PublicUser> {
    const user = await this.deps.users.findById(ctx.actor.userId);
    if (!user) throw new UnauthenticatedError('account disabled');
    return toPublicUser(user);
  }

  private async issue(user: UserRecord, familyId: string): Promise<TokenPair> {
    const now = this.deps.clock();
    const accessToken = await this.deps.signer.sign(
      { sub: user.id, role: user.role, jti: this.deps.secrets.randomId(), fam: familyId, iatMs: now },
      this.opts.accessTtlSec,
    );
    const id = this.deps.secrets.randomId();
    const secret = this.deps.secrets.randomSecret();
    await this.deps.tokens.saveRefreshToken({
      id,
      userId: user.id,
      familyId,
      secretHash: this.deps.secrets.sha256(secret),
      createdAt: now,
      expiresAt: now + this.opts.refreshTtlSec * 1000,
    });
    return { accessToken, expiresIn: this.opts.accessTtlSec, refreshToken: `${id}.${secret}`, tokenType: 'Bearer' };
  }
}

function parseRefreshToken(token: string): { id: string; secret: string } | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot === token.length - 1 || token.length > 512) return null;
  return { id: token.slice(0, dot), secret: token.slice(dot + 1) };
}
