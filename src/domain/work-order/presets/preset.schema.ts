import { z } from 'zod';
import { DEFAULT_SURVEY_POLICY, surveyPolicySchema } from '../survey';
import { DEADLINE_STAGES, LIMIT_UNITS, SATISFACTION_LEVELS, URGENCIES } from '../work-order.types';

/**
 * A regulation preset is data: every number a regulation fixes, with the article it comes from.
 * The schema validates presets shipped in code and presets an administrator edits, so the two
 * can never drift apart. Types are inferred from it.
 */

const source = z.string().trim().min(1);
const limitUnit = z.enum(LIMIT_UNITS);

export const timeLimitRuleSchema = z
  .object({
    id: z.string().trim().min(1),
    stage: z.enum(DEADLINE_STAGES),
    /** Applies to these urgency classes; absent = any. */
    urgencies: z.array(z.enum(URGENCIES)).min(1).optional(),
    /** Applies to these categories; absent = any. */
    categories: z.array(z.string().trim().min(1)).min(1).optional(),
    /** DB11 allows 48 h instead of 24 h when call volume surges; absent = either. */
    surge: z.boolean().optional(),
    limit: z.number().positive(),
    unit: limitUnit,
    /** `nextDay`: the clock starts the day after receipt (民法典 第二百零一条 convention). */
    clockStart: z.enum(['receipt', 'nextDay']),
    /** Whether the day the clock starts on counts as day 1. */
    inclusive: z.boolean(),
    source,
  })
  .refine((r) => r.unit !== 'workingDays' || Number.isInteger(r.limit), {
    message: 'working-day limits must be whole days',
    path: ['limit'],
  });

/**
 * What the extension cap counts. `applications`: every request, whatever its decision (延吉
 * 五(一)4 "每件申请延期累计不得超过3次" caps the applications); `approved`: approved extensions only
 * (青浦 第九条(三)2 "已延期过一次的工单不得再次延期": an order that was extended).
 */
export const EXTENSION_CAP_COUNTS = ['applications', 'approved'] as const;

export const extensionPolicySchema = z.object({
  /** Extensions per order, counted as `counts` says; null = no cap in the regulation. */
  maxCount: z.number().int().min(0).nullable(),
  /** Presets stored before this field existed counted approved extensions. */
  counts: z.enum(EXTENSION_CAP_COUNTS).default('approved'),
  /** Unit of every number below. */
  unit: limitUnit,
  /** Only these step sizes may be requested (青浦: 15/30/60/90 WD); null = any size. */
  allowedSteps: z.array(z.number().positive()).min(1).nullable(),
  /** Largest single step; null = no cap. */
  maxStep: z.number().positive().nullable(),
  /** Cap on the sum of approved steps; null = no cap. */
  maxTotal: z.number().positive().nullable(),
  /**
   * The request must come before the last N working days up to and including the deadline day
   * (青浦 5, 密云 2, 延吉 1). 0 = any time before the deadline.
   */
  notWithinWorkingDaysOfDeadline: z.number().int().min(0),
  source,
});

export const RETURN_FORBIDDEN_CASES = ['afterSign', 'leadDesignated', 'forcedDispatch', 'redispatched'] as const;

export const returnPolicySchema = z.object({
  /** Return requests per unit per order; null = no cap. */
  maxCount: z.number().int().min(0).nullable(),
  forbidden: z.array(z.enum(RETURN_FORBIDDEN_CASES)),
  /** 依据: reason text and at least one attachment (photo, recording, document). */
  evidenceRequired: z.boolean(),
  /** Among the evidence, at least one photo (青浦 第九条(二): 现场照片); the photo kind is judged from the file's content. */
  photoRequired: z.boolean().optional(),
  /** Limit (in the return rule's own unit) when a site check is needed (延吉: 2 WD); null = same as the rule. */
  siteCheckLimit: z.number().positive().nullable(),
  source,
});

export const firstContactPolicySchema = z.object({
  /** Completion needs a first-contact record (reached, or tried and told by SMS). */
  requiredBeforeCompletion: z.boolean(),
  /** Phone retries at least this many minutes apart (青浦: ≥ 1 h). */
  minRetryIntervalMinutes: z.number().int().min(0),
  /** When the caller is never reached, an SMS counts as the first contact. */
  smsIfNeverReached: z.boolean(),
  source,
});

const satisfactionLevels = z.array(z.enum(SATISFACTION_LEVELS)).refine((l) => new Set(l).size === l.length, 'levels must not repeat');

/** Default split of the national five levels (国办发〔2019〕51号): 非常满意/满意/基本满意 count, 不满意/非常不满意 are 差评. */
export const DEFAULT_SATISFIED_LEVELS = ['非常满意', '满意', '基本满意'] as const;
export const DEFAULT_REDO_LEVELS = ['不满意', '非常不满意'] as const;

export const callbackPolicySchema = z.preprocess(
  // Presets stored before the five-level scale said `redoOnUnsatisfied`; false meant no 重办 at all.
  (v) => {
    if (typeof v !== 'object' || v === null || !('redoOnUnsatisfied' in v)) return v;
    const { redoOnUnsatisfied, ...rest } = v as Record<string, unknown>;
    return 'redoLevels' in rest ? rest : { ...rest, redoLevels: redoOnUnsatisfied === false ? [] : [...DEFAULT_REDO_LEVELS] };
  },
  z.object({
    /** Share of orders called back, 0…1 (密云: ≥ 70 % per unit). */
    samplingRate: z.number().min(0).max(1),
    /** DB11: no callback when the caller refused it. */
    requireConsent: z.boolean(),
    /** Unreachable attempts before the order closes without a result. */
    maxAttempts: z.number().int().min(1),
    /** Levels of the five-level scale that count as satisfied in this preset's 满意率. */
    satisfiedLevels: satisfactionLevels.min(1).default([...DEFAULT_SATISFIED_LEVELS]),
    /** Levels that send the order back to the unit (重办); empty = never. */
    redoLevels: satisfactionLevels.default([...DEFAULT_REDO_LEVELS]),
    source,
  }),
);

/**
 * How the repeat threshold is read. `earlierOrders`: the new order escalates when at least
 * `threshold` earlier linked orders exist (with 5, the sixth complaint); `allComplaints`: when the
 * complaints including the new one reach `threshold` (with 5, the fifth complaint).
 */
export const REPEAT_THRESHOLD_COUNTS = ['earlierOrders', 'allComplaints'] as const;

export const repeatComplaintPolicySchema = z.object({
  windowDays: z.number().int().positive(),
  /** Escalation threshold (青浦 第十三条: 5), read as `thresholdCounts` says. */
  threshold: z.number().int().positive(),
  /** Presets stored before this field existed read it as earlier orders. */
  thresholdCounts: z.enum(REPEAT_THRESHOLD_COUNTS).default('earlierOrders'),
  source,
});

/**
 * How a yearly score aggregates monthly figures. `monthlyAverage`: the mean of the months' rates
 * (密云 2014 附件2 第三条 "1*年度平均办结率"); `pooled`: the year's numerators over its denominators.
 */
export const ANNUAL_AGGREGATIONS = ['monthlyAverage', 'pooled'] as const;

export const scoringPolicySchema = z.object({
  annualAggregation: z.enum(ANNUAL_AGGREGATIONS),
  source,
});

const offsetSchema = z.object({ value: z.number().min(0), unit: limitUnit });

export const supervisionPolicySchema = z.object({
  /** Stages that get 催办 and 督办. */
  stages: z.array(z.enum(DEADLINE_STAGES)).min(1),
  /** 催办 when this share of the allowed time has elapsed, e.g. 0.75. */
  reminderAtElapsed: z.array(z.number().gt(0).lt(1)),
  /** 督办 levels, each due this long after the deadline. */
  levels: z.array(z.object({ level: z.enum(['yellow', 'red', 'escalation']), after: offsetSchema })),
  source,
});

export const regulationPresetSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().trim().min(1),
  version: z.number().int().positive(),
  documents: z.array(z.object({ title: z.string().min(1), documentNo: z.string().optional(), date: z.string().optional() })).min(1),
  rules: z.array(timeLimitRuleSchema).min(1),
  extension: extensionPolicySchema,
  return: returnPolicySchema,
  firstContact: firstContactPolicySchema,
  callback: callbackPolicySchema,
  completionReportRequired: z.boolean(),
  repeatComplaint: repeatComplaintPolicySchema,
  supervision: supervisionPolicySchema,
  survey: surveyPolicySchema.default(DEFAULT_SURVEY_POLICY),
  scoring: scoringPolicySchema.default({ annualAggregation: 'monthlyAverage', source: '密云 2014 附件2 第三条 年度平均办结率 (default for presets stored before scoring existed)' }),
});

export type TimeLimitRule = z.infer<typeof timeLimitRuleSchema>;
export type ExtensionPolicy = z.infer<typeof extensionPolicySchema>;
export type ReturnPolicy = z.infer<typeof returnPolicySchema>;
export type ReturnForbiddenCase = (typeof RETURN_FORBIDDEN_CASES)[number];
export type FirstContactPolicy = z.infer<typeof firstContactPolicySchema>;
export type CallbackPolicy = z.infer<typeof callbackPolicySchema>;
export type RepeatComplaintPolicy = z.infer<typeof repeatComplaintPolicySchema>;
export type ScoringPolicy = z.infer<typeof scoringPolicySchema>;
export type AnnualAggregation = (typeof ANNUAL_AGGREGATIONS)[number];
export type ExtensionCapCounts = (typeof EXTENSION_CAP_COUNTS)[number];
export type SupervisionPolicy = z.infer<typeof supervisionPolicySchema>;
export type SupervisionLevel = SupervisionPolicy['levels'][number]['level'];
export type RegulationPreset = z.infer<typeof regulationPresetSchema>;

export interface PresetIssue {
  readonly path: string;
  readonly message: string;
}

export type ParsePresetResult =
  | { readonly ok: true; readonly preset: RegulationPreset }
  | { readonly ok: false; readonly code: 'PRESET.INVALID'; readonly issues: readonly PresetIssue[] };

/**
 * Validates an administrator-edited preset: shape, unique rule ids, and a handling deadline
 * (`complete` or `feedback`) reachable for every urgency, so no order is left without one.
 */
export function parseRegulationPreset(input: unknown): ParsePresetResult {
  const parsed = regulationPresetSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      code: 'PRESET.INVALID',
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    };
  }
  const preset = parsed.data;
  const issues: PresetIssue[] = [];
  const ids = new Set<string>();
  preset.rules.forEach((r, i) => {
    if (ids.has(r.id)) issues.push({ path: `rules.${i}.id`, message: `duplicate rule id ${r.id}` });
    ids.add(r.id);
  });
  for (const urgency of URGENCIES) {
    const covered = preset.rules.some(
      (r) => (r.stage === 'complete' || r.stage === 'feedback') && !r.categories && (!r.urgencies || r.urgencies.includes(urgency)),
    );
    if (!covered) issues.push({ path: 'rules', message: `no category-independent complete/feedback rule for urgency ${urgency}` });
  }
  if (preset.extension.allowedSteps && preset.extension.unit === 'workingDays' && preset.extension.allowedSteps.some((s) => !Number.isInteger(s))) {
    issues.push({ path: 'extension.allowedSteps', message: 'working-day steps must be whole days' });
  }
  return issues.length > 0 ? { ok: false, code: 'PRESET.INVALID', issues } : { ok: true, preset };
}
