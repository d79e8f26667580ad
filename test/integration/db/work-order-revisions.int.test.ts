/**
 * The work-order repository's conditional writes against a real database server: of several writers
 * from the same revision exactly one wins, a writer from an old revision changes nothing, and an
 * order whose writer died between its claim and its write is rolled forward to the claimed state
 * by the next writer (claims as written now, and as an earlier version wrote them).
 */
import type { Collection } from 'mongoose';
import { DbConnection } from '../../../src/adapters/db/connection';
import { MongoWorkOrderRepository, toDoc } from '../../../src/adapters/db/repositories/work-order.repository';
import type { WorkOrderIndexFields } from '../../../src/app/work-orders/ports';
import type { WorkOrder } from '../../../src/domain/work-order';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';
import { newOrder } from '../../unit/work-order/work-order.fixtures';

const INDEX: WorkOrderIndexFields = { unitIds: ['unit-1'], phoneKey: '13800138000' };

describe('MongoWorkOrderRepository revisions (real database)', () => {
  let db: DbConnection;
  let repo: MongoWorkOrderRepository;
  let claims: Collection;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('work-order-revisions'), silentLogger);
    await db.start();
    repo = new MongoWorkOrderRepository(db.connection, { rollForwardMs: 0 });
    await repo.init();
    claims = db.connection.collection('work_order_revs');
  });

  afterAll(async () => {
    await db.connection.dropDatabase();
    await db.stop();
  });

  const edited = (o: WorkOrder, content: string): WorkOrder => ({ ...o, content });
  let numbers = 0;
  /** A new order with its own number (numbers are unique). */
  const order = (id: string): WorkOrder => newOrder({ id, number: `WO20260212-${String((numbers += 1)).padStart(6, '0')}` });

  it('lets exactly one of several writers from the same revision win', async () => {
    const stored = await repo.insert(order('o-race'), INDEX);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((w) => repo.replace(edited(stored.order, `by ${w}`), stored.rev, INDEX)));
    const winners = results.filter((r) => r !== null);
    expect(winners).toEqual([2]);
    const now = await repo.get('o-race');
    expect(now?.rev).toBe(2);
    expect(['by a', 'by b', 'by c', 'by d']).toContain(now?.order.content);
  });

  it('refuses a writer from an older revision and leaves the order as it was', async () => {
    const s1 = await repo.insert(order('o-stale'), INDEX);
    expect(await repo.replace(edited(s1.order, 'rev 2'), 1, INDEX)).toBe(2);
    expect(await repo.replace(edited(s1.order, 'rev 3'), 2, INDEX)).toBe(3);
    // Claim o-stale:2 was cleaned up when revision 3 was written: only the head check stops this one.
    expect(await repo.replace(edited(s1.order, 'from rev 1'), 1, INDEX)).toBeNull();
    const now = await repo.get('o-stale');
    expect([now?.rev, now?.order.content]).toEqual([3, 'rev 3']);
  });

  it('rolls an order forward to the state its dead writer claimed', async () => {
    const s1 = await repo.insert(order('o-dead'), INDEX);
    // A writer that dies after its claim: its write of the order never happens.
    const dying = new MongoWorkOrderRepository(db.connection);
    const orders = db.connection.collection('work_orders');
    const replaceOne = jest.spyOn(Object.getPrototypeOf(orders) as { replaceOne: () => unknown }, 'replaceOne').mockImplementationOnce(() => {
      throw new Error('process died');
    });
    try {
      await expect(dying.replace(edited(s1.order, 'claimed'), 1, { ...INDEX, phoneKey: 'claimed' })).rejects.toThrow('process died');
    } finally {
      // Restored also when the expectation fails, so the other tests write for real.
      replaceOne.mockRestore();
    }
    expect((await repo.get('o-dead'))?.rev).toBe(1);
    const claim = await claims.findOne({ _id: 'o-dead:2' as unknown as never });
    expect(claim?.['doc']?._bsontype).toBe('Binary');

    // The next writer from revision 1 loses to the claim and applies it.
    expect(await repo.replace(edited(s1.order, 'late writer'), 1, INDEX)).toBeNull();
    const now = await repo.get('o-dead');
    expect([now?.rev, now?.order.content, now?.order.createdAt]).toEqual([2, 'claimed', s1.order.createdAt]);
    const raw = await orders.findOne({ _id: 'o-dead' as unknown as never });
    expect(raw?.['phoneKey']).toBe('claimed');
    // From the rolled-forward revision writing goes on.
    expect(await repo.replace(edited(now?.order ?? s1.order, 'after'), 2, INDEX)).toBe(3);
  });

  it('rolls forward a claim that holds the document itself (written by an earlier version)', async () => {
    const s1 = await repo.insert(order('o-old-claim'), INDEX);
    const doc = toDoc(edited(s1.order, 'old claim'), 2, INDEX);
    await claims.insertOne({ _id: 'o-old-claim:2' as unknown as never, orderId: 'o-old-claim', rev: 2, at: new Date(Date.now() - 60_000), doc }, { ignoreUndefined: true });
    expect(await repo.replace(edited(s1.order, 'late writer'), 1, INDEX)).toBeNull();
    const now = await repo.get('o-old-claim');
    expect([now?.rev, now?.order.content]).toEqual([2, 'old claim']);
  });
});
