/**
 * Every tunable of the call path in one typed object, with the defaults a deployment gets when it
 * sets nothing. The configuration layer builds it from the environment with `makeCallPathSettings`.
 */
import { asQueueId, type QueueId } from '../../shared/ids';
import { ratingScalePreset, type RatingScale } from '../rating/rating';
import type { AcdStrategy, MissedRingPolicy } from '../acd/agent.types';

export const PROMPT_NAMES = [
  'greeting',
  'queue-hold',
  'position-prefix',
  'position-suffix',
  'digit-0',
  'digit-1',
  'digit-2',
  'digit-3',
  'digit-4',
  'digit-5',
  'digit-6',
  'digit-7',
  'digit-8',
  'digit-9',
  'agent-id-suffix',
  'rating-2',
  'rating-5',
  'rating-invalid',
  'thanks',
  'overflow',
  'callback-recorded',
  'goodbye',
] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

/** Optional keypad menu after the greeting (off by default: GB/T 33358 discourages menus). */
export interface MenuSettings {
  readonly enabled: boolean;
  /** Media played as the menu prompt. */
  readonly prompt: readonly string[];
  /** Digit → queue. */
  readonly options: Readonly<Record<string, QueueId>>;
  /** Wait for a digit after the prompt; on expiry the caller goes to the line's queue. */
  readonly timeoutMs: number;
  /** Invalid digits that replay the prompt before the caller goes to the line's queue. */
  readonly maxInvalid: number;
}

/** The emergency lines an agent hands a call to at once (国办发〔2022〕12号, 国办函〔2025〕66号). */
export const EMERGENCY_LINES = ['110', '119', '120', '122'] as const;
export type EmergencyLine = (typeof EMERGENCY_LINES)[number];

export function isEmergencyLine(v: unknown): v is EmergencyLine {
  return (EMERGENCY_LINES as readonly unknown[]).includes(v);
}

/** The one-key emergency transfer: where each line is dialled (per deployment). */
export interface EmergencySettings {
  /** Line → the number dialled through the trunk (a local 110 centre may have a long number). */
  readonly numbers: Readonly<Record<EmergencyLine, string>>;
  /** The PJSIP endpoint of the trunk the transfer leaves through. */
  readonly trunk: string;
  /** How long the emergency line may ring (Asterisk's originate timeout) before the caller goes back to the agent. */
  readonly ringTimeoutMs: number;
}

/** What a called number (line) maps to: its queue and priority class (higher is served first). */
export interface LineSettings {
  readonly queueId: QueueId;
  readonly priority: number;
}

export interface CallPathSettings {
  /** Queue for lines not listed in `lines`. */
  readonly defaultQueueId: QueueId;
  readonly defaultPriority: number;
  /** Called number → queue and priority class (urgent lines get a higher class). */
  readonly lines: Readonly<Record<string, LineSettings>>;
  /** Ring limit per agent attempt, enforced by our own timer (the 10-second rule). */
  readonly ringTimeoutMs: number;
  /** Wrap-up (话后处理) after each call; 0 = until the agent says Ready. */
  readonly wrapUpMs: number;
  /** Longest wait in the queue before the overflow prompt; 0 = no limit. */
  readonly maxQueueWaitMs: number;
  /** Overflow at once when no agent is logged in to the queue (on entry, and when the last one logs out). */
  readonly overflowWhenNoAgents: boolean;
  /** Period of the waiting announcement; 0 = hold music only. */
  readonly announceIntervalMs: number;
  /** Announce the queue position (digit by digit); false = the `queue-hold` prompt. */
  readonly announcePosition: boolean;
  readonly rating: {
    readonly enabled: boolean;
    readonly scale: RatingScale;
    /** Wait for the digit after the prompt finished. */
    readonly timeoutMs: number;
    /** Invalid digits that trigger a re-prompt before the call counts as not rated. */
    readonly maxInvalid: number;
  };
  readonly callback: {
    /** Offer a callback request by keypad in the overflow prompt. */
    readonly enabled: boolean;
    readonly digit: string;
    /** Wait for the digit after the overflow prompt. */
    readonly waitMs: number;
  };
  readonly menu: MenuSettings;
  readonly emergency: EmergencySettings;
  /**
   * Three-way calls (三方通话): after the agent left the caller with the unit, the caller is asked to
   * rate the agent's service only if the caller stays to the end (the unit hangs up first); false =
   * never asked after the agent left a three-way call.
   */
  readonly rateAfterThreeWay: boolean;
  /** Record the caller–agent bridge; the recording name is stored on the call record. */
  readonly recordCalls: boolean;
  readonly mohClass: string;
  /**
   * What the caller hears while an agent's phone rings: a ringing tone (like Asterisk's queue with its
   * `r` option; the caller hears the call going through), or the hold music going on.
   */
  readonly ringingTone: 'ringback' | 'moh';
  /** Safety net when Asterisk never reports the end of a playback: the prompt counts as finished. */
  readonly playbackGuardMs: number;
  readonly missedRing: MissedRingPolicy;
  /**
   * After a ring the phone refused (busy, rejected, unreachable: not a ring that ran out) the
   * same agent is not offered the same call again for this long (other agents may be); 0 = at once.
   */
  readonly refusedRetryMs: number;
  /**
   * Consecutive rings of a call that the phones refused (busy, rejected, unreachable) after which the
   * call is treated as having no agent (the overflow path); 0 = no bound.
   */
  readonly maxRefusedRings: number;
  readonly strategy: AcdStrategy;
  /** Greeting media, in order. */
  readonly greeting: readonly string[];
  /** Media of each prompt. */
  readonly prompts: Readonly<Record<PromptName, string>>;
}

export const PROMPT_PREFIX = 'sound:hotline/';

function defaultPrompts(): Record<PromptName, string> {
  const out = {} as Record<PromptName, string>;
  for (const name of PROMPT_NAMES) out[name] = `${PROMPT_PREFIX}${name}`;
  return out;
}

/** The queue calls go to when their line names none, and new agents serve. */
export const DEFAULT_QUEUE_ID = asQueueId('general');

export const DEFAULT_CALL_PATH_SETTINGS: CallPathSettings = Object.freeze({
  defaultQueueId: DEFAULT_QUEUE_ID,
  defaultPriority: 0,
  lines: Object.freeze({}),
  ringTimeoutMs: 10_000,
  wrapUpMs: 15_000,
  maxQueueWaitMs: 300_000,
  overflowWhenNoAgents: true,
  announceIntervalMs: 30_000,
  announcePosition: true,
  rating: Object.freeze({ enabled: true, scale: ratingScalePreset(2), timeoutMs: 8_000, maxInvalid: 1 }),
  callback: Object.freeze({ enabled: true, digit: '1', waitMs: 8_000 }),
  menu: Object.freeze({
    enabled: false,
    prompt: Object.freeze([`${PROMPT_PREFIX}menu`]),
    options: Object.freeze({}),
    timeoutMs: 5_000,
    maxInvalid: 1,
  }),
  emergency: Object.freeze({
    numbers: Object.freeze({ '110': '110', '119': '119', '120': '120', '122': '122' }),
    trunk: 'trunk',
    ringTimeoutMs: 30_000,
  }),
  rateAfterThreeWay: true,
  recordCalls: false,
  mohClass: 'default',
  ringingTone: 'ringback',
  playbackGuardMs: 60_000,
  missedRing: Object.freeze({
    maxConsecutiveMisses: 1,
    countRejected: true,
    countBusy: true,
    countUnreachable: false,
    notReadyReason: 'missed',
    refusedReason: '忙/拒接',
  }),
  refusedRetryMs: 15_000,
  maxRefusedRings: 3,
  strategy: 'longest-idle',
  greeting: Object.freeze([`${PROMPT_PREFIX}greeting`]),
  prompts: Object.freeze(defaultPrompts()),
});

/** A partial override: nested groups may be given in part. */
export type CallPathSettingsInput = Partial<
  Omit<CallPathSettings, 'rating' | 'callback' | 'menu' | 'missedRing' | 'prompts' | 'emergency'>
> & {
  emergency?: Partial<EmergencySettings>;
  rating?: Partial<CallPathSettings['rating']>;
  callback?: Partial<CallPathSettings['callback']>;
  menu?: Partial<MenuSettings>;
  missedRing?: Partial<MissedRingPolicy>;
  prompts?: Partial<Record<PromptName, string>>;
};

/** Defaults overlaid with `input`; throws RangeError on an impossible value. */
export function makeCallPathSettings(input: CallPathSettingsInput = {}): CallPathSettings {
  const d = DEFAULT_CALL_PATH_SETTINGS;
  const s: CallPathSettings = {
    ...d,
    ...defined(input),
    rating: { ...d.rating, ...defined(input.rating) },
    callback: { ...d.callback, ...defined(input.callback) },
    menu: { ...d.menu, ...defined(input.menu) },
    emergency: { ...d.emergency, ...defined(input.emergency) },
    missedRing: { ...d.missedRing, ...defined(input.missedRing) },
    prompts: { ...d.prompts, ...defined(input.prompts) },
  };
  const nonNegative: Array<[string, number]> = [
    ['wrapUpMs', s.wrapUpMs],
    ['maxQueueWaitMs', s.maxQueueWaitMs],
    ['announceIntervalMs', s.announceIntervalMs],
    ['refusedRetryMs', s.refusedRetryMs],
    ['maxRefusedRings', s.maxRefusedRings],
    ['rating.maxInvalid', s.rating.maxInvalid],
    ['menu.maxInvalid', s.menu.maxInvalid],
  ];
  const positive: Array<[string, number]> = [
    ['ringTimeoutMs', s.ringTimeoutMs],
    ['rating.timeoutMs', s.rating.timeoutMs],
    ['callback.waitMs', s.callback.waitMs],
    ['menu.timeoutMs', s.menu.timeoutMs],
    ['playbackGuardMs', s.playbackGuardMs],
    ['emergency.ringTimeoutMs', s.emergency.ringTimeoutMs],
    ['missedRing.maxConsecutiveMisses', s.missedRing.maxConsecutiveMisses],
  ];
  for (const [name, v] of nonNegative) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be ≥ 0`);
  }
  for (const [name, v] of positive) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be > 0`);
  }
  for (const line of EMERGENCY_LINES) {
    if (!/^[0-9+]{3,20}$/.test(s.emergency.numbers[line] ?? '')) throw new RangeError(`emergency.numbers.${line} must be 3-20 digits`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(s.emergency.trunk)) throw new RangeError('emergency.trunk must be a PJSIP endpoint name');
  if (!/^[0-9*#]$/.test(s.callback.digit)) throw new RangeError('callback.digit must be one of 0-9 * #');
  return Object.freeze(s);
}

/** The entries that are set: an undefined value keeps the default. */
function defined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Media of a prompt. */
export function promptMedia(settings: CallPathSettings, name: PromptName): string {
  return settings.prompts[name];
}

/** Digit prompts for each decimal digit of `text` (other characters are skipped). */
export function digitMedia(settings: CallPathSettings, text: string): string[] {
  const out: string[] = [];
  for (const ch of text) {
    if (ch >= '0' && ch <= '9') out.push(settings.prompts[`digit-${ch}` as PromptName]);
  }
  return out;
}
