/**
 * KeyedList against a real database server: concurrent appenders to one key lose nothing and
 * never share a slot; the slots stay contiguous, so readers see every entry.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { KeyedList } from '../../../src/adapters/db/keyed-list';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

describe('KeyedList (real database)', () => {
  let db: DbConnection;
  let list: KeyedList<{ writer: number; i: number }>;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('keyedlist'), silentLogger);
    await db.start();
    list = new KeyedList(db.connection, 'keyed_list_test');
  });

  afterAll(async () => {
    await db.stop();
  });

  it('an empty key has no entries', async () => {
    expect(await list.length('nobody')).toBe(0);
    expect(await list.read('nobody')).toEqual([]);
    expect(await list.readLast('nobody', 5)).toEqual([]);
  });

  it('12 concurrent writers × 15 appends to one key: 180 entries, each once, slots 0..179', async () => {
    const writers = Array.from({ length: 12 }, (_, w) => (async () => {
      const slots: number[] = [];
      for (let i = 0; i < 15; i++) slots.push(await list.append('busy', { writer: w, i }));
      return slots;
    })());
    const slots = (await Promise.all(writers)).flat();
    expect(new Set(slots).size).toBe(180);
    const all = await list.read('busy');
    expect(all.map((e) => e.slot)).toEqual(Array.from({ length: 180 }, (_, i) => i));
    const seen = new Set(all.map((e) => `${e.value.writer}:${e.value.i}`));
    expect(seen.size).toBe(180);
    // Each writer's own appends keep their order.
    for (let w = 0; w < 12; w++) {
      expect(all.filter((e) => e.value.writer === w).map((e) => e.value.i)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    }
    expect(await list.length('busy')).toBe(180);
  });

  it('readLast returns the newest entries first; read(from) continues from a slot', async () => {
    for (let i = 0; i < 5; i++) await list.append('k2', { writer: 0, i });
    expect((await list.readLast('k2', 3)).map((e) => e.value.i)).toEqual([4, 3, 2]);
    expect((await list.readLast('k2', 10)).map((e) => e.value.i)).toEqual([4, 3, 2, 1, 0]);
    expect((await list.read('k2', 3)).map((e) => e.value.i)).toEqual([3, 4]);
  });

  it('keys do not see each other, also when one key is a prefix of another', async () => {
    await list.append('a', { writer: 1, i: 0 });
    await list.append('a|1', { writer: 2, i: 0 });
    await list.append('a|1', { writer: 2, i: 1 });
    expect((await list.read('a')).map((e) => e.value.writer)).toEqual([1]);
    expect((await list.read('a|1')).map((e) => e.value.i)).toEqual([0, 1]);
  });

  it('drop removes a whole list; a new append starts again at slot 0', async () => {
    expect(await list.drop('k2')).toBe(5);
    expect(await list.read('k2')).toEqual([]);
    expect(await list.append('k2', { writer: 9, i: 9 })).toBe(0);
  });

  it('appendMany continues after the existing entries, one insert for the lot', async () => {
    await list.append('bulk', { writer: 0, i: 0 });
    await list.appendMany('bulk', [1, 2, 3].map((i) => ({ writer: 1, i })));
    expect((await list.read('bulk')).map((e) => [e.slot, e.value.writer, e.value.i])).toEqual([[0, 0, 0], [1, 1, 1], [2, 1, 2], [3, 1, 3]]);
    expect(await list.append('bulk', { writer: 2, i: 4 })).toBe(4);
  });

  it('removeWhere takes out the entries picked, wherever they are: readLast reads the rest, an append never refills a hole', async () => {
    for (let i = 0; i < 6; i++) await list.append('trim', { writer: 5, i });
    // Slots 0, 1 and 3 go (old ones, one listed late).
    expect(await list.removeWhere('trim', (v) => [0, 1, 3].includes(v.i))).toBe(3);
    expect((await list.readLast('trim', 10)).map((e) => [e.slot, e.value.i])).toEqual([[5, 5], [4, 4], [2, 2]]);
    expect(await list.append('trim', { writer: 5, i: 6 })).toBe(6);
    expect(await list.removeWhere('trim', () => false)).toBe(0);
  });

  it('removeWhere of every entry removes the list and its hint: nothing of the key is left', async () => {
    for (let i = 0; i < 3; i++) await list.append('gone', { writer: 6, i });
    expect(await list.removeWhere('gone', () => true)).toBe(3);
    const left = await db.connection.collection('keyed_list_test').find({ _id: { $in: ['h|gone', 's|gone|0', 's|gone|1', 's|gone|2'] } } as never).toArray();
    expect(left).toEqual([]);
    expect(await list.append('gone', { writer: 6, i: 9 })).toBe(0);
  });
});
