/**
 * The sweep's notice log against a real database server: a key is recorded once, an unordered bulk
 * insert records every new key past the ones already there, and lookups return what was stored.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { MongoNoticeLog } from '../../../src/adapters/db/repositories/notice-log.repository';
import type { SentNoticeRecord } from '../../../src/app/work-orders/work-orders.ports';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

const AT = new Date('2026-06-01T02:00:00Z');
const DUE = new Date('2026-06-01T16:00:00Z');
const notice = (key: string, over: Partial<SentNoticeRecord> = {}): SentNoticeRecord => ({
  key, orderId: key.split(':')[0] as string, kind: 'supervision', stage: 'complete', level: 'yellow', dueAt: DUE, at: AT, ...over,
});

describe('MongoNoticeLog (real database)', () => {
  let db: DbConnection;
  let log: MongoNoticeLog;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('notices'), silentLogger);
    await db.start();
    log = new MongoNoticeLog(db.connection);
  });

  afterAll(async () => {
    await db.stop();
  });

  it('records each key once; a batch with keys already there records the others', async () => {
    expect(await log.record([notice('o-1:a'), notice('o-2:a')])).toEqual({ recorded: new Set(['o-1:a', 'o-2:a']), failed: new Set() });
    const again = await log.record([notice('o-1:a'), notice('o-3:a'), notice('o-2:a'), notice('o-4:a', { kind: 'callback', stage: undefined, level: undefined })]);
    expect(again).toEqual({ recorded: new Set(['o-3:a', 'o-4:a']), failed: new Set() });
    expect(await log.record([notice('o-3:a')])).toEqual({ recorded: new Set(), failed: new Set() });
  });

  it('two writers recording the same keys at once: each key is recorded by exactly one', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `o-race-${i}:b`);
    const [x, y] = await Promise.all([log.record(keys.map((k) => notice(k))), log.record([...keys].reverse().map((k) => notice(k)))]);
    expect([...x.recorded, ...y.recorded].sort()).toEqual([...keys].sort());
    expect([...x.recorded].filter((k) => y.recorded.has(k))).toEqual([]);
  });

  it('finds recorded keys with what was stored, and nothing for unknown ones', async () => {
    const found = await log.find(['o-1:a', 'o-unknown:a', 'o-4:a']);
    expect(found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      notice('o-1:a'),
      { key: 'o-4:a', orderId: 'o-4', kind: 'callback', dueAt: DUE, at: AT },
    ]);
  });
});
