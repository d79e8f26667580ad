/**
 * Wiring of the in-call controls (ADR 0012, 0019): hold, transfers to a unit or a queue, three-way, the emergency lines and
 * supervisors' listen / whisper / barge, over REST, on the call path's running calls.
 */
import type { AuthService } from '../app/auth/auth.service';
import type { DocumentedRouter } from '../adapters/http/route-table';
import { callControlsRouter } from '../adapters/http/routers/call-controls.router';
import { CallControlService, NO_RELAY, type CallControlRelay } from '../app/calls/call-controls.service';
import { SocketCallControlRelay } from '../adapters/realtime/call-control-relay';
import type { RealtimeServer } from '../adapters/realtime/socket-server';
import { asAgentId, asQueueId } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { CallPath } from './call-path.module';

export interface InCallControlsModule {
  readonly controls: CallControlService;
  readonly router: DocumentedRouter;
  /** A call another instance runs is controlled through that instance: over the realtime server's cluster adapter (Redis). */
  joinInstances(realtime: RealtimeServer): void;
}

export function buildInCallControlsModule(d: { readonly callPath: CallPath; readonly auth: AuthService; readonly log: Logger }): InCallControlsModule {
  const { callPath } = d;
  // Bound by joinInstances once the realtime server exists; until then nothing is relayed.
  let relay: CallControlRelay = NO_RELAY;
  const controls = new CallControlService(
    callPath.registry,
    d.log.child({ component: 'call-controls' }),
    (agentId) => callPath.agents.get(asAgentId(agentId)) ?? null,
    (queueId) => callPath.agents.list().some((a) => a.queues.includes(asQueueId(queueId))),
    { forward: (actor, req) => relay.forward(actor, req) },
  );
  return {
    controls,
    router: callControlsRouter(d.auth, controls),
    joinInstances: (realtime) => {
      const sockets = new SocketCallControlRelay(realtime.io, () => realtime.clustered(), d.log.child({ component: 'call-controls' }));
      sockets.serve((actor, req) => controls.runHere(actor, req));
      relay = sockets;
    },
  };
}
