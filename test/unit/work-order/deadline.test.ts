import { DEFAULT_WORK_CALENDAR as cal } from '../../../src/domain/calendar';
import { addDuration, computeDueAt, extendDeadline, deadlineFromRule, isLate } from '../../../src/domain/work-order';
import { at, local, preset } from './work-order.fixtures';

const WD = (limit: number, clockStart: 'receipt' | 'nextDay' = 'nextDay', inclusive = true) =>
  ({ limit, unit: 'workingDays', clockStart, inclusive }) as const;

describe('computeDueAt', () => {
  describe('working days on the official calendar (default: from the day after receipt)', () => {
    it.each([
      // 02-13 (1), 02-14 Sat 补班 (2), 春节 02-15…23, 02-24 (3), 02-25 (4), 02-26 (5)
      ['2026-02-12 10:00', 5, '2026-02-26T23:59:59.999+08:00'],
      // 春节 2026 received on a holiday: 02-24 (1), 02-25 (2), 02-26 (3)
      ['2026-02-18 15:00', 3, '2026-02-26T23:59:59.999+08:00'],
      // received Friday 02-27: 02-28 Sat 补班 (1), 03-02 Mon (2)
      ['2026-02-27 18:00', 2, '2026-03-02T23:59:59.999+08:00'],
      // 春节 2025: 01-26 Sun 补班 (1), 01-27 (2), 01-28…02-04 off, 02-05 (3)
      ['2025-01-25 11:00', 3, '2025-02-05T23:59:59.999+08:00'],
      // 国庆 2025: 09-28 Sun 补班 (1), 09-29 (2), 09-30 (3), 10-01…08 off, 10-09 (4), 10-10 (5)
      ['2025-09-27 09:00', 5, '2025-10-10T23:59:59.999+08:00'],
      // 国庆 2026: 10-08 (1), 10-09 (2), 10-10 Sat 补班 (3)
      ['2026-09-30 16:00', 3, '2026-10-10T23:59:59.999+08:00'],
      // 青浦 疑难 10 WD from 2026-09-17 (Thu): 09-18 (1), 09-20 Sun 补班 (2), 09-21…24 (3–6),
      // 中秋 09-25…27, 09-28 (7), 09-29 (8), 09-30 (9), 国庆 10-01…07, 10-08 (10)
      ['2026-09-17 10:00', 10, '2026-10-08T23:59:59.999+08:00'],
    ])('received %s + %i WD → %s', (received, n, expected) => {
      const sut = computeDueAt(at(received), WD(n), cal);
      expect(local(sut.dueAt)).toBe(expected);
      expect(sut.provisional).toBe(false);
    });

    it('a receipt-day-inclusive rule counts the receipt day when it is a working day', () => {
      expect(local(computeDueAt(at('2026-02-13 09:00'), WD(1, 'receipt', true), cal).dueAt)).toBe('2026-02-13T23:59:59.999+08:00');
    });

    it('a receipt-day-inclusive rule skips a holiday receipt day', () => {
      // 02-15 is 春节: the first counted working day is 02-24.
      expect(local(computeDueAt(at('2026-02-15 09:00'), WD(1, 'receipt', true), cal).dueAt)).toBe('2026-02-24T23:59:59.999+08:00');
    });

    it('receipt + exclusive is the same as next day + inclusive', () => {
      const a = computeDueAt(at('2026-02-12 10:00'), WD(5, 'receipt', false), cal);
      const b = computeDueAt(at('2026-02-12 10:00'), WD(5), cal);
      expect(a).toEqual(b);
    });

    it('next day + exclusive starts counting two days after receipt', () => {
      // day 1 may be no earlier than 02-14 (Sat 补班 counts): 02-14 (1), 02-24 (2)
      expect(local(computeDueAt(at('2026-02-12 10:00'), WD(2, 'nextDay', false), cal).dueAt)).toBe('2026-02-24T23:59:59.999+08:00');
    });

    it('is provisional when the count runs into 2027 (no official data yet)', () => {
      // 12-29 (1), 12-30 (2), 12-31 (3), 2027-01-01 assumed (4), 01-04 (5)
      const sut = computeDueAt(at('2026-12-28 10:00'), WD(5), cal);
      expect(local(sut.dueAt)).toBe('2027-01-04T23:59:59.999+08:00');
      expect(sut.provisional).toBe(true);
    });

    it('uses the Beijing date even when the server instant is still the previous UTC day', () => {
      // 2026-02-12 00:30 Beijing = 2026-02-11 16:30 UTC
      expect(local(computeDueAt(new Date('2026-02-11T16:30:00Z'), WD(5), cal).dueAt)).toBe('2026-02-26T23:59:59.999+08:00');
    });
  });

  describe('clock limits run 7×24', () => {
    it('2 h across midnight', () => {
      const sut = computeDueAt(at('2026-03-01 23:30'), { limit: 2, unit: 'hours', clockStart: 'receipt', inclusive: true }, cal);
      expect(local(sut.dueAt)).toBe('2026-03-02T01:30:00.000+08:00');
    });
    it('15 min across midnight on a holiday', () => {
      const sut = computeDueAt(at('2026-10-01 23:50'), { limit: 15, unit: 'minutes', clockStart: 'receipt', inclusive: true }, cal);
      expect(local(sut.dueAt)).toBe('2026-10-02T00:05:00.000+08:00');
    });
    it('24 h from the next day starts at 00:00', () => {
      const sut = computeDueAt(at('2026-03-01 15:00'), { limit: 24, unit: 'hours', clockStart: 'nextDay', inclusive: true }, cal);
      expect(local(sut.dueAt)).toBe('2026-03-03T00:00:00.000+08:00');
    });
  });

  describe('natural days ignore holidays', () => {
    it('DB11 一般 7 ND across 国庆 2025', () => {
      // day 1 = 10-01 … day 7 = 10-07
      const sut = computeDueAt(at('2025-09-30 15:00'), { limit: 7, unit: 'naturalDays', clockStart: 'nextDay', inclusive: true }, cal);
      expect(local(sut.dueAt)).toBe('2025-10-07T23:59:59.999+08:00');
    });
    it('七里河 emergency: the same day', () => {
      const sut = computeDueAt(at('2026-10-01 20:00'), { limit: 1, unit: 'naturalDays', clockStart: 'receipt', inclusive: true }, cal);
      expect(local(sut.dueAt)).toBe('2026-10-01T23:59:59.999+08:00');
    });
  });
});

describe('addDuration and extendDeadline', () => {
  it('adds working days keeping the time of day', () => {
    // 2026-02-13 14:00 + 1 WD = 02-14 (Sat 补班) 14:00
    expect(local(addDuration(at('2026-02-13 14:00'), { value: 1, unit: 'workingDays' }, cal).dueAt)).toBe('2026-02-14T14:00:00.000+08:00');
  });

  it('extends an end-of-day deadline by 15 WD (青浦) across 清明 2026', () => {
    const rule = preset('qingpu-2020').rules.find((r) => r.id === 'complete-general');
    if (!rule) throw new Error('rule');
    // received 03-20 (Fri): 03-23 (1), 03-24 (2), 03-25 (3) → due 03-25
    const d = deadlineFromRule('complete', at('2026-03-20 10:00'), rule, 'qingpu-2020', cal);
    expect(local(d.dueAt)).toBe('2026-03-25T23:59:59.999+08:00');
    // +15 WD from 03-25: 03-26, 27, 30, 31, 04-01, 02, 03 (7), 清明 04-04…06, 04-07…10 (11), 04-13…16 (15)
    const sut = extendDeadline(d, 15, 'workingDays', cal);
    expect(local(sut.dueAt)).toBe('2026-04-16T23:59:59.999+08:00');
    expect(sut.extendedBy).toBe(15);
    expect(sut.rule.source).toContain('1310');
  });

  it('isLate compares completion (or now) with the due instant', () => {
    const rule = preset('yanji-2019').rules.find((r) => r.id === 'sign');
    if (!rule) throw new Error('rule');
    const d = deadlineFromRule('sign', at('2026-03-02 10:00'), rule, 'yanji-2019', cal);
    expect(isLate(d, at('2026-03-02 11:00'))).toBe(false);
    expect(isLate(d, at('2026-03-02 11:00:01'))).toBe(true);
    expect(isLate({ ...d, metAt: at('2026-03-02 10:59') }, at('2026-03-09 00:00'))).toBe(false);
  });
});
