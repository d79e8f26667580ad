import chineseDays from 'chinese-days';
import {
  CN_2025, CN_2026, DEFAULT_WORK_CALENDAR as cal, addDays, addWorkdays, countWorkdays, countWorkdaysBetween,
  createWorkCalendar, dayInfo, isWorkday, mergeCalendarYear, nextWorkdayOnOrAfter, subtractWorkdays, endOfLocalDay, toLocalDate,
} from '../../../src/domain/calendar';

describe('work calendar', () => {
  it.each([
    ['2025-01-26', 'makeUpWorkday'], // 春节 补班 (Sun)
    ['2025-02-08', 'makeUpWorkday'], // 春节 补班 (Sat)
    ['2025-01-28', 'holiday'], // 除夕
    ['2025-02-04', 'holiday'],
    ['2025-02-05', 'workday'],
    ['2025-04-27', 'makeUpWorkday'],
    ['2025-09-28', 'makeUpWorkday'],
    ['2025-10-08', 'holiday'],
    ['2025-10-11', 'makeUpWorkday'],
    ['2026-01-04', 'makeUpWorkday'],
    ['2026-02-14', 'makeUpWorkday'],
    ['2026-02-23', 'holiday'], // 9-day 春节 ends on Monday
    ['2026-02-28', 'makeUpWorkday'],
    ['2026-05-09', 'makeUpWorkday'],
    ['2026-09-20', 'makeUpWorkday'],
    ['2026-10-07', 'holiday'],
    ['2026-10-10', 'makeUpWorkday'],
    ['2026-03-07', 'weekend'],
  ])('%s is a %s', (date, kind) => {
    const sut = dayInfo(cal, date);
    expect(sut.kind).toBe(kind);
    expect(sut.provisional).toBe(false);
  });

  it('agrees with chinese-days on every day of 2025 and 2026', () => {
    const mismatches: string[] = [];
    for (let d = '2025-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) {
      if (isWorkday(cal, d).value !== chineseDays.isWorkday(d)) mismatches.push(d);
    }
    expect(mismatches).toEqual([]);
  });

  it('carries source and publication date for each built-in year', () => {
    expect(CN_2025.source.publishedOn).toBe('2024-11-12');
    expect(CN_2026.source.publishedOn).toBe('2025-11-04');
    // 13 全体公民 holiday days since 2025, plus the weekend days the notices join to them.
    expect(CN_2026.holidays.map((h) => h.name)).toContain('春节');
  });

  describe('addWorkdays (the n-th working day after a date)', () => {
    it.each([
      // 02-13 Fri (1), 02-14 Sat 补班 (2), 02-15…02-23 春节, 02-24 (3), 02-25 (4), 02-26 (5)
      ['2026-02-12', 5, '2026-02-26'],
      // 01-25 Sat off, 01-26 Sun 补班 (1), 01-27 (2), 01-28…02-04 春节, 02-05 (3)
      ['2025-01-24', 3, '2025-02-05'],
      // 09-27 Sat off, 09-28 Sun 补班 (1), 09-29 (2), 09-30 (3)
      ['2025-09-26', 3, '2025-09-30'],
      // 10-01…10-08 国庆+中秋, 10-09 (1), 10-10 (2)
      ['2025-09-30', 2, '2025-10-10'],
      // 10-10 (1), 10-11 Sat 补班 (2)
      ['2025-10-09', 2, '2025-10-11'],
      // 10-01…10-07 国庆, 10-08 (1), 10-09 (2), 10-10 Sat 补班 (3)
      ['2026-09-30', 3, '2026-10-10'],
      // 09-19 Sat off, 09-20 Sun 补班 (1)
      ['2026-09-18', 1, '2026-09-20'],
      // 01-01…01-03 元旦, 01-04 Sun 补班 (1), 01-05 (2)
      ['2025-12-31', 2, '2026-01-05'],
      ['2026-02-12', 0, '2026-02-12'],
    ])('%s + %i WD = %s', (from, n, expected) => {
      const sut = addWorkdays(cal, from, n);
      expect(sut.value).toBe(expected);
      expect(sut.provisional).toBe(false);
    });

    it('agrees with chinese-days findWorkday on a sample across both years', () => {
      for (let d = '2025-01-01'; d <= '2026-11-30'; d = addDays(d, 11)) {
        for (const n of [1, 3, 5, 10]) expect([d, n, addWorkdays(cal, d, n).value]).toEqual([d, n, chineseDays.findWorkday(n, d)]);
      }
    });

    it('rejects negative and fractional counts', () => {
      expect(() => addWorkdays(cal, '2026-02-12', -1)).toThrow(RangeError);
      expect(() => addWorkdays(cal, '2026-02-12', 1.5)).toThrow(RangeError);
    });

    it('subtractWorkdays goes back over 春节 2026', () => {
      // 02-24 ← 02-14 Sat 补班 (1) ← 02-13 (2)
      expect(subtractWorkdays(cal, '2026-02-24', 2).value).toBe('2026-02-13');
    });

    it('nextWorkdayOnOrAfter skips the holiday', () => {
      expect(nextWorkdayOnOrAfter(cal, '2026-10-01').value).toBe('2026-10-08');
      expect(nextWorkdayOnOrAfter(cal, '2026-10-10').value).toBe('2026-10-10');
    });
  });

  describe('counting', () => {
    it('February 2026 has 16 working days', () => {
      // 02-02…06 (5), 09…13 (5), 14 Sat 补班 (1), 24…27 (4), 28 Sat 补班 (1)
      expect(countWorkdays(cal, '2026-02-01', '2026-02-28').value).toBe(16);
    });
    it('October 2025 has 18 working days', () => {
      // 10-09, 10-10, 10-11 补班 (3), 13…17 (5), 20…24 (5), 27…31 (5)
      expect(countWorkdays(cal, '2025-10-01', '2025-10-31').value).toBe(18);
    });
    it('countWorkdaysBetween excludes the start day', () => {
      expect(countWorkdaysBetween(cal, '2026-02-12', '2026-02-26').value).toBe(5);
      expect(countWorkdays(cal, '2026-02-26', '2026-02-12').value).toBe(0);
    });
  });

  describe('years without official data', () => {
    it('flags 2027 as provisional instead of silently using Mon–Fri', () => {
      const sut = isWorkday(cal, '2027-01-01');
      expect(sut).toEqual({ value: true, provisional: true, provisionalYears: [2027] });
    });

    it('marks a count that crosses into 2027 provisional', () => {
      // 12-29 (1), 12-30 (2), 12-31 (3), 2027-01-01 assumed (4), 01-04 (5)
      const sut = addWorkdays(cal, '2026-12-28', 5);
      expect(sut).toEqual({ value: '2027-01-04', provisional: true, provisionalYears: [2027] });
    });

    it('stays official when the count ends inside 2026', () => {
      expect(addWorkdays(cal, '2026-12-28', 3).provisional).toBe(false);
    });
  });

  describe('mergeCalendarYear (administrator update)', () => {
    const y2027 = {
      year: 2027,
      version: 1,
      source: { title: '国务院办公厅关于2027年部分节假日安排的通知 (test data)', publishedOn: '2026-11-01' },
      holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }],
      makeUpWorkdays: ['2027-01-09'],
    };

    it('adds a year and makes it official without changing the input calendar', () => {
      const sut = mergeCalendarYear(cal, y2027);
      expect(sut.ok).toBe(true);
      if (!sut.ok) return;
      expect(sut.replaced).toBe(false);
      expect(dayInfo(sut.calendar, '2027-01-01')).toMatchObject({ kind: 'holiday', provisional: false, holidayName: '元旦' });
      expect(dayInfo(sut.calendar, '2027-01-09').kind).toBe('makeUpWorkday');
      expect(addWorkdays(sut.calendar, '2026-12-31', 1)).toEqual({ value: '2027-01-04', provisional: false, provisionalYears: [] });
      expect(dayInfo(cal, '2027-01-01').provisional).toBe(true);
    });

    it('replaces a year only with a higher version', () => {
      const stale = mergeCalendarYear(cal, { ...CN_2026, version: 1 });
      expect(stale).toMatchObject({ ok: false, code: 'CALENDAR.STALE_VERSION' });
      const fixed = mergeCalendarYear(cal, { ...CN_2026, version: 2, makeUpWorkdays: CN_2026.makeUpWorkdays.slice(1) });
      expect(fixed.ok && fixed.replaced).toBe(true);
      if (fixed.ok) expect(dayInfo(fixed.calendar, '2026-01-04').kind).toBe('weekend');
    });

    it.each([
      ['a weekday make-up day', { makeUpWorkdays: ['2027-01-08'] }, 'makeUpWorkdays.0'],
      ['a make-up day that is also a holiday', { makeUpWorkdays: ['2027-01-02'] }, 'makeUpWorkdays.0'],
      ['overlapping holidays', { holidays: [{ name: 'a', from: '2027-01-01', to: '2027-01-03' }, { name: 'b', from: '2027-01-03', to: '2027-01-03' }] }, 'holidays.1'],
      ['a holiday in another year', { holidays: [{ name: 'x', from: '2028-05-01', to: '2028-05-02' }] }, 'holidays.0'],
      ['from after to', { holidays: [{ name: 'x', from: '2027-05-05', to: '2027-05-01' }] }, 'holidays.0'],
      ['an invalid date', { makeUpWorkdays: ['2027-02-30'] }, 'makeUpWorkdays.0'],
      ['a missing source', { source: { title: '', publishedOn: '2026-11-01' } }, 'source.title'],
    ])('rejects %s', (_label, patch, path) => {
      const sut = mergeCalendarYear(cal, { ...y2027, ...patch });
      expect(sut.ok).toBe(false);
      if (!sut.ok) {
        expect(sut.code).toBe('CALENDAR.INVALID_YEAR');
        expect(sut.issues.map((i) => i.path)).toContain(path);
      }
    });

    it('indexes holidays that spill into the previous year', () => {
      const sut = createWorkCalendar([{ ...y2027, holidays: [{ name: '元旦', from: '2026-12-31', to: '2027-01-01' }] }]);
      expect(dayInfo(sut, '2026-12-31')).toMatchObject({ kind: 'holiday', provisional: false });
    });
  });

  it('converts instants to Beijing dates and day ends', () => {
    expect(toLocalDate(new Date('2026-02-11T16:30:00Z'))).toBe('2026-02-12');
    expect(endOfLocalDay('2026-02-26').toISOString()).toBe('2026-02-26T15:59:59.999Z');
  });
});

describe('work calendar input checks', () => {
  it('rejects impossible dates instead of rolling them over', () => {
    expect(() => isWorkday(cal, '2026-02-30')).toThrow(RangeError);
    expect(() => addWorkdays(cal, '2026-13-01', 1)).toThrow(RangeError);
  });
});
