/**
 * The sweep's wake schedule against a real database server: orders are found again through the
 * hour lists, a bulk listing is read back with single adds, a reader resumes where it stopped,
 * dropped minutes are gone, and a sweep's saved progress is read back, replaced, and dropped with its
 * minute.
 */
import { DbConnection } from '../../../src/adapters/db/connection';
import { MongoWakeSchedule } from '../../../src/adapters/db/repositories/wake-schedule.repository';
import { silentLogger } from '../../../src/shared/logger';
import { testMongoUri } from '../../support/db';

const MIN = 60_000;
const NOW = new Date('2026-06-01T02:00:00Z');
const nowMinute = NOW.getTime() / MIN;
const hourOf = (m: number): number => Math.floor(m / 60);

describe('MongoWakeSchedule (real database)', () => {
  let db: DbConnection;
  let wakes: MongoWakeSchedule;

  beforeAll(async () => {
    db = new DbConnection(testMongoUri('wakes'), silentLogger);
    await db.start();
    wakes = new MongoWakeSchedule(db.connection);
  });

  afterAll(async () => {
    await db.stop();
  });

  it('lists each order under its minute (a passed wake under the current minute) and finds it via the hour lists', async () => {
    await wakes.add('o-past', new Date(NOW.getTime() - 5 * MIN), NOW);
    await wakes.add('o-later', new Date(NOW.getTime() + 90 * MIN + 30_000), NOW);
    await wakes.add('o-later-2', new Date(NOW.getTime() + 90 * MIN + 1_000), NOW);
    expect(await wakes.entries(nowMinute)).toEqual({ ids: ['o-past'], next: 1 });
    expect(await wakes.entries(nowMinute + 90)).toEqual({ ids: ['o-later', 'o-later-2'], next: 2 });
    expect(await wakes.minutes(hourOf(nowMinute) - 1, hourOf(nowMinute + 90), [])).toEqual([nowMinute, nowMinute + 90]);
    expect(await wakes.minutes(hourOf(nowMinute) - 1, hourOf(nowMinute), [])).toEqual([nowMinute]);
  });

  it('addMany lists after what is there, one entry per minute; a reader resumes where it stopped', async () => {
    await wakes.addMany([['o-b1', new Date(NOW.getTime() + 90 * MIN)], ['o-b2', new Date(NOW.getTime() + 200 * MIN)], ['o-b3', new Date(NOW.getTime() + 90 * MIN + 59_000)]], NOW);
    expect(await wakes.entries(nowMinute + 90)).toEqual({ ids: ['o-later', 'o-later-2', 'o-b1', 'o-b3'], next: 3 });
    expect(await wakes.entries(nowMinute + 90, 2)).toEqual({ ids: ['o-b1', 'o-b3'], next: 3 });
    await wakes.add('o-c', new Date(NOW.getTime() + 90 * MIN), NOW);
    expect(await wakes.entries(nowMinute + 90, 3)).toEqual({ ids: ['o-c'], next: 4 });
    expect(await wakes.entries(nowMinute + 200)).toEqual({ ids: ['o-b2'], next: 1 });
    expect(await wakes.minutes(hourOf(nowMinute), hourOf(nowMinute + 200), [])).toEqual([nowMinute, nowMinute + 90, nowMinute + 200]);
  });

  it('a dropped minute and hour are gone; a later add lists the minute again', async () => {
    await wakes.drop(nowMinute);
    await wakes.dropHour(hourOf(nowMinute));
    expect(await wakes.entries(nowMinute)).toEqual({ ids: [], next: 0 });
    expect(await wakes.minutes(hourOf(nowMinute), hourOf(nowMinute), [nowMinute])).toEqual([]);
    await wakes.add('o-late-writer', new Date(NOW.getTime() - MIN), NOW);
    expect(await wakes.minutes(hourOf(nowMinute), hourOf(nowMinute), [])).toEqual([nowMinute]);
  });

  it('saves the sweep progress per minute, replaces it, and forgets it with the minute; the entries stay as they are', async () => {
    const m = nowMinute + 300;
    await wakes.add('o-p', new Date(m * MIN), NOW);
    expect(await wakes.progress([m, m + 1])).toEqual(new Map());
    await wakes.saveProgress(m, { upTo: 1, again: [['o-p', m * MIN + 30_000]] });
    await wakes.saveProgress(m + 1, { upTo: 0, again: [] });
    await wakes.saveProgress(m, { upTo: 1, again: [['o-p', 0], ['o-q', m * MIN + 59_000]] });
    expect(await wakes.progress([m, m + 1, m + 2])).toEqual(new Map([
      [m, { upTo: 1, again: [['o-p', 0], ['o-q', m * MIN + 59_000]] }],
      [m + 1, { upTo: 0, again: [] }],
    ]));
    expect(await wakes.entries(m)).toEqual({ ids: ['o-p'], next: 1 });
    await wakes.drop(m);
    expect(await wakes.progress([m, m + 1])).toEqual(new Map([[m + 1, { upTo: 0, again: [] }]]));
    expect(await wakes.entries(m)).toEqual({ ids: [], next: 0 });
  });
});
