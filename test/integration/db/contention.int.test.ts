/**
 * The property the repositories rely on, proven on the real server: a conditional update is atomic
 * (of 20 concurrent updates whose condition only one can meet, exactly one wins) and `$inc` loses no
 * update. MongoDB guarantees both per document; FerretDB v1 on SQLite did not (2–3 winners, lost
 * increments), which is why the lab runs FerretDB v2 on PostgreSQL + DocumentDB.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

const ROUNDS = 20;
const WRITERS = 20;

describe('single-document atomicity under contention (real database server)', () => {
  let db: DbConnection;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('contention'), silentLogger);
    await db.start();
  });

  afterAll(async () => {
    await db.connection.dropDatabase();
    await db.stop();
  });

  it(`${WRITERS} concurrent conditional updates of one document: exactly one winner, ${ROUNDS} rounds`, async () => {
    const coll = db.connection.collection<{ _id: string; owner: number | null }>('claims');
    const winnersPerRound: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const _id = `slot-${round}`;
      await coll.insertOne({ _id, owner: null });
      const results = await Promise.all(
        Array.from({ length: WRITERS }, (_, i) => coll.findOneAndUpdate({ _id, owner: null }, { $set: { owner: i } }, { returnDocument: 'after' })),
      );
      const winners = results.filter((r) => r !== null);
      winnersPerRound.push(winners.length);
      // The stored owner is the one writer that was told it won.
      expect((await coll.findOne({ _id }))?.owner).toBe(winners[0]?.owner);
    }
    expect(winnersPerRound).toEqual(Array.from({ length: ROUNDS }, () => 1));
  });

  it(`${WRITERS} concurrent $inc of one document: none lost, ${ROUNDS} rounds`, async () => {
    const coll = db.connection.collection<{ _id: string; n: number }>('counters');
    const totals: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const _id = `counter-${round}`;
      await coll.insertOne({ _id, n: 0 });
      await Promise.all(Array.from({ length: WRITERS }, () => coll.updateOne({ _id }, { $inc: { n: 1 } })));
      totals.push((await coll.findOne({ _id }))?.n ?? -1);
    }
    expect(totals).toEqual(Array.from({ length: ROUNDS }, () => WRITERS));
  });
});
