/**
 * What the live projections consume and where they push.
 *
 * Input: call events as the call path emits them (domain/call/call.events.ts) and agent state
 * changes, each wrapped in a `LiveInput`. The composition root subscribes to the call path's event
 * bus and forwards; `confidential` and `callerName` come from the caller directory when known.
 */
import type { CallEvent } from '../../domain/call/call.events';
import type { CallControlView } from '../../domain/call/call.control-view';

/** Agent states as the consoles and dashboards show them. */
export const AGENT_PRESENCES = ['offline', 'ready', 'not_ready', 'ringing', 'on_call', 'wrap_up'] as const;
export type AgentPresence = (typeof AGENT_PRESENCES)[number];

export type LiveInput =
  | { readonly kind: 'call'; readonly event: CallEvent; readonly confidential?: boolean; readonly callerName?: string | null }
  /** A work order made from a live call marked it confidential: its caller is masked from now on. */
  | { readonly kind: 'confidential'; readonly callId: string; readonly at: number }
  | {
      readonly kind: 'agent';
      readonly agentId: string;
      readonly state: AgentPresence;
      /** Not-ready reason (休息, 培训, 会议, auto after missed rings, …). */
      readonly reason: string | null;
      readonly at: number;
      readonly displayName?: string;
      readonly groupId?: string | null;
    };

/** Agent state actions, implemented by the agent service of the call path. */
export type AgentAction = 'login' | 'logout' | 'ready' | 'not_ready' | 'wrap_up_done';

export interface AgentControlPort {
  /** Throws ConflictError when the action does not fit the agent's state (e.g. ready while on a call). */
  perform(agentId: string, action: AgentAction, reason: string | null): Promise<void>;
}

/** Socket-side delivery (adapters/realtime implements it over rooms). */
export interface ConsolePublisher {
  toAgent<E extends keyof AgentConsoleEvents>(agentId: string, event: E, payload: AgentConsoleEvents[E]): void;
  toCall(callId: string, payload: CallActivity): void;
  /** Whether the agent has at least one console connected (to any app instance that shares the rooms). */
  hasConsole(agentId: string): Promise<boolean>;
}

export interface CallerHistoryEntry {
  callId: string;
  callerNumber: string;
  masked: boolean;
  startedAt: number;
  outcome: string;
  agentId: string | null;
  queueId: string | null;
  talkMs: number | null;
  rating: { value: number; satisfied: boolean } | null;
}

export interface WorkOrderHistoryEntry {
  orderId: string;
  number: string;
  createdAt: number;
  status: string;
  category: string | null;
  title: string | null;
  masked: boolean;
}

export interface CallerHistory {
  calls: CallerHistoryEntry[];
  workOrders: WorkOrderHistoryEntry[];
}

/** Sent the moment the call is offered; the caller's history follows as `history`. */
export interface ScreenPop {
  callId: string;
  attempt: number;
  callerNumber: string;
  callerName: string | null;
  masked: boolean;
  queueId: string;
  waitMs: number;
  offeredAt: number;
  /** The work order a citizen who pressed 0 in its automated callback survey calls about; null otherwise. */
  surveyOrder: { orderId: string; orderNumber: string } | null;
}

/** The caller's history for a screen pop, after it (same callId and attempt). */
export interface ScreenPopHistory {
  callId: string;
  attempt: number;
  /** null when the history could not be read in time. */
  history: CallerHistory | null;
}

export interface AgentStateView {
  agentId: string;
  state: AgentPresence;
  since: number;
  reason: string | null;
  currentCallId: string | null;
  callsToday: number;
  missesToday: number;
}

/**
 * The agent's call as 通话控制 shows it, at each change (whoever made it) and to a console that
 * connects during the call (a reload, another tab): the phase and what is under way, and the call
 * itself so such a console can show it. Only to the agent handling the call.
 */
export type CallControlPayload = Omit<CallControlView, 'agentId'> & {
  callId: string;
  call: { callerNumber: string; callerName: string | null; masked: boolean; queueId: string; waitMs: number; answeredAt: number };
};

/** Server → agent console, before the wire names are attached (adapters/realtime). */
export interface AgentConsoleEvents {
  ringing: ScreenPop;
  history: ScreenPopHistory;
  ringStopped: { callId: string; attempt: number; outcome: string; ringMs: number; at: number };
  answered: { callId: string; attempt: number; callerNumber: string; callerName: string | null; masked: boolean; ringMs: number; waitMs: number; at: number };
  ended: { callId: string; talkMs: number; endedBy: string; at: number };
  rated: { callId: string; value: number; label: string; satisfied: boolean; at: number };
  control: CallControlPayload;
  state: AgentStateView;
}

/** Sent to everyone watching one call (no caller identity). */
export interface CallActivity {
  callId: string;
  seq: number;
  at: number;
  type: string;
  agentId: string | null;
}
