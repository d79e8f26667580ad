/**
 * The per-call state machine: `transition(state, input, ctx) → { state, effects, events }`.
 *
 * Pure: no I/O, no clock (ctx.now), no randomness. The call session runs it, executes the effects
 * through ports and feeds back what happens (Asterisk events, ACD offers, timers) as inputs.
 * CallerHungUp and ChannelGone are accepted in every state but `ended`; any other input a state
 * does not accept leaves the state as it is and yields an `InputIgnored` event.
 */
import { assertNever } from '../../shared/errors';
import type { CallId, QueueId } from '../../shared/ids';
import { ringChannelId, supervisorChannelId, transferChannelId } from './call.ids';
import { inConnecting, inRating, inTalking } from './call.conversation';
import { emergencyTransfer, hold, inHeld, inThreeWay, inTransferred, inTransferring, threeWay } from './call.controls';
import { inConsulting, transferToQueue, transferToUnit } from './call.transfer';
import { endMonitorIfLeft, inMonitor, isMonitorInput } from './call.monitor';
import type { CallStage, EndReason, Party, SurveyOrderRef } from './call.events';
import type { CallerLoss, CallInput } from './call.inputs';
import { answered, inGreeting, inMenu } from './call.ivr';
import { inOverflow, inQueue, inRinging } from './call.queue';
import { ringStartOf, type CallState, type CallStateBody } from './call.state';
import { ignore, Step, type CallContext, type CallTransition, type Outcome } from './call.step';

export type { CallContext, CallTransition } from './call.step';

/** The facts known when the caller's channel enters the application. */
export interface CallInit {
  readonly callId: CallId;
  readonly channelId: string;
  readonly callerNumber: string;
  readonly calledNumber: string;
  /** Overrides the line's queue (otherwise from settings.lines, else the default queue). */
  readonly queueId?: QueueId;
  readonly priority?: number;
  /** The survey call of this work order, handed over when the citizen pressed 0 (already answered, no greeting). */
  readonly surveyOrder?: SurveyOrderRef;
}

/** The first transition of a call: answer the caller's channel. */
export function startCall(init: CallInit, ctx: CallContext): CallTransition {
  const line = ctx.settings.lines[init.calledNumber];
  const queueId = init.queueId ?? line?.queueId ?? ctx.settings.defaultQueueId;
  const priority = init.priority ?? line?.priority ?? ctx.settings.defaultPriority;
  const s = new Step(
    {
      callId: init.callId,
      callerChannelId: init.channelId,
      callerNumber: init.callerNumber,
      calledNumber: init.calledNumber,
      queueId,
      priority,
      enteredAt: ctx.now,
      queuedAt: null,
      attempts: 0,
      nextSeq: 1,
      playbacks: 0,
      timers: 0,
      maxWaitToken: null,
      refusedInARow: 0,
      maxWaitExpired: false,
      bridgeId: null,
      recordingName: null,
      transfers: 0,
      monitors: 0,
      monitor: null,
      surveyOrder: init.surveyOrder ?? null,
    },
    ctx,
  );
  s.emit({
    type: 'CallEntered',
    channelId: init.channelId,
    callerNumber: init.callerNumber,
    calledNumber: init.calledNumber,
    queueId,
    priority,
    ...(init.surveyOrder ? { surveyOrder: init.surveyOrder } : {}),
  });
  s.effect({ type: 'Answer', channelId: init.channelId });
  return s.result({ type: 'answering' });
}

export function transition(state: CallState, input: CallInput, ctx: CallContext): CallTransition {
  const s = new Step(state.core, ctx);
  if (state.type !== 'ended' && (input.type === 'CallerHungUp' || input.type === 'ChannelGone')) {
    endMonitorIfLeft(s, { type: 'ended', reason: 'caller-hangup', hungUpBy: 'caller' });
    return s.result(hangUp(s, state, input.type === 'CallerHungUp' ? 'caller' : 'network', input.type === 'ChannelGone' ? input.lost : undefined));
  }
  if (input.type === 'WrapUpEnded') {
    // The agent's after-call work belongs to the record whatever the caller is doing now.
    s.emit({ type: 'WrapUpEnded', ...input.wrapUp });
    const { core: _core, ...body } = state;
    return s.result(body as CallStateBody);
  }
  if (input.type === 'RecordingFailed' && state.type !== 'ended' && state.core.recordingName === input.name) {
    // The call goes on without a recording; the record must not name one.
    s.core.recordingName = null;
    s.emit({ type: 'RecordingFailed', name: input.name });
    const { core: _core, ...body } = state;
    return s.result(body as CallStateBody);
  }
  // A playback Asterisk never reported finished is treated as finished.
  const i: CallInput = input.type === 'PlaybackGuardTimeout' ? { type: 'PlaybackFinished', playbackId: input.playbackId } : input;
  let out: Outcome;
  switch (state.type) {
    case 'answering':
      out = i.type === 'Answered' ? answered(s) : ignore('not accepted while answering');
      break;
    case 'greeting':
      out = inGreeting(s, state, i);
      break;
    case 'menu':
      out = inMenu(s, state, i);
      break;
    case 'queued':
      out = inQueue(s, state, i);
      break;
    case 'ringing':
      out = inRinging(s, state, i);
      break;
    case 'connecting':
      out = inConnecting(s, state, i);
      break;
    case 'talking':
      out =
        inConversation(s, state, i) ??
        (i.type === 'HoldRequested'
          ? hold(s, state)
          : i.type === 'EmergencyTransferRequested'
            ? emergencyTransfer(s, state, i.line)
            : i.type === 'ThreeWayRequested'
              ? threeWay(s, state, i.number)
              : inTalking(s, state, i));
      break;
    case 'held':
      out = inConversation(s, state, i) ?? inHeld(s, state, i);
      break;
    case 'consulting':
      out = inConsulting(s, state, i);
      break;
    case 'transferring':
      out = inTransferring(s, state, i);
      break;
    case 'transferred':
      out = inTransferred(s, state, i);
      break;
    case 'threeWay':
      out = inThreeWay(s, state, i);
      break;
    case 'rating':
      out = inRating(s, state, i);
      break;
    case 'overflow':
      out = inOverflow(s, state, i);
      break;
    case 'closing':
      out =
        i.type === 'PlaybackFinished' && i.playbackId === state.playbackId
          ? endCall(s, state.reason, 'system', 'closing')
          : ignore('not accepted while closing');
      break;
    case 'ended':
      out = ignore('call ended');
      break;
    default:
      return assertNever(state);
  }
  if ('ignored' in out) return ignored(state, input, out.ignored, ctx);
  endMonitorIfLeft(s, out);
  return s.result(out);
}

/** The inputs taken alike while talking and on hold: monitoring, transfers to a unit or a queue. */
function inConversation(s: Step, state: Extract<CallState, { type: 'talking' | 'held' }>, i: CallInput): Outcome | null {
  if (isMonitorInput(i)) return inMonitor(s, state, i);
  if (i.type === 'TransferRequested') return transferToUnit(s, state, i.number, i.mode);
  if (i.type === 'QueueTransferRequested') return transferToQueue(s, state, i.queueId);
  return null;
}

/** Same state, an InputIgnored event, and the clean-up an unwanted agent needs. */
function ignored(state: CallState, input: CallInput, why: string, ctx: CallContext): CallTransition {
  const s = new Step(state.core, ctx);
  s.emit({ type: 'InputIgnored', state: state.type, input: input.type, why });
  if (input.type === 'AgentOffered') {
    // The ACD reserved an agent the call cannot take: give the agent back at once.
    s.effect({ type: 'ReleaseAgent', agentId: input.agentId, attempt: 0, outcome: 'declined', ringMs: null });
  }
  if (input.type === 'AgentAnswered' && input.attempt !== liveAttempt(state) && input.attempt <= state.core.attempts) {
    // An agent leg of a finished attempt answered late (e.g. just after its ring limit): drop it.
    s.effect({ type: 'HangupAgentLeg', channelId: ringChannelId(state.core.callId, input.attempt), attempt: input.attempt });
  }
  if (input.type === 'MonitorLegAnswered' && input.n <= state.core.monitors && input.n !== state.core.monitor?.n) {
    // A supervisor's phone answering after the monitoring ended: drop it.
    s.effect({ type: 'HangupOutboundLeg', channelId: supervisorChannelId(state.core.callId, input.n), n: input.n });
  }
  if (input.type === 'TransferLegAnswered' && input.n <= state.core.transfers && input.n !== liveTransfer(state)) {
    // An outbound leg the call no longer waits for answered late: drop it.
    s.effect({ type: 'HangupOutboundLeg', channelId: transferChannelId(state.core.callId, input.n), n: input.n });
  }
  const { core: _core, ...body } = state;
  return s.result(body as CallStateBody);
}

function liveAttempt(state: CallState): number | null {
  if (state.type === 'ringing') return state.offer.attempt;
  if (state.type === 'connecting' || state.type === 'talking' || state.type === 'held') return state.agent.attempt;
  if (state.type === 'transferring' || state.type === 'threeWay') return state.agent?.attempt ?? null;
  if (state.type === 'consulting') return state.agent.attempt;
  return null;
}

function liveTransfer(state: CallState): number | null {
  if (state.type === 'threeWay') return state.unit.n;
  return state.type === 'transferring' || state.type === 'transferred' || state.type === 'consulting' ? state.leg.n : null;
}

function endCall(s: Step, reason: EndReason, hungUpBy: Party, stage: CallStage): Outcome {
  s.effect({ type: 'HangupCaller', channelId: s.core.callerChannelId });
  if (s.core.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: s.core.bridgeId });
  s.effect({ type: 'CancelAllTimers' });
  s.emit({ type: 'CallEnded', reason, hungUpBy, stage });
  return { type: 'ended', reason, hungUpBy };
}

/** The caller hung up or the channel vanished, in any non-terminal state. */
function hangUp(s: Step, st: Exclude<CallState, { type: 'ended' }>, party: 'caller' | 'network', lost?: CallerLoss): CallStateBody {
  const c = s.core;
  const byCaller = party === 'caller';
  let reason: EndReason = byCaller ? 'caller-hangup' : lost ? 'caller-lost' : 'channel-gone';
  // A lost leg ended at its last sign of life, not when Asterisk (or we) noticed.
  const endAt = lost ? Math.min(s.now, lost.at) : s.now;
  if (lost) s.emit({ type: 'CallerLost', why: lost.why, lastSignAt: lost.at });
  const abandon = (position: number | null) => {
    if (!byCaller) return;
    s.emit({
      type: 'CallAbandoned',
      stage: st.type,
      queueId: c.queueId,
      position,
      waitMs: c.queuedAt === null ? null : s.now - c.queuedAt,
      attempts: c.attempts,
    });
  };
  switch (st.type) {
    case 'answering':
    case 'greeting':
    case 'menu':
      abandon(null);
      break;
    case 'queued':
      s.effect({ type: 'CancelAgentRequest', queueId: c.queueId, reason: 'abandoned' });
      abandon(s.ctx.queuePosition);
      break;
    case 'ringing': {
      const ringMs = Math.max(0, endAt - ringStartOf(st.offer));
      s.effect({ type: 'HangupAgentLeg', channelId: st.offer.channelId, attempt: st.offer.attempt });
      s.effect({ type: 'ReleaseAgent', agentId: st.offer.agentId, attempt: st.offer.attempt, outcome: 'cancelled', ringMs });
      s.effect({ type: 'CancelAgentRequest', queueId: c.queueId, reason: 'abandoned' });
      s.emit({
        type: 'AgentRingCancelled',
        attempt: st.offer.attempt,
        agentId: st.offer.agentId,
        ringMs,
        reason: byCaller ? 'caller-hangup' : 'channel-gone',
      });
      abandon(s.ctx.queuePosition);
      break;
    }
    case 'connecting':
    case 'talking':
    case 'held': {
      const talkMs = st.type === 'connecting' ? 0 : Math.max(0, endAt - st.bridgedAt);
      if (st.type === 'held') s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: Math.max(0, endAt - st.heldAt) });
      s.effect({ type: 'HangupAgentLeg', channelId: st.agent.channelId, attempt: st.agent.attempt });
      if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
      s.effect({ type: 'ReleaseAgent', agentId: st.agent.agentId, attempt: st.agent.attempt, outcome: 'completed', ringMs: null });
      s.emit({ type: 'CallCompleted', agentId: st.agent.agentId, endedBy: party, talkMs });
      break;
    }
    case 'consulting':
      s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
      s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: Math.max(0, endAt - st.heldAt) });
      s.effect({ type: 'HangupOutboundLeg', channelId: st.leg.channelId, n: st.leg.n });
      s.emit({ type: 'TransferFailed', n: st.leg.n, cause: 'caller-hangup', backTo: 'none' });
      s.effect({ type: 'HangupAgentLeg', channelId: st.agent.channelId, attempt: st.agent.attempt });
      s.effect({ type: 'ReleaseAgent', agentId: st.agent.agentId, attempt: st.agent.attempt, outcome: 'completed', ringMs: null });
      s.emit({ type: 'CallCompleted', agentId: st.agent.agentId, endedBy: party, talkMs: Math.max(0, endAt - st.bridgedAt) });
      if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
      break;
    case 'transferring': {
      s.effect({ type: 'HangupOutboundLeg', channelId: st.leg.channelId, n: st.leg.n });
      if (st.leg.line) s.emit({ type: 'EmergencyTransferFailed', n: st.leg.n, line: st.leg.line, cause: 'caller-hangup', ringMs: Math.max(0, endAt - st.leg.requestedAt), backTo: 'none' });
      else s.emit({ type: 'TransferFailed', n: st.leg.n, cause: 'caller-hangup', backTo: 'none' });
      if (st.agent) {
        s.effect({ type: 'HangupAgentLeg', channelId: st.agent.channelId, attempt: st.agent.attempt });
        s.effect({ type: 'ReleaseAgent', agentId: st.agent.agentId, attempt: st.agent.attempt, outcome: 'completed', ringMs: null });
        s.emit({ type: 'CallCompleted', agentId: st.agent.agentId, endedBy: party, talkMs: Math.max(0, st.leg.requestedAt - st.bridgedAt) });
      }
      if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
      break;
    }
    case 'threeWay':
      s.effect({ type: 'HangupOutboundLeg', channelId: st.unit.channelId, n: st.unit.n });
      if (st.agent) {
        s.effect({ type: 'HangupAgentLeg', channelId: st.agent.channelId, attempt: st.agent.attempt });
        s.effect({ type: 'ReleaseAgent', agentId: st.agent.agentId, attempt: st.agent.attempt, outcome: 'completed', ringMs: null });
        s.emit({ type: 'CallCompleted', agentId: st.agent.agentId, endedBy: party, talkMs: Math.max(0, endAt - st.bridgedAt) });
      }
      if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
      break;
    case 'transferred':
      s.effect({ type: 'HangupOutboundLeg', channelId: st.leg.channelId, n: st.leg.n });
      if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
      // A call handed to an emergency line says so whoever hung up last; with a unit the caller
      // hung up (or was lost) as after a three-way call.
      if (st.leg.line) reason = 'emergency-transferred';
      break;
    case 'rating':
      if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
      s.emit({ type: 'RatingNotGiven', reason: byCaller ? 'caller-hangup' : 'channel-gone' });
      break;
    case 'overflow':
      break;
    case 'closing':
      if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
      // The outcome was decided before the last prompt; the caller only left early.
      reason = st.reason;
      break;
    default:
      return assertNever(st);
  }
  s.effect({ type: 'CancelAllTimers' });
  s.emit({ type: 'CallEnded', reason, hungUpBy: party, stage: st.type });
  return { type: 'ended', reason, hungUpBy: party };
}
