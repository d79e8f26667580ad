/**
 * One Redis pub/sub channel between the app instances (REDIS_URL, the Redis the Socket.IO adapter
 * uses): a message is published with the publishing instance's id, and heard by every other
 * instance. Pub/sub keeps nothing, so after the subscriber reconnects the listeners are told to
 * resync (a message sent while it was cut off is lost).
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { Logger } from '../../shared/logger';

type Client = ReturnType<typeof createClient>;

export class RedisChannel {
  private readonly instanceId = randomUUID();
  private pub: Client | null = null;
  private sub: Client | null = null;
  private readonly listeners = new Set<{ onMessage: (m: Record<string, unknown>) => void; onResync: () => void }>();

  constructor(private readonly url: string, private readonly channel: string, private readonly log: Logger) {}

  async start(): Promise<void> {
    const pub = createClient({ url: this.url });
    const sub = pub.duplicate();
    pub.on('error', (err: unknown) => this.log.warn('redis publisher error', { channel: this.channel, err: String(err) }));
    sub.on('error', (err: unknown) => this.log.warn('redis subscriber error', { channel: this.channel, err: String(err) }));
    let connected = false;
    sub.on('ready', () => {
      // The first connection is the start; a later one is a reconnection.
      if (connected) for (const l of this.listeners) l.onResync();
      connected = true;
    });
    await Promise.all([pub.connect(), sub.connect()]);
    await sub.subscribe(this.channel, (message) => this.receive(message));
    this.pub = pub;
    this.sub = sub;
  }

  async stop(): Promise<void> {
    const clients = [this.pub, this.sub].filter((c): c is Client => c !== null);
    this.pub = null;
    this.sub = null;
    await Promise.allSettled(clients.map((c) => c.quit()));
  }

  async publish(message: Record<string, unknown>): Promise<void> {
    if (!this.pub) throw new Error(`redis channel ${this.channel} not started`);
    await this.pub.publish(this.channel, JSON.stringify({ ...message, from: this.instanceId }));
  }

  /** Messages of the other instances (never this one's own), and resyncs after reconnections. */
  subscribe(onMessage: (m: Record<string, unknown>) => void, onResync: () => void): () => void {
    const l = { onMessage, onResync };
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private receive(message: string): void {
    let m: unknown;
    try {
      m = JSON.parse(message);
    } catch {
      m = null;
    }
    if (m === null || typeof m !== 'object') {
      this.log.warn('redis message not understood', { channel: this.channel });
      return;
    }
    if ((m as { from?: unknown }).from === this.instanceId) return;
    for (const l of this.listeners) l.onMessage(m as Record<string, unknown>);
  }
}
