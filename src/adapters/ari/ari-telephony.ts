/**
 * TelephonyPort over ARI (ari-client). Every object gets our id (channel, bridge, playback,
 * recording), so Asterisk can always be asked about a call. ARI answers a request on an object it
 * does not have (404, or a channel that already left Stasis) with an error text only; those become
 * `TelephonyNotFoundError`, which the call session turns into `ChannelGone` and friends.
 *
 * Every request is bounded by `requestTimeoutMs` (ari-client has no time limit of its own): one that
 * gets no answer in time rejects with `AriRequestTimeoutError` and takes the call session's usual
 * failure path (a ring that did not start, a bridge that failed, a clean-up that failed, …) instead
 * of holding the call forever. The connection's HTTP agent also drops the socket of such a request
 * (ari-connection.ts).
 */
import type { Client } from 'ari-client';
import {
  TelephonyNotFoundError,
  type BridgeInfo,
  type ChannelInfo,
  type DialOutRequest,
  type OriginateRequest,
  type TelephonyPort,
  type TelephonyResource,
} from '../../app/calls/calls.ports';
import { isOurLegId, parseBridgeId, parseMonitorId } from '../../domain/call/call.ids';
import { withTimeout } from '../../shared/timeout';

/** The current ARI client (it changes when the connection is rebuilt). */
export interface AriClientSource {
  current(): Client;
}

export interface AriTelephonyOptions {
  /** Our Stasis application: agent legs are originated into it. */
  readonly app: string;
  /** Format of bridge recordings. */
  readonly recordingFormat?: string;
  /**
   * Added to the ring limit (rounded up to whole seconds: ARI takes seconds) for Asterisk's own
   * originate timeout. Default 0: Asterisk ends the ring at the limit by itself, so a phone stops
   * ringing on time even when our timer runs late (a busy event loop) or the ARI link is down; our
   * timer, counting from the ring request, still ends the ring for limits that are not whole seconds.
   */
  readonly originateGraceSec?: number;
  /** Longest wait for any one ARI request (default 5 s). */
  readonly requestTimeoutMs?: number;
}

const NOT_FOUND = /not found|not in stasis|no such/i;

export const DEFAULT_ARI_REQUEST_TIMEOUT_MS = 5000;

/** Longest wait for a new snoop channel to enter the application before it is bridged. */
const SNOOP_STASIS_WAIT_MS = 2000;

/** An ARI request that got no answer within the time limit (Asterisk may or may not have acted on it). */
export class AriRequestTimeoutError extends Error {
  constructor(
    readonly request: string,
    readonly timeoutMs: number,
  ) {
    super(`ARI request ${request} got no response within ${timeoutMs} ms`);
    this.name = 'AriRequestTimeoutError';
  }
}

/** `p`, or a rejection with AriRequestTimeoutError after `ms`. */
export function withAriTimeout<T>(p: Promise<T>, request: string, ms: number): Promise<T> {
  return withTimeout(p, ms, () => new AriRequestTimeoutError(request, ms));
}

/** Whether an ari-client error says Asterisk does not have the object. */
export function isNotFound(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  return NOT_FOUND.test(text);
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** extensions.conf's context for calls the application does not serve (maintenance message, 503). */
export const REFUSED_CALLS_CONTEXT = 'app-failed';

export class AriTelephony implements TelephonyPort {
  constructor(
    private readonly source: AriClientSource,
    private readonly opts: AriTelephonyOptions,
  ) {}

  private get ari(): Client {
    return this.source.current();
  }

  /** One ARI request, bounded by the time limit. */
  private timed<T>(request: string, op: () => Promise<T>): Promise<T> {
    return withAriTimeout(op(), request, this.opts.requestTimeoutMs ?? DEFAULT_ARI_REQUEST_TIMEOUT_MS);
  }

  private async call<T>(resource: TelephonyResource, id: string, request: string, op: () => Promise<T>): Promise<T> {
    try {
      return await this.timed(`${request} ${id}`, op);
    } catch (err) {
      if (isNotFound(err)) throw new TelephonyNotFoundError(resource, id);
      throw err;
    }
  }

  answer(channelId: string): Promise<void> {
    return this.call('channel', channelId, 'channels.answer', () => this.ari.channels.answer({ channelId }));
  }

  async play(channelId: string, playbackId: string, media: readonly string[]): Promise<void> {
    await this.call('channel', channelId, 'channels.play', () => this.ari.channels.playWithId({ channelId, playbackId, media: [...media] }));
  }

  stopPlayback(playbackId: string): Promise<void> {
    return this.call('playback', playbackId, 'playbacks.stop', () => this.ari.playbacks.stop({ playbackId }));
  }

  startMoh(channelId: string, mohClass: string): Promise<void> {
    return this.call('channel', channelId, 'channels.startMoh', () => this.ari.channels.startMoh({ channelId, mohClass }));
  }

  stopMoh(channelId: string): Promise<void> {
    return this.call('channel', channelId, 'channels.stopMoh', () => this.ari.channels.stopMoh({ channelId }));
  }

  startRingback(channelId: string): Promise<void> {
    return this.call('channel', channelId, 'channels.ring', () => this.ari.channels.ring({ channelId }));
  }

  stopRingback(channelId: string): Promise<void> {
    return this.call('channel', channelId, 'channels.ringStop', () => this.ari.channels.ringStop({ channelId }));
  }

  async originate(req: OriginateRequest): Promise<void> {
    const timeout = Math.ceil(req.timeoutMs / 1000) + (this.opts.originateGraceSec ?? 0);
    await this.call('channel', req.channelId, 'channels.originate', () =>
      this.ari.channels.originateWithId({
        channelId: req.channelId,
        endpoint: req.endpoint,
        app: this.opts.app,
        appArgs: 'agent',
        callerId: req.callerId,
        timeout,
      }),
    );
  }

  hangup(channelId: string): Promise<void> {
    return this.call('channel', channelId, 'channels.hangup', () => this.ari.channels.hangup({ channelId }));
  }

  refuse(channelId: string): Promise<void> {
    // The same place the dialplan goes to when the application is not there at all.
    return this.call('channel', channelId, 'channels.continueInDialplan', () =>
      this.ari.channels.continueInDialplan({ channelId, context: REFUSED_CALLS_CONTEXT, extension: 's', priority: 1 }),
    );
  }

  async createBridge(bridgeId: string): Promise<void> {
    await this.call('bridge', bridgeId, 'bridges.create', () => this.ari.bridges.createWithId({ bridgeId, type: 'mixing' }));
  }

  async addChannels(bridgeId: string, channelIds: readonly string[]): Promise<void> {
    try {
      await this.timed(`bridges.addChannel ${bridgeId}`, () => this.ari.bridges.addChannel({ bridgeId, channel: [...channelIds] }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Which one is gone? Ask, so the call knows whether the caller or the agent left.
      const live = new Set((await this.timed('channels.list', () => this.ari.channels.list())).map((c) => c.id));
      const gone = channelIds.find((id) => !live.has(id));
      throw gone ? new TelephonyNotFoundError('channel', gone) : new TelephonyNotFoundError('bridge', bridgeId);
    }
  }

  async removeChannel(bridgeId: string, channelId: string): Promise<void> {
    try {
      await this.timed(`bridges.removeChannel ${bridgeId}`, () => this.ari.bridges.removeChannel({ bridgeId, channel: channelId }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const live = new Set((await this.timed('channels.list', () => this.ari.channels.list())).map((c) => c.id));
      throw live.has(channelId) ? new TelephonyNotFoundError('bridge', bridgeId) : new TelephonyNotFoundError('channel', channelId);
    }
  }

  async snoop(channelId: string, snoopId: string, whisper: boolean): Promise<void> {
    await this.call('channel', channelId, 'channels.snoopChannelWithId', () =>
      this.ari.channels.snoopChannelWithId({ channelId, snoopId, app: this.opts.app, appArgs: 'monitor', spy: 'both', whisper: whisper ? 'out' : 'none' }),
    );
    // The snoop enters our application a moment after the answer: until then Asterisk refuses to
    // bridge it ("not in Stasis"), which failed the supervisor's join now and then.
    const deadline = Date.now() + SNOOP_STASIS_WAIT_MS;
    for (;;) {
      const app = await this.timed('applications.get', () => this.ari.applications.get({ applicationName: this.opts.app }));
      if (asList(app.channel_ids).includes(snoopId) || Date.now() >= deadline) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async dialOut(req: DialOutRequest): Promise<void> {
    await this.call('channel', req.channelId, 'channels.originate', () =>
      this.ari.channels.originateWithId({
        channelId: req.channelId,
        endpoint: `PJSIP/${req.number}@${req.trunk}`,
        app: this.opts.app,
        appArgs: 'outbound',
        callerId: req.callerId,
        timeout: Math.ceil(req.timeoutMs / 1000),
      }),
    );
  }

  destroyBridge(bridgeId: string): Promise<void> {
    return this.call('bridge', bridgeId, 'bridges.destroy', () => this.ari.bridges.destroy({ bridgeId }));
  }

  async recordBridge(bridgeId: string, name: string): Promise<void> {
    await this.call('bridge', bridgeId, 'bridges.record', () =>
      this.ari.bridges.record({ bridgeId, name, format: this.opts.recordingFormat ?? 'wav', ifExists: 'overwrite' }),
    );
  }

  stopRecording(name: string): Promise<void> {
    return this.call('recording', name, 'recordings.stop', () => this.ari.recordings.stop({ recordingName: name }));
  }

  /** Channels of our application: those it is subscribed to, plus our agent legs (ringing ones are not in Stasis yet). */
  async listChannels(): Promise<ChannelInfo[]> {
    const [app, channels] = await Promise.all([
      this.timed('applications.get', () => this.ari.applications.get({ applicationName: this.opts.app })),
      this.timed('channels.list', () => this.ari.channels.list()),
    ]);
    const ours = new Set(asList(app.channel_ids));
    return channels
      .filter((c) => ours.has(c.id) || isOurLegId(c.id))
      .map((c) => ({
        id: c.id,
        state: c.state,
        callerNumber: c.caller?.number ?? '',
        calledNumber: c.dialplan?.exten ?? '',
      }));
  }

  async listBridges(): Promise<BridgeInfo[]> {
    const [app, bridges] = await Promise.all([
      this.timed('applications.get', () => this.ari.applications.get({ applicationName: this.opts.app })),
      this.timed('bridges.list', () => this.ari.bridges.list()),
    ]);
    const ours = new Set(asList(app.bridge_ids));
    return bridges
      .filter((b) => ours.has(b.id) || parseBridgeId(b.id) !== null || parseMonitorId(b.id) !== null)
      .map((b) => ({ id: b.id, channelIds: asList(b.channels) }));
  }
}
