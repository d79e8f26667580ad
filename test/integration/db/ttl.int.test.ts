/**
 * Expired refresh tokens and revoked access-token ids are removed by the server (a TTL index on
 * `expireAt`), not by a timer in the app. The server's TTL task runs about once a minute, so this
 * waits for the expired documents to go (and checks the live ones stay).
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { MongoTokenRepository } from '../../../src/adapters/db/repositories/token.repository';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';
import { eventually } from '../../support/eventually';

describe('expired tokens removed by a TTL index (real database server)', () => {
  let db: DbConnection;
  let tokens: MongoTokenRepository;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('ttl'), silentLogger);
    await db.start();
    tokens = new MongoTokenRepository(db.connection);
    await tokens.init();
  });

  afterAll(async () => {
    await db.connection.dropDatabase();
    await db.stop();
  });

  it('the server removes expired tokens and keeps live ones', async () => {
    const now = Date.now();
    const base = { userId: 'u1', familyId: 'f1', secretHash: 'h', createdAt: now - 10_000 };
    await tokens.saveRefreshToken({ ...base, id: 'expired', expiresAt: now - 1_000 });
    await tokens.saveRefreshToken({ ...base, id: 'live', expiresAt: now + 3_600_000 });
    await tokens.revokeAccessToken('jti-expired', 'u1', now - 1_000);
    await tokens.revokeAccessToken('jti-live', 'u1', now + 3_600_000);

    await eventually(async () => {
      expect(await tokens.findRefreshToken('expired')).toBeNull();
      expect(await tokens.isAccessTokenRevoked('jti-expired')).toBe(false);
      return true;
    }, 150_000, 2_000);
    expect((await tokens.findRefreshToken('live'))?.id).toBe('live');
    expect(await tokens.isAccessTokenRevoked('jti-live')).toBe(true);
  }, 180_000);
});
