/**
 * The hot paths read and write documents by `_id` only, on the premise that such a lookup uses the
 * `_id` index. MongoDB always does; FerretDB v1's SQLite backend did not (a full table scan per
 * lookup) until our build's one-line fix (scripts/ferretdb.sh build). This asks the server for its
 * plan of each kind of `_id` operation the repositories use, so a build without the fix fails here.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

type Plan = Record<string, unknown>;

/**
 * True when the plan says the `_id` index answered. MongoDB: IDHACK / EXPRESS_IXSCAN / IXSCAN on
 * `_id`. FerretDB on SQLite reports SQLite's own plan: `SEARCH <table> USING INDEX <table>__id_`;
 * a scan is `SCAN <table>`.
 */
function usesIdIndex(plan: Plan): boolean {
  const text = JSON.stringify(plan);
  if (/COLLSCAN|detail=SCAN /.test(text)) return false;
  return /IDHACK|EXPRESS_IXSCAN|IXSCAN|detail=SEARCH \S+ USING (?:COVERING )?INDEX \S+__id_/.test(text);
}

describe('lookups by _id use the _id index (real database server)', () => {
  let db: DbConnection;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('idplan'), silentLogger);
    await db.start();
    const coll = db.connection.collection('id_plan');
    await coll.insertMany(Array.from({ length: 2_000 }, (_, i) => ({ _id: `doc-${i}` as never, n: i, pad: 'x'.repeat(200) })));
  });

  afterAll(async () => {
    await db.connection.dropDatabase();
    await db.stop();
  });

  it('find({_id}) is answered from the index', async () => {
    const coll = db.connection.collection('id_plan');
    const plan = (await coll.find({ _id: 'doc-1234' as never }).explain()) as Plan;
    expect(usesIdIndex(plan)).toBe(true);
    expect(await coll.findOne({ _id: 'doc-1234' as never })).toMatchObject({ n: 1234 });
  });

  it('a scan is reported as one (the check above can fail)', async () => {
    const coll = db.connection.collection('id_plan');
    const plan = (await coll.find({ n: 1234 }).explain()) as Plan;
    expect(usesIdIndex(plan)).toBe(false);
  });
});
