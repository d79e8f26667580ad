/**
 * Agents (话务员): who they are, and their state as the ACD sees it.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';

export interface AgentProfile {
  readonly agentId: AgentId;
  /** 工号, announced to the caller ("XX号话务员为您服务"). */
  readonly agentNumber: string;
  readonly name: string;
  /** Dial string of the agent's phone, e.g. `PJSIP/agent1001`. */
  readonly endpoint: string;
  /** Queues (skills) the agent serves. */
  readonly queues: readonly QueueId[];
}

export type AgentStatus =
  | { readonly type: 'logged-out' }
  | { readonly type: 'ready' }
  | { readonly type: 'not-ready'; readonly reason: string }
  /** Reserved for one call: its phone rings. */
  | { readonly type: 'ringing'; readonly callId: CallId }
  | { readonly type: 'on-call'; readonly callId: CallId }
  /** 话后处理; `token` is the running wrap-up timer, null = until the agent says Ready. */
  | { readonly type: 'wrap-up'; readonly callId: CallId; readonly token: string | null };

export type AgentStatusType = AgentStatus['type'];

/** A change asked for during a call, applied when the call (or its wrap-up) is over. */
export type PendingChange = { readonly type: 'not-ready'; readonly reason: string } | { readonly type: 'logged-out' };

export interface Agent extends AgentProfile {
  readonly status: AgentStatus;
  readonly statusSince: number;
  /** Since when the agent has been waiting for a call (longest-idle key); null when not ready. */
  readonly idleSince: number | null;
  readonly reachable: boolean;
  /** Consecutive counted missed rings (reset on answer and on any change the agent makes). */
  readonly consecutiveMisses: number;
  readonly pending: PendingChange | null;
  /** Timer tokens issued so far. */
  readonly timers: number;
}

/** A logged-out agent built from its profile. */
export function newAgent(profile: AgentProfile, now: number): Agent {
  return {
    ...profile,
    status: { type: 'logged-out' },
    statusSince: now,
    idleSince: null,
    reachable: true,
    consecutiveMisses: 0,
    pending: null,
    timers: 0,
  };
}

/** ACD agent selection among Ready agents. */
export type AcdStrategy = 'longest-idle' | 'round-robin';

/** When a missed ring puts the agent into not-ready. No-answer always counts. */
export interface MissedRingPolicy {
  /** Consecutive counted misses before the agent goes not-ready. */
  readonly maxConsecutiveMisses: number;
  readonly countRejected: boolean;
  readonly countBusy: boolean;
  readonly countUnreachable: boolean;
  /** The not-ready reason set by the policy after a ring nobody answered. */
  readonly notReadyReason: string;
  /** The not-ready reason set by the policy when the last counted miss was a refusal (busy, rejected). */
  readonly refusedReason: string;
}
