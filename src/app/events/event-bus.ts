/**
 * The typed in-process event stream of every call, queue and agent change. Each message gets a
 * global sequence number and the time it was published; the live API pushes them to browsers.
 * A subscriber that throws is logged and does not disturb the publisher or other subscribers.
 */
import type { AgentEvent, QueueEvent } from '../../domain/acd/acd.events';
import type { CallEvent } from '../../domain/call/call.events';
import type { Logger } from '../../shared/logger';
import type { Clock } from '../../shared/clock';
import { TypedEmitter } from '../../shared/typed-emitter';

export interface DomainEventMap {
  call: CallEvent;
  queue: QueueEvent;
  agent: AgentEvent;
}

export type Topic = keyof DomainEventMap;

export interface BusMessage<K extends Topic = Topic> {
  readonly topic: K;
  /** 1, 2, … over all topics, for this process. */
  readonly seq: number;
  readonly publishedAt: number;
  readonly event: DomainEventMap[K];
}

export type AnyBusMessage = { [K in Topic]: BusMessage<K> }[Topic];

type Channels = { [K in Topic]: BusMessage<K> } & { '*': AnyBusMessage };

export class EventBus {
  private seq = 0;
  private readonly emitter: TypedEmitter<Channels>;

  constructor(
    private readonly clock: Clock,
    logger: Logger,
  ) {
    this.emitter = new TypedEmitter<Channels>((err, topic) => logger.error('event subscriber failed', { topic: String(topic), err }));
  }

  get lastSeq(): number {
    return this.seq;
  }

  publish<K extends Topic>(topic: K, event: DomainEventMap[K]): BusMessage<K> {
    this.seq += 1;
    const message = { topic, seq: this.seq, publishedAt: this.clock(), event } as BusMessage<K>;
    this.emitter.emit(topic, message as unknown as Channels[K]);
    this.emitter.emit('*', message as unknown as AnyBusMessage);
    return message;
  }

  subscribe<K extends Topic>(topic: K, handler: (message: BusMessage<K>) => void): () => void {
    return this.emitter.on(topic, handler as unknown as (m: Channels[K]) => void);
  }

  subscribeAll(handler: (message: AnyBusMessage) => void): () => void {
    return this.emitter.on('*', handler);
  }
}
