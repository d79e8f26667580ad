/**
 * Automated callback survey by phone (回访): which orders are surveyed automatically, when each
 * attempt may be placed, and how keypad answers become a callback record. Pure rules; placing the
 * calls is the app's job. 密云 2014 第二十二条: "在受理事项办结7个自然日内...进行回访".
 */
import { z } from 'zod';
import { DateTime } from 'luxon';
import { HOTLINE_ZONE, localDateTime } from '../calendar/local-time';
import { SATISFACTION_LEVELS, type Resolution, type SatisfactionLevel, type WorkOrder } from './work-order.types';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 00:00–23:59');

export const surveyPolicySchema = z
  .object({
    /** Orders awaiting a callback are surveyed by an automated call. */
    enabled: z.boolean(),
    /** Only these categories; absent = every category. */
    categories: z.array(z.string().trim().min(1)).min(1).optional(),
    /** Surveyed within this many natural days of completion (办结). */
    withinDays: z.number().int().positive(),
    /** Calling hours on Beijing time: from (inclusive) to (exclusive), never across midnight. */
    hoursFrom: hhmm,
    hoursTo: hhmm,
    /** Attempts are spread over this many days from the first (the number of attempts is `callback.maxAttempts`). */
    overDays: z.number().int().positive(),
    /** At least this long between two attempts. */
    retryAfterMinutes: z.number().int().positive(),
    source: z.string().trim().min(1),
  })
  .refine((p) => p.hoursFrom < p.hoursTo, { message: 'hoursFrom must be before hoursTo', path: ['hoursTo'] });

export type SurveyPolicy = z.infer<typeof surveyPolicySchema>;

/**
 * The defaults of a survey policy; off, so an edited preset without one makes no automated calls.
 * Each built-in preset says whether its regulation calls for callbacks (and so surveys by phone).
 */
export const DEFAULT_SURVEY_POLICY: SurveyPolicy = {
  enabled: false, withinDays: 7, hoursFrom: '09:00', hoursTo: '20:00', overDays: 3, retryAfterMinutes: 120,
  source: '密云 2014 第二十二条 办结7个自然日内回访; hours, spread and spacing are product defaults',
};

/**
 * `automatic`: a survey call; `agent`: an agent calls (confidential order, caller refuses automated
 * calls, no phone, or the citizen pressed 0 and an agent took the survey call over); `none`: no survey.
 */
export type SurveyChannel = 'automatic' | 'agent' | 'none';

export function surveyChannel(o: WorkOrder, p: SurveyPolicy): SurveyChannel {
  if (o.status !== 'PENDING_CALLBACK' || o.caller.callbackConsent === 'declined') return 'none';
  if (!p.enabled || (p.categories && !p.categories.includes(o.category))) return 'agent';
  if (o.caller.confidential || o.caller.noAutomatedCalls === true || !o.caller.phone) return 'agent';
  const since = o.feedbackAt?.getTime() ?? 0;
  if (o.callbacks.some((c) => c.result === 'toAgent' && c.at.getTime() >= since)) return 'agent';
  return 'automatic';
}

const minutesOf = (hm: string): number => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

/** The first instant at or after `at` inside the calling hours. */
export function nextCallingSlot(at: Date, p: Pick<SurveyPolicy, 'hoursFrom' | 'hoursTo'>): Date {
  const local = localDateTime(at);
  const m = local.hour * 60 + local.minute;
  const from = minutesOf(p.hoursFrom);
  if (m >= from && m < minutesOf(p.hoursTo)) return at;
  const day = m < from ? local.startOf('day') : local.startOf('day').plus({ days: 1 });
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(from / 60), minute: from % 60 }, { zone: HOTLINE_ZONE }).toJSDate();
}

export type SurveyPlan = { readonly kind: 'call'; readonly at: Date } | { readonly kind: 'unreachable' };

const DAY_MS = 86_400_000;

/**
 * When to place the next attempt, given the attempts already made (`attempts`, oldest first). Attempt
 * k (0-based) waits for `retryAfterMinutes` after the previous one and for k/N of `overDays` after the
 * first, then for the calling hours. The first attempt must fall in the survey window (`withinDays`
 * from completion), later ones within `overDays` of the first; past the last attempt, or past that
 * limit, the citizen is unreachable.
 */
export function planSurveyAttempt(o: WorkOrder, p: SurveyPolicy, maxAttempts: number, attempts: readonly Date[], now: Date): SurveyPlan {
  if (attempts.length >= maxAttempts) return { kind: 'unreachable' };
  const first = attempts[0];
  const last = attempts[attempts.length - 1];
  let earliest = now.getTime();
  if (first && last) {
    earliest = Math.max(earliest, last.getTime() + p.retryAfterMinutes * 60_000, first.getTime() + (attempts.length * p.overDays * DAY_MS) / maxAttempts);
  }
  const slot = nextCallingSlot(new Date(earliest), p);
  const limit = first ? first.getTime() + p.overDays * DAY_MS : (o.completedAt ?? now).getTime() + p.withinDays * DAY_MS;
  if (slot.getTime() > limit) return { kind: 'unreachable' };
  return { kind: 'call', at: slot };
}

/** Keypad answers: "was it solved" 1 yes / 2 no; satisfaction 1 非常满意 … 5 非常不满意. */
export function surveyAnswers(solved: string, satisfaction: string): { readonly resolution: Resolution; readonly level: SatisfactionLevel } | undefined {
  const resolution: Resolution | undefined = solved === '1' ? 'resolved' : solved === '2' ? 'unresolved' : undefined;
  const level = /^[1-5]$/.test(satisfaction) ? SATISFACTION_LEVELS[Number(satisfaction) - 1] : undefined;
  return resolution && level ? { resolution, level } : undefined;
}
