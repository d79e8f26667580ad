/**
 * The connection to Asterisk's ARI: connects (retrying with backoff until Asterisk answers),
 * registers the Stasis application, and reports connected / disconnected so the call path can
 * reconcile. Asterisk does not replay events missed while the websocket was down: on every
 * (re)connect the owner must ask Asterisk what exists (see call recovery).
 *
 * ari-client reconnects its websocket by itself (100 ms doubling, 10 tries); after
 * WebSocketMaxRetries we start over from scratch with our own capped backoff, so an Asterisk that is
 * down for minutes is picked up again when it returns.
 *
 * Nothing in ari-client times out: loading the API and registering the application are bounded here
 * by `requestTimeoutMs` (then retried), the call path's requests by AriTelephony, and the HTTP agent
 * drops a socket that stays silent that long, so a hung request does not keep one of `maxSockets`.
 */
import { BackgroundTasks, type Background, type Repeating } from '../../shared/background';
import http from 'node:http';
import https from 'node:https';
import ari from 'ari-client';
import type { Client } from 'ari-client';
import { TypedEmitter } from '../../shared/typed-emitter';
import type { Logger } from '../../shared/logger';
import { DEFAULT_ARI_REQUEST_TIMEOUT_MS, withAriTimeout } from './ari-telephony';

export interface AriConnectionOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  /** Cap on concurrent HTTP sockets (Asterisk refuses requests beyond its http.conf sessionlimit). */
  maxSockets: number;
  /** Longest wait between connection attempts. */
  maxBackoffMs?: number;
  /** Longest wait for any one ARI request, and for the application's registration (default 5 s). */
  requestTimeoutMs?: number;
  /** Where connection attempts and retries run; default one of its own on the logger. */
  background?: Background;
}

/**
 * ARI events the application never reads. Asterisk sends them for every channel in the application:
 * ChannelVarset alone is about half of all events (some 30 a call: each dial, bridge and playback
 * sets channel variables). Refused by Asterisk's event filter, they cost neither their JSON encoding
 * and websocket write, which run on the application's single event queue and so delay every other
 * event under load, nor our parsing.
 */
export const UNUSED_ARI_EVENTS: readonly string[] = ['ChannelVarset', 'ChannelDialplan', 'ChannelCallerId', 'ChannelConnectedLine', 'PlaybackContinuing'];

export type AriConnectionEvents = {
  /** First connection and every reconnection: the websocket is up and the app is registered. */
  connected: { client: Client; reconnect: boolean };
  disconnected: { reason: string };
};

/**
 * Stops a client for good. ari-client's `stop()` closes the current websocket but not a reconnect
 * its backoff has already scheduled: a client stopped while Asterisk was away connects again when
 * Asterisk returns, registers the application and takes it over from whichever connection holds it
 * now (another instance, or this process's next one). So every websocket the stopped client opens
 * later is aborted before its handshake leaves the process; the client's own retries then run out.
 */
export function retireClient(client: Client): void {
  const holder = client as unknown as { _ws?: { terminate(): void; close(): void } };
  let ws = holder._ws;
  Object.defineProperty(holder, '_ws', {
    configurable: true,
    get: () => ws,
    set: (next: { terminate(): void }) => {
      ws = next as typeof ws;
      next.terminate();
    },
  });
  try {
    client.stop();
  } catch {
    // No websocket was opened, or it is closed already: nothing is left to release.
  }
}

export class AriConnection extends TypedEmitter<AriConnectionEvents> {
  private client: Client | null = null;
  private connected = false;
  private stopped = false;
  private everConnected = false;
  private retryTimer: Repeating | null = null;
  private readonly background: Background;

  constructor(
    private readonly opts: AriConnectionOptions,
    private readonly log: Logger,
  ) {
    super((err, event) => log.error('ari connection listener failed', { event: String(event), err }));
    this.background = opts.background ?? new BackgroundTasks(log);
    // ari-client issues its REST calls through Node's global agents: bound them, keep sockets alive,
    // and drop a socket silent for longer than a request may take (its request fails, the socket is freed).
    const timeout = this.requestTimeoutMs;
    http.globalAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, timeout });
    https.globalAgent = new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets, timeout });
  }

  private get requestTimeoutMs(): number {
    return this.opts.requestTimeoutMs ?? DEFAULT_ARI_REQUEST_TIMEOUT_MS;
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** The current client; throws when ARI is not connected (callers turn that into 503 or a retry). */
  current(): Client {
    if (!this.client || !this.connected) throw new Error('ARI not connected');
    return this.client;
  }

  /** Starts connecting in the background; resolves at the first successful connection or never rejects. */
  start(): Promise<void> {
    this.stopped = false;
    return new Promise((resolve) => {
      const onFirst = () => {
        off();
        resolve();
      };
      const off = this.on('connected', onFirst);
      this.background.run('ari.connect', () => this.attempt(0));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retryTimer?.stop();
    const c = this.client;
    this.client = null;
    this.connected = false;
    if (c) retireClient(c);
  }

  /** Asks Asterisk to keep UNUSED_ARI_EVENTS to itself; without it everything still works, only slower. */
  private async filterEvents(client: Client): Promise<void> {
    const applications = client.applications as unknown as {
      filter(params: { applicationName: string; filter: { disallowed: Array<{ type: string }> } }): Promise<unknown>;
    };
    const disallowed = UNUSED_ARI_EVENTS.map((type) => ({ type }));
    try {
      await withAriTimeout(applications.filter({ applicationName: this.opts.app, filter: { disallowed } }), 'applications.filter', this.requestTimeoutMs);
    } catch (err) {
      this.log.warn('ari event filter not set, every event is sent', { app: this.opts.app, err: String(err) });
    }
  }

  private scheduleRetry(attempt: number): void {
    if (this.stopped) return;
    const delay = Math.min(this.opts.maxBackoffMs ?? 5000, 250 * 2 ** Math.min(attempt, 6));
    this.retryTimer = this.background.after('ari.connect', delay, () => this.attempt(attempt + 1), { attempt: attempt + 1 });
  }

  private async attempt(attempt: number): Promise<void> {
    if (this.stopped) return;
    let client: Client;
    try {
      // A connect that answers after its time limit leaves an unused client behind (no websocket yet).
      client = await withAriTimeout(ari.connect(this.opts.url, this.opts.username, this.opts.password), 'connect', this.requestTimeoutMs);
    } catch (err) {
      if (attempt === 0 || attempt % 10 === 0) {
        this.log.warn('ari connect failed, retrying', { url: this.opts.url, attempt, err: String(err) });
      }
      this.scheduleRetry(attempt);
      return;
    }
    if (this.stopped) return;
    this.client = client;

    client.on('WebSocketReconnecting', (err: unknown) => {
      if (this.connected) {
        this.connected = false;
        this.log.warn('ari websocket lost, reconnecting', { err: String(err ?? '') });
        this.emit('disconnected', { reason: 'websocket lost' });
      }
    });
    client.on('WebSocketConnected', () => {
      if (!this.connected && this.everConnected && this.client === client) {
        this.connected = true;
        this.log.info('ari websocket reconnected');
        // Asterisk may have been restarted: its application (and the filter) is new.
        this.background.run('ari.event-filter', () => this.filterEvents(client));
        this.emit('connected', { client, reconnect: true });
      }
    });
    // Asterisk gives an application's events to the websocket that subscribed last: another process
    // started with the same ARI_APP has taken this instance's calls (docs/several-instances.md).
    client.on('ApplicationReplaced', () => {
      this.log.error('ari application taken over by another connection: this instance no longer receives its calls', { app: this.opts.app });
    });
    client.on('WebSocketMaxRetries', () => {
      this.connected = false;
      this.log.warn('ari websocket gave up, connecting again from scratch');
      this.emit('disconnected', { reason: 'max retries' });
      this.scheduleRetry(0);
    });

    try {
      await withAriTimeout(client.start(this.opts.app), `start ${this.opts.app}`, this.requestTimeoutMs);
    } catch (err) {
      this.log.warn('ari application registration failed, retrying', { app: this.opts.app, err: String(err) });
      // A registration that might still complete must not leave a second websocket behind.
      retireClient(client);
      this.scheduleRetry(attempt);
      return;
    }
    await this.filterEvents(client);
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.connected = true;
    this.log.info('ari connected', { url: this.opts.url, app: this.opts.app, reconnect });
    this.emit('connected', { client, reconnect });
  }
}
