/**
 * Inputs of the per-call machine: what happened on Asterisk, what the ACD decided, and timers
 * firing. Timer inputs carry the token (or attempt) they were started with; a stale one is ignored.
 */
import type { AgentId, QueueId } from '../../shared/ids';
import type { EmergencyLine } from './call.settings';

export type AgentLegFailure = 'rejected' | 'busy' | 'unreachable';

/**
 * Why an agent leg ended unanswered, as Asterisk tells it. `no-answer` (Q.850 19) is the phone's own
 * "no answer" (480) before the ring limit, and Asterisk's dial timeout (set to the ring limit) after it.
 */
export type AgentLegEnd = AgentLegFailure | 'no-answer';

/** Why and when the caller's leg was lost without a hang-up. */
export interface CallerLoss {
  readonly why: CallerLossReason;
  /** The leg's last sign of life (epoch ms, Asterisk's time). */
  readonly at: number;
}

/**
 * `media-timeout`: no audio from the caller for the trunk's RTP timeout; `session-expired`: the SIP
 * session timer (RFC 4028) ran out without a refresh; `asterisk-lost`: Asterisk itself went away.
 */
export type CallerLossReason = 'media-timeout' | 'session-expired' | 'asterisk-lost';

export type TimerInput =
  | { type: 'RingTimeout'; attempt: number }
  | { type: 'MaxWaitTimeout'; token: string }
  | { type: 'AnnounceTick'; token: string }
  | { type: 'RatingTimeout'; token: string }
  | { type: 'MenuTimeout'; token: string }
  | { type: 'CallbackDigitTimeout'; token: string }
  /** A playback whose end Asterisk never reported: treated as finished. */
  | { type: 'PlaybackGuardTimeout'; playbackId: string };

export type CallInput =
  /** The caller's channel was answered by us. */
  | { type: 'Answered' }
  /** The caller hung up (accepted in every non-terminal state). */
  | { type: 'CallerHungUp' }
  /**
   * Asterisk no longer has the caller's channel (404, restart, reconciliation), or ended it because
   * the caller's leg was lost (`lost`: no more audio, or the SIP session expired). `lost.at` is the
   * last sign of life of the leg (Asterisk's time): the conversation is counted to there.
   */
  | { type: 'ChannelGone'; lost?: CallerLoss }
  | { type: 'PlaybackFinished'; playbackId: string }
  | { type: 'Dtmf'; digit: string }
  /** The ACD reserved this agent for the call; the call machine numbers the attempt. */
  | { type: 'AgentOffered'; agentId: AgentId; agentNumber: string; endpoint: string }
  /** The ACD found no agent logged in to the call's queue. */
  | { type: 'NoAgentsAvailable' }
  /**
   * The agent's phone started ringing (its 180); `at`: Asterisk's time of it (epoch ms). The ring
   * limit and the ring's length count from here: under load Asterisk can start a ring a second or
   * more after our request, and that second is not the agent's.
   */
  | { type: 'AgentRinging'; attempt: number; at?: number }
  | { type: 'AgentAnswered'; attempt: number }
  /**
   * The agent leg ended before it was answered; `at`: when Asterisk ended it (epoch ms, its event's
   * timestamp), which the ring's length is taken from when the event reaches us later.
   */
  | { type: 'AgentLegFailed'; attempt: number; cause: AgentLegEnd; at?: number }
  /** The agent leg ended after it was answered. */
  | { type: 'AgentHungUp'; attempt: number }
  /** The agent puts the caller on hold (hold music to the caller; the agent's leg stays). */
  | { type: 'HoldRequested' }
  /** The agent takes the caller back from hold. */
  | { type: 'ResumeRequested' }
  /** The agent hands the caller to an emergency line at once (one key), through the trunk. */
  | { type: 'EmergencyTransferRequested'; line: EmergencyLine }
  /** The agent adds a handling unit's number to the call (三方通话), through the trunk. */
  | { type: 'ThreeWayRequested'; number: string }
  /**
   * The agent transfers the caller to a handling unit's number through the trunk: `blind` hands the
   * caller over when the unit answers; `consult` puts the caller on hold and the agent talks to the
   * unit first, then completes or cancels.
   */
  | { type: 'TransferRequested'; number: string; mode: 'blind' | 'consult' }
  /** Consultative transfer: the agent hands the caller to the unit it is talking with. */
  | { type: 'TransferCompleteRequested' }
  /** Consultative transfer: the agent drops the unit and takes the caller back. */
  | { type: 'TransferCancelRequested' }
  /** The agent sends the caller to another queue: it waits there at its original place (first queue time). */
  | { type: 'QueueTransferRequested'; queueId: QueueId }
  /** The outbound leg `n` was answered (it entered our application). */
  | { type: 'TransferLegAnswered'; n: number }
  /** The outbound leg `n` ended before it was answered (busy, no answer, refused, unreachable). */
  | { type: 'TransferLegFailed'; n: number; cause: AgentLegEnd }
  /** The outbound leg `n` hung up after it was answered. */
  | { type: 'TransferLegHungUp'; n: number }
  /** A supervisor asks to listen / whisper / barge: their phone (`endpoint`) is called first. */
  | { type: 'MonitorRequested'; mode: 'listen' | 'whisper' | 'barge'; userId: string; endpoint: string }
  /** The supervisor (or a manager) ends the monitoring. */
  | { type: 'MonitorStopRequested' }
  /** The supervisor's phone leg `n` answered. */
  | { type: 'MonitorLegAnswered'; n: number }
  /** The supervisor's phone leg `n` ended (never answered, or hung up). */
  | { type: 'MonitorLegEnded'; n: number }
  /** The agent's wrap-up (话后处理) for this call is over: recorded on the call, even after it ended. */
  | { type: 'WrapUpEnded'; wrapUp: WrapUpFact }
  /** Asterisk refused to start the bridge recording. */
  | { type: 'RecordingFailed'; name: string }
  | TimerInput;

/** The agent's after-call work for a call: from the end of the conversation until Ready again. */
export interface WrapUpFact {
  readonly agentId: AgentId;
  readonly startedAt: number;
  readonly endedAt: number;
  /** `timer`: WRAPUP_MS ran out; `agent`: the agent said Ready (or chose another state); `system`: logout or shutdown. */
  readonly endedBy: 'timer' | 'agent' | 'system';
}

export type CallInputType = CallInput['type'];
