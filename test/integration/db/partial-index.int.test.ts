/**
 * An agent id belongs to at most one user, enforced by a partial unique index (users without an
 * agent id are not in it). Concurrent creations with one agent id: exactly one succeeds, the others
 * get the agent-id conflict; any number of users without an agent id coexist.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { MongoUserRepository } from '../../../src/adapters/db/repositories/user.repository';
import { ConflictError } from '../../../src/shared/errors';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

const user = (username: string, agentId: string | null) => ({
  username, passwordHash: 'x', role: (agentId ? 'agent' : 'supervisor') as 'agent' | 'supervisor', displayName: username, agentId, unitId: null, groupId: null, active: true,
});

describe('agent ids unique through a partial index (real database server)', () => {
  let db: DbConnection;
  let users: MongoUserRepository;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('partial_index'), silentLogger);
    await db.start();
    users = new MongoUserRepository(db.connection);
    await users.init();
  });

  afterAll(async () => {
    await db.connection.dropDatabase();
    await db.stop();
  });

  it('of 20 concurrent creations with one agent id exactly one succeeds; the rest are agent-id conflicts', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => users.create(user(`racer${i}`, '2001'), 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(reasons).toHaveLength(19);
    for (const reason of reasons) {
      expect(reason).toBeInstanceOf(ConflictError);
      expect((reason as ConflictError).message).toBe('agent id already in use');
    }
  });

  it('users without an agent id are not in the index; a duplicate username is a username conflict', async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => users.create(user(`supervisor${i}`, null), 1)));
    await expect(users.create(user('supervisor0', null), 1)).rejects.toThrow('username already in use');
  });

  it('changing a user to an agent id another user holds is refused', async () => {
    const other = await users.create(user('agent2002', '2002'), 1);
    const moving = await users.create(user('agent2003', '2003'), 1);
    await expect(users.update(moving.id, { agentId: '2002' }, 2)).rejects.toThrow('agent id already in use');
    expect((await users.findById(other.id))?.agentId).toBe('2002');
    expect((await users.findById(moving.id))?.agentId).toBe('2003');
  });
});
