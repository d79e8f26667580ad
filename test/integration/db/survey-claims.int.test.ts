/**
 * Survey attempt claims as leases, on the real database server (FerretDB v2; the queries are plain
 * equality, $lte, $exists, $or, $set and $inc, as MongoDB has them): the first claim wins; a claim
 * that is renewed or finished is never taken; one whose owner died (no renewal, never finished) is
 * taken over after its lease, by exactly one of several instances trying at once; the dead owner
 * cannot renew or finish it afterwards; claims written before leases existed expire `lease` after
 * their time.
 */
import { MongoSurveyClaims } from '../../../src/adapters/db/repositories/survey-claim.repository';
import { DbConnection } from '../../../src/adapters/db/connection';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

const LEASE = 120_000;
const T0 = new Date('2026-04-06T10:00:00+08:00').getTime();
const at = (ms: number): Date => new Date(T0 + ms);

describe('survey claims with a lease (real database server)', () => {
  let db: DbConnection;
  /** Three instances, each with its own connection to the same database. */
  let dbs: DbConnection[];
  let a: MongoSurveyClaims;
  let b: MongoSurveyClaims;
  let c: MongoSurveyClaims;

  beforeAll(async () => {
    const uri = testMongoUri('survey_claims');
    dbs = [new DbConnection(uri, silentLogger), new DbConnection(uri, silentLogger), new DbConnection(uri, silentLogger)];
    await Promise.all(dbs.map((d) => d.start()));
    db = dbs[0]!;
    [a, b, c] = dbs.map((d) => new MongoSurveyClaims(d.connection)) as [MongoSurveyClaims, MongoSurveyClaims, MongoSurveyClaims];
  });

  afterAll(async () => {
    await db.connection.dropDatabase();
    await Promise.all(dbs.map((d) => d.stop()));
  });

  const stored = (key: string) => db.connection.collection<{ _id: string; owner: string; takeovers?: number; finishedAt?: Date | null }>('survey_claims').findOne({ _id: key });

  it('the first claim wins; a finished claim is never taken over, however old', async () => {
    expect(await a.claim('o1:1:1', 'o1', 'A', at(0), LEASE)).toBe(true);
    expect(await b.claim('o1:1:1', 'o1', 'B', at(1000), LEASE)).toBe(false);
    expect(await a.finish('o1:1:1', 'A', at(30_000))).toBe(true);
    expect(await b.claim('o1:1:1', 'o1', 'B', at(100 * LEASE), LEASE)).toBe(false);
    expect(await stored('o1:1:1')).toMatchObject({ owner: 'A', takeovers: 0 });
  });

  it('a renewed claim is kept past its first expiry; an abandoned one is taken over after the lease, and its old owner can neither renew nor finish it', async () => {
    expect(await a.claim('o2:1:1', 'o2', 'A', at(0), LEASE)).toBe(true);
    expect(await a.renew('o2:1:1', 'A', at(LEASE + 60_000))).toBe(true);
    expect(await b.claim('o2:1:1', 'o2', 'B', at(LEASE), LEASE)).toBe(false);
    // A stops renewing (its instance died): the lease ends at LEASE + 60 s.
    expect(await b.claim('o2:1:1', 'o2', 'B', at(LEASE + 59_999), LEASE)).toBe(false);
    expect(await b.claim('o2:1:1', 'o2', 'B', at(LEASE + 60_000), LEASE)).toBe(true);
    expect(await stored('o2:1:1')).toMatchObject({ owner: 'B', takeovers: 1 });
    expect(await a.renew('o2:1:1', 'A', at(3 * LEASE))).toBe(false);
    expect(await a.finish('o2:1:1', 'A', at(3 * LEASE))).toBe(false);
    // B holds a fresh lease: nobody takes it within it.
    expect(await c.claim('o2:1:1', 'o2', 'C', at(2 * LEASE), LEASE)).toBe(false);
    expect(await b.finish('o2:1:1', 'B', at(2 * LEASE))).toBe(true);
    expect(await c.claim('o2:1:1', 'o2', 'C', at(10 * LEASE), LEASE)).toBe(false);
    expect(await stored('o2:1:1')).toMatchObject({ owner: 'B', takeovers: 1, finishedAt: at(2 * LEASE) });
  });

  it('three instances taking over the same expired claims at once: exactly one wins each', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `o3-${i}:1:1`);
    for (const key of keys) expect(await a.claim(key, key, 'A', at(0), LEASE)).toBe(true);
    for (const key of keys) {
      const wins = await Promise.all([b, c, a].map((x, i) => x.claim(key, key, ['B', 'C', 'A2'][i]!, at(LEASE), LEASE)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      const winner = ['B', 'C', 'A2'][wins.indexOf(true)];
      expect(await stored(key)).toMatchObject({ owner: winner, takeovers: 1 });
    }
  });

  it('a claim written before leases existed (no expiry) is taken over `lease` after its time', async () => {
    await db.connection.collection('survey_claims').insertOne({ _id: 'o4:1:1' as never, orderId: 'o4', owner: 'old', at: at(0) });
    expect(await b.claim('o4:1:1', 'o4', 'B', at(LEASE - 1), LEASE)).toBe(false);
    expect(await b.claim('o4:1:1', 'o4', 'B', at(LEASE), LEASE)).toBe(true);
    expect(await stored('o4:1:1')).toMatchObject({ owner: 'B', takeovers: 1 });
  });
});
