import { FIVE_LEVEL_SCALE, makeRatingScale, rateDigit, ratingScalePreset, TWO_LEVEL_SCALE } from '../../../src/domain/rating/rating';

describe('rating', () => {
  it('default two-level: 1 satisfied, 2 dissatisfied, other keys are not ratings', () => {
    const sut = ratingScalePreset(2);
    expect(sut).toBe(TWO_LEVEL_SCALE);
    expect(rateDigit(sut, '1')).toMatchObject({ value: 1, code: 'satisfied', label: '满意', satisfied: true });
    expect(rateDigit(sut, '2')).toMatchObject({ value: 2, code: 'dissatisfied', label: '不满意', satisfied: false });
    expect(rateDigit(sut, '3')).toBeUndefined();
    expect(rateDigit(sut, '#')).toBeUndefined();
  });

  it('five-level national preset: 1 非常满意 … 5 非常不满意; 1-3 count as satisfied', () => {
    const sut = ratingScalePreset(5);
    expect(sut).toBe(FIVE_LEVEL_SCALE);
    expect(sut.promptName).toBe('rating-5');
    expect(sut.options.map((o) => [o.digit, o.label, o.satisfied])).toEqual([
      ['1', '非常满意', true],
      ['2', '满意', true],
      ['3', '基本满意', true],
      ['4', '不满意', false],
      ['5', '非常不满意', false],
    ]);
    expect(rateDigit(sut, '6')).toBeUndefined();
  });

  it('a deployment scale: 9 = satisfied, 0 = not; bad keys refused', () => {
    const sut = makeRatingScale('custom', 'rating-2', [
      { digit: '9', value: 1, code: 'good', label: '满意', satisfied: true },
      { digit: '0', value: 2, code: 'bad', label: '不满意', satisfied: false },
    ]);
    expect(rateDigit(sut, '9')?.code).toBe('good');
    expect(() => makeRatingScale('x', 'p', [])).toThrow(RangeError);
    expect(() => makeRatingScale('x', 'p', [{ digit: '10', value: 1, code: 'a', label: 'a', satisfied: true }])).toThrow(/0-9/);
    const twice = { digit: '1', value: 1, code: 'a', label: 'a', satisfied: true };
    expect(() => makeRatingScale('x', 'p', [twice, twice])).toThrow(/twice/);
  });
});
