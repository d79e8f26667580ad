/**
 * DirectoryChangeFeed over Redis pub/sub (REDIS_URL, the Redis the Socket.IO adapter uses): a change
 * of an agent is published on one channel with the publishing instance's id, and every other
 * instance follows it from the database (the message carries only the agent's id, never a secret).
 * Pub/sub keeps nothing: after the subscriber reconnects, the instance follows the whole directory
 * once (`onResync`), so a change announced while it was cut off is not lost.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { DirectoryChangeFeed } from '../../app/agents/agent-directory.ports';
import { asAgentId, type AgentId } from '../../shared/ids';
import type { Logger } from '../../shared/logger';

export const DIRECTORY_CHANNEL = 'hotline12345:agent-directory';

type Client = ReturnType<typeof createClient>;

export class RedisDirectoryFeed implements DirectoryChangeFeed {
  private readonly instanceId = randomUUID();
  private pub: Client | null = null;
  private sub: Client | null = null;
  private readonly listeners = new Set<{ onChange: (agentId: AgentId) => void; onResync: () => void }>();

  constructor(private readonly url: string, private readonly log: Logger) {}

  async start(): Promise<void> {
    const pub = createClient({ url: this.url });
    const sub = pub.duplicate();
    pub.on('error', (err: unknown) => this.log.warn('redis directory publisher error', { err: String(err) }));
    sub.on('error', (err: unknown) => this.log.warn('redis directory subscriber error', { err: String(err) }));
    let connected = false;
    sub.on('ready', () => {
      // The first connection is the start (the call path registers the directory then); a later one is a reconnection.
      if (connected) for (const l of this.listeners) l.onResync();
      connected = true;
    });
    await Promise.all([pub.connect(), sub.connect()]);
    await sub.subscribe(DIRECTORY_CHANNEL, (message) => this.receive(message));
    this.pub = pub;
    this.sub = sub;
  }

  async stop(): Promise<void> {
    const clients = [this.pub, this.sub].filter((c): c is Client => c !== null);
    this.pub = null;
    this.sub = null;
    await Promise.allSettled(clients.map((c) => c.quit()));
  }

  async publish(agentId: AgentId): Promise<void> {
    if (!this.pub) throw new Error('redis directory feed not started');
    await this.pub.publish(DIRECTORY_CHANNEL, JSON.stringify({ agentId, from: this.instanceId }));
  }

  subscribe(onChange: (agentId: AgentId) => void, onResync: () => void): () => void {
    const l = { onChange, onResync };
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private receive(message: string): void {
    let m: { agentId?: unknown; from?: unknown };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      this.log.warn('redis directory message not understood');
      return;
    }
    if (m.from === this.instanceId || typeof m.agentId !== 'string') return;
    for (const l of this.listeners) l.onChange(asAgentId(m.agentId));
  }
}
