/**
 * CallbackDialer over ARI: an agent's callback (回拨) as an outbound call in its own Stasis
 * application (`<app>-callback`, its own websocket), so the inbound call path never sees it. The
 * agent's phone is rung first (it shows the citizen's number); once the agent answers, the citizen is
 * called through the trunk with the hotline's number, and the two are bridged and the bridge recorded.
 * The call ends when either side hangs up (the other leg is hung up), or when the citizen does not
 * answer (the agent's leg is hung up). Times are Asterisk's events as they arrive.
 */
import type { Client } from 'ari-client';
import type { CallbackCallResult, CallbackDialer, CallbackPlacement } from '../../app/callbacks/callbacks.ports';
import type { Logger } from '../../shared/logger';
import type { AriConnection } from './ari-connection';
import { DEFAULT_ARI_REQUEST_TIMEOUT_MS, withAriTimeout } from './ari-telephony';

export interface AriCallbackDialerOptions {
  /** The callback's Stasis application (not the inbound one). */
  readonly app: string;
  /** The PJSIP endpoint of the trunk. */
  readonly trunk: string;
  /** The number the citizen sees. */
  readonly callerId: string;
  /** Seconds each leg rings before it counts as not answered. */
  readonly ringSeconds: number;
  readonly recordingFormat: string;
  readonly requestTimeoutMs: number;
}

interface Leg {
  answeredAt: number | null;
  endedAt: number | null;
  cause: number | null;
  /** Wakes the waiting call when the leg answers or ends. */
  wake?: () => void;
}

type AriEvent = Record<string, unknown> & { channel?: { id?: string } };

export class AriCallbackDialer implements CallbackDialer {
  private readonly opts: AriCallbackDialerOptions;
  private readonly legs = new Map<string, Leg>();
  /** Channel ids of the calls being placed here. */
  private readonly placing = new Set<string>();
  private subscribed: Client | null = null;

  constructor(private readonly conn: AriConnection, opts: Partial<AriCallbackDialerOptions> & { app: string }, private readonly log: Logger) {
    this.opts = { trunk: 'trunk', callerId: '12345', ringSeconds: 30, recordingFormat: 'wav', requestTimeoutMs: DEFAULT_ARI_REQUEST_TIMEOUT_MS, ...opts };
  }

  ready(): boolean {
    return this.conn.isConnected();
  }

  async place(p: CallbackPlacement): Promise<CallbackCallResult> {
    const client = this.conn.current();
    this.subscribe(client);
    const agentId = `${p.callId}-agent`;
    const citizenId = `${p.callId}-citizen`;
    const agent = this.leg(agentId);
    const citizen = this.leg(citizenId);
    this.placing.add(p.callId);
    let bridgeId: string | null = null;
    let recording: string | null = null;
    try {
      await this.timed('channels.originate agent', client.channels.originate({
        endpoint: p.agentEndpoint, app: this.opts.app, appArgs: 'callback-agent', channelId: agentId,
        // The agent's phone shows whom it is about to call.
        callerId: `"回拨" <${p.citizenNumber}>`, timeout: this.opts.ringSeconds,
      }));
      await this.until(agent, () => agent.answeredAt !== null || agent.endedAt !== null);
      if (agent.answeredAt === null) return this.result(agent, citizen, null);
      bridgeId = p.callId;
      await this.timed('bridges.create', client.bridges.createWithId({ bridgeId, type: 'mixing' }));
      await this.timed('bridges.addChannel agent', client.bridges.addChannel({ bridgeId, channel: agentId }));
      // The agent hears ringing while the citizen's phone rings.
      await this.timed('channels.ring', client.channels.ring({ channelId: agentId })).catch(() => undefined);
      await this.timed('channels.originate citizen', client.channels.originate({
        endpoint: `PJSIP/${p.citizenNumber.replace(/[^0-9+]/g, '')}@${this.opts.trunk}`, app: this.opts.app, appArgs: 'callback-citizen',
        channelId: citizenId, callerId: this.opts.callerId, timeout: this.opts.ringSeconds,
      }));
      await this.until(citizen, () => citizen.answeredAt !== null || citizen.endedAt !== null || agent.endedAt !== null, agent);
      await this.timed('channels.ringStop', client.channels.ringStop({ channelId: agentId })).catch(() => undefined);
      if (citizen.answeredAt !== null && agent.endedAt === null) {
        await this.timed('bridges.addChannel citizen', client.bridges.addChannel({ bridgeId, channel: citizenId }));
        if (p.record) {
          const name = `callback-${p.callId}`;
          await this.timed('bridges.record', client.bridges.record({ bridgeId, name, format: this.opts.recordingFormat, ifExists: 'overwrite' }))
            .then(() => {
              recording = name;
            })
            .catch((err: unknown) => this.log.warn('callback not recorded', { callId: p.callId, err: String(err) }));
        }
        // Over when either side hangs up.
        await this.until(citizen, () => citizen.endedAt !== null || agent.endedAt !== null, agent);
      }
      return this.result(agent, citizen, recording);
    } catch (err) {
      this.log.warn('callback call failed', { callId: p.callId, err: String(err) });
      throw err;
    } finally {
      for (const id of [agentId, citizenId]) {
        if (this.legs.get(id)?.endedAt === null) await this.timed('channels.hangup', client.channels.hangup({ channelId: id })).catch(() => undefined);
      }
      // The recording is finished (and stored) once the bridge is gone.
      if (bridgeId) await this.timed('bridges.destroy', client.bridges.destroy({ bridgeId })).catch(() => undefined);
      this.legs.delete(agentId);
      this.legs.delete(citizenId);
      this.placing.delete(p.callId);
    }
  }

  async isUp(callId: string): Promise<boolean> {
    const client = this.conn.current();
    const up = await Promise.all(
      [`${callId}-agent`, `${callId}-citizen`].map((channelId) =>
        this.timed('channels.get', client.channels.get({ channelId })).then(
          () => true,
          (err: unknown) => {
            // Only "no such channel" means it is gone; any other failure is not an answer.
            if (/not found|404/i.test(String(err))) return false;
            throw err;
          },
        ),
      ),
    );
    return up.some(Boolean);
  }

  async endAll(): Promise<void> {
    if (!this.conn.isConnected()) return;
    const client = this.conn.current();
    const calls = [...this.placing];
    await Promise.all(
      calls.flatMap((callId) => [`${callId}-agent`, `${callId}-citizen`]).map((channelId) =>
        this.timed('channels.hangup', client.channels.hangup({ channelId })).catch(() => undefined),
      ),
    );
    if (calls.length > 0) this.log.info('callback calls hung up at stop', { calls: calls.length });
  }

  private result(agent: Leg, citizen: Leg, recording: string | null): CallbackCallResult {
    const ends = [agent.endedAt, citizen.endedAt].filter((t): t is number => t !== null);
    return {
      agentAnsweredAt: agent.answeredAt,
      citizenAnsweredAt: citizen.answeredAt,
      endedAt: ends.length > 0 ? Math.min(...ends) : Date.now(),
      citizenCause: citizen.answeredAt === null ? citizen.cause : null,
      recording,
    };
  }

  private leg(channelId: string): Leg {
    const l: Leg = { answeredAt: null, endedAt: null, cause: null };
    this.legs.set(channelId, l);
    return l;
  }

  /** Waits until `done()`, woken by events of `leg` (and `also`). */
  private async until(leg: Leg, done: () => boolean, also?: Leg): Promise<void> {
    while (!done()) {
      await new Promise<void>((resolve) => {
        leg.wake = resolve;
        if (also) also.wake = resolve;
      });
    }
  }

  private subscribe(client: Client): void {
    if (this.subscribed === client) return;
    this.subscribed = client;
    const on = (type: string, fn: (e: AriEvent, l: Leg) => void): void => {
      client.on(type as 'StasisStart', (event: unknown) => {
        const e = event as AriEvent;
        const l = e.channel?.id ? this.legs.get(e.channel.id) : undefined;
        if (!l) return;
        fn(e, l);
        const w = l.wake;
        l.wake = undefined;
        w?.();
      });
    };
    // An originated channel enters the application when it is answered.
    on('StasisStart', (_e, l) => {
      l.answeredAt ??= Date.now();
    });
    const ended = (e: AriEvent, l: Leg): void => {
      l.endedAt ??= Date.now();
      // Only ChannelDestroyed carries the cause (after StasisEnd for a leg that answered).
      if (typeof e['cause'] === 'number') l.cause = e['cause'];
    };
    on('ChannelDestroyed', ended);
    on('StasisEnd', ended);
  }

  private timed<T>(request: string, p: Promise<T>): Promise<T> {
    return withAriTimeout(p, request, this.opts.requestTimeoutMs);
  }
}
