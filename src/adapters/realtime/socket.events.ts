/**
 * The Socket.IO wire protocol, typed end to end. Names are `area:event`. Each server → client event
 * is listed with its audience (rooms.ts).
 *
 * Agent console: connect with `auth: { token }`; on connect the console receives `agent:state`
 * (also after a reconnect). Then `call:ringing` (screen pop: caller, queue, wait; sent the moment the
 * call is offered), `call:history` (the caller's earlier calls offered to this agent and the caller's
 * work orders, without the text of a confidential one, for that pop, same `callId` and `attempt`; `history: null` when they could not be read in time; not sent when the ring
 * ended first), `call:ring_stopped`, `call:answered`, `call:control` (通话控制: the call's phase — on
 * the line, held, a transfer or consultation, three-way, over — at each change, and on connect while
 * on a call, with the call itself so a reloaded console shows it), `call:ended`, `call:rated`,
 * `agent:state`.
 * The history is looked up only when the agent has a console connected (on any instance) at the
 * moment of the offer. Events are not replayed: a console that connects later sees the next call.
 * Actions: `agent:login`, `agent:logout`, `agent:ready`, `agent:not_ready {reason}`,
 * `agent:wrap_up_done`, each acknowledged.
 *
 * Manager dashboard: `dashboard:join` → `dashboard:snapshot`, then `dashboard:deltas`: arrays of
 * deltas in `seq` order (the changes of one moment travel together). A client skips deltas with
 * seq ≤ the last it applied (the snapshot's seq to begin with; a batch on its way during the join
 * or a replay can hold some) and, on a gap, sends `dashboard:resync {afterSeq}`, answered by the
 * missed deltas (one `dashboard:deltas`) or a new snapshot.
 *
 * Work orders (工单): a unit handler's sockets join `unit:<unitId>` on connect and so hear, without
 * asking, every notice of the orders where their unit is the lead or a co-unit. Hotline staff ask:
 * `workorders:join` (supervisors and administrators; agents and unit handlers get `error` with code
 * AUTH.FORBIDDEN) puts the socket in the `workorders` room, which hears the notices of every order;
 * `workorders:leave` takes it out. Joining is explicit, like the dashboard, so a screen that shows
 * no work orders carries none of their traffic. Then:
 *  - `workorder:notice`: 催办 reminder, 督办 supervision (yellow / red / escalation level), an order
 *    escalated (疑难), a first-contact retry due, a callback (回访) due;
 *  - `workorder:changed`: an order created or moved by an action (new status, revision).
 * A socket in several of these rooms receives each event once. The payloads carry ids, the order
 * number, statuses, stage, level and times only — never the caller (name, phone, address, content),
 * so one payload suits every audience whatever the caller's confidentiality; a client that needs
 * more reads the order over REST, where masking applies. Times are epoch milliseconds. Events are
 * not replayed: after a reconnect a client re-reads the orders it shows.
 *
 * A bad payload is answered with `error {event, code, field, message}`; the connection stays up.
 */
import type { AgentConsoleEvents, CallActivity, AgentStateView } from '../../app/live/live.ports';
import type { DashboardDelta, DashboardSnapshot } from '../../app/live/dashboard.types';
import type { Actor } from '../../domain/access';
import type { ControlOutcome, ControlRequest } from '../../app/calls/call-controls.service';
import type { DeadlineStage, WorkOrderStatus } from '../../domain/work-order';

export interface SocketErrorPayload {
  /** The client event that failed. */
  event: string;
  code: string;
  field?: string;
  message: string;
}

interface WorkOrderWireBase {
  orderId: string;
  /** The readable order number. */
  number: string;
  /** Lead unit first, then co-units (the `unit:<id>` rooms it was sent to). */
  unitIds: string[];
  /** When it was raised (the sweep's or the action's time). */
  at: number;
  /** Stable per notice: a client may use it to drop a notice it already shows. */
  key: string;
}

/** audience: unit:<unitId> of each unit of the order, and workorders. */
export type WorkOrderNoticePayload = WorkOrderWireBase &
  (
    | {
        /** 催办 before a deadline, 督办 after it. */
        kind: 'reminder' | 'supervision';
        stage: DeadlineStage;
        /** `reminder`, or the 督办 level of the regulation preset: yellow, red, escalation. */
        level: string;
        /** The deadline concerned. */
        dueAt: number;
      }
    | {
        /** The order became 疑难 and was escalated (by a supervisor or by repeat complaints). */
        kind: 'escalation';
      }
    | {
        /** A first contact with the caller should be tried again (`contactRetry`); a 回访 is due (`callback`). */
        kind: 'contactRetry' | 'callback';
        dueAt: number;
      }
    | {
        /** A deadline was counted again on a new official calendar year. */
        kind: 'deadlineChanged';
        stage: DeadlineStage;
        previousDueAt: number;
        dueAt: number;
      }
  );

/** audience: unit:<unitId> of each unit of the order, and workorders. */
export interface WorkOrderChangedPayload extends WorkOrderWireBase {
  kind: 'created' | 'changed';
  /** The action taken (create, dispatch, sign, complete, …). */
  action: string;
  from: WorkOrderStatus;
  to: WorkOrderStatus;
  /** The user who acted. */
  actorId: string;
  /** The order's revision after the action. */
  rev: number;
}

export type Ack = (res: { ok: true; data?: unknown } | ({ ok: false } & Omit<SocketErrorPayload, 'event'>)) => void;

export interface ServerToClientEvents {
  /** audience: agent:<agentId> */
  'agent:state': (s: AgentStateView) => void;
  /** audience: agent:<agentId> */
  'call:ringing': (p: AgentConsoleEvents['ringing']) => void;
  /** audience: agent:<agentId>; after the `call:ringing` of the same callId and attempt */
  'call:history': (p: AgentConsoleEvents['history']) => void;
  'call:ring_stopped': (p: AgentConsoleEvents['ringStopped']) => void;
  'call:answered': (p: AgentConsoleEvents['answered']) => void;
  'call:ended': (p: AgentConsoleEvents['ended']) => void;
  'call:rated': (p: AgentConsoleEvents['rated']) => void;
  /**
   * audience: agent:<agentId> of the agent handling the call; at each change of 通话控制 (whoever
   * made it), and to the connecting socket (and after `agent:state_request`) while the agent is on a call
   */
  'call:control': (p: AgentConsoleEvents['control']) => void;
  /** audience: call:<callId> */
  'call:activity': (p: CallActivity) => void;
  /** audience: the requesting socket */
  'dashboard:snapshot': (s: DashboardSnapshot) => void;
  /** audience: dashboard; ascending seq, never empty */
  'dashboard:deltas': (d: DashboardDelta[]) => void;
  /** audience: unit:<unitId> of each unit of the order, and workorders */
  'workorder:notice': (p: WorkOrderNoticePayload) => void;
  /** audience: unit:<unitId> of each unit of the order, and workorders */
  'workorder:changed': (p: WorkOrderChangedPayload) => void;
  /** audience: the requesting socket */
  error: (e: SocketErrorPayload) => void;
  /**
   * audience: the socket whose token expired; it is disconnected next and should reconnect with a
   * fresh token. A console avoids it by sending `session:refresh {token}` before the expiry.
   */
  'session:expired': (e: { at: number }) => void;
  /**
   * audience: the sockets of a session that was just ended (logout, password, role or account
   * change, refresh-token reuse); they are disconnected next and must sign in again.
   */
  'session:revoked': (e: { at: number; reason: 'logout' | 'reuse' | 'revoked' }) => void;
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
  'workorders:join': (payload: unknown, ack?: Ack) => void;
  'workorders:leave': (payload: unknown, ack?: Ack) => void;
  /** `{token}`: a fresh access token of the same identity; acked `{expMs}`, the socket's new expiry. */
  'session:refresh': (payload: unknown, ack?: Ack) => void;
}

/** Every client event name, at run time (the record's type makes it list exactly the interface's events). */
export const CLIENT_EVENTS = Object.keys({
  'agent:login': true,
  'agent:logout': true,
  'agent:ready': true,
  'agent:not_ready': true,
  'agent:wrap_up_done': true,
  'agent:state_request': true,
  'dashboard:join': true,
  'dashboard:leave': true,
  'dashboard:resync': true,
  'call:watch': true,
  'call:unwatch': true,
  'workorders:join': true,
  'workorders:leave': true,
  'session:refresh': true,
} satisfies Record<keyof ClientToServerEvents, true>) as (keyof ClientToServerEvents)[];

/** Between app instances (through the Redis adapter). */
export interface InterServerEvents {
  'dashboard:snapshot_request': (reply: (snapshot: DashboardSnapshot | null) => void) => void;
  /** An in-call control for a call another instance may run (call-control-relay.ts). */
  'call:control_request': (actor: Actor, req: ControlRequest, reply: (outcome: ControlOutcome | null) => void) => void;
}

export interface SocketData {
  actor: Actor;
  jti: string;
  expMs: number;
  familyId: string | null;
  /** The handshake's access token, checked again before sensitive actions (current role, not revoked). */
  token: string;
}
