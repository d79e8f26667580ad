/**
 * Agents' endpoint states from Asterisk: on every (re)connection the application reads the agents'
 * PJSIP endpoint states (Asterisk does not replay changes made while we were away) and subscribes to
 * their device states, whose DeviceStateChanged events tell when a phone becomes unavailable (no
 * registered contact, or its contacts stopped answering OPTIONS) or available again. Device states,
 * not endpoints: an application subscribed to an endpoint also receives every event of that
 * endpoint's channels, so each agent leg's events would arrive twice.
 */
import type { Client } from 'ari-client';
import type { Logger } from '../../shared/logger';
import { endpointStateOf, type EndpointState } from '../../app/calls/endpoint-reachability';
import { DEFAULT_ARI_REQUEST_TIMEOUT_MS, withAriTimeout } from './ari-telephony';

/** What the adapter feeds (EndpointReachability implements it). */
export interface EndpointStateSink {
  endpoints(): string[];
  onEndpointAdded(listener: (endpoint: string) => void): unknown;
  update(endpoint: string, state: EndpointState): void;
}

interface EndpointLike {
  technology?: string;
  resource?: string;
  state?: string;
}

export interface AriEndpointConnection {
  on(event: 'connected', listener: (e: { client: Client }) => void): unknown;
  isConnected(): boolean;
  current(): Client;
}

export class AriEndpointStates {
  private readonly attached = new WeakSet<object>();
  /** Events seen per endpoint: a listing requested before an event is older than it and must not undo it. */
  private readonly eventsSeen = new Map<string, number>();

  constructor(
    private readonly app: string,
    private readonly sink: EndpointStateSink,
    private readonly log: Logger,
    private readonly requestTimeoutMs = DEFAULT_ARI_REQUEST_TIMEOUT_MS,
  ) {}

  /**
   * `beforeSync`: what must be in Asterisk before the agents' endpoints are watched (the agent
   * directory's phones, put there on each connection): a subscription naming an endpoint Asterisk
   * does not have yet would fail for all of them.
   */
  start(conn: AriEndpointConnection, beforeSync: () => Promise<unknown> = () => Promise.resolve()): void {
    conn.on('connected', ({ client }) => {
      beforeSync()
        .then(() => this.sync(client, this.sink.endpoints()))
        .catch((err: unknown) => this.log.warn('agent endpoint states not read', { err: String(err) }));
    });
    // An agent added while connected: watch its endpoint now (otherwise at the next connection).
    this.sink.onEndpointAdded((endpoint) => {
      if (!conn.isConnected()) return;
      this.sync(conn.current(), [endpoint]).catch((err: unknown) => this.log.warn('agent endpoint state not read', { endpoint, err: String(err) }));
    });
  }

  /** Feeds one state change (an endpoint as Asterisk describes it). */
  handle(endpoint: EndpointLike | undefined): void {
    const name = nameOf(endpoint);
    if (!name) return;
    this.eventsSeen.set(name, (this.eventsSeen.get(name) ?? 0) + 1);
    this.sink.update(name, endpointStateOf(endpoint?.state));
  }

  private async sync(client: Client, endpoints: readonly string[]): Promise<void> {
    if (!this.attached.has(client)) {
      this.attached.add(client);
      client.on('DeviceStateChanged' as 'StasisStart', (event: unknown) => {
        try {
          this.handle(deviceStateEndpoint((event as { device_state?: { name?: string; state?: string } }).device_state));
        } catch (err) {
          this.log.error('device state event handling failed', { err: String(err) });
        }
      });
    }
    const watched = endpoints.filter((e) => /^PJSIP\/[A-Za-z0-9_.-]+$/.test(e));
    if (watched.length === 0) return;
    const applications = client.applications as unknown as {
      subscribe(p: { applicationName: string; eventSource: string }): Promise<unknown>;
      unsubscribe(p: { applicationName: string; eventSource: string }): Promise<unknown>;
    };
    await withAriTimeout(
      applications.subscribe({ applicationName: this.app, eventSource: watched.map((e) => `deviceState:${e}`).join(',') }),
      'applications.subscribe device states',
      this.requestTimeoutMs,
    );
    // Asterisk keeps an application's subscriptions across reconnections: drop the endpoint ones an
    // earlier version made (they doubled every agent leg's events). Refused when there are none.
    await withAriTimeout(
      applications.unsubscribe({ applicationName: this.app, eventSource: watched.map((e) => `endpoint:${e}`).join(',') }),
      'applications.unsubscribe endpoints',
      this.requestTimeoutMs,
    ).catch(() => undefined);
    const ariEndpoints = client.endpoints as unknown as { listByTech(p: { tech: string }): Promise<EndpointLike[]> };
    const seenBefore = new Map(watched.map((e) => [e, this.eventsSeen.get(e) ?? 0]));
    const list = await withAriTimeout(ariEndpoints.listByTech({ tech: 'PJSIP' }), 'endpoints/PJSIP', this.requestTimeoutMs);
    for (const e of list) {
      const name = nameOf(e);
      // An event that arrived while the listing was on its way is newer than the listing.
      if (!name || !seenBefore.has(name) || (this.eventsSeen.get(name) ?? 0) !== seenBefore.get(name)) continue;
      this.sink.update(name, endpointStateOf(e.state));
    }
  }
}

function nameOf(endpoint: EndpointLike | undefined): string | null {
  return endpoint?.technology && endpoint.resource ? `${endpoint.technology}/${endpoint.resource}` : null;
}

/**
 * A device state of a PJSIP device → the endpoint state it implies: UNAVAILABLE is an endpoint with
 * no reachable contact; every other state (idle, in use, ringing…) is a reachable phone.
 */
export function deviceStateEndpoint(d: { name?: string; state?: string } | undefined): EndpointLike | undefined {
  const m = d?.name ? /^([A-Za-z]+)\/(.+)$/.exec(d.name) : null;
  if (!m || !d?.state) return undefined;
  return { technology: m[1], resource: m[2], state: d.state === 'UNAVAILABLE' ? 'offline' : 'online' };
}
