/**
 * ConfidentialCallerFeed over Redis pub/sub: "the confidential-caller directory changed", with no
 * caller in it (docs/adr/0027). Each other instance reads the changes from the database at once; after
 * its subscriber reconnects it reads them too (an announcement may have been missed while cut off).
 */
import type { ConfidentialCallerFeed } from '../../app/callers/callers.ports';
import type { Logger } from '../../shared/logger';
import { RedisChannel } from './redis-channel';

export const CONFIDENTIAL_CALLERS_CHANNEL = 'hotline12345:confidential-callers';

export class RedisConfidentialFeed implements ConfidentialCallerFeed {
  private readonly channel: RedisChannel;

  constructor(url: string, log: Logger) {
    this.channel = new RedisChannel(url, CONFIDENTIAL_CALLERS_CHANNEL, log);
  }

  start(): Promise<void> {
    return this.channel.start();
  }

  stop(): Promise<void> {
    return this.channel.stop();
  }

  publish(): Promise<void> {
    return this.channel.publish({ changed: true });
  }

  subscribe(onChange: () => void): () => void {
    return this.channel.subscribe(() => onChange(), onChange);
  }
}
