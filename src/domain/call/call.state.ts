/**
 * The state of one call: shared facts (`core`) plus what the current stage needs.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type { EndReason, OverflowReason, Party } from './call.events';

export interface CallCore {
  readonly callId: CallId;
  readonly callerChannelId: string;
  readonly callerNumber: string;
  readonly calledNumber: string;
  queueId: QueueId;
  readonly priority: number;
  readonly enteredAt: number;
  /** When the call first entered the queue (wait is measured from here). */
  queuedAt: number | null;
  /** Ring attempts started so far. */
  attempts: number;
  /** Seq of the next event. */
  nextSeq: number;
  /** Playbacks started so far. */
  playbacks: number;
  /** Timer tokens issued so far. */
  timers: number;
  /** Token of the running max-wait timer, while the call is in the queue. */
  maxWaitToken: string | null;
  /** Rings of this call refused in a row (busy, rejected, unreachable); bounded by maxRefusedRings. */
  refusedInARow: number;
  /** The max wait expired while an agent was ringing: overflow if that ring fails. */
  maxWaitExpired: boolean;
  bridgeId: string | null;
  recordingName: string | null;
}

export interface OfferedAgent {
  readonly attempt: number;
  readonly agentId: AgentId;
  readonly agentNumber: string;
  readonly endpoint: string;
  readonly channelId: string;
  readonly offeredAt: number;
  /** When the phone started ringing (AgentRinging), once it has. */
  readonly ringingAt?: number;
}

/** Where a ring's length and limit count from: the phone's ringing, or the offer until it rings. */
export function ringStartOf(offer: OfferedAgent): number {
  return offer.ringingAt ?? offer.offeredAt;
}

export interface ConnectedAgent {
  readonly attempt: number;
  readonly agentId: AgentId;
  readonly agentNumber: string;
  readonly channelId: string;
  readonly answeredAt: number;
}

export type CallStateBody =
  | { type: 'answering' }
  | { type: 'greeting'; playbackId: string }
  /** The menu prompt plays (playbackId) or the digit is awaited (token). */
  | { type: 'menu'; playbackId: string | null; token: string | null; invalid: number }
  /** Waiting: hold music, or a position announcement (announcePlaybackId) between ticks (announceToken). */
  | { type: 'queued'; announcePlaybackId: string | null; announceToken: string | null }
  | { type: 'ringing'; offer: OfferedAgent }
  /** The agent answered; the caller hears the agent's 工号. */
  | { type: 'connecting'; agent: ConnectedAgent; playbackId: string }
  | { type: 'talking'; agent: ConnectedAgent; bridgedAt: number }
  /** The rating prompt plays (playbackId) or the digit is awaited (token). */
  | { type: 'rating'; playbackId: string | null; token: string | null; invalid: number }
  /** The overflow prompt plays (playbackId) or the callback digit is awaited (token). */
  | { type: 'overflow'; reason: OverflowReason; playbackId: string | null; token: string | null }
  /** A last prompt (thanks, goodbye, callback recorded) plays, then the call is hung up. */
  | { type: 'closing'; playbackId: string; reason: EndReason }
  | { type: 'ended'; reason: EndReason; hungUpBy: Party };

export type CallState = CallStateBody & { readonly core: CallCore };
export type CallStateType = CallState['type'];
