import { wakeNeedsListing } from '../../../../src/app/work-orders/lifecycle/work-order.index';

describe('wakeNeedsListing', () => {
  const now = Date.parse('2026-03-02T10:00:00+08:00');
  const later = new Date(now + 3_600_000);
  const earlier = new Date(now - 60_000);

  it('no wake time: nothing to list', () => {
    expect(wakeNeedsListing(undefined, later, now)).toBe(false);
  });

  it('a changed wake time is listed, past or future', () => {
    expect(wakeNeedsListing(later, undefined, now)).toBe(true);
    expect(wakeNeedsListing(later, earlier, now)).toBe(true);
    expect(wakeNeedsListing(earlier, later, now)).toBe(true);
  });

  it('an unchanged future wake time is already listed under its minute', () => {
    expect(wakeNeedsListing(new Date(later.getTime()), later, now)).toBe(false);
  });

  it('an unchanged wake time that has come is listed again (its minute may have been dropped)', () => {
    expect(wakeNeedsListing(new Date(earlier.getTime()), earlier, now)).toBe(true);
    expect(wakeNeedsListing(new Date(now), new Date(now), now)).toBe(true);
  });
});
