/**
 * The only place that emits live events to sockets: dashboard deltas to the dashboard room, agent
 * console events to the agent's room, call activity to the call's room. Caller identities arrive
 * already masked by the app layer (policy in domain/access), per audience.
 * With the Redis adapter, `io.to(room).emit` reaches sockets on every instance.
 */
import type { Server } from 'socket.io';
import type { AgentConsoleEvents, CallActivity, ConsolePublisher } from '../../app/live/live.ports';
import type { DashboardDelta } from '../../app/live/dashboard.types';
import { rooms } from './rooms';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './socket-events';

export type HotlineIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const WIRE: { [K in keyof AgentConsoleEvents]: keyof ServerToClientEvents } = {
  ringing: 'call:ringing',
  ringStopped: 'call:ring_stopped',
  answered: 'call:answered',
  ended: 'call:ended',
  rated: 'call:rated',
  state: 'agent:state',
};

export class SocketProjector implements ConsolePublisher {
  private io: HotlineIo | null = null;

  /** Called by RealtimeServer; until then (start-up) emissions are dropped. */
  bind(io: HotlineIo): void {
    this.io = io;
  }

  /** Subscribes to a dashboard's deltas; returns the unsubscribe function. */
  attachDashboard(dashboard: { onDelta(l: (d: DashboardDelta) => void): () => void }): () => void {
    return dashboard.onDelta((d) => {
      this.io?.to(rooms.dashboard()).emit('dashboard:delta', d);
    });
  }

  toAgent<E extends keyof AgentConsoleEvents>(agentId: string, event: E, payload: AgentConsoleEvents[E]): void {
    if (!this.io) return;
    const wire = WIRE[event];
    (this.io.to(rooms.agent(agentId)).emit as (ev: string, p: unknown) => boolean)(wire, payload);
  }

  toCall(callId: string, payload: CallActivity): void {
    this.io?.to(rooms.call(callId)).emit('call:activity', payload);
  }
}
