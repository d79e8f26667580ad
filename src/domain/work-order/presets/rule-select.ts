import type { Category, DeadlineStage, Urgency } from '../work-order.types';
import type { RegulationPreset, TimeLimitRule } from './preset.schema';

export interface RuleSelector {
  readonly urgency: Urgency;
  readonly category: Category;
  /** Call volume surge (DB11 48 h dispatch). */
  readonly surge?: boolean;
}

/**
 * The rule for a stage: among matching rules the most specific wins (urgency, category and
 * surge conditions each add one); ties go to the rule listed first.
 */
export function selectRule(preset: RegulationPreset, stage: DeadlineStage, sel: RuleSelector): TimeLimitRule | undefined {
  let best: TimeLimitRule | undefined;
  let bestScore = -1;
  for (const rule of preset.rules) {
    if (rule.stage !== stage) continue;
    if (rule.urgencies && !rule.urgencies.includes(sel.urgency)) continue;
    if (rule.categories && !rule.categories.includes(sel.category)) continue;
    if (rule.surge !== undefined && rule.surge !== (sel.surge ?? false)) continue;
    const score = (rule.urgencies ? 1 : 0) + (rule.categories ? 1 : 0) + (rule.surge !== undefined ? 1 : 0);
    if (score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}
