/**
 * The manager dashboard's view: a snapshot, then deltas in order. Every delta carries `seq`, one
 * more than the previous; a client that sees a gap asks for a new snapshot (whose `seq` is the last
 * delta it includes). Caller numbers are masked for confidential callers (no dashboard viewer
 * handles a case).
 */
import type { AgentPresence } from './live.ports';

export interface DashboardCounters {
  /** Calls that entered a queue today. */
  offered: number;
  answered: number;
  abandoned: number;
  /** Abandons shorter than the short-abandon threshold (part of `abandoned`). */
  shortAbandoned: number;
  /** Rings answered within 10 s, and the ring count the 10-s rate divides by (see call-metrics). */
  answeredWithin10s: number;
  ringsCounted: number;
  tenSecondAnswerRate: number | null;
  /** Service level today with the configured threshold and denominator. */
  serviceLevel: number | null;
  averageWaitMs: number | null;
  averageTalkMs: number | null;
  ratings: number;
  satisfied: number;
  satisfactionRate: number | null;
  ringMisses: number;
}

export interface WaitingCaller {
  callId: string;
  callerNumber: string;
  queuedAt: number;
  /** Ringing an agent right now. */
  ringingAgentId: string | null;
}

export interface QueueView {
  queueId: string;
  waiting: WaitingCaller[];
  /** ms, as of the snapshot or delta's `at`; the oldest caller's wait. */
  longestWaitMs: number;
}

export interface AgentView {
  agentId: string;
  displayName: string | null;
  groupId: string | null;
  state: AgentPresence;
  stateSince: number;
  notReadyReason: string | null;
  currentCallId: string | null;
  callsToday: number;
  missesToday: number;
  missedStreak: number;
  handledCount: number;
  handledMs: number;
  averageHandleMs: number | null;
}

export interface AbandonedCall {
  callId: string;
  callerNumber: string;
  queueId: string;
  waitMs: number | null;
  position: number | null;
  at: number;
}

export type AlertType = 'ring_no_answer' | 'wait_above_threshold' | 'agent_not_ready_too_long' | 'missed_ring_streak';

export interface DashboardAlert {
  id: string;
  type: AlertType;
  raisedAt: number;
  agentId?: string;
  callId?: string;
  queueId?: string;
  /** ms waited / not ready, or rings missed in a row. */
  value: number;
}

export interface DashboardSnapshot {
  seq: number;
  at: number;
  day: string;
  counters: DashboardCounters;
  queues: QueueView[];
  agents: AgentView[];
  abandoned: AbandonedCall[];
  alerts: DashboardAlert[];
  callsInProgress: number;
}

export type DashboardDeltaBody =
  | { type: 'counters'; counters: DashboardCounters; callsInProgress: number }
  | { type: 'queue'; queue: QueueView }
  | { type: 'agent'; agent: AgentView }
  /** A call abandoned today; one whose callId is listed already replaces it (its caller became confidential). */
  | { type: 'abandoned'; call: AbandonedCall }
  | { type: 'alert_raised'; alert: DashboardAlert }
  | { type: 'alert_cleared'; alertId: string }
  /** A new day: counters, lists and per-agent figures start over; apply the snapshot. */
  | { type: 'day_reset'; snapshot: DashboardSnapshot };

export type DashboardDelta = { seq: number; at: number } & DashboardDeltaBody;
