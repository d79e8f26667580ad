/**
 * Call-handling KPIs, computed from per-call and per-attempt facts (the facts the call events hold:
 * enqueue → offer/ring → answer/miss/abandon → end → rating). Pure; every function returns `null`
 * as its value when its denominator is zero, never NaN or 0.
 *
 * Boundaries: "within X" means `≤ X`; "shorter than the short-abandon threshold" means `< X`.
 * See ../shared/design/contact-center-anchors.md §2 for where each definition comes from.
 */

/** One ring of one agent's phone for a call. */
export interface AttemptFact {
  /** ms from the start of ringing to answer, miss or cancel. */
  readonly ringMs: number;
  /**
   * answered: the agent picked up. missed: no answer within the ring timeout, rejected, busy or
   * unreachable. cancelled: the caller left (or was lost) while this phone rang.
   */
  readonly outcome: 'answered' | 'missed' | 'cancelled';
  /** The agent rung; rings of the same agent for the same call count once (10-second answer rate). */
  readonly agentId?: string | null;
}

/** One call as the metrics see it. */
export interface CallFact {
  /** The call entered an agent queue (calls that ended in the greeting or menu did not). */
  readonly queued: boolean;
  /**
   * answered by an agent; abandoned by the caller before an agent answered; overflow: the overflow
   * message played (no agent, or the longest wait passed), callback-requested: after it the caller
   * asked to be called back; other (system or network end).
   */
  readonly outcome: 'answered' | 'abandoned' | 'overflow' | 'callback-requested' | 'other';
  /** ms from first entering the queue to the answer (answered) or to the hang-up (abandoned); null when unknown. */
  readonly waitMs: number | null;
  /** Conversation ms (answered calls). */
  readonly talkMs: number;
  readonly holdMs?: number;
  /** After-call work (wrap-up) ms. */
  readonly wrapUpMs?: number;
  readonly attempts: readonly AttemptFact[];
  /** The caller's keypad rating, if one was given. */
  readonly rating: { readonly satisfied: boolean } | null;
}

export interface Ratio {
  readonly numerator: number;
  readonly denominator: number;
  /** numerator ÷ denominator in [0, 1]; null when the denominator is 0. */
  readonly value: number | null;
}

export interface Mean {
  readonly count: number;
  readonly totalMs: number;
  /** totalMs ÷ count; null when count is 0. */
  readonly valueMs: number | null;
}

export type ServiceLevelDenominator = 'answered' | 'queued';

export interface CallMetricsOptions {
  /** 10 s: a ringing phone must be answered within 10 seconds (hotline-rules §2). */
  readonly ringAnswerThresholdMs: number;
  /** 15 s per GB/T 33358 (15 秒接通率). */
  readonly serviceLevelThresholdMs: number;
  /** `answered` as Asterisk app_queue's SL; `queued` as Amazon Connect's "service level X". */
  readonly serviceLevelDenominator: ServiceLevelDenominator;
  /** Abandons with a wait shorter than this are short abandons (mis-dials), excluded from the abandon rate. 0 disables. */
  readonly shortAbandonMs: number;
}

export const DEFAULT_CALL_METRICS_OPTIONS: CallMetricsOptions = Object.freeze({
  ringAnswerThresholdMs: 10_000,
  serviceLevelThresholdMs: 15_000,
  serviceLevelDenominator: 'answered',
  shortAbandonMs: 5_000,
});

export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, value: denominator === 0 ? null : numerator / denominator };
}

export function mean(values: readonly number[]): Mean {
  const totalMs = values.reduce((s, v) => s + v, 0);
  return { count: values.length, totalMs, valueMs: values.length === 0 ? null : totalMs / values.length };
}

/**
 * 10-second answer rate (10 秒接通率), counted per agent × call:
 *   (agent, call) pairs in which the agent answered a ring within the threshold
 *   ÷ (agent, call) pairs in which the agent was rung, minus pairs whose every ring the caller
 *     cancelled before the threshold.
 * The rule is about each agent's phone: a call missed by A and answered by B in 3 s counts one
 * success out of two. An agent rung several times for the same call (a busy phone offered the call
 * again after the back-off) counts once, as a success if any of those rings was answered in time:
 * refusals repeated for one call must not swell the denominator. A caller hanging up after 4 s of
 * ring did not give the agent the full 10 s and is left out; one hanging up after 12 s counts as a
 * failure. Rings without an agent id (older facts) count each as its own pair.
 */
export function tenSecondAnswerRate(calls: readonly CallFact[], thresholdMs = DEFAULT_CALL_METRICS_OPTIONS.ringAnswerThresholdMs): Ratio {
  let num = 0;
  let den = 0;
  for (const c of calls) {
    const pairs = new Map<string, { counted: boolean; inTime: boolean }>();
    c.attempts.forEach((a, i) => {
      const key = a.agentId ?? `#${i}`;
      const pair = pairs.get(key) ?? { counted: false, inTime: false };
      if (!(a.outcome === 'cancelled' && a.ringMs < thresholdMs)) pair.counted = true;
      if (a.outcome === 'answered' && a.ringMs <= thresholdMs) pair.inTime = true;
      pairs.set(key, pair);
    });
    for (const p of pairs.values()) {
      if (!p.counted) continue;
      den += 1;
      if (p.inTime) num += 1;
    }
  }
  return ratio(num, den);
}

/**
 * Service level with threshold T (default 15 s):
 *  - denominator `answered` (Asterisk app_queue SL, WZ QoS, 12345 "15 秒接通率"):
 *      answered calls with waitMs ≤ T ÷ answered calls;
 *  - denominator `queued` (Amazon Connect "service level X"):
 *      (answered with waitMs ≤ T + abandoned with waitMs ≤ T) ÷ calls that entered the queue.
 *    Fast abandons count as within service level; slow abandons and overflows count against it.
 * The same calls give different numbers under the two denominators.
 */
export function serviceLevel(
  calls: readonly CallFact[],
  thresholdMs = 15_000,
  denominator: ServiceLevelDenominator = 'answered',
): Ratio {
  const within = (c: CallFact) => c.waitMs !== null && c.waitMs <= thresholdMs;
  if (denominator === 'answered') {
    const answered = calls.filter((c) => c.outcome === 'answered');
    return ratio(answered.filter(within).length, answered.length);
  }
  const queued = calls.filter((c) => c.queued);
  const removedWithin = queued.filter((c) => (c.outcome === 'answered' || c.outcome === 'abandoned') && within(c));
  return ratio(removedWithin.length, queued.length);
}

/** A queued call the caller left with waitMs < shortAbandonMs. */
export function isShortAbandon(c: CallFact, shortAbandonMs: number): boolean {
  return c.queued && c.outcome === 'abandoned' && c.waitMs !== null && c.waitMs < shortAbandonMs;
}

/**
 * Abandon rate:
 *   queued calls abandoned (not short) ÷ (queued calls − short abandons).
 * Short abandons (wait < shortAbandonMs, default 5 s) are removed from both sides: they say more
 * about mis-dials than about service. With shortAbandonMs = 0 this is AC's abandoned ÷ queued.
 */
export function abandonRate(calls: readonly CallFact[], shortAbandonMs = 5_000): Ratio {
  const queued = calls.filter((c) => c.queued);
  const short = queued.filter((c) => isShortAbandon(c, shortAbandonMs)).length;
  const abandoned = queued.filter((c) => c.outcome === 'abandoned').length - short;
  return ratio(abandoned, queued.length - short);
}

/** Average speed of answer (ASA): mean waitMs (queue entry → answer) over answered calls with a known wait. */
export function averageSpeedOfAnswer(calls: readonly CallFact[]): Mean {
  return mean(calls.filter((c) => c.outcome === 'answered' && c.waitMs !== null).map((c) => c.waitMs as number));
}

/** Average wait: mean waitMs over queued calls that were answered or abandoned (the dashboard's "average wait"). */
export function averageWait(calls: readonly CallFact[]): Mean {
  return mean(
    calls
      .filter((c) => c.queued && (c.outcome === 'answered' || c.outcome === 'abandoned') && c.waitMs !== null)
      .map((c) => c.waitMs as number),
  );
}

/** Average talk: mean talkMs over answered calls. */
export function averageTalk(calls: readonly CallFact[]): Mean {
  return mean(calls.filter((c) => c.outcome === 'answered').map((c) => c.talkMs));
}

/** Average handle time (AHT): mean (talk + hold + wrap-up) over answered calls. */
export function averageHandleTime(calls: readonly CallFact[]): Mean {
  return mean(
    calls.filter((c) => c.outcome === 'answered').map((c) => c.talkMs + (c.holdMs ?? 0) + (c.wrapUpMs ?? 0)),
  );
}

/** Satisfaction rate (满意率): ratings counted as satisfied ÷ ratings given. Calls without a rating are not counted. */
export function satisfactionRate(calls: readonly CallFact[]): Ratio {
  const rated = calls.filter((c) => c.rating !== null);
  return ratio(rated.filter((c) => c.rating?.satisfied === true).length, rated.length);
}

export interface CallMetrics {
  readonly offered: number;
  readonly queued: number;
  readonly answered: number;
  readonly abandoned: number;
  readonly shortAbandoned: number;
  /** Calls that reached the overflow message (including those that then asked for a callback). */
  readonly overflowed: number;
  /** Callers who asked for a callback at the overflow message. */
  readonly callbackRequested: number;
  readonly tenSecondAnswerRate: Ratio;
  readonly serviceLevel: Ratio & { readonly thresholdMs: number; readonly basis: ServiceLevelDenominator };
  readonly abandonRate: Ratio;
  readonly averageSpeedOfAnswer: Mean;
  readonly averageWait: Mean;
  readonly averageTalk: Mean;
  readonly averageHandleTime: Mean;
  readonly satisfactionRate: Ratio;
}

/** Every metric at once; `offered` counts all calls given. */
export function computeCallMetrics(
  calls: readonly CallFact[],
  options: Partial<CallMetricsOptions> = {},
): CallMetrics {
  const o = { ...DEFAULT_CALL_METRICS_OPTIONS, ...options };
  return {
    offered: calls.length,
    queued: calls.filter((c) => c.queued).length,
    answered: calls.filter((c) => c.outcome === 'answered').length,
    abandoned: calls.filter((c) => c.outcome === 'abandoned').length,
    shortAbandoned: calls.filter((c) => isShortAbandon(c, o.shortAbandonMs)).length,
    overflowed: calls.filter((c) => c.outcome === 'overflow' || c.outcome === 'callback-requested').length,
    callbackRequested: calls.filter((c) => c.outcome === 'callback-requested').length,
    tenSecondAnswerRate: tenSecondAnswerRate(calls, o.ringAnswerThresholdMs),
    serviceLevel: {
      ...serviceLevel(calls, o.serviceLevelThresholdMs, o.serviceLevelDenominator),
      thresholdMs: o.serviceLevelThresholdMs,
      basis: o.serviceLevelDenominator,
    },
    abandonRate: abandonRate(calls, o.shortAbandonMs),
    averageSpeedOfAnswer: averageSpeedOfAnswer(calls),
    averageWait: averageWait(calls),
    averageTalk: averageTalk(calls),
    averageHandleTime: averageHandleTime(calls),
    satisfactionRate: satisfactionRate(calls),
  };
}
