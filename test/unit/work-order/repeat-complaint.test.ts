import { findRepeatLink, normalizePhone, repeatWindowStart, type RepeatCandidate } from '../../../src/domain/work-order';
import { at } from './work-order.fixtures';

const policy = { windowDays: 30, threshold: 5 };
const cand = (id: string, when: string, extra: Partial<RepeatCandidate> = {}): RepeatCandidate =>
  ({ id, phone: '13800138000', category: '投诉', areaCode: '110105', acceptedAt: at(when), ...extra });
const query = { id: 'new', phone: '+86 138-0013-8000', category: '投诉', areaCode: '110105', at: at('2026-03-31 10:00') };

describe('repeat complaints', () => {
  it('normalizes phone numbers', () => {
    expect(normalizePhone('+86 138-0013-8000')).toBe('13800138000');
    expect(normalizePhone('0086 13800138000')).toBe('13800138000');
    expect(normalizePhone('010-12345678')).toBe('01012345678');
  });

  it('links to the chain root and counts earlier matches inside the window', () => {
    const sut = findRepeatLink(query, [
      cand('a', '2026-03-10 09:00'),
      cand('b', '2026-03-20 09:00', { repeatOf: 'a' }),
      cand('old', '2026-02-20 09:00'), // outside 30 days
      cand('other-cat', '2026-03-25 09:00', { category: '咨询' }),
      cand('other-area', '2026-03-25 09:00', { areaCode: '110101' }),
      cand('other-phone', '2026-03-25 09:00', { phone: '13900000000' }),
    ], policy);
    expect(sut).toEqual({ rootOrderId: 'a', previousOrderId: 'b', repeatNumber: 2, escalate: false, matchedOrderIds: ['a', 'b'] });
  });

  it('escalates at the 5th linked repeat (threshold configurable)', () => {
    const five = ['03-02', '03-05', '03-10', '03-15', '03-20'].map((d, i) => cand(`c${i}`, `2026-${d} 09:00`));
    expect(findRepeatLink(query, five.slice(0, 4), policy)?.escalate).toBe(false);
    expect(findRepeatLink(query, five, policy)).toMatchObject({ repeatNumber: 5, escalate: true, rootOrderId: 'c0' });
    expect(findRepeatLink(query, five.slice(0, 3), { windowDays: 30, threshold: 3 })?.escalate).toBe(true);
  });

  it('no match → undefined; the window start is for the repository query', () => {
    expect(findRepeatLink(query, [], policy)).toBeUndefined();
    expect(findRepeatLink({ ...query, phone: '' }, [cand('a', '2026-03-10 09:00')], policy)).toBeUndefined();
    expect(repeatWindowStart(query.at, policy)).toEqual(at('2026-03-01 10:00'));
  });
});
