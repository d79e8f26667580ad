/**
 * Transfers of the agent's call to a handling unit's number (through the trunk, with the caller's
 * number) and to another queue.
 *
 * - Blind: the caller leaves the bridge and hears a ringing tone while the unit's number rings; the
 *   agent's leg stays in the bridge until the unit answers (as in the emergency transfer), so a unit
 *   that is busy or does not answer gives the caller back to the agent. On the answer the agent's leg
 *   is hung up, the agent released, and caller and unit talk in the call's bridge.
 * - Consultative (attended): the caller is put on hold (hold music, on the record as a hold) while
 *   the unit's number is dialled; the unit joins the bridge and talks with the agent. The agent then
 *   completes (caller and unit together, the agent gone) or cancels (the unit is hung up, the caller
 *   back with the agent). The unit not answering or leaving gives the caller back to the agent; the
 *   agent hanging up completes the transfer once the unit is on the line, and cancels it before.
 * - To another queue: the agent's part ends (leg hung up, agent released to wrap-up), the bridge goes,
 *   and the call waits in the new queue at its original place: the ACD orders by the time the call
 *   first queued. Its ring limit (the 10-second rule) applies to that queue's agents as to any.
 *
 * After a transfer to a unit the caller is asked to rate the agent only if the caller stays to the
 * end (the unit hangs up first), as after a three-way call the agent left (`rateAfterThreeWay`).
 */
import type { QueueId } from '../../shared/ids';
import { transferChannelId } from './call.ids';
import { promptMedia } from './call.settings';
import { agentLeft, ratingPrompt } from './call.conversation';
import type { CallInput } from './call.inputs';
import { enterQueue } from './call.queue';
import type { CallState, ConnectedAgent, OutboundLeg } from './call.state';
import { closing, ignore, type Outcome, type Step } from './call.step';

type Conversation = Extract<CallState, { type: 'talking' | 'held' }>;

/** The caller leaves hold (the hold is closed on the record) before a transfer goes on. */
function endHold(s: Step, st: Conversation): void {
  if (st.type !== 'held') return;
  s.effect({ type: 'StopMoh', channelId: s.core.callerChannelId });
  s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: s.now - st.heldAt });
}

function newLeg(s: Step, number: string): OutboundLeg {
  const c = s.core;
  c.transfers += 1;
  return { n: c.transfers, line: null, number, channelId: transferChannelId(c.callId, c.transfers), requestedAt: s.now };
}

function dial(s: Step, leg: OutboundLeg): void {
  const t = s.settings.emergency;
  s.effect({ type: 'DialOut', channelId: leg.channelId, n: leg.n, number: leg.number, trunk: t.trunk, callerId: s.core.callerNumber, timeoutMs: t.ringTimeoutMs });
}

/** talking / held + TransferRequested. */
export function transferToUnit(s: Step, st: Conversation, number: string, mode: 'blind' | 'consult'): Outcome {
  const c = s.core;
  if (!c.bridgeId) return ignore('no bridge');
  const leg = newLeg(s, number);
  const started = () => s.emit({ type: 'TransferStarted', n: leg.n, mode, number, channelId: leg.channelId, agentId: st.agent.agentId });
  if (mode === 'blind') {
    started();
    endHold(s, st);
    if (st.type === 'talking') s.effect({ type: 'LeaveBridge', bridgeId: c.bridgeId, channelId: c.callerChannelId });
    s.effect({ type: 'StartRingback', channelId: c.callerChannelId });
    dial(s, leg);
    return { type: 'transferring', agent: st.agent, bridgedAt: st.bridgedAt, leg };
  }
  // Consultative: the caller is (or stays) on hold while the agent talks with the unit.
  let heldAt = s.now;
  if (st.type === 'held') heldAt = st.heldAt;
  else {
    s.effect({ type: 'LeaveBridge', bridgeId: c.bridgeId, channelId: c.callerChannelId });
    s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: s.settings.mohClass });
    s.emit({ type: 'CallHeld', agentId: st.agent.agentId });
  }
  started();
  dial(s, leg);
  return { type: 'consulting', agent: st.agent, bridgedAt: st.bridgedAt, heldAt, leg, joinedAt: null };
}

/** The caller goes back to the agent from the consultation's hold. */
function backToAgent(s: Step, st: Extract<CallState, { type: 'consulting' }>): Outcome {
  const c = s.core;
  s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
  if (c.bridgeId) s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [c.callerChannelId] });
  s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: s.now - st.heldAt });
  return { type: 'talking', agent: st.agent, bridgedAt: st.bridgedAt };
}

/** The agent's part is over: recording stopped, agent released to wrap-up (its leg hung up unless gone). */
function agentDone(s: Step, agent: ConnectedAgent, bridgedAt: number, hangUpLeg: boolean): void {
  const c = s.core;
  if (c.recordingName) s.effect({ type: 'StopRecording', name: c.recordingName });
  if (hangUpLeg) s.effect({ type: 'HangupAgentLeg', channelId: agent.channelId, attempt: agent.attempt });
  s.effect({ type: 'ReleaseAgent', agentId: agent.agentId, attempt: agent.attempt, outcome: 'completed', ringMs: null });
  s.emit({ type: 'CallCompleted', agentId: agent.agentId, endedBy: 'agent', talkMs: s.now - bridgedAt });
}

/** Consultation over: the caller joins the unit in the call's bridge. */
function complete(s: Step, st: Extract<CallState, { type: 'consulting' }>, agentGone: boolean): Outcome {
  const c = s.core;
  s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
  s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: s.now - st.heldAt });
  agentDone(s, st.agent, st.bridgedAt, !agentGone);
  if (c.bridgeId) s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [c.callerChannelId] });
  s.emit({ type: 'TransferCompleted', n: st.leg.n, agentId: st.agent.agentId });
  return { type: 'transferred', leg: st.leg, answeredAt: st.joinedAt ?? s.now };
}

export function inConsulting(s: Step, st: Extract<CallState, { type: 'consulting' }>, i: CallInput): Outcome {
  const c = s.core;
  const leg = st.leg;
  switch (i.type) {
    case 'TransferLegAnswered':
      if (i.n !== leg.n || st.joinedAt !== null) return ignore('stale transfer leg');
      if (c.bridgeId) s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [leg.channelId] });
      s.emit({ type: 'TransferAnswered', n: leg.n, ringMs: s.now - leg.requestedAt });
      return { ...st, joinedAt: s.now };
    case 'TransferLegFailed':
    case 'TransferLegHungUp': {
      if (i.n !== leg.n) return ignore('stale transfer leg');
      const cause = st.joinedAt !== null ? 'unit-left' : i.type === 'TransferLegFailed' ? i.cause : 'no-answer';
      s.emit({ type: 'TransferFailed', n: leg.n, cause, backTo: 'agent' });
      return backToAgent(s, st);
    }
    case 'TransferCompleteRequested':
      if (st.joinedAt === null) return ignore('the unit has not answered');
      return complete(s, st, false);
    case 'TransferCancelRequested':
      s.effect({ type: 'HangupOutboundLeg', channelId: leg.channelId, n: leg.n });
      s.emit({ type: 'TransferCancelled', n: leg.n, by: 'agent' });
      return backToAgent(s, st);
    case 'AgentHungUp':
    case 'AgentLegFailed': {
      if (i.attempt !== st.agent.attempt) return ignore('stale attempt');
      // The agent hanging up with the unit on the line hands the caller over (as a desk phone does).
      if (st.joinedAt !== null) return complete(s, st, true);
      s.effect({ type: 'HangupOutboundLeg', channelId: leg.channelId, n: leg.n });
      s.emit({ type: 'TransferCancelled', n: leg.n, by: 'agent-hangup' });
      s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
      s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: s.now - st.heldAt });
      if (c.recordingName) s.effect({ type: 'StopRecording', name: c.recordingName });
      return agentLeft(s, st.agent.agentId, st.agent.attempt, s.now - st.bridgedAt);
    }
    default:
      return ignore(i.type === 'Dtmf' ? 'digit while consulting' : 'not accepted while consulting');
  }
}

/** transferring (to a unit) + the unit answered: the agent's part is over, caller and unit talk. */
export function unitAnswered(s: Step, st: Extract<CallState, { type: 'transferring' }>): Outcome {
  const c = s.core;
  const leg = st.leg;
  s.effect({ type: 'StopRingback', channelId: c.callerChannelId });
  s.emit({ type: 'TransferAnswered', n: leg.n, ringMs: s.now - leg.requestedAt });
  if (st.agent) {
    agentDone(s, st.agent, st.bridgedAt, true);
    s.emit({ type: 'TransferCompleted', n: leg.n, agentId: st.agent.agentId });
  }
  if (c.bridgeId) s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [c.callerChannelId, leg.channelId] });
  return { type: 'transferred', leg, answeredAt: s.now };
}

/** transferred (to a unit) + the unit hung up: the caller stayed to the end. */
export function unitLeft(s: Step, st: Extract<CallState, { type: 'transferred' }>): Outcome {
  s.emit({ type: 'TransferEnded', n: st.leg.n });
  const r = s.settings.rating;
  if (!r.enabled || !s.settings.rateAfterThreeWay) return closing(s, [promptMedia(s.settings, 'thanks')], 'completed');
  s.emit({ type: 'RatingRequested', scale: r.scale.id, prompt: 1 });
  return { type: 'rating', playbackId: s.play([ratingPrompt(s)]), token: null, invalid: 0 };
}

/** talking / held + QueueTransferRequested: the agent's part ends, the call waits in the other queue. */
export function transferToQueue(s: Step, st: Conversation, queueId: QueueId): Outcome {
  const c = s.core;
  endHold(s, st);
  agentDone(s, st.agent, st.bridgedAt, true);
  if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
  // The next agent gets a bridge (and a recording) of its own.
  c.bridgeId = null;
  c.recordingName = null;
  c.transfers += 1;
  s.emit({ type: 'CallTransferredToQueue', n: c.transfers, fromQueueId: c.queueId, queueId, agentId: st.agent.agentId });
  c.queueId = queueId;
  // enterQueue starts the music only where a ring's tone stopped it; here the caller heard the agent.
  if (s.settings.ringingTone === 'moh') s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: s.settings.mohClass });
  // The place in the queue is by the first queue time; the max wait counts from the transfer (the
  // caller was talking with an agent until now).
  if (s.settings.maxQueueWaitMs > 0) {
    const token = s.token('maxWait');
    c.maxWaitToken = token;
    s.startTimer('maxWait', s.now + s.settings.maxQueueWaitMs, token, { type: 'MaxWaitTimeout', token });
  }
  return enterQueue(s, true);
}
