/**
 * Call events: past tense, append-only, numbered per call. They hold the per-attempt facts from
 * which the call record and every service-level, ASA and abandon variant can be recomputed.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type { EmergencyLine } from './call.settings';
import type { AgentLegEnd, AgentLegFailure, CallerLossReason, WrapUpFact } from './call.inputs';

/** Where the call was when something happened. */
export type CallStage =
  | 'answering'
  | 'greeting'
  | 'menu'
  | 'queued'
  | 'ringing'
  | 'connecting'
  | 'talking'
  | 'held'
  | 'transferring'
  | 'transferred'
  | 'threeWay'
  | 'consulting'
  | 'rating'
  | 'overflow'
  | 'closing';

export type EndReason =
  /** Normal end after the conversation (and rating, when enabled). */
  | 'completed'
  | 'caller-hangup'
  | 'channel-gone'
  /** The caller's leg was lost without a hang-up (no audio, SIP session expired, Asterisk gone). */
  | 'caller-lost'
  /** Overflow prompt played, no callback requested. */
  | 'overflow'
  | 'callback-requested'
  /** Closed by reconciliation: the application lost track of the call. */
  | 'recovered'
  /** The caller was handed to an emergency line (110/119/120/122) and that conversation ended. */
  | 'emergency-transferred'
  /** Found live after a restart of the application, but its state could not be rebuilt: goodbye prompt, then hung up. */
  | 'not-rebuilt';

/** `far-end`: the line the caller was transferred to. */
export type Party = 'caller' | 'agent' | 'system' | 'network' | 'far-end';

/**
 * The work order whose automated callback survey (回访) handed its call to the agent queue when the
 * citizen pressed 0: the agent sees which order the call is about.
 */
export interface SurveyOrderRef {
  readonly orderId: string;
  readonly orderNumber: string;
}

export type RingMissOutcome = 'no-answer' | AgentLegFailure;

export type OverflowReason = 'max-wait' | 'no-agents';

export type RatingNotGivenReason = 'timeout' | 'invalid' | 'caller-hangup' | 'channel-gone' | 'recovered';

export interface CallEventBase {
  readonly callId: CallId;
  /** 1, 2, … per call; (callId, seq) is unique. */
  readonly seq: number;
  /** ms since epoch. */
  readonly at: number;
}

export type CallEventBody =
  /** `surveyOrder`: a citizen who pressed 0 in this order's automated callback survey (the survey's call, handed over). */
  | { type: 'CallEntered'; channelId: string; callerNumber: string; calledNumber: string; queueId: QueueId; priority: number; surveyOrder?: SurveyOrderRef }
  | { type: 'CallAnswered' }
  | { type: 'GreetingFinished' }
  | { type: 'MenuChoiceMade'; digit: string; queueId: QueueId }
  | { type: 'MenuDigitInvalid'; digit: string }
  | { type: 'MenuTimedOut'; queueId: QueueId }
  /** Enter queue (also after a failed attempt, with `retry`). */
  | { type: 'CallQueued'; queueId: QueueId; priority: number; retry: boolean }
  | { type: 'QueuePositionAnnounced'; position: number | null }
  /** Offer: the agent's phone is rung. `waitMs` since the call first queued. */
  | {
      type: 'AgentOffered';
      attempt: number;
      agentId: AgentId;
      agentNumber: string;
      endpoint: string;
      channelId: string;
      waitMs: number;
    }
  | { type: 'AgentRingMissed'; attempt: number; agentId: AgentId; outcome: RingMissOutcome; ringMs: number }
  /** The ring stopped because the caller left or was lost. */
  | { type: 'AgentRingCancelled'; attempt: number; agentId: AgentId; ringMs: number; reason: 'caller-hangup' | 'channel-gone' | 'recovered' }
  /** Connect: the agent answered. `waitMs` since the call first queued (ASA). */
  | { type: 'AgentAnswered'; attempt: number; agentId: AgentId; agentNumber: string; ringMs: number; waitMs: number }
  | { type: 'CallBridged'; bridgeId: string; agentChannelId: string }
  | { type: 'RecordingStarted'; name: string }
  | { type: 'RecordingFailed'; name: string }
  /** Complete: the conversation with the agent is over. */
  | { type: 'CallCompleted'; agentId: AgentId; endedBy: Party; talkMs: number }
  /** The caller's leg was lost without a hang-up; `lastSignAt`: its last sign of life (Asterisk's time). */
  | { type: 'CallerLost'; why: CallerLossReason; lastSignAt: number }
  /** The agent put the caller on hold. */
  | { type: 'CallHeld'; agentId: AgentId }
  /** The caller is back with the agent; `heldMs`: this hold's length. */
  | { type: 'CallResumed'; agentId: AgentId; heldMs: number }
  /** One-key emergency transfer: the line is dialled through the trunk with the caller's number. */
  | { type: 'EmergencyTransferStarted'; n: number; line: EmergencyLine; number: string; channelId: string; agentId: AgentId | null }
  | { type: 'EmergencyTransferAnswered'; n: number; line: EmergencyLine; ringMs: number }
  /** The line did not take the call: the caller went back to the agent (or to the queue, the agent gone). */
  | { type: 'EmergencyTransferFailed'; n: number; line: EmergencyLine; cause: AgentLegEnd | 'caller-hangup'; ringMs: number; backTo: 'agent' | 'queue' | 'none' }
  /** Three-way call: the unit's number is dialled through the trunk. */
  | { type: 'ThreeWayStarted'; n: number; number: string; channelId: string; agentId: AgentId }
  /** A party joined or left the three-way call (the unit's line, the agent). */
  | { type: 'PartyJoined'; n: number; party: 'unit'; number: string }
  | { type: 'PartyLeft'; n: number; party: 'unit' | 'agent' }
  /** The unit's line did not answer: the caller stays with the agent. */
  | { type: 'ThreeWayFailed'; n: number; cause: AgentLegEnd; backTo: 'agent' | 'queue' }
  /** Transfer to a handling unit's number through the trunk (blind, or consultative: the agent talks to the unit first). */
  | { type: 'TransferStarted'; n: number; mode: 'blind' | 'consult'; number: string; channelId: string; agentId: AgentId }
  /** The unit answered: the caller is handed over (blind), or the agent talks with the unit (consult). */
  | { type: 'TransferAnswered'; n: number; ringMs: number }
  /** The unit did not take the call, or left the consultation: the caller goes back to the agent (or the queue, the agent gone). */
  | { type: 'TransferFailed'; n: number; cause: AgentLegEnd | 'unit-left' | 'caller-hangup'; backTo: 'agent' | 'queue' | 'none' }
  /** Consultative transfer dropped by the agent (or the agent hung up before the unit answered): the caller is back with the agent. */
  | { type: 'TransferCancelled'; n: number; by: 'agent' | 'agent-hangup' }
  /** Caller and unit talk in the call's bridge; the agent's part is over. */
  | { type: 'TransferCompleted'; n: number; agentId: AgentId }
  /** The unit hung up after the caller was handed to it. */
  | { type: 'TransferEnded'; n: number }
  /** The agent sent the caller to another queue; it waits there at its original place (first queue time). */
  | { type: 'CallTransferredToQueue'; n: number; fromQueueId: QueueId; queueId: QueueId; agentId: AgentId }
  /** A supervisor asked to listen / whisper / barge (audit: who, which call, when). */
  | { type: 'MonitorRequested'; n: number; mode: 'listen' | 'whisper' | 'barge'; userId: string }
  /** The supervisor's phone answered and was connected to the call. */
  | { type: 'SupervisorJoined'; n: number; mode: 'listen' | 'whisper' | 'barge'; userId: string }
  /** The supervisor left (or never got on): how long they were on the call. */
  | { type: 'SupervisorLeft'; n: number; userId: string; reason: 'supervisor' | 'stopped' | 'call-moved'; joinedMs: number }
  /** The agent's wrap-up for this call ended (may follow CallEnded). */
  | ({ type: 'WrapUpEnded' } & WrapUpFact)
  /** The caller hung up before reaching an agent. */
  | { type: 'CallAbandoned'; stage: CallStage; queueId: QueueId; position: number | null; waitMs: number | null; attempts: number }
  | { type: 'CallOverflowed'; reason: OverflowReason; queueId: QueueId; position: number | null; waitMs: number }
  | { type: 'CallbackRequested'; callerNumber: string; queueId: QueueId }
  | { type: 'RatingRequested'; scale: string; prompt: number }
  | { type: 'RatingDigitInvalid'; digit: string }
  | { type: 'CallRated'; scale: string; digit: string; value: number; code: string; label: string; satisfied: boolean }
  | { type: 'RatingNotGiven'; reason: RatingNotGivenReason }
  | { type: 'CallEnded'; reason: EndReason; hungUpBy: Party; stage: CallStage }
  /** The application restarted and took the live call over where it was (stored events + Asterisk's channels and bridge). */
  | { type: 'CallAdopted'; stage: CallStage }
  /** The application restarted and found the call live, but could not rebuild where it was: it is ended. */
  | { type: 'CallNotRebuilt'; stage: CallStage | 'unknown'; why: string }
  /** An input the state does not accept; the state did not change. */
  | { type: 'InputIgnored'; state: string; input: string; why: string };

export type CallEvent = CallEventBase & CallEventBody;
export type CallEventType = CallEvent['type'];
export type CallEventOf<T extends CallEventType> = Extract<CallEvent, { type: T }>;
