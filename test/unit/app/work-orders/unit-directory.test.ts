/** The unit directory: listed with each unit's handlers, kept by administrators, seeded from the units handlers name. */
import { silentLogger } from '../../../../src/shared/logger';
import { UnitDirectoryService, type UnitEntry, type UnitInput, type UnitRepository } from '../../../../src/app/work-orders/units/unit-directory.service';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../../src/shared/errors';
import { actor } from './fakes';

/** The directory in memory (same contract as MongoUnitRepository). */
class FakeUnits implements UnitRepository {
  readonly rows = new Map<string, UnitEntry>();
  async list(): Promise<UnitEntry[]> {
    return [...this.rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  async create(id: string, input: UnitInput, now: Date): Promise<UnitEntry> {
    if (this.rows.has(id)) throw new ConflictError('a unit with this id exists', { reasonCode: 'UNIT.EXISTS' });
    const e = { id, ...input, createdAt: now, updatedAt: now };
    this.rows.set(id, e);
    return e;
  }
  async update(id: string, input: UnitInput, now: Date): Promise<UnitEntry | null> {
    const e = this.rows.get(id);
    if (!e) return null;
    const next = { ...e, ...input, updatedAt: now };
    this.rows.set(id, next);
    return next;
  }
  async stopped(ids: readonly string[]): Promise<string[]> {
    return ids.filter((id) => this.rows.get(id)?.enabled === false);
  }
  async ensure(ids: readonly string[], now: Date): Promise<number> {
    let n = 0;
    for (const id of ids) {
      if (this.rows.has(id)) continue;
      this.rows.set(id, { id, name: id, shortName: null, contact: null, enabled: true, createdAt: now, updatedAt: now });
      n += 1;
    }
    return n;
  }
}

const T0 = Date.parse('2026-03-02T01:00:00Z');
const admin = actor('admin');

function setup() {
  const units = new FakeUnits();
  const handled = [{ id: 'water', handlers: ['刘洋'] }, { id: 'parks', handlers: ['周敏', '孙伟'] }];
  const sut = new UnitDirectoryService({ units, handlers: { units: async () => handled }, clock: () => T0, log: silentLogger });
  return { sut, units };
}

const input = (name: string, enabled = true): UnitInput => ({ name, shortName: null, contact: null, enabled });

describe('the unit directory', () => {
  it('lists entries and units known only from their handlers (by id), with the handlers, in id order', async () => {
    const { sut } = setup();
    await sut.create(admin, 'roads', { name: '路政管理所', shortName: '路政', contact: '021-1', enabled: false });
    expect(await sut.list(actor('unit_handler', { unitId: 'water' }))).toEqual([
      { id: 'parks', name: 'parks', shortName: null, contact: null, enabled: true, handlers: ['周敏', '孙伟'] },
      { id: 'roads', name: '路政管理所', shortName: '路政', contact: '021-1', enabled: false, handlers: [] },
      { id: 'water', name: 'water', shortName: null, contact: null, enabled: true, handlers: ['刘洋'] },
    ]);
  });

  it('administrators create and change units; a unit known from its handlers gets its entry when changed; others are refused', async () => {
    const { sut, units } = setup();
    await expect(sut.create(actor('supervisor'), 'x', input('某单位'))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.update(actor('unit_handler', { unitId: 'water' }), 'water', input('水务'))).rejects.toBeInstanceOf(ForbiddenError);
    expect(await sut.update(admin, 'water', input('青浦区水务局'))).toMatchObject({ id: 'water', name: '青浦区水务局', createdAt: new Date(T0) });
    expect(units.rows.get('water')?.name).toBe('青浦区水务局');
    await sut.update(admin, 'parks', input('绿化市容局', false));
    expect(await sut.stopped(['water', 'parks', 'roads'])).toEqual(['parks']);
    await expect(sut.update(admin, 'nowhere', input('无'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(sut.create(admin, 'water', input('重复'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('seeds an entry for each unit its handlers name, once', async () => {
    const { sut, units } = setup();
    await sut.update(admin, 'water', input('青浦区水务局'));
    expect(await sut.seedFromHandlers()).toBe(1);
    expect(await sut.seedFromHandlers()).toBe(0);
    expect([...units.rows.values()].map((u) => [u.id, u.name])).toEqual([['water', '青浦区水务局'], ['parks', 'parks']]);
  });
});
