/**
 * The Socket.IO wire protocol, typed end to end. Names are `area:event`. Each server → client event
 * is listed with its audience (rooms.ts).
 *
 * Agent console: connect with `auth: { token }`; on connect the console receives `agent:state`
 * (also after a reconnect). Then `call:ringing` (screen pop), `call:ring_stopped`, `call:answered`,
 * `call:ended`, `call:rated`, `agent:state`. Actions: `agent:login`, `agent:logout`, `agent:ready`,
 * `agent:not_ready {reason}`, `agent:wrap_up_done`, each acknowledged.
 *
 * Manager dashboard: `dashboard:join` → `dashboard:snapshot`, then `dashboard:delta` in `seq`
 * order. A client ignores deltas with seq ≤ the snapshot's and, on a gap, sends
 * `dashboard:resync {afterSeq}`, answered by the missed deltas or a new snapshot.
 *
 * A bad payload is answered with `error {event, code, field, message}`; the connection stays up.
 */
import type { AgentConsoleEvents, CallActivity, AgentStateView } from '../../app/live/live.ports';
import type { DashboardDelta, DashboardSnapshot } from '../../app/live/dashboard.types';
import type { Actor } from '../../domain/access';

export interface SocketErrorPayload {
  /** The client event that failed. */
  event: string;
  code: string;
  field?: string;
  message: string;
}

export type Ack = (res: { ok: true; data?: unknown } | ({ ok: false } & Omit<SocketErrorPayload, 'event'>)) => void;

export interface ServerToClientEvents {
  /** audience: agent:<agentId> */
  'agent:state': (s: AgentStateView) => void;
  /** audience: agent:<agentId> */
  'call:ringing': (p: AgentConsoleEvents['ringing']) => void;
  'call:ring_stopped': (p: AgentConsoleEvents['ringStopped']) => void;
  'call:answered': (p: AgentConsoleEvents['answered']) => void;
  'call:ended': (p: AgentConsoleEvents['ended']) => void;
  'call:rated': (p: AgentConsoleEvents['rated']) => void;
  /** audience: call:<callId> */
  'call:activity': (p: CallActivity) => void;
  /** audience: the requesting socket */
  'dashboard:snapshot': (s: DashboardSnapshot) => void;
  /** audience: dashboard */
  'dashboard:delta': (d: DashboardDelta) => void;
  /** audience: the requesting socket */
  error: (e: SocketErrorPayload) => void;
  /** audience: the socket whose token expired; it is disconnected next and should reconnect with a fresh token. */
  'session:expired': (e: { at: number }) => void;
}

export interface ClientToServerEvents {
  'agent:login': (payload: unknown, ack?: Ack) => void;
  'agent:logout': (payload: unknown, ack?: Ack) => void;
  'agent:ready': (payload: unknown, ack?: Ack) => void;
  'agent:not_ready': (payload: unknown, ack?: Ack) => void;
  'agent:wrap_up_done': (payload: unknown, ack?: Ack) => void;
  'agent:state_request': (payload: unknown, ack?: Ack) => void;
  'dashboard:join': (payload: unknown, ack?: Ack) => void;
  'dashboard:leave': (payload: unknown, ack?: Ack) => void;
  'dashboard:resync': (payload: unknown, ack?: Ack) => void;
  'call:watch': (payload: unknown, ack?: Ack) => void;
  'call:unwatch': (payload: unknown, ack?: Ack) => void;
}

/** Between app instances (through the Redis adapter). */
export interface InterServerEvents {
  'dashboard:snapshot_request': (reply: (snapshot: DashboardSnapshot | null) => void) => void;
}

export interface SocketData {
  actor: Actor;
  jti: string;
  expMs: number;
}
