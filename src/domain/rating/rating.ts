/**
 * Keypad rating (好差评): which digit means which rating, for the prompt played after the agent
 * hangs up. One rating per call; the scale is chosen per deployment.
 */

/** One answer the caller can give by pressing a key. */
export interface RatingOption {
  /** The keypad digit: one of 0-9, * or #. */
  readonly digit: string;
  /** 1 = best; the order of the scale. */
  readonly value: number;
  /** Stable code for reports. */
  readonly code: string;
  /** The term regulators and reports use. */
  readonly label: string;
  /** Counts as satisfied in the 满意率. */
  readonly satisfied: boolean;
}

export interface RatingScale {
  /** Stable id stored with each rating (`two-level`, `five-level`, or a deployment's own). */
  readonly id: string;
  /** Prompt name played to ask for the rating (`rating-2` / `rating-5`, see call settings). */
  readonly promptName: string;
  readonly options: readonly RatingOption[];
}

/** Default: 1 satisfied, 2 dissatisfied. */
export const TWO_LEVEL_SCALE: RatingScale = Object.freeze({
  id: 'two-level',
  promptName: 'rating-2',
  options: Object.freeze([
    { digit: '1', value: 1, code: 'satisfied', label: '满意', satisfied: true },
    { digit: '2', value: 2, code: 'dissatisfied', label: '不满意', satisfied: false },
  ]),
});

/** National 好差评 five levels: 1 非常满意 … 5 非常不满意. */
export const FIVE_LEVEL_SCALE: RatingScale = Object.freeze({
  id: 'five-level',
  promptName: 'rating-5',
  options: Object.freeze([
    { digit: '1', value: 1, code: 'very-satisfied', label: '非常满意', satisfied: true },
    { digit: '2', value: 2, code: 'satisfied', label: '满意', satisfied: true },
    { digit: '3', value: 3, code: 'basically-satisfied', label: '基本满意', satisfied: true },
    { digit: '4', value: 4, code: 'dissatisfied', label: '不满意', satisfied: false },
    { digit: '5', value: 5, code: 'very-dissatisfied', label: '非常不满意', satisfied: false },
  ]),
});

export type RatingPreset = 2 | 5;

export function ratingScalePreset(levels: RatingPreset): RatingScale {
  return levels === 5 ? FIVE_LEVEL_SCALE : TWO_LEVEL_SCALE;
}

const KEY = /^[0-9*#]$/;

/** Builds a deployment's own scale; throws RangeError on a bad key, a repeated key or no options. */
export function makeRatingScale(id: string, promptName: string, options: readonly RatingOption[]): RatingScale {
  if (options.length === 0) throw new RangeError('a rating scale needs at least one option');
  const seen = new Set<string>();
  for (const o of options) {
    if (!KEY.test(o.digit)) throw new RangeError(`rating key must be one of 0-9 * #: ${JSON.stringify(o.digit)}`);
    if (seen.has(o.digit)) throw new RangeError(`rating key used twice: ${o.digit}`);
    seen.add(o.digit);
  }
  return Object.freeze({ id, promptName, options: Object.freeze(options.map((o) => Object.freeze({ ...o }))) });
}

/** The rating a digit stands for, or undefined when the digit is not on the scale. */
export function rateDigit(scale: RatingScale, digit: string): RatingOption | undefined {
  return scale.options.find((o) => o.digit === digit);
}
