/**
 * DirectoryChangeFeed over Redis pub/sub: a change of an agent is published on one channel, and
 * every other instance follows it from the database (the message carries only the agent's id, never
 * a secret). After the subscriber reconnects, the instance follows the whole directory once
 * (`onResync`), so a change announced while it was cut off is not lost.
 */
import type { DirectoryChangeFeed } from '../../app/agents/agent-directory.ports';
import { asAgentId, type AgentId } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { RedisChannel } from './redis-channel';

export const DIRECTORY_CHANNEL = 'hotline12345:agent-directory';

export class RedisDirectoryFeed implements DirectoryChangeFeed {
  private readonly channel: RedisChannel;

  constructor(url: string, private readonly log: Logger) {
    this.channel = new RedisChannel(url, DIRECTORY_CHANNEL, log);
  }

  start(): Promise<void> {
    return this.channel.start();
  }

  stop(): Promise<void> {
    return this.channel.stop();
  }

  publish(agentId: AgentId): Promise<void> {
    return this.channel.publish({ agentId });
  }

  subscribe(onChange: (agentId: AgentId) => void, onResync: () => void): () => void {
    return this.channel.subscribe((m) => {
      if (typeof m['agentId'] === 'string') onChange(asAgentId(m['agentId']));
      else this.log.warn('redis directory message not understood');
    }, onResync);
  }
}
