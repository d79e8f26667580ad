/**
 * Taking over a live call after a restart of the application (a deploy, a crash). Asterisk keeps the
 * call up while the application is away; the new process finds the caller's channel in its Stasis
 * application and rebuilds the call's state from the call's stored events plus what Asterisk has now
 * (the caller's channel, the call's agent legs and its bridge). Pure: the call session runs the
 * result like any transition.
 *
 * - Waiting: back in the queue at its original place (the ACD orders by the time it first queued),
 *   hold music, the max-wait limit counting from the original start.
 * - Ringing: the ring goes on with its original timing (the limit counts from the offer); a ring
 *   leg Asterisk no longer has ended during the outage (a miss at the limit, or a refusal) and the
 *   call waits again at its place.
 * - With the agent: the 工号 announcement is taken as done (bridged now); a bridged call stays in its
 *   bridge; an agent leg that ended during the outage is the agent's hang-up (the rating follows).
 * - Prompts (greeting, menu, overflow, last words) are taken as finished; the rating prompt is
 *   played again.
 * - Anything that does not fit (no stored events for an answered channel, a bridged call whose
 *   bridge no longer holds the caller, …) is not rebuilt: the caller hears the goodbye prompt and the
 *   call ends with `not-rebuilt`, its record saying why.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import { bridgeId as bridgeIdOf, monitorBridgeId, ringChannelId, snoopChannelId, supervisorChannelId, transferChannelId } from './call.ids';
import { promptMedia, type CallPathSettings } from './call.settings';
import { ratingPrompt } from './call.conversation';
import type { CallEvent, CallEventBody, CallStage } from './call.events';
import type { CallInput } from './call.inputs';
import { buildCallRecord, type CallRecord } from './call.record';
import { ringDeadlineOf, type CallCore, type CallStateBody, type ConnectedAgent, type OfferedAgent, type OutboundLeg } from './call.state';
import { Step, type CallTransition } from './call.step';

/** What Asterisk has of the call now. */
export interface AsteriskCallView {
  readonly callerChannelId: string;
  readonly callerNumber: string;
  readonly calledNumber: string;
  /** The caller's channel is answered (state Up). */
  readonly callerUp: boolean;
  /** The call's agent legs Asterisk still has (ring-<callId>-<n>). */
  readonly legs: ReadonlyArray<{ readonly channelId: string; readonly up: boolean }>;
  /** The call's bridge, if Asterisk still has it. */
  readonly bridge: { readonly id: string; readonly channelIds: readonly string[] } | null;
  /** The call's outbound legs Asterisk still has (xfer-<callId>-<n>: an emergency line, a unit). */
  readonly outbound?: ReadonlyArray<{ readonly channelId: string; readonly up: boolean }>;
  /**
   * The call's supervisor phone legs and snoop channels Asterisk still has (sup-, snoop-<callId>-<n>)
   * and the bridges joining them (spy-<callId>-<n>).
   */
  readonly monitor?: {
    readonly channels: ReadonlyArray<{ readonly channelId: string; readonly up: boolean }>;
    readonly bridges: ReadonlyArray<{ readonly id: string; readonly channelIds: readonly string[] }>;
  };
}

/** What the ACD and the agents must hold again for an adopted call. */
export interface ResumeRequest {
  readonly queueId: QueueId;
  readonly priority: number;
  /** In the queue (waiting or ringing), at the place it first queued (`queuedAt`). */
  readonly inQueue: boolean;
  readonly queuedAt: number | null;
  /** The agent bound to the call: its phone rings for it, or it is on the call. */
  readonly agent: { readonly agentId: AgentId; readonly status: 'ringing' | 'on-call' } | null;
}

export interface Adoption {
  /** The rebuilt state, its first events (CallAdopted or CallNotRebuilt, …) and effects. */
  readonly transition: CallTransition;
  /** Inputs to run right after (a prompt taken as finished, a leg that ended during the outage). */
  readonly inputs: readonly CallInput[];
  readonly resume: ResumeRequest | null;
  readonly rebuilt: boolean;
}

export interface AdoptContext {
  readonly now: number;
  readonly settings: CallPathSettings;
}

/**
 * Playback (and transfer / supervisor leg) numbers of a taken-over call start above any the earlier
 * process can have used, so a late PlaybackFinished of the old process never matches a new playback
 * (1,000 per process life of the call: 8 hours of position announcements every 30 s).
 */
export const PLAYBACKS_PER_PROCESS = 1000;

/** A playback id that never exists in Asterisk: a prompt taken as finished is "finished" with it. */
const TAKEN_AS_FINISHED = 'adopted';

/** Rebuilds a live call found after a restart; `stored`: its events (may be empty). */
export function adoptCall(callId: CallId, stored: readonly CallEvent[], view: AsteriskCallView, ctx: AdoptContext): Adoption {
  const sorted = [...stored].sort((a, b) => a.seq - b.seq);
  const entered = sorted[0];
  if (!entered || entered.type !== 'CallEntered') {
    const first = enteredEvent(callId, view, ctx);
    return notRebuilt(coreOf(first, [first]), [first], view, ctx, 'unknown', 'no stored events for an answered call');
  }
  const record = buildCallRecord(sorted);
  const core = coreOf(entered, sorted);
  const stage = record.stage;
  if (stage === 'ended') throw new RangeError('an ended call is not adopted');
  const s = new Step(core, { ...ctx, queuePosition: null });
  const fail = (why: string) => notRebuilt(core, [], view, ctx, stage, why, record);
  const legOf = (attempt: number) => view.legs.find((l) => l.channelId === ringChannelId(callId, attempt));
  const taken = (body: CallStateBody, more: Partial<Omit<Adoption, 'transition'>> = {}): Adoption => {
    s.emit({ type: 'CallAdopted', stage });
    return { transition: s.result(body), inputs: more.inputs ?? [], resume: more.resume ?? null, rebuilt: true };
  };
  const queued = (agent: ResumeRequest['agent']): ResumeRequest => ({
    queueId: core.queueId,
    priority: core.priority,
    inQueue: true,
    queuedAt: core.queuedAt,
    agent,
  });

  switch (stage) {
    case 'answering':
      // Answered meanwhile or not: answering again is harmless and brings the greeting.
      s.effect({ type: 'Answer', channelId: core.callerChannelId });
      return taken({ type: 'answering' });
    case 'greeting':
      return taken({ type: 'greeting', playbackId: TAKEN_AS_FINISHED }, { inputs: [finished()] });
    case 'menu': {
      const invalid = sorted.filter((e) => e.type === 'MenuDigitInvalid').length;
      return taken({ type: 'menu', playbackId: TAKEN_AS_FINISHED, token: null, invalid }, { inputs: [finished()] });
    }
    case 'queued': {
      if (!view.callerUp) return fail('caller channel not answered');
      const token = restartQueueTimers(s, record, ctx);
      s.effect({ type: 'StartMoh', channelId: core.callerChannelId, mohClass: ctx.settings.mohClass });
      return taken({ type: 'queued', announcePlaybackId: null, announceToken: token }, { resume: queued(null) });
    }
    case 'ringing': {
      const open = record.attempts.find((a) => a.outcome === 'ringing');
      if (!open || !view.callerUp) return fail('no open ring attempt');
      restartQueueTimers(s, record, ctx, false);
      const offer: OfferedAgent = {
        attempt: open.attempt,
        agentId: open.agentId,
        agentNumber: open.agentNumber,
        endpoint: open.endpoint,
        channelId: ringChannelId(callId, open.attempt),
        offeredAt: open.offeredAt,
      };
      const resume = queued({ agentId: open.agentId, status: 'ringing' });
      const limitAt = ringDeadlineOf(offer, ctx.settings);
      const leg = legOf(open.attempt);
      if (ctx.settings.ringingTone === 'ringback') s.effect({ type: 'StartRingback', channelId: core.callerChannelId });
      else s.effect({ type: 'StartMoh', channelId: core.callerChannelId, mohClass: ctx.settings.mohClass });
      if (!leg) {
        // Asterisk ended the ring while nobody listened: at its limit (its dial timeout), or earlier
        // because the phone refused or could not be reached.
        const lapsed = ctx.now >= limitAt;
        const input: CallInput = { type: 'AgentLegFailed', attempt: open.attempt, cause: lapsed ? 'no-answer' : 'unreachable', at: Math.min(ctx.now, limitAt) };
        return taken({ type: 'ringing', offer }, { inputs: [input], resume });
      }
      if (leg.up) return taken({ type: 'ringing', offer }, { inputs: [{ type: 'AgentAnswered', attempt: open.attempt }], resume });
      // The ring limit counts from the offer, as before the restart.
      s.startTimer('ring', limitAt, String(open.attempt), { type: 'RingTimeout', attempt: open.attempt });
      return taken({ type: 'ringing', offer }, { resume });
    }
    case 'connecting':
    case 'talking': {
      const agent = connectedAgent(record, callId);
      if (!agent || !view.callerUp) return fail('no answered agent in the stored events');
      const leg = legOf(agent.attempt);
      const resume: ResumeRequest = { queueId: core.queueId, priority: core.priority, inQueue: false, queuedAt: core.queuedAt, agent: { agentId: agent.agentId, status: 'on-call' } };
      const agentGone: CallInput[] = leg ? [] : [{ type: 'AgentHungUp', attempt: agent.attempt }];
      if (stage === 'connecting') {
        // The 工号 announcement is over by now: bridge them (or go to the rating if the agent left).
        return taken({ type: 'connecting', agent, playbackId: TAKEN_AS_FINISHED }, { inputs: leg ? [finished()] : agentGone, resume });
      }
      const bridge = view.bridge;
      if (!bridge || bridge.id !== core.bridgeId || !bridge.channelIds.includes(core.callerChannelId)) return fail('the caller is not in the call bridge');
      if (leg && !bridge.channelIds.includes(leg.channelId)) return fail('the agent is not in the call bridge');
      const bridgedAt = record.times.bridgedAt ?? ctx.now;
      return taken({ type: 'talking', agent, bridgedAt }, { inputs: [...monitorTaken(s.core, record, view), ...agentGone], resume });
    }
    case 'held':
    case 'transferring':
    case 'transferred':
    case 'threeWay':
    case 'consulting':
      return adoptControlled(s, stage, record, view, ctx, { taken, fail });
    case 'rating': {
      if (!view.callerUp) return fail('caller channel not answered');
      // The caller may have heard part of the prompt, or none of it: it is asked again.
      const invalid = Math.max(0, record.rating.invalidDigits.length);
      const playbackId = s.play([ratingPrompt(s)]);
      return taken({ type: 'rating', playbackId, token: null, invalid: Math.min(invalid, ctx.settings.rating.maxInvalid) });
    }
    case 'overflow': {
      const reason = record.overflow?.reason ?? 'no-agents';
      return taken({ type: 'overflow', reason, playbackId: TAKEN_AS_FINISHED, token: null }, { inputs: [finished()] });
    }
    case 'closing': {
      const reason = record.callbackRequested ? 'callback-requested' : record.outcome === 'overflow' ? 'overflow' : 'completed';
      return taken({ type: 'closing', playbackId: TAKEN_AS_FINISHED, reason }, { inputs: [finished()] });
    }
    default:
      return fail(`stage ${String(stage)} is not known`);
  }
}

interface AdoptSteps {
  readonly taken: (body: CallStateBody, more?: Partial<Omit<Adoption, 'transition'>>) => Adoption;
  readonly fail: (why: string) => Adoption;
}

/**
 * A call under an in-call control when the application stopped: on hold, in a transfer (ringing the
 * line or unit, or handed to it), in a three-way call or a consultation. Rebuilt from the record
 * (which leg, since when, whether the agent is still on it) and what Asterisk has: the bridge must
 * hold who it held; a leg that ended during the outage comes as its end (answered or not), a leg
 * that answered as its answer. The caller hears again what it heard (music, ringing tone).
 */
function adoptControlled(s: Step, stage: 'held' | 'transferring' | 'transferred' | 'threeWay' | 'consulting', record: CallRecord, view: AsteriskCallView, ctx: AdoptContext, k: AdoptSteps): Adoption {
  const core = s.core;
  const callId = core.callId;
  if (!view.callerUp) return k.fail('caller channel not answered');
  const bridge = view.bridge;
  if (!bridge || bridge.id !== core.bridgeId) return k.fail('the call bridge is gone');
  const inBridge = (id: string) => bridge.channelIds.includes(id);
  const bridgedAt = record.times.bridgedAt ?? ctx.now;
  // The agent is still on the call unless its conversation ended (an emergency line or unit answered, the agent left a three-way call).
  const onCall = record.times.conversationEndedAt === null || (record.times.bridgedAt !== null && record.times.bridgedAt > record.times.conversationEndedAt);
  const agent = onCall ? connectedAgent(record, callId) : null;
  const agentLeg = agent ? view.legs.find((l) => l.channelId === agent.channelId) : undefined;
  const inputs: CallInput[] = [];
  if (agent && !agentLeg) inputs.push({ type: 'AgentHungUp', attempt: agent.attempt });
  else if (agent && !inBridge(agent.channelId)) return k.fail('the agent is not in the call bridge');
  const resume: ResumeRequest | null = agent
    ? { queueId: core.queueId, priority: core.priority, inQueue: false, queuedAt: core.queuedAt, agent: { agentId: agent.agentId, status: 'on-call' } }
    : null;
  const outbound = (n: number) => (view.outbound ?? []).find((l) => l.channelId === transferChannelId(callId, n));
  /** The input that tells the state what became of leg n during the outage (none: still as it was). */
  const legNews = (n: number, joined: boolean): CallInput | null => {
    const leg = outbound(n);
    if (!leg) return joined ? { type: 'TransferLegHungUp', n } : { type: 'TransferLegFailed', n, cause: 'no-answer' };
    if (!joined && leg.up) return { type: 'TransferLegAnswered', n };
    return null;
  };
  const openHold = [...record.holds].reverse().find((h) => h.endedAt === null);

  switch (stage) {
    case 'held': {
      if (!agent || !openHold) return k.fail('no open hold with an agent in the stored events');
      if (inBridge(core.callerChannelId)) return k.fail('the caller on hold is in the call bridge');
      s.effect({ type: 'StartMoh', channelId: core.callerChannelId, mohClass: ctx.settings.mohClass });
      return k.taken({ type: 'held', agent, bridgedAt, heldAt: openHold.startedAt }, { inputs: [...monitorTaken(core, record, view), ...inputs], resume });
    }
    case 'consulting': {
      const x = [...record.transfers].reverse().find((t) => t.kind === 'consult' && (t.outcome === 'ringing' || t.outcome === 'consulting'));
      if (!agent || !x || !openHold || !x.number) return k.fail('no consultation with an agent in the stored events');
      if (inBridge(core.callerChannelId)) return k.fail('the caller on hold is in the call bridge');
      const joined = x.answeredAt !== null;
      const leg: OutboundLeg = { n: x.n, line: null, number: x.number, channelId: transferChannelId(callId, x.n), requestedAt: x.requestedAt };
      if (joined && outbound(x.n) && !inBridge(leg.channelId)) return k.fail('the unit is not in the call bridge');
      s.effect({ type: 'StartMoh', channelId: core.callerChannelId, mohClass: ctx.settings.mohClass });
      const news = legNews(x.n, joined);
      return k.taken({ type: 'consulting', agent, bridgedAt, heldAt: openHold.startedAt, leg, joinedAt: x.answeredAt }, { inputs: news ? [news, ...inputs] : inputs, resume });
    }
    case 'transferring': {
      const leg = ringingLeg(record, callId);
      if (!leg) return k.fail('no transfer ringing in the stored events');
      if (inBridge(core.callerChannelId)) return k.fail('the caller is in the call bridge while the transfer rings');
      s.effect({ type: 'StartRingback', channelId: core.callerChannelId });
      const news = legNews(leg.n, false);
      // The agent's end first: a failing line then sends the caller where it would have gone.
      return k.taken({ type: 'transferring', agent, bridgedAt, leg }, { inputs: [...inputs, ...(news ? [news] : [])], resume });
    }
    case 'transferred': {
      const leg = answeredLeg(record, callId);
      if (!leg) return k.fail('no answered transfer in the stored events');
      if (!inBridge(core.callerChannelId)) return k.fail('the caller is not in the call bridge');
      const news = legNews(leg.n, true);
      if (!news && !inBridge(leg.channelId)) return k.fail('the transferred-to line is not in the call bridge');
      return k.taken({ type: 'transferred', leg, answeredAt: leg.answeredAt }, { inputs: news ? [news] : [] });
    }
    case 'threeWay': {
      const u = [...record.threeWayLegs].reverse()[0];
      if (!u || (u.outcome !== 'ringing' && u.outcome !== 'joined')) return k.fail('no three-way leg in the stored events');
      if (!inBridge(core.callerChannelId)) return k.fail('the caller is not in the call bridge');
      const unit = { n: u.n, number: u.number, channelId: transferChannelId(callId, u.n), requestedAt: u.requestedAt };
      const joined = u.joinedAt !== null;
      if (joined && outbound(u.n) && !inBridge(unit.channelId)) return k.fail('the unit is not in the call bridge');
      const news = legNews(u.n, joined);
      // `agent` null: the agent had left caller and unit talking.
      return k.taken({ type: 'threeWay', agent, bridgedAt, unit, joinedAt: u.joinedAt }, { inputs: [...(news ? [news] : []), ...inputs], resume });
    }
  }
}

/**
 * The supervisor on the call when the application stopped (talking or held: the states a supervisor
 * can be on), taken over with the call: the monitor as the record has it, the supervisor's phone leg
 * and, for listen / whisper, the snoop on the agent's leg and the bridge joining them, all as
 * Asterisk still has them. A phone leg that ended meanwhile comes as its end, one that answered as
 * its answer; a joined supervisor whose audio path is no longer whole is let go (leg hung up) rather
 * than left on a line that carries nothing. Returns the inputs that say so (none: as it was).
 */
function monitorTaken(core: CallCore, record: CallRecord, view: AsteriskCallView): CallInput[] {
  const m = [...record.monitors].reverse().find((x) => x.leftAt === null);
  if (!m) return [];
  const callId = core.callId;
  const channelId = supervisorChannelId(callId, m.n);
  core.monitor = { n: m.n, mode: m.mode, userId: m.userId, channelId, requestedAt: m.requestedAt, joinedAt: m.joinedAt };
  const leg = view.monitor?.channels.find((l) => l.channelId === channelId);
  if (!leg) return [{ type: 'MonitorLegEnded', n: m.n }];
  if (m.joinedAt === null) return leg.up ? [{ type: 'MonitorLegAnswered', n: m.n }] : [];
  const whole =
    m.mode === 'barge'
      ? (view.bridge?.channelIds.includes(channelId) ?? false)
      : (view.monitor?.channels.some((c) => c.channelId === snoopChannelId(callId, m.n)) ?? false) &&
        (view.monitor?.bridges ?? []).some((b) => b.id === monitorBridgeId(callId, m.n) && b.channelIds.includes(channelId) && b.channelIds.includes(snoopChannelId(callId, m.n)));
  return whole ? [] : [{ type: 'MonitorStopRequested' }];
}

/** The transfer whose line or unit rings (the agent's or blind), from the record. */
function ringingLeg(record: CallRecord, callId: CallId): OutboundLeg | null {
  const em = [...record.emergencyTransfers].reverse().find((x) => x.outcome === 'ringing');
  if (em) return { n: em.n, line: em.line, number: em.number, channelId: transferChannelId(callId, em.n), requestedAt: em.requestedAt };
  const x = [...record.transfers].reverse().find((t) => t.kind === 'blind' && t.outcome === 'ringing');
  return x?.number ? { n: x.n, line: null, number: x.number, channelId: transferChannelId(callId, x.n), requestedAt: x.requestedAt } : null;
}

/** The emergency line or unit the caller was handed to, from the record. */
function answeredLeg(record: CallRecord, callId: CallId): (OutboundLeg & { answeredAt: number }) | null {
  const em = [...record.emergencyTransfers].reverse().find((x) => x.outcome === 'answered');
  if (em) return { n: em.n, line: em.line, number: em.number, channelId: transferChannelId(callId, em.n), requestedAt: em.requestedAt, answeredAt: em.answeredAt ?? em.requestedAt };
  const x = [...record.transfers].reverse().find((t) => t.outcome === 'completed' && t.number !== null);
  return x?.number ? { n: x.n, line: null, number: x.number, channelId: transferChannelId(callId, x.n), requestedAt: x.requestedAt, answeredAt: x.completedAt ?? x.requestedAt } : null;
}

function finished(): CallInput {
  return { type: 'PlaybackFinished', playbackId: TAKEN_AS_FINISHED };
}

/**
 * The max-wait limit again, counting from when the call first queued; and (`announce`) the next
 * position announcement. Returns the announcement token.
 */
function restartQueueTimers(s: Step, record: CallRecord, ctx: AdoptContext, announce = true): string | null {
  const c = s.core;
  const st = ctx.settings;
  // After a transfer to another queue the max wait counts from the transfer.
  const lastQueueTransfer = [...record.transfers].reverse().find((x) => x.kind === 'queue');
  const waitFrom = lastQueueTransfer?.requestedAt ?? record.times.queuedAt;
  if (st.maxQueueWaitMs > 0 && waitFrom !== null) {
    const limitAt = waitFrom + st.maxQueueWaitMs;
    if (limitAt <= ctx.now && !announce) {
      // Past the limit during a ring: that ring decides (overflow if it fails), as before the restart.
      c.maxWaitExpired = true;
    } else {
      const token = s.token('maxWait');
      c.maxWaitToken = token;
      s.startTimer('maxWait', limitAt, token, { type: 'MaxWaitTimeout', token });
    }
  }
  if (!announce || st.announceIntervalMs <= 0) return null;
  const token = s.token('announce');
  s.startTimer('announce', ctx.now + st.announceIntervalMs, token, { type: 'AnnounceTick', token });
  return token;
}

function connectedAgent(record: CallRecord, callId: CallId): ConnectedAgent | null {
  // The last answered attempt: a call sent to another queue was answered again.
  const answered = [...record.attempts].reverse().find((a) => a.outcome === 'answered');
  if (!answered || record.agentId === null) return null;
  return {
    attempt: answered.attempt,
    agentId: answered.agentId,
    agentNumber: answered.agentNumber,
    channelId: ringChannelId(callId, answered.attempt),
    answeredAt: answered.endedAt ?? record.times.connectedAt ?? answered.offeredAt,
  };
}

/** The call's shared facts from its stored events. */
function coreOf(entered: Extract<CallEvent, { type: 'CallEntered' }>, events: readonly CallEvent[]): CallCore {
  const record = buildCallRecord(events);
  const lastSeq = Math.max(...events.map((e) => e.seq));
  const adoptions = events.filter((e) => e.type === 'CallAdopted').length;
  // Refusals in a row at the end of the attempts (a no-answer resets the count, as in the machine).
  let refusedInARow = 0;
  for (const a of record.attempts) refusedInARow = a.outcome === 'no-answer' || a.outcome === 'answered' ? 0 : a.outcome === 'ringing' || a.outcome === 'cancelled' ? refusedInARow : refusedInARow + 1;
  return {
    callId: entered.callId,
    callerChannelId: entered.channelId,
    callerNumber: entered.callerNumber,
    calledNumber: entered.calledNumber,
    queueId: record.queueId,
    priority: entered.priority,
    enteredAt: entered.at,
    queuedAt: record.times.queuedAt,
    attempts: record.attempts.reduce((n, a) => Math.max(n, a.attempt), 0),
    nextSeq: lastSeq + 1,
    playbacks: PLAYBACKS_PER_PROCESS * (adoptions + 1),
    timers: 0,
    maxWaitToken: null,
    refusedInARow,
    maxWaitExpired: false,
    bridgeId: events.some((e) => e.type === 'CallBridged') ? bridgeIdOf(entered.callId) : null,
    recordingName: record.recordingName,
    // New transfer and supervisor legs are numbered past any the earlier process can have made, like
    // the playbacks (the one on the call, taken over, keeps its number).
    transfers: PLAYBACKS_PER_PROCESS * (adoptions + 1),
    monitors: PLAYBACKS_PER_PROCESS * (adoptions + 1),
    monitor: null,
    surveyOrder: entered.surveyOrder ?? null,
  };
}

function enteredEvent(callId: CallId, view: AsteriskCallView, ctx: AdoptContext): Extract<CallEvent, { type: 'CallEntered' }> {
  const line = ctx.settings.lines[view.calledNumber];
  return {
    type: 'CallEntered',
    callId,
    seq: 1,
    at: ctx.now,
    channelId: view.callerChannelId,
    callerNumber: view.callerNumber,
    calledNumber: view.calledNumber,
    queueId: line?.queueId ?? ctx.settings.defaultQueueId,
    priority: line?.priority ?? ctx.settings.defaultPriority,
  };
}

/**
 * The call cannot be taken over: what it held in Asterisk is let go (agent legs hung up, bridge
 * destroyed), its open parts are closed in the record, and the caller hears the goodbye prompt
 * before the call ends (`not-rebuilt`). `synthesized`: a first event made up for a call with none
 * stored (it is stored with the rest).
 */
function notRebuilt(
  core: CallCore,
  synthesized: readonly CallEvent[],
  view: AsteriskCallView,
  ctx: AdoptContext,
  stage: CallStage | 'unknown',
  why: string,
  record?: CallRecord,
): Adoption {
  const s = new Step(core, { ...ctx, queuePosition: null });
  for (const leg of view.legs) {
    const attempt = Number(leg.channelId.slice(leg.channelId.lastIndexOf('-') + 1));
    s.effect({ type: 'HangupAgentLeg', channelId: leg.channelId, attempt });
  }
  if (view.bridge) s.effect({ type: 'DestroyBridge', bridgeId: view.bridge.id });
  s.effect({ type: 'StopMoh', channelId: core.callerChannelId });
  if (record) for (const body of openPartsClosed(record, ctx.now)) s.emit(body);
  s.emit({ type: 'CallNotRebuilt', stage, why });
  const playbackId = s.play([promptMedia(ctx.settings, 'goodbye')]);
  const t = s.result({ type: 'closing', playbackId, reason: 'not-rebuilt' });
  return { transition: { ...t, events: [...synthesized, ...t.events] }, inputs: [], resume: null, rebuilt: false };
}

/** Events that close what a call had open (a ring, a conversation, a rating) when it is ended by the system. */
export function openPartsClosed(record: CallRecord, now: number): CallEventBody[] {
  const bodies: CallEventBody[] = [];
  for (const a of record.attempts) {
    if (a.outcome === 'ringing') bodies.push({ type: 'AgentRingCancelled', attempt: a.attempt, agentId: a.agentId, ringMs: Math.max(0, now - a.offeredAt), reason: 'recovered' });
  }
  const t = record.times;
  // (A conversation after a transfer to another queue started after the first one ended.)
  if (record.agentId !== null && (t.conversationEndedAt === null || (t.bridgedAt !== null && t.bridgedAt > t.conversationEndedAt))) {
    bodies.push({ type: 'CallCompleted', agentId: record.agentId, endedBy: 'system', talkMs: t.bridgedAt === null ? 0 : Math.max(0, now - t.bridgedAt) });
  }
  if (record.rating.status === 'pending') bodies.push({ type: 'RatingNotGiven', reason: 'recovered' });
  return bodies;
}
