/**
 * Agents' endpoint states from Asterisk: on every (re)connection the application subscribes to the
 * agents' PJSIP endpoints (EndpointStateChange events: a contact registered, expired, or stopped or
 * started answering OPTIONS) and reads their current state, since Asterisk does not replay changes
 * made while we were away.
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

  constructor(
    private readonly app: string,
    private readonly sink: EndpointStateSink,
    private readonly log: Logger,
    private readonly requestTimeoutMs = DEFAULT_ARI_REQUEST_TIMEOUT_MS,
  ) {}

  start(conn: AriEndpointConnection): void {
    conn.on('connected', ({ client }) => {
      this.sync(client, this.sink.endpoints()).catch((err: unknown) => this.log.warn('agent endpoint states not read', { err: String(err) }));
    });
    // An agent added while connected: watch its endpoint now (otherwise at the next connection).
    this.sink.onEndpointAdded((endpoint) => {
      if (!conn.isConnected()) return;
      this.sync(conn.current(), [endpoint]).catch((err: unknown) => this.log.warn('agent endpoint state not read', { endpoint, err: String(err) }));
    });
  }

  /** Feeds one endpoint snapshot (events and listings; tests too). */
  handle(endpoint: EndpointLike | undefined): void {
    if (!endpoint?.technology || !endpoint.resource) return;
    this.sink.update(`${endpoint.technology}/${endpoint.resource}`, endpointStateOf(endpoint.state));
  }

  private async sync(client: Client, endpoints: readonly string[]): Promise<void> {
    if (!this.attached.has(client)) {
      this.attached.add(client);
      client.on('EndpointStateChange' as 'StasisStart', (event: unknown) => {
        try {
          this.handle((event as { endpoint?: EndpointLike }).endpoint);
        } catch (err) {
          this.log.error('endpoint event handling failed', { err: String(err) });
        }
      });
    }
    const watched = endpoints.filter((e) => /^PJSIP\/[A-Za-z0-9_.-]+$/.test(e));
    if (watched.length === 0) return;
    const applications = client.applications as unknown as {
      subscribe(p: { applicationName: string; eventSource: string }): Promise<unknown>;
    };
    await withAriTimeout(
      applications.subscribe({ applicationName: this.app, eventSource: watched.map((e) => `endpoint:${e}`).join(',') }),
      'applications.subscribe endpoints',
      this.requestTimeoutMs,
    );
    const ariEndpoints = client.endpoints as unknown as { listByTech(p: { tech: string }): Promise<EndpointLike[]> };
    const list = await withAriTimeout(ariEndpoints.listByTech({ tech: 'PJSIP' }), 'endpoints/PJSIP', this.requestTimeoutMs);
    const wanted = new Set(watched);
    for (const e of list) if (wanted.has(`${e.technology}/${e.resource}`)) this.handle(e);
  }
}
