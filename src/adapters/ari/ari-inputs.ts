/**
 * ARI events → call-path inputs. A caller's channel entering Stasis starts a call; events on it,
 * on its agent legs (ring-<callId>-<n>) and on its playbacks (pb-<callId>-<n>) become inputs of
 * that call. On every (re)connection the call path is reconciled with Asterisk, because Asterisk
 * does not replay the events sent while the websocket was down.
 */
import { BackgroundTasks, type Background } from '../../shared/background';
import type { Client } from 'ari-client';
import type { Logger } from '../../shared/logger';
import type { CallId } from '../../shared/ids';
import type { IncomingCall } from '../../app/calls/call.service';
import { callIdForChannel, isAgentLegId, isTransferLegId, parseMonitorId, parsePlaybackId, parseRingChannelId, parseTransferChannelId } from '../../domain/call/call.ids';
import type { AgentLegEnd, CallerLoss, CallInput } from '../../domain/call/call.inputs';
import type { SurveyOrderRef } from '../../domain/call/call.events';

/** Q.850 hang-up cause of an agent leg that never answered → what the agent did. */
export function legFailureFromCause(cause: number): AgentLegEnd {
  switch (cause) {
    case 17: // user busy (486, 600)
      return 'busy';
    case 19: // no answer: the phone's own (480), or Asterisk's dial timeout (the call machine tells them apart)
      return 'no-answer';
    case 21: // call rejected (603, 403)
      return 'rejected';
    default:
      return 'unreachable';
  }
}

/** ARI Dial status of an agent leg → the failure it means; null when it is not a failure. */
export function legFailureFromDialStatus(status: string): AgentLegEnd | null {
  switch (status) {
    case 'BUSY':
      return 'busy';
    case 'NOANSWER':
      return 'no-answer';
    case 'CONGESTION':
    case 'CHANUNAVAIL':
      return 'unreachable';
    default:
      return null;
  }
}

/** What the adapter needs from the call path (CallService implements it). */
export interface CallPathEntry {
  /** A caller's channel entered the application (the call path starts or refuses the call). */
  admit(call: IncomingCall): unknown;
  deliver(callId: CallId, input: CallInput): boolean;
}

export interface Reconciler {
  /** `lostContactAt`: when the connection to Asterisk dropped before this reconnection. */
  reconcile(opts?: { lostContactAt?: number }): Promise<unknown>;
}

/** The connection's events (AriConnection provides them). */
export interface AriConnectionEvents {
  on(event: 'connected', listener: (e: { client: Client; reconnect: boolean }) => void): unknown;
  on(event: 'disconnected', listener: (e: { reason: string }) => void): unknown;
}

interface ChannelLike {
  id: string;
  state?: string;
  caller?: { number?: string };
  dialplan?: { exten?: string };
}

export type AriEvent = Record<string, unknown> & { type?: string };

/** Asterisk's time of an event (epoch ms), if it gave a readable one. */
function eventTime(e: AriEvent): number | undefined {
  const t = typeof e['timestamp'] === 'string' ? Date.parse(e['timestamp']) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/**
 * A soft hang-up request's `cause` is Asterisk's soft-hang-up flag, not a Q.850 cause. PJSIP ends a
 * leg that sent no RTP for its `rtp_timeout` with AST_SOFTHANGUP_DEV (1); our own hang-ups (ARI),
 * the CLI and a shutdown use other flags.
 */
const SOFTHANGUP_DEV = 1;
/** Q.850 18 / 102 on a hang-up: no response / recovery on timer expiry (a SIP session timer ran out). */
const CAUSES_SESSION_EXPIRED: ReadonlySet<number> = new Set([18, 102]);

/**
 * A hang-up request on a caller's channel that means its leg was lost (no BYE): why, and its last
 * sign of life. After an RTP timeout that is the timeout before Asterisk's time of the hang-up.
 */
export function callerLoss(e: AriEvent, trunkRtpTimeoutMs: number, now: () => number): CallerLoss | null {
  const cause = typeof e['cause'] === 'number' ? e['cause'] : 0;
  const at = eventTime(e) ?? now();
  if (e['soft'] === true) return cause === SOFTHANGUP_DEV && trunkRtpTimeoutMs > 0 ? { why: 'media-timeout', at: at - trunkRtpTimeoutMs } : null;
  if (CAUSES_SESSION_EXPIRED.has(cause)) return { why: 'session-expired', at };
  return null;
}

/** First Stasis argument of a survey call moved into the inbound application (ari-survey-dialer). */
export const SURVEY_HANDOVER_ARG = 'survey-handover';

/** The Stasis arguments the survey moves a call with: marker, order id, order number, citizen's phone. */
export function surveyHandoverArgs(h: { orderId: string; orderNumber: string; phone: string }): string {
  return [SURVEY_HANDOVER_ARG, h.orderId, h.orderNumber, h.phone].map((a) => a.replace(/,/g, '')).join(',');
}

export function surveyHandoverFromArgs(args: readonly string[]): { surveyOrder: SurveyOrderRef; phone: string } | null {
  const [marker, orderId, orderNumber, phone] = args;
  if (marker !== SURVEY_HANDOVER_ARG || !orderId || !orderNumber) return null;
  return { surveyOrder: { orderId, orderNumber }, phone: phone ?? '' };
}

/** The ARI events the call path reads (everything else is filtered or ignored). */
export const ARI_CALL_EVENTS = [
  'StasisStart',
  'StasisEnd',
  'ChannelHangupRequest',
  'ChannelDestroyed',
  'ChannelStateChange',
  'Dial',
  'PlaybackFinished',
  'ChannelDtmfReceived',
] as const;

/** Ended agent legs remembered against repeated reports (a few minutes of ring attempts at full load). */
const GONE_LEGS_KEPT = 5000;

export class AriCallEvents {
  private readonly attached = new WeakSet<object>();
  /** Agent legs seen ringing / answered / already reported ended / failure cause from a Dial event. */
  private readonly ringing = new Set<string>();
  private readonly answered = new Set<string>();
  private readonly ended = new Set<string>();
  /**
   * Legs whose end was reported, kept after ChannelDestroyed: Asterisk sends an agent leg's events
   * twice (the leg is ours by originate and the app watches the agent's endpoint), and the second
   * ChannelDestroyed must not end the attempt again. Bounded: the oldest are forgotten.
   */
  private readonly gone: string[] = [];
  private readonly dialFailure = new Map<string, AgentLegEnd>();

  private readonly background: Background;

  /**
   * @param opts.trunkRtpTimeoutMs the trunk's RTP timeout in Asterisk: a caller leg it ends for lack
   *   of audio (cause 44) fell silent this long before the end.
   */
  constructor(
    private readonly calls: CallPathEntry,
    private readonly recovery: Reconciler,
    private readonly log: Logger,
    background?: Background,
    private readonly opts: { trunkRtpTimeoutMs?: number; now?: () => number } = {},
  ) {
    this.background = background ?? new BackgroundTasks(log);
  }

  /** Listens on every client the connection hands out and reconciles after each (re)connection. */
  start(conn: AriConnectionEvents): void {
    // The last sign of life of Asterisk's channels while the connection is down: the drop (with
    // Asterisk killed, the websocket closes at once). Kept until the next connection.
    let lostContactAt: number | undefined;
    conn.on('disconnected', () => {
      lostContactAt ??= (this.opts.now ?? Date.now)();
    });
    conn.on('connected', ({ client, reconnect }) => {
      this.attach(client);
      this.log.info('reconciling calls with asterisk', { reconnect });
      const opts = reconnect && lostContactAt !== undefined ? { lostContactAt } : {};
      lostContactAt = undefined;
      this.background.run('ari.reconcile', () => this.recovery.reconcile(opts), { reconnect });
    });
  }

  attach(client: Client): void {
    if (this.attached.has(client)) return;
    this.attached.add(client);
    for (const type of ARI_CALL_EVENTS) {
      // Handled at once, in arrival order; a failure is logged and counted, never thrown into ari-client.
      client.on(type as 'StasisStart', this.background.handler('ari.event', (event: unknown) => this.handle({ ...(event as AriEvent), type }), { event: type }));
    }
  }

  /** Feeds one ARI event (the listeners call this; tests too). */
  handle(event: AriEvent): void {
    switch (event.type) {
      case 'StasisStart':
        return this.stasisStart(event);
      case 'StasisEnd':
      case 'ChannelHangupRequest':
        return this.channelLeaving(event, event.type);
      case 'ChannelDestroyed':
        return this.channelDestroyed(event);
      case 'ChannelStateChange':
        return this.stateChange(event);
      case 'Dial':
        return this.dial(event);
      case 'PlaybackFinished':
        return this.playbackFinished(event);
      case 'ChannelDtmfReceived':
        return this.dtmf(event);
      default:
        return;
    }
  }

  private stasisStart(e: AriEvent): void {
    const ch = e['channel'] as ChannelLike | undefined;
    if (!ch) return;
    if (isAgentLegId(ch.id)) return this.legAnswered(ch.id);
    if (isTransferLegId(ch.id)) return this.outboundAnswered(ch.id);
    const monitor = parseMonitorId(ch.id);
    if (monitor) {
      // A supervisor's phone answered; a snoop channel entering is ours and needs nothing.
      if (monitor.kind === 'phone') this.calls.deliver(monitor.callId, { type: 'MonitorLegAnswered', n: monitor.n });
      return;
    }
    const args = e['args'];
    const list = Array.isArray(args) ? args.map(String) : typeof args === 'string' ? [args] : [];
    const firstArg = list[0];
    const handover = surveyHandoverFromArgs(list);
    if (handover) {
      // The survey moved its answered call here (the citizen pressed 0): a call of the agent queue.
      this.calls.admit({ channelId: ch.id, callerNumber: handover.phone, calledNumber: '', surveyOrder: handover.surveyOrder });
      return;
    }
    this.calls.admit({
      channelId: ch.id,
      callerNumber: ch.caller?.number ?? '',
      calledNumber: firstArg && firstArg !== 's' ? firstArg : (ch.dialplan?.exten ?? ''),
    });
  }

  /** StasisEnd or a hang-up request: the caller left, or an answered agent hung up. */
  private channelLeaving(e: AriEvent, type: string): void {
    const ch = e['channel'] as ChannelLike | undefined;
    if (!ch) return;
    if (isAgentLegId(ch.id)) {
      // An unanswered leg waits for ChannelDestroyed, which carries the final cause.
      if (this.answered.has(ch.id)) this.legEnded(ch.id, 16);
      return;
    }
    if (isTransferLegId(ch.id)) {
      if (this.answered.has(ch.id)) this.outboundEnded(ch.id, 16);
      return;
    }
    const monitor = parseMonitorId(ch.id);
    if (monitor) {
      if (monitor.kind === 'phone') this.calls.deliver(monitor.callId, { type: 'MonitorLegEnded', n: monitor.n });
      return;
    }
    if (type === 'ChannelHangupRequest') {
      const lost = callerLoss(e, this.opts.trunkRtpTimeoutMs ?? 0, this.opts.now ?? Date.now);
      if (lost) return this.toCaller(ch.id, { type: 'ChannelGone', lost }, type);
    }
    // A soft hang-up request is Asterisk's own (shutdown, CLI), not the caller's BYE.
    const byAsterisk = type === 'ChannelHangupRequest' && e['soft'] === true;
    this.toCaller(ch.id, { type: byAsterisk ? 'ChannelGone' : 'CallerHungUp' }, type);
  }

  private channelDestroyed(e: AriEvent): void {
    const ch = e['channel'] as ChannelLike | undefined;
    if (!ch) return;
    if (isAgentLegId(ch.id)) {
      this.legEnded(ch.id, typeof e['cause'] === 'number' ? e['cause'] : 0, eventTime(e));
      this.ringing.delete(ch.id);
      this.answered.delete(ch.id);
      this.dialFailure.delete(ch.id);
      this.gone.push(ch.id);
      if (this.gone.length > GONE_LEGS_KEPT) this.ended.delete(this.gone.shift() ?? '');
      return;
    }
    const monitor = parseMonitorId(ch.id);
    if (monitor) {
      // The machine ignores a second end of the same leg.
      if (monitor.kind === 'phone') this.calls.deliver(monitor.callId, { type: 'MonitorLegEnded', n: monitor.n });
      return;
    }
    if (isTransferLegId(ch.id)) {
      this.outboundEnded(ch.id, typeof e['cause'] === 'number' ? e['cause'] : 0);
      this.answered.delete(ch.id);
      this.dialFailure.delete(ch.id);
      // Remembered as ended like agent legs: a repeated report must not end the leg again.
      this.gone.push(ch.id);
      if (this.gone.length > GONE_LEGS_KEPT) this.ended.delete(this.gone.shift() ?? '');
      return;
    }
    this.toCaller(ch.id, { type: 'CallerHungUp' }, 'ChannelDestroyed');
  }

  private stateChange(e: AriEvent): void {
    const ch = e['channel'] as ChannelLike | undefined;
    if (!ch || !isAgentLegId(ch.id)) return;
    if (ch.state === 'Up') this.legAnswered(ch.id);
    else if (ch.state === 'Ringing') this.legRinging(ch.id, eventTime(e));
  }

  private dial(e: AriEvent): void {
    const peer = e['peer'] as ChannelLike | undefined;
    const status = typeof e['dialstatus'] === 'string' ? e['dialstatus'] : '';
    if (peer && isTransferLegId(peer.id)) {
      const failure = legFailureFromDialStatus(status);
      if (failure) this.dialFailure.set(peer.id, failure);
      return;
    }
    if (!peer || !isAgentLegId(peer.id)) return;
    if (status === 'ANSWER') return this.legAnswered(peer.id);
    if (status === 'RINGING') return this.legRinging(peer.id, eventTime(e));
    const failure = legFailureFromDialStatus(status);
    if (failure) this.dialFailure.set(peer.id, failure);
  }

  private playbackFinished(e: AriEvent): void {
    const playback = e['playback'] as { id?: string } | undefined;
    const parsed = playback?.id ? parsePlaybackId(playback.id) : null;
    if (!parsed || !playback?.id) return;
    this.calls.deliver(parsed.callId, { type: 'PlaybackFinished', playbackId: playback.id });
  }

  private dtmf(e: AriEvent): void {
    const ch = e['channel'] as ChannelLike | undefined;
    const digit = e['digit'];
    if (!ch || typeof digit !== 'string' || isAgentLegId(ch.id) || isTransferLegId(ch.id) || parseMonitorId(ch.id)) return;
    this.toCaller(ch.id, { type: 'Dtmf', digit }, 'ChannelDtmfReceived');
  }

  /** The phone rings: reported once per leg (Asterisk tells it both as a state change and a Dial event). */
  private legRinging(channelId: string, at?: number): void {
    if (this.ringing.has(channelId) || this.answered.has(channelId) || this.ended.has(channelId)) return;
    const leg = parseRingChannelId(channelId);
    if (!leg) return;
    this.ringing.add(channelId);
    this.calls.deliver(leg.callId, at === undefined ? { type: 'AgentRinging', attempt: leg.attempt } : { type: 'AgentRinging', attempt: leg.attempt, at });
  }

  private legAnswered(channelId: string): void {
    if (this.answered.has(channelId) || this.ended.has(channelId)) return;
    const leg = parseRingChannelId(channelId);
    if (!leg) return;
    this.answered.add(channelId);
    this.calls.deliver(leg.callId, { type: 'AgentAnswered', attempt: leg.attempt });
  }

  private legEnded(channelId: string, cause: number, at?: number): void {
    if (this.ended.has(channelId)) return;
    const leg = parseRingChannelId(channelId);
    if (!leg) return;
    this.ended.add(channelId);
    const failed: CallInput = { type: 'AgentLegFailed', attempt: leg.attempt, cause: this.dialFailure.get(channelId) ?? legFailureFromCause(cause) };
    const input: CallInput = this.answered.has(channelId)
      ? { type: 'AgentHungUp', attempt: leg.attempt }
      : at === undefined ? failed : { ...failed, at };
    this.calls.deliver(leg.callId, input);
  }

  /** An outbound (transfer) leg answered: it entered the application. */
  private outboundAnswered(channelId: string): void {
    if (this.answered.has(channelId) || this.ended.has(channelId)) return;
    const leg = parseTransferChannelId(channelId);
    if (!leg) return;
    this.answered.add(channelId);
    this.calls.deliver(leg.callId, { type: 'TransferLegAnswered', n: leg.n });
  }

  private outboundEnded(channelId: string, cause: number): void {
    if (this.ended.has(channelId)) return;
    const leg = parseTransferChannelId(channelId);
    if (!leg) return;
    this.ended.add(channelId);
    this.calls.deliver(
      leg.callId,
      this.answered.has(channelId)
        ? { type: 'TransferLegHungUp', n: leg.n }
        : { type: 'TransferLegFailed', n: leg.n, cause: this.dialFailure.get(channelId) ?? legFailureFromCause(cause) },
    );
  }

  private toCaller(channelId: string, input: CallInput, from: string): void {
    if (!this.calls.deliver(callIdForChannel(channelId), input)) {
      this.log.debug('ari event for no live call', { channelId, event: from });
    }
  }
}
