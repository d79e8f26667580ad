import fc from 'fast-check';
import { DateTime } from 'luxon';
import { HOTLINE_ZONE, localDayKey, toLocalDate } from '../../../src/domain/calendar/local-time';

describe('localDayKey: the one Asia/Shanghai day key', () => {
  it('agrees with the zoned calendar for any instant from 1992 to 2100', () => {
    const from = Date.UTC(1992, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (ms) => {
        expect(localDayKey(ms)).toBe(DateTime.fromMillis(ms, { zone: HOTLINE_ZONE }).toISODate());
        expect(localDayKey(ms)).toBe(toLocalDate(new Date(ms)));
      }),
      { numRuns: 2000 },
    );
  });

  it('turns at local midnight, 16:00 UTC', () => {
    expect(localDayKey(Date.UTC(2026, 11, 7, 15, 59, 59, 999))).toBe('2026-12-07');
    expect(localDayKey(Date.UTC(2026, 11, 7, 16, 0, 0, 0))).toBe('2026-12-08');
  });
});
