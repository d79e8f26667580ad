import { formatWorkOrderNumber, parseWorkOrderNumber, viewCaller } from '../../../src/domain/work-order';
import { at } from './work-order.fixtures';

describe('work-order number', () => {
  it('is prefix + Beijing date + 6-digit sequence', () => {
    expect(formatWorkOrderNumber(at('2026-11-23 10:00'), 123)).toBe('WO20261123-000123');
    // 2026-11-23 23:30 UTC is already 11-24 in Beijing
    expect(formatWorkOrderNumber(new Date('2026-11-23T23:30:00Z'), 1)).toBe('WO20261124-000001');
  });

  it('sorts by date, then sequence, as plain strings', () => {
    const numbers = [
      formatWorkOrderNumber(at('2026-11-24 08:00'), 2),
      formatWorkOrderNumber(at('2026-11-23 10:00'), 999_999),
      formatWorkOrderNumber(at('2026-11-24 08:00'), 10),
    ];
    expect([...numbers].sort()).toEqual(['WO20261123-999999', 'WO20261124-000002', 'WO20261124-000010']);
  });

  it('round-trips and rejects bad input', () => {
    expect(parseWorkOrderNumber('WO20261123-000123')).toEqual({ prefix: 'WO', date: '2026-11-23', sequence: 123 });
    expect(parseWorkOrderNumber('WO2026112-000123')).toBeUndefined();
    expect(() => formatWorkOrderNumber(at('2026-11-23 10:00'), 0)).toThrow(RangeError);
    expect(() => formatWorkOrderNumber(at('2026-11-23 10:00'), 1_000_000)).toThrow(RangeError);
    expect(() => formatWorkOrderNumber(at('2026-11-23 10:00'), 1, 'wo')).toThrow(RangeError);
  });
});

describe('confidential caller view', () => {
  const caller = { name: '张小三', phone: '13800138000', address: '朝阳区某小区', confidential: true, callbackConsent: 'granted' as const };
  it('masks a confidential caller for people not handling the order', () => {
    expect(viewCaller(caller, false)).toEqual({ name: '张**', phone: '138****8000', confidential: true, callbackConsent: 'granted' });
    expect(viewCaller(caller, true)).toBe(caller);
    expect(viewCaller({ ...caller, confidential: false }, false).phone).toBe('13800138000');
  });
});
