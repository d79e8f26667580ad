/**
 * Wiring of people and sign-in: user and token repositories, password hashing, token signing, the
 * auth and user services. main.ts and the test harnesses build it the same way.
 */
import type { DbConnection } from '../adapters/db/connection';
import { MongoUserRepository } from '../adapters/db/repositories/user.repository';
import { MongoTokenRepository } from '../adapters/db/repositories/token.repository';
import { BcryptPasswordHasher } from '../adapters/auth/bcrypt-password-hasher';
import { JwtTokenSigner } from '../adapters/auth/jwt-token-signer';
import { nodeSecretSource } from '../adapters/auth/node-secret-source';
import { AuthService, type AuthOptions } from '../app/auth/auth.service';
import { UserService } from '../app/auth/user.service';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';

export interface AuthModuleDeps {
  readonly db: DbConnection;
  readonly jwtSecret: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** bcrypt's cost factor: 12 in production (tests choose a cheap one). */
  readonly bcryptCost?: number;
  /** Token lifetimes; default DEFAULT_AUTH_OPTIONS (15 min access, 7 days refresh). */
  readonly options?: Partial<AuthOptions>;
}

export interface AuthModule {
  readonly userRepo: MongoUserRepository;
  readonly tokenRepo: MongoTokenRepository;
  readonly auth: AuthService;
  readonly users: UserService;
  /** Creates the indexes. Call after db.start(). */
  init(): Promise<void>;
}

export function buildAuthModule(d: AuthModuleDeps): AuthModule {
  const userRepo = new MongoUserRepository(d.db.connection);
  const tokenRepo = new MongoTokenRepository(d.db.connection);
  const hasher = new BcryptPasswordHasher(d.bcryptCost ?? 12);
  const auth = new AuthService(
    { users: userRepo, tokens: tokenRepo, hasher, signer: new JwtTokenSigner({ secret: d.jwtSecret }), secrets: nodeSecretSource, clock: d.clock, log: d.log },
    d.options ?? {},
  );
  const users = new UserService({ users: userRepo, hasher, auth, clock: d.clock });
  return {
    userRepo,
    tokenRepo,
    auth,
    users,
    async init() {
      await Promise.all([userRepo.init(), tokenRepo.init()]);
    },
  };
}
