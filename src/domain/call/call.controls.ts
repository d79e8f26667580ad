/**
 * In-call controls of the agent: hold / resume, and the one-key emergency transfer to 110/119/120/122.
 *
 * Hold takes the caller out of the call's bridge and plays hold music to it; the agent's leg stays in
 * the bridge, so resume only puts the caller back. The emergency transfer dials the line through the
 * trunk with the caller's number at once (blind: the agent does not talk to the line first); the
 * caller hears a ringing tone outside the bridge and the agent stays in the bridge until the line
 * answers. Then the agent's leg is hung up and the agent released (wrap-up), and caller and line
 * talk in the call's bridge; the platform keeps the call and its record until one of them hangs up.
 * A line that is busy or does not answer gives the caller back to the agent (or, when the agent hung
 * up meanwhile, to the queue): the caller is never dropped. The caller is not asked to rate the
 * agent after an emergency transfer: the caller's conversation ends with the emergency line.
 */
import type { QueueId } from '../../shared/ids';
import { transferChannelId } from './call.ids';
import { isEmergencyLine, type EmergencyLine } from './call.settings';
import { agentLeft } from './call.conversation';
import type { CallInput } from './call.inputs';
import { enterQueue } from './call.queue';
import type { CallState, ConnectedAgent, OutboundLeg, UnitLeg } from './call.state';
import { promptMedia } from './call.settings';
import { closing } from './call.step';
import { unitAnswered, unitLeft } from './call.transfer';
import { ignore, type Outcome, type Step } from './call.step';

/** A control an agent (or a supervisor for the agent) asks for on a live call. */
export type CallControl =
  | { type: 'hold' }
  | { type: 'resume' }
  | { type: 'emergency-transfer'; line: EmergencyLine }
  | { type: 'three-way'; number: string }
  /** To a handling unit's number: blind, or consultative (the agent talks to the unit first). */
  | { type: 'transfer'; number: string; mode: 'blind' | 'consult' }
  | { type: 'transfer-complete' }
  | { type: 'transfer-cancel' }
  | { type: 'queue-transfer'; queueId: QueueId };

/**
 * Why `control` makes no sense in `state` (the API answers 409 with it), or null when it is taken.
 * The machine decides again when the input arrives: a state that changed meanwhile ignores it.
 */
export function controlRefusal(state: CallState, control: CallControl): string | null {
  switch (control.type) {
    case 'hold':
      if (state.type === 'held') return '通话已保持 (the caller is already on hold)';
      return state.type === 'talking' ? null : refusalFor(state);
    case 'resume':
      return state.type === 'held' ? null : '通话未保持 (the caller is not on hold)';
    case 'three-way':
      if (!/^[0-9+]{3,20}$/.test(control.number)) return `not a phone number: ${control.number}`;
      if (state.type === 'threeWay') return '已在三方通话 (a three-way call is already under way)';
      return state.type === 'talking' ? null : refusalFor(state);
    case 'transfer':
      if (!/^[0-9+]{3,20}$/.test(control.number)) return `not a phone number: ${control.number}`;
      if (control.mode !== 'blind' && control.mode !== 'consult') return `unknown transfer mode ${String(control.mode)}`;
      if (state.type === 'transferring' || state.type === 'transferred' || state.type === 'consulting') return '已在转接 (a transfer is already under way)';
      return state.type === 'talking' || state.type === 'held' ? null : refusalFor(state);
    case 'queue-transfer':
      if (state.type === 'talking' || state.type === 'held') return state.core.queueId === control.queueId ? `通话已在该队列 (the call is in queue ${control.queueId} already)` : null;
      return refusalFor(state);
    case 'transfer-complete':
      if (state.type !== 'consulting') return '没有进行中的咨询转接 (no consultative transfer under way)';
      return state.joinedAt === null ? '承办单位尚未接听 (the unit has not answered yet)' : null;
    case 'transfer-cancel':
      return state.type === 'consulting' ? null : '没有进行中的咨询转接 (no consultative transfer under way)';
    case 'emergency-transfer':
      if (!isEmergencyLine(control.line)) return `unknown emergency line ${String(control.line)}`;
      if (state.type === 'transferring' || state.type === 'transferred') return '已在转接 (a transfer is already under way)';
      return state.type === 'talking' || state.type === 'held' ? null : refusalFor(state);
  }
}

function refusalFor(state: CallState): string {
  switch (state.type) {
    case 'ended':
      return '通话已结束 (the call has ended)';
    case 'ringing':
    case 'queued':
    case 'answering':
    case 'greeting':
    case 'menu':
    case 'connecting':
      return `通话尚未接通 (the caller is not talking with an agent: ${state.type})`;
    default:
      return `not possible while ${state.type}`;
  }
}

/** talking + HoldRequested. */
export function hold(s: Step, st: Extract<CallState, { type: 'talking' }>): Outcome {
  const c = s.core;
  if (!c.bridgeId) return ignore('no bridge');
  s.effect({ type: 'LeaveBridge', bridgeId: c.bridgeId, channelId: c.callerChannelId });
  s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: s.settings.mohClass });
  s.emit({ type: 'CallHeld', agentId: st.agent.agentId });
  return { type: 'held', agent: st.agent, bridgedAt: st.bridgedAt, heldAt: s.now };
}

export function inHeld(s: Step, st: Extract<CallState, { type: 'held' }>, i: CallInput): Outcome {
  const c = s.core;
  switch (i.type) {
    case 'ResumeRequested':
      if (!c.bridgeId) return ignore('no bridge');
      s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
      s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [c.callerChannelId] });
      s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: s.now - st.heldAt });
      return { type: 'talking', agent: st.agent, bridgedAt: st.bridgedAt };
    case 'EmergencyTransferRequested':
      s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
      s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: s.now - st.heldAt });
      return dialEmergency(s, st.agent, st.bridgedAt, i.line);
    // (A taken-over call learns an answered leg's end as a failed leg: the agent's hang-up too.)
    case 'AgentHungUp':
    case 'AgentLegFailed':
      // The agent left the caller on hold: the hold ends, the caller is asked to rate as usual.
      if (i.attempt !== st.agent.attempt) return ignore('stale attempt');
      s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
      s.emit({ type: 'CallResumed', agentId: st.agent.agentId, heldMs: s.now - st.heldAt });
      if (c.recordingName) s.effect({ type: 'StopRecording', name: c.recordingName });
      return agentLeft(s, st.agent.agentId, st.agent.attempt, s.now - st.bridgedAt);
    default:
      return ignore(i.type === 'Dtmf' ? 'digit while on hold' : 'not accepted while on hold');
  }
}

/** talking + EmergencyTransferRequested. */
export function emergencyTransfer(s: Step, st: Extract<CallState, { type: 'talking' }>, line: EmergencyLine): Outcome {
  const c = s.core;
  if (c.bridgeId) s.effect({ type: 'LeaveBridge', bridgeId: c.bridgeId, channelId: c.callerChannelId });
  return dialEmergency(s, st.agent, st.bridgedAt, line);
}

/** The caller is out of the bridge: ringing tone, and the line dialled with the caller's number. */
function dialEmergency(s: Step, agent: ConnectedAgent, bridgedAt: number, line: EmergencyLine): Outcome {
  const c = s.core;
  const em = s.settings.emergency;
  c.transfers += 1;
  const n = c.transfers;
  const leg: OutboundLeg = { n, line, number: em.numbers[line], channelId: transferChannelId(c.callId, n), requestedAt: s.now };
  s.emit({ type: 'EmergencyTransferStarted', n, line, number: leg.number, channelId: leg.channelId, agentId: agent.agentId });
  s.effect({ type: 'StartRingback', channelId: c.callerChannelId });
  s.effect({ type: 'DialOut', channelId: leg.channelId, n, number: leg.number, trunk: em.trunk, callerId: c.callerNumber, timeoutMs: em.ringTimeoutMs });
  return { type: 'transferring', agent, bridgedAt, leg };
}

export function inTransferring(s: Step, st: Extract<CallState, { type: 'transferring' }>, i: CallInput): Outcome {
  const c = s.core;
  const leg = st.leg;
  switch (i.type) {
    case 'TransferLegAnswered': {
      if (i.n !== leg.n) return ignore('stale transfer leg');
      if (!leg.line) return unitAnswered(s, st);
      s.effect({ type: 'StopRingback', channelId: c.callerChannelId });
      s.emit({ type: 'EmergencyTransferAnswered', n: leg.n, line: leg.line, ringMs: s.now - leg.requestedAt });
      if (st.agent) {
        // The agent's part is done: leg hung up, agent released to wrap-up.
        if (c.recordingName) s.effect({ type: 'StopRecording', name: c.recordingName });
        s.effect({ type: 'HangupAgentLeg', channelId: st.agent.channelId, attempt: st.agent.attempt });
        s.effect({ type: 'ReleaseAgent', agentId: st.agent.agentId, attempt: st.agent.attempt, outcome: 'completed', ringMs: null });
        s.emit({ type: 'CallCompleted', agentId: st.agent.agentId, endedBy: 'agent', talkMs: leg.requestedAt - st.bridgedAt });
      }
      if (c.bridgeId) s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [c.callerChannelId, leg.channelId] });
      return { type: 'transferred', leg, answeredAt: s.now };
    }
    case 'TransferLegFailed': {
      if (i.n !== leg.n) return ignore('stale transfer leg');
      s.effect({ type: 'StopRingback', channelId: c.callerChannelId });
      const ringMs = s.now - leg.requestedAt;
      const failed = (backTo: 'agent' | 'queue') =>
        leg.line
          ? s.emit({ type: 'EmergencyTransferFailed', n: leg.n, line: leg.line, cause: i.cause, ringMs, backTo })
          : s.emit({ type: 'TransferFailed', n: leg.n, cause: i.cause, backTo });
      if (st.agent && c.bridgeId) {
        // Back to the agent, who is told why (the event reaches the console).
        failed('agent');
        s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [c.callerChannelId] });
        return { type: 'talking', agent: st.agent, bridgedAt: st.bridgedAt };
      }
      failed('queue');
      // enterQueue starts the music again only where a ring's tone stopped it.
      if (s.settings.ringingTone === 'moh') s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: s.settings.mohClass });
      return enterQueue(s, true);
    }
    case 'AgentHungUp':
    case 'AgentLegFailed':
      // The agent hung up while the line rings: the transfer goes on without the agent.
      if (!st.agent || i.attempt !== st.agent.attempt) return ignore('stale attempt');
      if (c.recordingName) s.effect({ type: 'StopRecording', name: c.recordingName });
      s.effect({ type: 'ReleaseAgent', agentId: st.agent.agentId, attempt: st.agent.attempt, outcome: 'completed', ringMs: null });
      s.emit({ type: 'CallCompleted', agentId: st.agent.agentId, endedBy: 'agent', talkMs: leg.requestedAt - st.bridgedAt });
      return { ...st, agent: null };
    default:
      return ignore(i.type === 'Dtmf' ? 'digit while transferring' : 'not accepted while transferring');
  }
}

export function inTransferred(s: Step, st: Extract<CallState, { type: 'transferred' }>, i: CallInput): Outcome {
  if (i.type === 'TransferLegHungUp' || (i.type === 'TransferLegFailed' && i.n === st.leg.n)) {
    if (i.n !== st.leg.n) return ignore('stale transfer leg');
    if (!st.leg.line) return unitLeft(s, st);
    const c = s.core;
    s.effect({ type: 'HangupCaller', channelId: c.callerChannelId });
    if (c.bridgeId) s.effect({ type: 'DestroyBridge', bridgeId: c.bridgeId });
    s.effect({ type: 'CancelAllTimers' });
    s.emit({ type: 'CallEnded', reason: 'emergency-transferred', hungUpBy: 'far-end', stage: 'transferred' });
    return { type: 'ended', reason: 'emergency-transferred', hungUpBy: 'far-end' };
  }
  return ignore(i.type === 'Dtmf' ? 'digit while with the emergency line' : 'not accepted after the transfer');
}

/** talking + ThreeWayRequested: the unit's number is dialled with the caller's number; caller and agent talk on meanwhile. */
export function threeWay(s: Step, st: Extract<CallState, { type: 'talking' }>, number: string): Outcome {
  const c = s.core;
  c.transfers += 1;
  const n = c.transfers;
  const unit: UnitLeg = { n, number, channelId: transferChannelId(c.callId, n), requestedAt: s.now };
  s.emit({ type: 'ThreeWayStarted', n, number, channelId: unit.channelId, agentId: st.agent.agentId });
  s.effect({ type: 'DialOut', channelId: unit.channelId, n, number, trunk: s.settings.emergency.trunk, callerId: c.callerNumber, timeoutMs: s.settings.emergency.ringTimeoutMs });
  return { type: 'threeWay', agent: st.agent, bridgedAt: st.bridgedAt, unit, joinedAt: null };
}

/**
 * 三方通话: the unit's line joins the call's bridge when it answers; any party may leave. The unit
 * leaving gives the caller back to the agent; the agent leaving leaves caller and unit talking, and
 * when the unit then hangs up the caller stayed to the end: asked to rate the agent when
 * `rateAfterThreeWay` (the rule of issue 26), else thanked.
 */
export function inThreeWay(s: Step, st: Extract<CallState, { type: 'threeWay' }>, i: CallInput): Outcome {
  const c = s.core;
  const u = st.unit;
  switch (i.type) {
    case 'TransferLegAnswered':
      if (i.n !== u.n || st.joinedAt !== null) return ignore('stale unit leg');
      if (c.bridgeId) s.effect({ type: 'JoinBridge', bridgeId: c.bridgeId, channelIds: [u.channelId] });
      s.emit({ type: 'PartyJoined', n: u.n, party: 'unit', number: u.number });
      return { ...st, joinedAt: s.now };
    case 'TransferLegFailed':
    case 'TransferLegHungUp': {
      if (i.n !== u.n) return ignore('stale unit leg');
      if (st.joinedAt === null) {
        const cause = i.type === 'TransferLegFailed' ? i.cause : 'no-answer';
        s.emit({ type: 'ThreeWayFailed', n: u.n, cause, backTo: st.agent ? 'agent' : 'queue' });
        if (st.agent) return { type: 'talking', agent: st.agent, bridgedAt: st.bridgedAt };
        s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: s.settings.mohClass });
        return enterQueue(s, true);
      }
      s.emit({ type: 'PartyLeft', n: u.n, party: 'unit' });
      if (st.agent) return { type: 'talking', agent: st.agent, bridgedAt: st.bridgedAt };
      // The caller stayed to the end of the call with the unit.
      const r = s.settings.rating;
      if (!r.enabled || !s.settings.rateAfterThreeWay) return closing(s, [promptMedia(s.settings, 'thanks')], 'completed');
      s.emit({ type: 'RatingRequested', scale: r.scale.id, prompt: 1 });
      const name = r.scale.promptName;
      const media = name in s.settings.prompts ? s.settings.prompts[name as keyof typeof s.settings.prompts] : `sound:hotline/${name}`;
      return { type: 'rating', playbackId: s.play([media]), token: null, invalid: 0 };
    }
    case 'AgentHungUp':
    case 'AgentLegFailed': {
      if (!st.agent || i.attempt !== st.agent.attempt) return ignore('stale attempt');
      if (c.recordingName) s.effect({ type: 'StopRecording', name: c.recordingName });
      s.effect({ type: 'ReleaseAgent', agentId: st.agent.agentId, attempt: st.agent.attempt, outcome: 'completed', ringMs: null });
      s.emit({ type: 'PartyLeft', n: u.n, party: 'agent' });
      s.emit({ type: 'CallCompleted', agentId: st.agent.agentId, endedBy: 'agent', talkMs: s.now - st.bridgedAt });
      if (st.joinedAt === null) {
        // The unit has not answered: the caller is not left alone with a ringing line.
        s.effect({ type: 'HangupOutboundLeg', channelId: u.channelId, n: u.n });
        s.emit({ type: 'ThreeWayFailed', n: u.n, cause: 'no-answer', backTo: 'queue' });
        s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: s.settings.mohClass });
        return enterQueue(s, true);
      }
      return { ...st, agent: null };
    }
    default:
      return ignore(i.type === 'Dtmf' ? 'digit during a three-way call' : 'not accepted during a three-way call');
  }
}
