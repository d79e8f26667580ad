/**
 * Several app instances starting at once against an empty database each create every collection's
 * indexes. On MongoDB concurrent identical index builds are harmless; on PostgreSQL (FerretDB v2 +
 * DocumentDB) concurrent index creations can deadlock. Each instance's start must still succeed,
 * and every index must exist afterwards.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { MongoTokenRepository } from '../../../src/adapters/db/repositories/token.repository';
import { MongoUserRepository } from '../../../src/adapters/db/repositories/user.repository';
import { MongoAgentDirectory } from '../../../src/adapters/db/repositories/agent.repository';
import { MongoWorkOrderRepository } from '../../../src/adapters/db/repositories/work-order.repository';
import { MongoOrderChangeLog } from '../../../src/adapters/db/repositories/order-change-log.repository';
import { MongoKnowledgeRepository } from '../../../src/adapters/db/repositories/knowledge.repository';
import { MongoWorkOrderSettingsStore } from '../../../src/adapters/db/repositories/work-order-settings.repository';
import { MongoJobLock } from '../../../src/adapters/db/repositories/job-lock.repository';
import { callEventModel } from '../../../src/adapters/db/models/call-event.model';
import { callRecordModel } from '../../../src/adapters/db/models/call-record.model';
import { callbackRequestModel } from '../../../src/adapters/db/models/callback-request.model';
import { agentClaimModel } from '../../../src/adapters/db/models/agent-claim.model';
import { ensureIndexes } from '../../../src/adapters/db/indexes';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

const INSTANCES = 4;

/** What one instance does at start: every repository's init (they create their indexes). */
async function startInstance(db: DbConnection): Promise<void> {
  const conn = db.connection;
  await Promise.all([
    new MongoUserRepository(conn).init(),
    new MongoTokenRepository(conn).init(),
    new MongoAgentDirectory(conn).init(),
    new MongoWorkOrderRepository(conn).init(),
    new MongoOrderChangeLog(conn).init(),
    new MongoKnowledgeRepository(conn).init(),
    new MongoWorkOrderSettingsStore(conn).init(),
    new MongoJobLock(conn).init(),
    ensureIndexes(callEventModel(conn), callRecordModel(conn), callbackRequestModel(conn), agentClaimModel(conn)),
  ]);
}

describe('several instances creating indexes at once (real database server)', () => {
  const uri = testMongoUri('concurrent_start');
  const dbs = Array.from({ length: INSTANCES }, () => new DbConnection(uri, silentLogger));

  beforeAll(async () => {
    await Promise.all(dbs.map((db) => db.start()));
  });

  afterAll(async () => {
    await dbs[0]?.connection.dropDatabase();
    await Promise.all(dbs.map((db) => db.stop()));
  });

  it(`${INSTANCES} instances start together on an empty database; every index exists`, async () => {
    const results = await Promise.allSettled(dbs.map((db) => startInstance(db)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);

    const conn = dbs[0]!.connection;
    for (const model of Object.values(conn.models)) {
      const declared = model.schema.indexes().length;
      const existing = (await model.collection.listIndexes().toArray()).filter((i) => i['name'] !== '_id_');
      expect({ collection: model.collection.collectionName, indexes: existing.length }).toEqual({
        collection: model.collection.collectionName,
        indexes: declared,
      });
    }
  });
});
