/**
 * Preset versions with effective dates: an edit is stored as a new version beside the earlier
 * ones; it applies from its effective date (00:00 Asia/Shanghai), the version in effect until then
 * stays; versions only go up; an effective date before today is refused.
 */
import { RegulationService } from '../../../../src/app/work-orders/lifecycle/regulation.service';
import { BEIJING_2023 } from '../../../../src/domain/work-order';
import { silentLogger } from '../../../../src/shared/logger';
import { actor, FakeSettings } from './fakes';

const T0 = new Date('2026-12-07T10:00:00+08:00').getTime();
const admin = actor('admin');

function setup() {
  let now = T0;
  const store = new FakeSettings();
  const sut = new RegulationService({ store, clock: () => now, log: silentLogger, defaultPresetId: BEIJING_2023.id });
  return { sut, store, set: (iso: string) => { now = new Date(iso).getTime(); } };
}

const edited = (version: number, limit: number) => ({
  ...BEIJING_2023, version, rules: BEIJING_2023.rules.map((r, i) => (i === 0 ? { ...r, limit } : r)),
});

describe('regulation preset versions', () => {
  it('a version dated tomorrow applies from 00:00 Asia/Shanghai; the earlier one stays in effect until then; both are listed', async () => {
    const { sut, store, set } = setup();
    const v2 = BEIJING_2023.version + 1;
    await sut.putPreset(admin, BEIJING_2023.id, edited(v2, 7), new Date('2026-12-08T00:00:00+08:00'));
    expect(sut.activePreset().version).toBe(BEIJING_2023.version);
    expect(sut.listPresets(admin).find((p) => p.id === BEIJING_2023.id)).toMatchObject({
      version: BEIJING_2023.version, effectiveFrom: null, scheduled: { version: v2, effectiveFrom: '2026-12-07T16:00:00.000Z' },
    });
    set('2026-12-07T23:59:59+08:00');
    expect(sut.activePreset().rules[0]?.limit).toBe(BEIJING_2023.rules[0]?.limit);
    set('2026-12-08T00:00:00+08:00');
    expect(sut.activePreset()).toMatchObject({ version: v2, rules: expect.arrayContaining([expect.objectContaining({ limit: 7 })]) });
    expect(sut.presetVersions(admin, BEIJING_2023.id).map((v) => [v.version, v.builtIn, v.inEffect])).toEqual([
      [v2, false, true], [BEIJING_2023.version, true, false],
    ]);
    // Another instance loading the stored versions agrees.
    const other = new RegulationService({ store, clock: () => new Date('2026-12-08T08:00:00+08:00').getTime(), log: silentLogger, defaultPresetId: BEIJING_2023.id });
    await other.load();
    expect(other.activePreset().version).toBe(v2);
  });

  it('versions only go up (also past a version not yet in effect); an effective date before today is refused; a bad value names its field', async () => {
    const { sut } = setup();
    const v2 = BEIJING_2023.version + 1;
    await sut.putPreset(admin, BEIJING_2023.id, edited(v2, 7), new Date('2027-01-01T00:00:00+08:00'));
    await expect(sut.putPreset(admin, BEIJING_2023.id, edited(v2, 8))).rejects.toMatchObject({ httpStatus: 409 });
    await expect(sut.putPreset(admin, BEIJING_2023.id, edited(v2 + 1, 8), new Date('2026-12-06T00:00:00+08:00')))
      .rejects.toMatchObject({ httpStatus: 400, details: { field: 'body.effectiveFrom' } });
    await expect(sut.putPreset(admin, BEIJING_2023.id, edited(v2 + 1, -1))).rejects.toMatchObject({ httpStatus: 400, details: { field: 'body.rules.0.limit' } });
    // Today's date is accepted (in effect at once).
    await sut.putPreset(admin, BEIJING_2023.id, edited(v2 + 1, 9), new Date('2026-12-07T00:00:00+08:00'));
    expect(sut.activePreset()).toMatchObject({ version: v2 + 1 });
    await expect(sut.putPreset(actor('supervisor'), BEIJING_2023.id, edited(v2 + 2, 9))).rejects.toMatchObject({ httpStatus: 403 });
  });
});
