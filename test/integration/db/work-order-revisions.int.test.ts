/**
 * The work-order repository's conditional writes against a real database server: of several writers
 * from the same revision exactly one wins, a writer from an old revision changes nothing, and a
 * writer whose read was current but lost the race before its write changes nothing either.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { MongoWorkOrderRepository } from '../../../src/adapters/db/repositories/work-order.repository';
import type { WakeSchedule, WorkOrderIndexFields } from '../../../src/app/work-orders/work-orders.ports';
import type { WorkOrder } from '../../../src/domain/work-order';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';
import { newOrder } from '../../unit/work-order/work-order.fixtures';

const INDEX: WorkOrderIndexFields = { unitIds: ['unit-1'], phoneKey: '13800138000', handlerKeys: [] };

describe('MongoWorkOrderRepository revisions (real database)', () => {
  let db: DbConnection;
  let repo: MongoWorkOrderRepository;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('work-order-revisions'), silentLogger);
    await db.start();
    repo = new MongoWorkOrderRepository(db.connection);
    await repo.init();
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
    expect(await repo.replace(edited(s1.order, 'from rev 1'), 1, INDEX)).toBeNull();
    const now = await repo.get('o-stale');
    expect([now?.rev, now?.order.content]).toEqual([3, 'rev 3']);
  });

  it('a writer that lost the race after its read changes nothing: the write itself is conditional', async () => {
    const s1 = await repo.insert(order('o-late'), INDEX);
    const other = new MongoWorkOrderRepository(db.connection);
    let interleaved = false;
    // Between this writer's read of the head and its write, another writer lands revision 2
    // (the wake schedule is written in between, so its add() is where the other write goes).
    const wakes = {
      add: async () => {
        if (interleaved) return;
        interleaved = true;
        expect(await other.replace(edited(s1.order, 'the other writer'), 1, INDEX)).toBe(2);
      },
    } as unknown as WakeSchedule;
    const slow = new MongoWorkOrderRepository(db.connection, { wakes });
    expect(await slow.replace(edited(s1.order, 'too late'), 1, { ...INDEX, wakeAt: new Date(Date.now() + 3_600_000) })).toBeNull();
    expect(interleaved).toBe(true);
    const now = await repo.get('o-late');
    expect([now?.rev, now?.order.content]).toEqual([2, 'the other writer']);
  });
});
