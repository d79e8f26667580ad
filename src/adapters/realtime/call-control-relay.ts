/**
 * In-call controls across app instances: a request for a call this instance does not run goes to the
 * other instances through the Socket.IO Redis adapter (a server-side event with acknowledgements);
 * the one that runs the call decides it and answers, the others answer null. Without the Redis
 * adapter (one instance) nothing is forwarded.
 */
import type { Actor } from '../../domain/access';
import type { CallControlRelay, ControlOutcome, ControlRequest } from '../../app/calls/call-controls.service';
import type { Logger } from '../../shared/logger';
import type { HotlineIo } from './projector';

export class SocketCallControlRelay implements CallControlRelay {
  constructor(
    private readonly io: HotlineIo,
    /** Whether the cluster (Redis) adapter is on: the in-memory one never answers. */
    private readonly clustered: () => boolean,
    private readonly log: Logger,
    private readonly timeoutMs = 2000,
  ) {}

  /** Answers the other instances' requests with `handler` (null: the call is not live here). */
  serve(handler: (actor: Actor, req: ControlRequest) => ControlOutcome | null): void {
    this.io.on('call:control_request', (actor, req, reply) => {
      try {
        reply(handler(actor, req));
      } catch (err) {
        this.log.error('relayed call control failed', { callId: req.callId, kind: req.kind, err: String(err) });
        reply(null);
      }
    });
  }

  async forward(actor: Actor, req: ControlRequest): Promise<ControlOutcome | null> {
    if (!this.clustered()) return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const replies = await Promise.race([
        this.io.serverSideEmitWithAck('call:control_request', actor, req),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), this.timeoutMs);
        }),
      ]);
      return (replies as (ControlOutcome | null)[]).find((r) => r !== null) ?? null;
    } catch (err) {
      this.log.warn('call control not relayed', { callId: req.callId, kind: req.kind, err: String(err) });
      return null;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
