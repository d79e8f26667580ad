/**
 * Agent and queue events (past tense). The in-process bus numbers them globally.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type { QueueLeaveReason } from '../call/call.effects';
import type { AgentStatusType } from './agent.types';

export type RingEndOutcome = 'no-answer' | 'rejected' | 'busy' | 'unreachable' | 'cancelled' | 'declined';

export type AgentEventBody =
  | {
      type: 'AgentStatusChanged';
      from: AgentStatusType;
      to: AgentStatusType;
      /** The not-ready reason when `to` is not-ready. */
      reason: string | null;
      callId: CallId | null;
      /** Who changed it: the agent (console), the call path, or the missed-ring policy. */
      by: 'agent' | 'call' | 'policy' | 'timer';
    }
  | {
      type: 'AgentRingMissed';
      callId: CallId;
      attempt: number;
      outcome: Exclude<RingEndOutcome, 'cancelled' | 'declined'>;
      ringMs: number | null;
      /** Whether the not-ready policy counts this miss. */
      counted: boolean;
      consecutiveMisses: number;
    }
  /** For supervisors: an agent let a call ring out (or refused it, where that counts). */
  | {
      type: 'SupervisorAlertRaised';
      kind: 'agent-missed-ring';
      agentNumber: string;
      callId: CallId;
      attempt: number;
      outcome: Exclude<RingEndOutcome, 'cancelled' | 'declined'>;
      ringMs: number | null;
    }
  | { type: 'AgentReachabilityChanged'; reachable: boolean };

export type AgentEvent = { readonly agentId: AgentId; readonly at: number } & AgentEventBody;

export type QueueEventBody =
  | { type: 'QueueCallJoined'; priority: number; position: number; calls: number }
  | { type: 'QueueCallOffered'; agentId: AgentId; position: number | null }
  /** The offer failed; the call waits again at its place. */
  | { type: 'QueueCallReturned'; position: number | null }
  | { type: 'QueueCallLeft'; reason: QueueLeaveReason; waitMs: number; calls: number };

export type QueueEvent = { readonly queueId: QueueId; readonly callId: CallId; readonly at: number } & QueueEventBody;
