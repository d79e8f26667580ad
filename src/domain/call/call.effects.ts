/**
 * Effects are data: the call session executes them through its ports, in order.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type { TimerInput } from './call.inputs';

export type TimerName = 'ring' | 'maxWait' | 'announce' | 'rating' | 'menu' | 'callback' | 'playback';

/** What the agent did with the offer, as far as the agent's state is concerned. */
export type AgentReleaseOutcome =
  /** The agent answered and the conversation is over: wrap-up follows. */
  | 'completed'
  | 'no-answer'
  | 'rejected'
  | 'busy'
  | 'unreachable'
  /** The caller left (or was lost) while the agent's phone rang. */
  | 'cancelled'
  /** The call could not take the offer (it had already moved on). */
  | 'declined';

/** Why the call left the ACD queue. */
export type QueueLeaveReason = 'connected' | 'abandoned' | 'overflow' | 'ended';

export interface CallbackRequest {
  readonly callId: CallId;
  readonly callerNumber: string;
  readonly calledNumber: string;
  readonly queueId: QueueId;
  readonly requestedAt: number;
}

export type CallEffect =
  | { type: 'Answer'; channelId: string }
  | { type: 'Play'; channelId: string; playbackId: string; media: readonly string[] }
  | { type: 'StopPlayback'; playbackId: string }
  | { type: 'StartMoh'; channelId: string; mohClass: string }
  | { type: 'StopMoh'; channelId: string }
  /** A ringing tone to the (answered) caller while an agent's phone rings. */
  | { type: 'StartRingback'; channelId: string }
  | { type: 'StopRingback'; channelId: string }
  /** Ask the ACD for an agent; `retry` after a failed attempt keeps the call's place. */
  /** `queuedAt`: when the call first queued (a call sent to another queue takes its place by that time). */
  | { type: 'RequestAgent'; queueId: QueueId; priority: number; retry: boolean; queuedAt: number | null }
  | { type: 'CancelAgentRequest'; queueId: QueueId; reason: QueueLeaveReason }
  | {
      type: 'RingAgent';
      agentId: AgentId;
      endpoint: string;
      attempt: number;
      channelId: string;
      callerNumber: string;
      timeoutMs: number;
    }
  /** Hang up an agent leg, ringing or answered (gone already is fine). */
  | { type: 'HangupAgentLeg'; channelId: string; attempt: number }
  | { type: 'MarkAgentOnCall'; agentId: AgentId }
  | { type: 'ReleaseAgent'; agentId: AgentId; attempt: number; outcome: AgentReleaseOutcome; ringMs: number | null }
  | { type: 'Bridge'; bridgeId: string; channelIds: readonly string[] }
  /** Take a channel out of the call's bridge (it stays in the application). */
  | { type: 'LeaveBridge'; bridgeId: string; channelId: string }
  /** Put channels (back) into the call's existing bridge. */
  | { type: 'JoinBridge'; bridgeId: string; channelIds: readonly string[] }
  /** Call a number out through a trunk into our application, showing the caller's number. */
  | { type: 'DialOut'; channelId: string; n: number; number: string; trunk: string; callerId: string; timeoutMs: number }
  /** Call a supervisor's phone into our application (the supervisor hears the call once it answers). */
  | { type: 'RingSupervisor'; channelId: string; n: number; endpoint: string; callerId: string }
  /**
   * Listen / whisper: a snoop channel on the agent's leg (spy both ways; whisper `out` = to the agent
   * only), bridged with the supervisor's phone in a bridge of its own.
   */
  | { type: 'StartMonitor'; n: number; supervisorChannelId: string; snoopId: string; snoopedChannelId: string; whisper: boolean; bridgeId: string }
  /** Hang up the supervisor's phone leg and snoop channel, destroy the monitor bridge (gone already is fine). */
  | { type: 'EndMonitor'; n: number; supervisorChannelId: string; snoopId: string; bridgeId: string }
  /** Hang up an outbound leg (gone already is fine). */
  | { type: 'HangupOutboundLeg'; channelId: string; n: number }
  | { type: 'DestroyBridge'; bridgeId: string }
  | { type: 'StartRecording'; bridgeId: string; name: string }
  | { type: 'StopRecording'; name: string }
  | { type: 'HangupCaller'; channelId: string }
  /**
   * Start (or restart) the timer `name` to fire at `at` (ms since epoch, on the session's clock; at
   * once when that has passed); then `fire` comes back as an input. The machine owns every deadline:
   * the session only schedules it.
   */
  | { type: 'StartTimer'; name: TimerName; at: number; token: string; fire: TimerInput }
  | { type: 'CancelTimer'; name: TimerName }
  | { type: 'CancelAllTimers' }
  | { type: 'PersistCallbackRequest'; request: CallbackRequest };

export type CallEffectType = CallEffect['type'];
