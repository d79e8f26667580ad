/**
 * The only place that emits live events to sockets: dashboard deltas to the dashboard room, agent
 * console events to the agent's room, call activity to the call's room, work-order notices and
 * changes to the rooms of the order's units and the hotline staff room. Caller identities arrive
 * already masked by the app layer (policy in domain/access), per audience; work-order payloads
 * carry no caller data at all (work-order-wire.ts).
 * With the Redis adapter, `io.to(room).emit` reaches sockets on every instance, and `hasConsole`
 * asks the other instances whether one of theirs is in the agent's room.
 */
import type { Server } from 'socket.io';
import type { AgentConsoleEvents, CallActivity, ConsolePublisher } from '../../app/live/live.ports';
import type { DashboardDelta } from '../../app/live/dashboard.types';
import type { WorkOrderEventMap } from '../../app/work-orders/lifecycle/work-order.events';
import { rooms } from './rooms';
import { WORK_ORDER_EVENTS, workOrderRooms, workOrderWire } from './work-order-wire';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './socket.events';

export type HotlineIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const WIRE: { [K in keyof AgentConsoleEvents]: keyof ServerToClientEvents } = {
  ringing: 'call:ringing',
  history: 'call:history',
  ringStopped: 'call:ring_stopped',
  answered: 'call:answered',
  ended: 'call:ended',
  rated: 'call:rated',
  control: 'call:control',
  state: 'agent:state',
};

/** What the projector needs of the work-order module's emitter. */
export interface WorkOrderEventSource {
  on<K extends keyof WorkOrderEventMap>(event: K, listener: (payload: WorkOrderEventMap[K]) => void): () => void;
}

export class SocketProjector implements ConsolePublisher {
  private io: HotlineIo | null = null;

  constructor(private readonly clock: () => number = Date.now) {}

  /** Called by RealtimeServer; until then (start-up) emissions are dropped. */
  bind(io: HotlineIo): void {
    this.io = io;
  }

  /** Called by RealtimeServer when it stops: later emissions are dropped (not sent to a closed adapter). */
  unbind(): void {
    this.io = null;
  }

  /**
   * Subscribes to a dashboard's deltas; returns the unsubscribe function. The deltas one change
   * produces (an answered call moves an agent, a queue and the counters at once) leave together, in
   * seq order, as one `dashboard:deltas` message: one socket write per manager instead of one per
   * delta. They leave as soon as the code that produced them returns (`process.nextTick`), not after
   * the event loop's other pending I/O (`setImmediate` measured about twice the latency).
   */
  attachDashboard(dashboard: { onDelta(l: (d: DashboardDelta) => void): () => void }): () => void {
    let pending: DashboardDelta[] = [];
    let scheduled = false;
    const flush = (): void => {
      scheduled = false;
      const batch = pending;
      pending = [];
      if (batch.length > 0) this.io?.to(rooms.dashboard()).emit('dashboard:deltas', batch);
    };
    const off = dashboard.onDelta((d) => {
      pending.push(d);
      if (!scheduled) {
        scheduled = true;
        process.nextTick(flush);
      }
    });
    return () => {
      off();
      flush();
    };
  }

  toAgent<E extends keyof AgentConsoleEvents>(agentId: string, event: E, payload: AgentConsoleEvents[E]): void {
    if (!this.io) return;
    const wire = WIRE[event];
    (this.io.to(rooms.agent(agentId)).emit as (ev: string, p: unknown) => boolean)(wire, payload);
  }

  /**
   * A console of the agent is connected: a socket of this instance in the agent's room, else (with
   * the Redis adapter) one of another instance; the in-memory adapter answers from this instance.
   */
  async hasConsole(agentId: string): Promise<boolean> {
    const io = this.io;
    if (!io) return false;
    const room = rooms.agent(agentId);
    if ((io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0) return true;
    return (await io.in(room).fetchSockets()).length > 0;
  }

  toCall(callId: string, payload: CallActivity): void {
    this.io?.to(rooms.call(callId)).emit('call:activity', payload);
  }

  /**
   * One work-order event to `unit:<id>` of each of the order's units and to the `workorders` staff
   * room, in a single emit: a socket in several of those rooms receives it once. The instance that
   * produced the event (the one that ran the sweep or served the action) emits it; the adapter
   * carries it to the others.
   */
  workOrderEvent<E extends keyof WorkOrderEventMap>(name: E, payload: WorkOrderEventMap[E]): void {
    if (!this.io) return;
    const wire = workOrderWire(name, payload, this.clock());
    const to = this.io.to(workOrderRooms(wire.payload.unitIds));
    if (wire.event === 'workorder:notice') to.emit('workorder:notice', wire.payload);
    else to.emit('workorder:changed', wire.payload);
  }

  /** Forwards every work-order event of `events`; returns the unsubscribe function. */
  attachWorkOrders(events: WorkOrderEventSource): () => void {
    const offs = WORK_ORDER_EVENTS.map((name) => events.on(name, (p) => this.workOrderEvent(name, p)));
    return () => {
      for (const off of offs) off();
    };
  }
}
