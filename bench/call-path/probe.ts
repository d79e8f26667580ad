/**
 * Reads the timeline of every call from the ARI events the application under test receives (the
 * probe listens on the application's own ari-client, so it adds no websocket and no load on
 * Asterisk). Times are Asterisk's event timestamps (ms), so they do not depend on how quickly the
 * Node process handles the event; the lag between the two is measured separately.
 *
 * Works for both applications: agent legs are `ring-<caller>-<n>` (product) or
 * `mleg-<caller>-<n>` (minimal app); callers are the other channels entering Stasis.
 */
import type { Client } from 'ari-client';

const LEG = /^(?:ring|mleg)-(.+)-(\d+)$/;

export interface LegTimeline {
  attempt: number;
  firstSeen: number;
  /** 180 from the phone: ChannelStateChange Ringing or Dial RINGING, whichever first. */
  ringing: number | null;
  /** The phone answered: the leg entered Stasis or went Up. */
  up: number | null;
  /** First sign of the end: hang-up request, StasisEnd or ChannelDestroyed. */
  hangup: number | null;
  /** Whether the phone ended it (a BYE: hang-up request that is not Asterisk's soft one). */
  hangupByPhone: boolean;
  destroyed: number | null;
  cause: number | null;
}

export interface CallTimeline {
  id: string;
  entered: number;
  greetingStart: number | null;
  greetingEnd: number | null;
  legs: Map<number, LegTimeline>;
  ratingStart: number | null;
  ended: number | null;
}

type AriEvent = Record<string, unknown>;

/** "2026-11-23T14:05:00.123+0000" → ms since epoch. */
export function ariTime(ts: unknown): number | null {
  if (typeof ts !== 'string') return null;
  const iso = ts.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export class CallProbe {
  readonly calls = new Map<string, CallTimeline>();
  /** ms between Asterisk's timestamp and the moment the event reached the Node process. */
  readonly deliveryLagMs: number[] = [];
  /** Every ARI event the app received, by type (what Asterisk had to turn into JSON and send). */
  readonly eventsByType = new Map<string, number>();
  /** Events of legs whose caller entered before the probe started (ignored). */
  strayEvents = 0;
  private readonly attached = new WeakSet<object>();

  constructor(
    private readonly prompts: { greeting: string; rating: string },
    private readonly sampleLagEvery = 1,
  ) {}

  attach(client: Client): void {
    if (this.attached.has(client)) return;
    this.attached.add(client);
    // ari-client emits each event under its type (ARI's types are capitalised; its own are not).
    const emitter = client as unknown as { emit: (name: string | symbol, ...args: unknown[]) => boolean };
    const emit = emitter.emit.bind(emitter);
    emitter.emit = (name, ...args) => {
      if (typeof name === 'string' && /^[A-Z]/.test(name)) this.eventsByType.set(name, (this.eventsByType.get(name) ?? 0) + 1);
      return emit(name, ...args);
    };
    const types = ['StasisStart', 'StasisEnd', 'ChannelStateChange', 'Dial', 'ChannelHangupRequest', 'ChannelDestroyed', 'PlaybackStarted', 'PlaybackFinished'];
    let n = 0;
    for (const type of types) {
      client.on(type as 'StasisStart', (event: unknown) => {
        const e = event as AriEvent;
        const at = ariTime(e['timestamp']);
        if (at === null) return;
        n += 1;
        if (n % this.sampleLagEvery === 0) this.deliveryLagMs.push(Date.now() - at);
        this.handle(type, e, at);
      });
    }
  }

  private handle(type: string, e: AriEvent, at: number): void {
    if (type === 'Dial') {
      const peer = e['peer'] as { id?: string } | undefined;
      if (peer?.id && e['dialstatus'] === 'RINGING') this.leg(peer.id, at, (l) => (l.ringing ??= at));
      return;
    }
    if (type === 'PlaybackStarted' || type === 'PlaybackFinished') {
      const pb = e['playback'] as { media_uri?: string; target_uri?: string } | undefined;
      const target = pb?.target_uri?.startsWith('channel:') ? pb.target_uri.slice('channel:'.length) : null;
      const call = target ? this.calls.get(target) : undefined;
      if (!call || !pb?.media_uri) return;
      const media = pb.media_uri.split(',');
      if (media.includes(this.prompts.greeting)) {
        if (type === 'PlaybackStarted') call.greetingStart ??= at;
        else call.greetingEnd ??= at;
      }
      if (type === 'PlaybackStarted' && media.includes(this.prompts.rating)) call.ratingStart ??= at;
      return;
    }
    const ch = e['channel'] as { id?: string; state?: string } | undefined;
    const id = ch?.id;
    if (!id) return;
    if (LEG.test(id)) {
      switch (type) {
        case 'StasisStart':
          return this.leg(id, at, (l) => (l.up ??= at));
        case 'ChannelStateChange':
          if (ch.state === 'Ringing') this.leg(id, at, (l) => (l.ringing ??= at));
          if (ch.state === 'Up') this.leg(id, at, (l) => (l.up ??= at));
          return;
        case 'ChannelHangupRequest':
          return this.leg(id, at, (l) => {
            if (l.hangup === null) {
              l.hangup = at;
              l.hangupByPhone = e['soft'] !== true;
            }
          });
        case 'StasisEnd':
          return this.leg(id, at, (l) => (l.hangup ??= at));
        case 'ChannelDestroyed':
          return this.leg(id, at, (l) => {
            l.hangup ??= at;
            l.destroyed ??= at;
            l.cause = typeof e['cause'] === 'number' ? e['cause'] : null;
          });
        default:
          return;
      }
    }
    if (type === 'StasisStart') {
      const args = e['args'];
      if (Array.isArray(args) && args[0] === 'agent') return;
      if (!this.calls.has(id)) {
        this.calls.set(id, { id, entered: at, greetingStart: null, greetingEnd: null, legs: new Map(), ratingStart: null, ended: null });
      }
      return;
    }
    if (type === 'StasisEnd' || type === 'ChannelDestroyed') {
      const call = this.calls.get(id);
      if (call) call.ended ??= at;
    }
  }

  private leg(id: string, at: number, update: (l: LegTimeline) => void): void {
    const m = LEG.exec(id);
    if (!m?.[1] || !m[2]) return;
    const call = this.calls.get(m[1]);
    if (!call) {
      this.strayEvents += 1;
      return;
    }
    const attempt = Number(m[2]);
    let leg = call.legs.get(attempt);
    if (!leg) {
      leg = { attempt, firstSeen: at, ringing: null, up: null, hangup: null, hangupByPhone: false, destroyed: null, cause: null };
      call.legs.set(attempt, leg);
    }
    update(leg);
  }

  reset(): void {
    this.calls.clear();
    this.deliveryLagMs.length = 0;
    this.eventsByType.clear();
    this.strayEvents = 0;
  }
}

/** The answered leg of a call (the one that went Up), if any. */
export function answeredLeg(c: CallTimeline): LegTimeline | null {
  for (const l of c.legs.values()) if (l.up !== null) return l;
  return null;
}

/** The happy path happened: entered, an agent answered and hung up, the rating prompt played, the call ended. */
export function isComplete(c: CallTimeline): boolean {
  const leg = answeredLeg(c);
  return leg !== null && leg.hangup !== null && c.ratingStart !== null && c.ended !== null && c.ratingStart >= leg.hangup;
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? null;
}
