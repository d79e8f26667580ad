/**
 * The state of one call: shared facts (`core`) plus what the current stage needs.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type { CallPathSettings, EmergencyLine } from './call.settings';
import type { EndReason, OverflowReason, Party, SurveyOrderRef } from './call.events';

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
  /** Outbound (transfer) legs started so far. */
  transfers: number;
  /** Supervisors who asked to listen / whisper / barge so far. */
  monitors: number;
  /** The supervisor on the call now (one at a time). */
  monitor: Monitor | null;
  /** A survey call handed over by the citizen pressing 0 (call.events SurveyOrderRef). */
  readonly surveyOrder: SurveyOrderRef | null;
}

export type MonitorMode = 'listen' | 'whisper' | 'barge';

/** A supervisor listening to, coaching (whisper: only the agent hears) or joining (barge) the call. */
export interface Monitor {
  readonly n: number;
  readonly mode: MonitorMode;
  readonly userId: string;
  /** The supervisor's phone leg. */
  readonly channelId: string;
  readonly requestedAt: number;
  /** When the supervisor's phone answered and was connected. */
  readonly joinedAt: number | null;
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

/**
 * When the ring of `offer` reaches its limit (the 10-second rule): the one place the limit is
 * reckoned. Until the phone rings it counts from the offer (the ring request goes out at once, and
 * Asterisk dials while it handles it); from the phone's ringing once that is known.
 */
export function ringDeadlineOf(offer: OfferedAgent, settings: Pick<CallPathSettings, 'ringTimeoutMs'>): number {
  return ringStartOf(offer) + settings.ringTimeoutMs;
}

export interface ConnectedAgent {
  readonly attempt: number;
  readonly agentId: AgentId;
  readonly agentNumber: string;
  readonly channelId: string;
  readonly answeredAt: number;
}

/**
 * An outbound leg the caller is being handed to: an emergency line (the one-key emergency transfer,
 * `line` set) or a handling unit's number (a blind or completed consultative transfer, `line` null).
 */
export interface OutboundLeg {
  readonly n: number;
  readonly line: EmergencyLine | null;
  readonly number: string;
  readonly channelId: string;
  readonly requestedAt: number;
}

/** A handling unit's line added to the call (三方通话). */
export interface UnitLeg {
  readonly n: number;
  readonly number: string;
  readonly channelId: string;
  readonly requestedAt: number;
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
  /** The agent put the caller on hold: the caller left the bridge and hears hold music; the agent's leg stays. */
  | { type: 'held'; agent: ConnectedAgent; bridgedAt: number; heldAt: number }
  /**
   * The emergency line rings; the caller hears a ringing tone outside the bridge. The agent's leg
   * stays in the bridge until the line answers (null once the agent hung up meanwhile), so the
   * caller can go back to the agent when the line is busy or does not answer.
   */
  | { type: 'transferring'; agent: ConnectedAgent | null; bridgedAt: number; leg: OutboundLeg }
  /**
   * Three-way call (三方通话): a unit's line is dialled (joinedAt null) or in the call's bridge with
   * caller and agent; agent null once the agent left the caller with the unit.
   */
  | { type: 'threeWay'; agent: ConnectedAgent | null; bridgedAt: number; unit: UnitLeg; joinedAt: number | null }
  /**
   * Consultative transfer: the caller is out of the bridge on hold music (since heldAt) while the
   * unit's number is dialled; once it answers (joinedAt) the agent talks with the unit in the call's
   * bridge, then completes the transfer (caller and unit together, the agent gone) or cancels it.
   */
  | { type: 'consulting'; agent: ConnectedAgent; bridgedAt: number; heldAt: number; leg: OutboundLeg; joinedAt: number | null }
  /** The caller talks with the emergency line or the unit in the call's bridge; the agent is gone. */
  | { type: 'transferred'; leg: OutboundLeg; answeredAt: number }
  /** The rating prompt plays (playbackId) or the digit is awaited (token). */
  | { type: 'rating'; playbackId: string | null; token: string | null; invalid: number }
  /** The overflow prompt plays (playbackId) or the callback digit is awaited (token). */
  | { type: 'overflow'; reason: OverflowReason; playbackId: string | null; token: string | null }
  /** A last prompt (thanks, goodbye, callback recorded) plays, then the call is hung up. */
  | { type: 'closing'; playbackId: string; reason: EndReason }
  | { type: 'ended'; reason: EndReason; hungUpBy: Party };

export type CallState = CallStateBody & { readonly core: CallCore };
export type CallStateType = CallState['type'];
