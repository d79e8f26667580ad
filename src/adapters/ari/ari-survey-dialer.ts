/**
 * SurveyDialer over ARI: originates the survey call through the trunk (PJSIP/<number>@<trunk>) into
 * its own Stasis application, so the inbound call path (another application, another websocket)
 * never sees a survey channel. On answer it asks "was it solved" (1/2) and the satisfaction (1–5),
 * each with a keypad timeout and one repeat after a wrong key or silence, then thanks the citizen and
 * hangs up. A key pressed during a prompt interrupts it. Keys come as RFC 2833 events
 * (ChannelDtmfReceived). 0 at either question hands the answered call to the agent queue: the
 * channel is moved into the inbound application (`handoverApp`) with the order's id, number and the
 * citizen's phone as arguments, and the call path takes it as a call of the queue (ari-inputs).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'ari-client';
import type { SurveyCallOutcome, SurveyDialer } from '../../app/work-orders/work-orders.ports';
import type { Logger } from '../../shared/logger';
import type { AriConnection } from './ari-connection';
import { DEFAULT_ARI_REQUEST_TIMEOUT_MS, withAriTimeout } from './ari-telephony';
import { surveyHandoverArgs } from './ari-inputs';

export interface AriSurveyDialerOptions {
  /** The survey's Stasis application (not the inbound one). */
  readonly app: string;
  /** The PJSIP endpoint of the trunk. */
  readonly trunk: string;
  /** The number the citizen sees. */
  readonly callerId: string;
  /** Seconds of ringing before giving up (no answer). */
  readonly ringSeconds: number;
  /** How long to wait for a key after a prompt. */
  readonly keyTimeoutMs: number;
  /** The inbound Stasis application the citizen's call moves to on 0; absent: 0 is a wrong key. */
  readonly handoverApp?: string;
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_SURVEY_DIALER_OPTIONS: Omit<AriSurveyDialerOptions, 'app'> = {
  trunk: 'trunk', callerId: '12345', ringSeconds: 30, keyTimeoutMs: 6000,
};

/** Prompts (sound:hotline/<name>, scripts/make-prompts.sh). */
const PROMPT = {
  solved: 'sound:hotline/survey-solved-0',
  satisfaction: 'sound:hotline/survey-satisfaction',
  invalid: 'sound:hotline/rating-invalid',
  thanks: 'sound:hotline/survey-thanks',
} as const;

/** The key that asks for an agent (转人工). */
const TO_AGENT = '0';
const HANDOVER = Symbol('handover');

/** Q.850 causes of a call that never answered. */
const BUSY = new Set([17]);
const NO_ANSWER = new Set([18, 19, 0, 16]);

interface Live {
  answered: boolean;
  ended: boolean;
  /** Being moved to the agent queue: its leaving the survey application is not a hang-up. */
  movedAway?: boolean;
  cause?: number;
  readonly digits: string[];
  /** Wakes the survey when a key, a finished prompt or the hang-up arrives. */
  wake?: () => void;
  readonly finished: Set<string>;
  onStart?: () => void;
  onEnd?: () => void;
}

type AriEvent = Record<string, unknown> & { channel?: { id?: string }; playback?: { id?: string; target_uri?: string } };

export class AriSurveyDialer implements SurveyDialer {
  private readonly opts: AriSurveyDialerOptions;
  private readonly live = new Map<string, Live>();
  private subscribed: Client | null = null;

  constructor(private readonly conn: AriConnection, opts: Partial<AriSurveyDialerOptions> & { app: string }, private readonly log: Logger) {
    this.opts = { ...DEFAULT_SURVEY_DIALER_OPTIONS, ...opts };
  }

  ready(): boolean {
    return this.conn.isConnected();
  }

  async call(request: { readonly orderId: string; readonly orderNumber: string; readonly phone: string }): Promise<SurveyCallOutcome> {
    const client = this.conn.current();
    this.subscribe(client);
    const callId = `survey-${randomUUID()}`;
    const live: Live = { answered: false, ended: false, digits: [], finished: new Set() };
    this.live.set(callId, live);
    try {
      const started = new Promise<boolean>((resolve) => {
        live.onStart = () => resolve(true);
        live.onEnd = () => resolve(false);
      });
      await this.timed('channels.originate', client.channels.originate({
        endpoint: `PJSIP/${request.phone.replace(/[^0-9+]/g, '')}@${this.opts.trunk}`,
        app: this.opts.app, appArgs: 'survey', channelId: callId, callerId: this.opts.callerId, timeout: this.opts.ringSeconds,
      }));
      if (!(await started)) {
        const cause = live.cause ?? -1;
        return { kind: BUSY.has(cause) ? 'busy' : NO_ANSWER.has(cause) ? 'noAnswer' : 'failed', callId };
      }
      const solved = await this.ask(client, callId, live, PROMPT.solved, /^[12]$/);
      if (solved === HANDOVER) return await this.handOver(client, callId, live, request);
      const satisfaction = solved === undefined ? undefined : await this.ask(client, callId, live, PROMPT.satisfaction, /^[1-5]$/);
      if (satisfaction === HANDOVER) return await this.handOver(client, callId, live, request);
      if (satisfaction !== undefined) await this.play(client, callId, live, PROMPT.thanks, false);
      if (!live.ended) await this.timed('channels.hangup', client.channels.hangup({ channelId: callId })).catch(() => undefined);
      return { kind: 'answered', callId, ...(solved !== undefined ? { solved } : {}), ...(satisfaction !== undefined ? { satisfaction } : {}) };
    } catch (err) {
      this.log.warn('survey call failed', { orderId: request.orderId, callId, err: String(err) });
      if (!live.ended) await client.channels.hangup({ channelId: callId }).catch(() => undefined);
      return { kind: live.answered ? 'answered' : 'failed', callId };
    } finally {
      this.live.delete(callId);
    }
  }

  /**
   * Moves the answered call into the inbound application, where the call path queues it for an agent
   * (no greeting: the citizen already heard us). The call is the call path's from here on: its
   * record, the ring rule and the agent's answer are the call path's; the survey only learns whether
   * an agent answered (SurveyHandovers). A move that fails leaves the call with the survey: no answer.
   */
  private async handOver(client: Client, callId: string, live: Live, request: { readonly orderId: string; readonly orderNumber: string; readonly phone: string }): Promise<SurveyCallOutcome> {
    const app = this.opts.handoverApp as string; // HANDOVER is only returned with a handoverApp
    try {
      live.movedAway = true;
      await this.timed('channels.move', client.channels.move({
        channelId: callId, app, appArgs: surveyHandoverArgs({ orderId: request.orderId, orderNumber: request.orderNumber, phone: request.phone }),
      }));
      this.log.info('survey call handed to the agent queue', { orderId: request.orderId, callId });
      return { kind: 'toAgent', callId };
    } catch (err) {
      this.log.warn('survey call not handed to the agent queue', { orderId: request.orderId, callId, err: String(err) });
      live.movedAway = false;
      if (!live.ended) await this.timed('channels.hangup', client.channels.hangup({ channelId: callId })).catch(() => undefined);
      return { kind: 'answered', callId };
    }
  }

  /**
   * Plays a question and waits for a key matching `valid`; one repeat after a wrong key or silence.
   * 0 asks for an agent (HANDOVER) when calls can be handed over.
   */
  private async ask(client: Client, channelId: string, live: Live, prompt: string, valid: RegExp): Promise<string | typeof HANDOVER | undefined> {
    for (let round = 0; round < 2 && !live.ended; round += 1) {
      if (round > 0) await this.play(client, channelId, live, PROMPT.invalid, true);
      live.digits.length = 0;
      await this.play(client, channelId, live, prompt, true);
      const key = live.digits.shift() ?? (await this.nextKey(live));
      if (key === TO_AGENT && this.opts.handoverApp && !live.ended) return HANDOVER;
      if (key !== undefined && valid.test(key)) return key;
    }
    return undefined;
  }

  /** Plays one prompt to its end, the hang-up, or (when `bargeIn`) the first key. */
  private async play(client: Client, channelId: string, live: Live, media: string, bargeIn: boolean): Promise<void> {
    if (live.ended) return;
    const playbackId = `${channelId}-pb-${randomUUID()}`;
    await this.timed('channels.play', client.channels.playWithId({ channelId, playbackId, media }));
    while (!live.ended && !live.finished.has(playbackId) && !(bargeIn && live.digits.length > 0)) {
      await new Promise<void>((resolve) => {
        live.wake = resolve;
      });
    }
    live.finished.delete(playbackId);
    if (!live.ended && bargeIn && live.digits.length > 0) await client.playbacks.stop({ playbackId }).catch(() => undefined);
  }

  /** The next key within keyTimeoutMs, or undefined. */
  private async nextKey(live: Live): Promise<string | undefined> {
    const until = Date.now() + this.opts.keyTimeoutMs;
    while (!live.ended && live.digits.length === 0 && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, until - Date.now());
        live.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return live.digits.shift();
  }

  private subscribe(client: Client): void {
    if (this.subscribed === client) return;
    this.subscribed = client;
    const on = (type: string, fn: (e: AriEvent) => void): void => {
      client.on(type as 'StasisStart', (event: unknown) => {
        try {
          fn(event as AriEvent);
        } catch (err) {
          this.log.warn('survey event failed', { type, err: String(err) });
        }
      });
    };
    const of = (e: AriEvent): Live | undefined => (e.channel?.id ? this.live.get(e.channel.id) : undefined);
    const wake = (l: Live): void => {
      const w = l.wake;
      l.wake = undefined;
      w?.();
    };
    on('StasisStart', (e) => {
      const l = of(e);
      if (!l) return;
      l.answered = true;
      l.onStart?.();
    });
    on('ChannelDtmfReceived', (e) => {
      const l = of(e);
      if (!l) return;
      l.digits.push(String(e['digit']));
      wake(l);
    });
    on('PlaybackFinished', (e) => {
      const id = e.playback?.id ?? '';
      const l = this.live.get(id.split('-pb-')[0] ?? '');
      if (!l) return;
      l.finished.add(id);
      wake(l);
    });
    const ended = (e: AriEvent, destroyed: boolean): void => {
      const l = of(e);
      if (!l || l.ended) return;
      if (l.movedAway && !destroyed) return;
      l.ended = true;
      if (typeof e['cause'] === 'number') l.cause = e['cause'];
      l.onEnd?.();
      wake(l);
    };
    on('ChannelDestroyed', (e) => ended(e, true));
    on('StasisEnd', (e) => ended(e, false));
  }

  private timed<T>(request: string, p: Promise<T>): Promise<T> {
    return withAriTimeout(p, request, this.opts.requestTimeoutMs ?? DEFAULT_ARI_REQUEST_TIMEOUT_MS);
  }
}
