/**
 * The repositories' lookups rely on indexes: by `_id` on the hot paths, by indexed fields in the
 * REST lists. This asks the server for its plan of each kind of lookup and names the index that
 * answers it. MongoDB reports its own plan stages (IDHACK / EXPRESS_IXSCAN / IXSCAN with an
 * indexName); FerretDB v2 reports PostgreSQL's plan of the DocumentDB query, where an index that
 * answers has an `Index Cond` on the document (a condition on `shard_key_value` alone is the
 * collection, not the query: a scan).
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

type Plan = Record<string, unknown>;

function walk(node: unknown, visit: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    Object.values(node).forEach((v) => walk(v, visit));
  }
}

/** The name of the index that answers the query, or null when the plan is a scan. */
function answeringIndex(plan: Plan): string | null {
  let found: string | null = null;
  walk(plan, (n) => {
    if (found) return;
    // MongoDB
    if (n['stage'] === 'IDHACK') found = '_id_';
    else if ((n['stage'] === 'IXSCAN' || n['stage'] === 'EXPRESS_IXSCAN') && typeof n['indexName'] === 'string') found = n['indexName'];
    // PostgreSQL (FerretDB v2 + DocumentDB)
    else if (typeof n['Index Name'] === 'string' && typeof n['Index Cond'] === 'string') {
      const onDocument = n['Index Cond'].replace(/\(?shard_key_value = '\d+'::bigint\)?( AND )?/g, '').trim();
      if (onDocument.length > 0) found = n['Index Name'];
    }
  });
  return found;
}

describe('lookups use their index (real database server)', () => {
  let db: DbConnection;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('idxplan'), silentLogger);
    await db.start();
    const coll = db.connection.collection('idx_plan');
    await coll.insertMany(Array.from({ length: 2_000 }, (_, i) => ({ _id: `doc-${i}` as never, n: i, pad: 'x'.repeat(200) })));
    await coll.createIndex({ n: 1 }, { name: 'n_1' });
  });

  afterAll(async () => {
    await db.connection.dropDatabase();
    await db.stop();
  });

  it('find({_id}) is answered from the _id index', async () => {
    const coll = db.connection.collection('idx_plan');
    expect(answeringIndex((await coll.find({ _id: 'doc-1234' as never }).explain()) as Plan)).toBe('_id_');
    expect(await coll.findOne({ _id: 'doc-1234' as never })).toMatchObject({ n: 1234 });
  });

  it('find on an indexed field is answered from that index', async () => {
    const coll = db.connection.collection('idx_plan');
    expect(answeringIndex((await coll.find({ n: 1234 }).explain()) as Plan)).toBe('n_1');
    expect(await coll.findOne({ n: 1234 })).toMatchObject({ _id: 'doc-1234' });
  });

  it('a query on a field without an index is reported as a scan (the checks above can fail)', async () => {
    const coll = db.connection.collection('idx_plan');
    expect(answeringIndex((await coll.find({ pad: 'y' }).explain()) as Plan)).toBeNull();
  });
});
