/**
 * The order change log against a real database server: marks are found by minute and pruned, and
 * the work-order repository marks an order before each write (and a roll-forward of a dead writer's
 * claim), never on insert.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { MongoOrderChangeLog } from '../../../src/adapters/db/repositories/order-change-log.repository';
import { MongoWorkOrderRepository } from '../../../src/adapters/db/repositories/work-order.repository';
import type { WorkOrderIndexFields } from '../../../src/app/work-orders/work-orders.ports';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';
import { newOrder } from '../../unit/work-order/work-order.fixtures';

const M = 60_000;
const T = new Date('2026-06-01T02:00:00Z').getTime();
const minuteOf = (ms: number): number => Math.floor(ms / M);
const INDEX: WorkOrderIndexFields = { unitIds: ['unit-1'], handlerKeys: [] };

describe('MongoOrderChangeLog (real database)', () => {
  let db: DbConnection;
  let changes: MongoOrderChangeLog;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('order-changes'), silentLogger);
    await db.start();
    changes = new MongoOrderChangeLog(db.connection);
    await changes.init();
  });

  afterAll(async () => {
    await db.connection.dropDatabase();
    await db.stop();
  });

  it('finds the orders marked from a minute on, with the latest minute of each; prunes older minutes', async () => {
    await changes.mark('o-1', new Date(T));
    await changes.mark('o-2', new Date(T + 2 * M + 59_999));
    await changes.mark('o-1', new Date(T + 5 * M));
    await changes.mark('o-3', new Date(T - 10 * M));
    expect(await changes.changedSince(minuteOf(T))).toEqual(new Map([['o-1', minuteOf(T) + 5], ['o-2', minuteOf(T) + 2]]));
    expect(await changes.changedSince(minuteOf(T) + 3)).toEqual(new Map([['o-1', minuteOf(T) + 5]]));
    await changes.prune(minuteOf(T) + 1);
    expect(await changes.changedSince(0)).toEqual(new Map([['o-1', minuteOf(T) + 5], ['o-2', minuteOf(T) + 2]]));
    await changes.prune(minuteOf(T) + 6);
    expect(await changes.changedSince(0)).toEqual(new Map());
  });

  it('the repository marks an order before each write (by its clock), not on insert', async () => {
    let now = T + 60 * M;
    const repo = new MongoWorkOrderRepository(db.connection, { changes, clock: () => now });
    await repo.init();
    const stored = await repo.insert(newOrder({ id: 'o-w', number: 'WO20260601-000001' }), INDEX);
    expect(await changes.changedSince(0)).toEqual(new Map());
    now += 2 * M;
    // The mark is in place when the order is written: a reader of the change log at that moment sees it.
    const writes: Promise<Map<string, number>>[] = [];
    const orders = db.connection.collection('work_orders');
    const replaceOne = orders.replaceOne.bind(orders);
    const spy = jest.spyOn(orders, 'replaceOne').mockImplementation(((...args: Parameters<typeof replaceOne>) => {
      writes.push(changes.changedSince(0));
      return replaceOne(...args);
    }) as typeof replaceOne);
    try {
      expect(await repo.replace({ ...stored.order, content: 'edited' }, 1, INDEX)).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(await Promise.all(writes)).toEqual([new Map([['o-w', minuteOf(T) + 62]])]);
  });
});
