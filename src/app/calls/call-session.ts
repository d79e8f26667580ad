/**
 * One live call: runs the pure call machine, executes its effects through the ports, schedules its
 * timers and feeds what comes back (Asterisk events, ACD offers, timers) in as inputs, one at a
 * time and in order. Events are published on the bus, appended to the event store, and folded into
 * the call record, which is written when the call starts and when it ends.
 *
 * Changes are published where they are decided, before the Asterisk requests they come with: for
 * each step the call's events first, then the effects that change and publish queue and agent state
 * (RequestAgent, CancelAgentRequest, MarkAgentOnCall, ReleaseAgent). Inputs waiting by then (above all
 * the ACD's offer, which RequestAgent makes at once when an agent is free) are decided the same way
 * before any request goes out; then the Asterisk requests and timers of those steps run, one at a
 * time, in the machine's order, except that agent legs being dropped are hung up first, without
 * waiting, and agent rings go next (`inRequestOrder`). A ring timer starts once its ring was
 * requested and counts from the moment that request went out; when the phone rings, the machine
 * starts it again from the ringing (Asterisk's time of the 180). A request that fails still goes
 * through `failed`, whose input makes the machine publish the correction (ChannelGone,
 * AgentLegFailed, AgentHungUp, …).
 * An agent released in a step that also hangs up its leg is held back from new offers until that
 * hang-up is done (the ACD holds it), so a new ring never races the old one on the agent's phone.
 */
import type { Background } from '../../shared/background';
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import type { CallPathSettings } from '../../domain/call/call.settings';
import type { AgentReleaseOutcome, CallEffect, QueueLeaveReason, TimerName } from '../../domain/call/call.effects';
import type { CallEvent } from '../../domain/call/call.events';
import type { CallInput, WrapUpFact } from '../../domain/call/call.inputs';
import { startCall, transition, type CallInit, type CallTransition } from '../../domain/call/call.machine';
import { closeOpenCall } from '../../domain/call/call.close';
import type { Adoption, ResumeRequest } from '../../domain/call/call.adopt';
import { buildCallRecord, type CallRecord } from '../../domain/call/call.record';
import type { CallState } from '../../domain/call/call.state';
import { assertNever } from '../../shared/errors';
import type { EventBus } from '../events/event-bus';
import {
  TelephonyNotFoundError,
  type CallbackRequestRepository,
  type CallEventStore,
  type CallRecordRepository,
  type Clock,
  type Logger,
  type Scheduler,
  type TelephonyPort,
  type TimerHandle,
} from './calls.ports';

/** What a call asks of the ACD (the ACD service implements it). */
export interface CallAcdPort {
  requestAgent(req: { callId: CallId; queueId: QueueId; priority: number; retry: boolean; queuedAt: number | null }): void;
  cancelRequest(callId: CallId, reason: QueueLeaveReason): void;
  /** A call taken over after a restart: its place in the queue and its agent, as they were. */
  resumeCall(callId: CallId, request: ResumeRequest): void;
  /** 1-based place of the call in its queue; null when not queued. */
  positionOf(callId: CallId): number | null;
  agentOnCall(agentId: AgentId, callId: CallId): void;
  /**
   * The agent's state changes now; with `legClosed` the agent is offered no new call before it
   * settles (the hang-up of its leg for this call).
   */
  releaseAgent(
    agentId: AgentId,
    callId: CallId,
    info: { attempt: number; outcome: AgentReleaseOutcome; ringMs: number | null },
    legClosed?: Promise<unknown>,
  ): void;
}

/** Effects that change queue or agent state (and publish it) without asking Asterisk anything. */
type StateEffect = Extract<CallEffect, { type: 'RequestAgent' | 'CancelAgentRequest' | 'MarkAgentOnCall' | 'ReleaseAgent' }>;
const STATE_EFFECTS: ReadonlySet<CallEffect['type']> = new Set(['RequestAgent', 'CancelAgentRequest', 'MarkAgentOnCall', 'ReleaseAgent']);
const isStateEffect = (e: CallEffect): e is StateEffect => STATE_EFFECTS.has(e.type);

/** An Asterisk request or timer of a decided step, waiting for its turn; `done` runs once it ran. */
interface PendingEffect {
  readonly effect: CallEffect;
  readonly done?: () => void;
}

/**
 * The order a step's Asterisk requests go out in. First the hang-ups of agent legs the call is done
 * with (a ring that passed its limit is cancelled the moment the limit fires); they are not waited
 * for, since nothing else in the step concerns those channels. Then the agent rings, before the other
 * requests waiting with them (hold music for the caller, …): under load each request can take
 * hundreds of milliseconds, which the caller would wait and the ring limit would count. Everything
 * else keeps its order; timers (sync) too, so a ring timer is still cancelled before the next one
 * starts.
 */
function inRequestOrder(pending: readonly PendingEffect[]): PendingEffect[] {
  const rank = (p: PendingEffect): number => (p.effect.type === 'HangupAgentLeg' ? 0 : p.effect.type === 'RingAgent' ? 1 : 2);
  return [...pending].sort((a, b) => rank(a) - rank(b));
}

const toneOf = (e: CallEffect): { tone: 'moh' | 'ringback'; on: boolean } | null => {
  switch (e.type) {
    case 'StartMoh':
    case 'StopMoh':
      return { tone: 'moh', on: e.type === 'StartMoh' };
    case 'StartRingback':
    case 'StopRingback':
      return { tone: 'ringback', on: e.type === 'StartRingback' };
    default:
      return null;
  }
};
/** Requests after which the caller hears something else: a tone request may not move across them. */
const CALLER_MEDIA: ReadonlySet<CallEffect['type']> = new Set(['Answer', 'Play', 'StopPlayback', 'Bridge', 'HangupCaller']);

/**
 * Drops the caller tone requests of a batch that cancel out. A missed ring followed at once by the
 * next offer stops the ringing tone, starts the music, stops it and starts the ringing tone again:
 * four Asterisk requests, each slow under load, for a tone the caller keeps hearing. A start and a
 * stop of the same tone next to each other (no other tone request or caller media between them)
 * change nothing the caller hears; they go, until no such pair is left.
 */
export function withoutCancellingTones<T extends { readonly effect: CallEffect }>(pending: readonly T[]): T[] {
  const list = [...pending];
  for (let removed = true; removed; ) {
    removed = false;
    let prev: { index: number; tone: 'moh' | 'ringback'; on: boolean } | null = null;
    for (let i = 0; i < list.length && !removed; i++) {
      const effect = list[i]!.effect;
      if (CALLER_MEDIA.has(effect.type)) {
        prev = null;
        continue;
      }
      const tone = toneOf(effect);
      if (!tone) continue;
      if (prev && prev.tone === tone.tone && prev.on !== tone.on) {
        list.splice(i, 1);
        list.splice(prev.index, 1);
        removed = true;
      } else {
        prev = { index: i, ...tone };
      }
    }
  }
  return list;
}

/** How long a supervisor's phone may ring. */
const SUPERVISOR_RING_MS = 30_000;

export interface CallSessionDeps {
  readonly settings: CallPathSettings;
  readonly telephony: TelephonyPort;
  readonly events: CallEventStore;
  readonly records: CallRecordRepository;
  readonly callbacks: CallbackRequestRepository;
  readonly acd: CallAcdPort;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Runs the session's own fire-and-forget steps (its input loop). */
  readonly background: Background;
}

/** A live call found after a restart: its stored events and how it is taken over. */
export interface AdoptedCall {
  readonly stored: readonly CallEvent[];
  readonly adoption: Adoption;
}

/** The agent leg that belongs to the call right now. */
export interface LiveAgentLeg {
  readonly channelId: string;
  readonly attempt: number;
  readonly answered: boolean;
}

export class CallSession {
  private state: CallState;
  private readonly inbox: CallInput[] = [];
  private running = false;
  private finished = false;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private readonly history: CallEvent[] = [];
  private persisted: Promise<void> = Promise.resolve();
  /** The stage of the record last handed to the repository. */
  private writtenStage: CallRecord['stage'] | null = null;
  private readonly log: Logger;
  private resolveDone: (record: CallRecord) => void = () => undefined;
  /** Resolves with the complete record once the call has ended and its record was handed to the repository. */
  readonly done: Promise<CallRecord>;

  constructor(
    start: CallInit | AdoptedCall,
    private readonly deps: CallSessionDeps,
    private readonly onEnded: (session: CallSession) => void = () => undefined,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    if ('adoption' in start) {
      const { adoption, stored } = start;
      const t = adoption.transition;
      const callId = t.state.core.callId;
      this.log = deps.logger.child({ callId, channelId: t.state.core.callerChannelId });
      this.state = t.state;
      this.history.push(...stored);
      const stage = t.events.find((e) => e.type === 'CallAdopted' || e.type === 'CallNotRebuilt');
      if (adoption.rebuilt) this.log.info('call taken over after a restart', { state: t.state.type, stage: stage?.type === 'CallAdopted' ? stage.stage : null });
      else this.log.warn('call found after a restart not rebuilt, ending it', { why: stage?.type === 'CallNotRebuilt' ? stage.why : null });
      this.record(t, true);
      this.inbox.push(...adoption.inputs);
      this.running = true;
      const legsClosed: Array<() => void> = [];
      // After the session is registered (the ACD may offer it an agent at once).
      this.deps.background.run(
        'call.session',
        () =>
          Promise.resolve()
            .then(() => {
              if (adoption.resume) this.deps.acd.resumeCall(callId, adoption.resume);
              return this.runPending(this.decide(t.effects, legsClosed), legsClosed);
            })
            .then(() => this.drain()),
        { callId },
      );
      return;
    }
    const init = start;
    this.log = deps.logger.child({ callId: init.callId, channelId: init.channelId });
    const first = startCall(init, this.ctx(init.callId));
    this.state = first.state;
    this.log.info('call entered', { callerNumber: init.callerNumber, calledNumber: init.calledNumber, queueId: first.state.core.queueId });
    this.record(first, true);
    this.running = true;
    const legsClosed: Array<() => void> = [];
    this.deps.background.run('call.session', () => this.runPending(this.decide(first.effects, legsClosed), legsClosed).then(() => this.drain()), { callId: init.callId });
  }

  get callId(): CallId {
    return this.state.core.callId;
  }

  get callerChannelId(): string {
    return this.state.core.callerChannelId;
  }

  /** The current state (read-only snapshot for the live API and tests). */
  snapshot(): CallState {
    return this.state;
  }

  isEnded(): boolean {
    return this.state.type === 'ended';
  }

  /** Whether inputs are still taken (false once the call has ended). */
  accepts(): boolean {
    return !this.finished;
  }

  liveAgentLeg(): LiveAgentLeg | null {
    const s = this.state;
    if (s.type === 'ringing') return { channelId: s.offer.channelId, attempt: s.offer.attempt, answered: false };
    if (s.type === 'connecting' || s.type === 'talking' || s.type === 'held') return { channelId: s.agent.channelId, attempt: s.agent.attempt, answered: true };
    if ((s.type === 'transferring' || s.type === 'threeWay') && s.agent) return { channelId: s.agent.channelId, attempt: s.agent.attempt, answered: true };
    if (s.type === 'consulting') return { channelId: s.agent.channelId, attempt: s.agent.attempt, answered: true };
    return null;
  }

  /** The outbound (transfer) leg that belongs to the call right now. */
  liveOutboundLeg(): { channelId: string; n: number; answered: boolean } | null {
    const s = this.state;
    if (s.type === 'transferring') return { channelId: s.leg.channelId, n: s.leg.n, answered: false };
    if (s.type === 'transferred') return { channelId: s.leg.channelId, n: s.leg.n, answered: true };
    if (s.type === 'consulting') return { channelId: s.leg.channelId, n: s.leg.n, answered: s.joinedAt !== null };
    if (s.type === 'threeWay') return { channelId: s.unit.channelId, n: s.unit.n, answered: s.joinedAt !== null };
    return null;
  }

  /** The agent handling the call now (talking, on hold, or while a transfer rings). */
  handlingAgent(): AgentId | null {
    const s = this.state;
    if (s.type === 'talking' || s.type === 'held' || s.type === 'connecting' || s.type === 'consulting') return s.agent.agentId;
    if (s.type === 'transferring' || s.type === 'threeWay') return s.agent?.agentId ?? null;
    return null;
  }

  /** Queues an input; inputs are handled one at a time, after the effects of the previous one. */
  deliver(input: CallInput): void {
    if (this.finished) {
      this.dropLate(input);
      return;
    }
    this.inbox.push(input);
    if (!this.running) {
      this.running = true;
      // Not in the caller's stack: the ACD may be in the middle of a dispatch.
      this.deps.background.run('call.session', () => Promise.resolve().then(() => this.drain()), { callId: this.callId });
    }
  }

  private ctx(callId: CallId) {
    return { now: this.deps.clock(), settings: this.deps.settings, queuePosition: this.deps.acd.positionOf(callId) };
  }

  private async drain(): Promise<void> {
    let legsClosed: Array<() => void> = [];
    try {
      while (this.inbox.length > 0 && !this.finished) {
        // Decide every waiting input, and those its state effects cause (the ACD's offer), in order;
        // then run the Asterisk requests and timers of those steps.
        legsClosed = [];
        const pending: PendingEffect[] = [];
        for (let input = this.inbox.shift(); input; input = this.state.type === 'ended' ? undefined : this.inbox.shift()) {
          const from = this.state.type;
          const t = transition(this.state, input, this.ctx(this.callId));
          this.state = t.state;
          const ignored = t.events.find((e) => e.type === 'InputIgnored');
          if (ignored) {
            this.log.info('call input ignored', { state: from, input: input.type, why: ignored.why });
            // An offer the call cannot take (it left the queue meanwhile) still holds its agent.
            if (input.type === 'AgentOffered') this.releaseOffer(input);
          } else this.log.info('call transition', { from, input: input.type, to: t.state.type });
          this.record(t, false);
          pending.push(...this.decide(t.effects, legsClosed));
        }
        await this.runPending(inRequestOrder(withoutCancellingTones(pending)), legsClosed);
        if (this.state.type === 'ended') await this.finish();
      }
    } catch (err) {
      // A bug, not a telephony failure (those are handled per effect): end the call cleanly.
      for (const release of legsClosed) release();
      await this.abort(err);
    } finally {
      this.running = false;
    }
    if (this.inbox.length > 0 && !this.finished) {
      this.running = true;
      this.deps.background.run('call.session', () => Promise.resolve().then(() => this.drain()), { callId: this.callId });
    }
  }

  /**
   * Publishes and stores a step's events. The stored record follows the call: it is written when the
   * call enters and again at each change of stage (queued, ringing, talking, rating, …), so a reader
   * of `calls` sees where a running call is without folding its events. The agent's answer is one
   * (connecting): the stored record then names the agent handling the call, who may make a work
   * order of it while still talking (ownership and masking read the stored record).
   */
  private record(t: CallTransition, first: boolean): void {
    if (t.events.length === 0) return;
    this.appendEvents(t.events);
    const stage = buildCallRecord(this.history).stage;
    // The end is written by finish(), once the session let go of the call.
    if (first || (stage !== this.writtenStage && stage !== 'ended')) {
      this.deps.background.run('call.record', () => this.writeRecord(), { callId: this.callId });
    }
  }

  private appendEvents(batch: readonly CallEvent[]): void {
    this.history.push(...batch);
    for (const e of batch) this.deps.bus.publish('call', e);
    this.persisted = this.persisted
      .then(() => this.deps.events.append(batch))
      .catch((err: unknown) => this.log.error('call events not stored', { err, seqs: batch.map((e) => e.seq) }));
  }

  /**
   * The agent's wrap-up for this call ended: recorded on the call. While the call runs it goes
   * through the machine like any input; after the call ended it is appended after its last event.
   */
  recordWrapUp(wrapUp: WrapUpFact): Promise<void> {
    if (!this.finished) {
      this.deliver({ type: 'WrapUpEnded', wrapUp });
      return Promise.resolve();
    }
    const last = this.history[this.history.length - 1];
    if (!last || buildCallRecord(this.history).wrapUp !== null) return Promise.resolve();
    this.appendEvents([{ type: 'WrapUpEnded', ...wrapUp, callId: this.callId, seq: last.seq + 1, at: this.deps.clock() }]);
    return this.writeRecord();
  }

  /** The agent who answered the call, if one did. */
  answeredBy(): AgentId | null {
    return buildCallRecord(this.history).agentId;
  }

  private writeRecord(): Promise<void> {
    const rec = buildCallRecord(this.history);
    this.writtenStage = rec.stage;
    return this.persisted
      .then(() => this.deps.records.upsert(rec))
      .catch((err: unknown) => this.log.error('call record not stored', { err, complete: rec.complete }));
  }

  /**
   * An input that arrives after the call ended, or was still waiting when it ended. Most are moot;
   * an offer is not: the ACD reserved its agent for this call, and only the call releases it.
   */
  private dropLate(input: CallInput): void {
    if (input.type === 'AgentOffered') this.releaseOffer(input);
    else this.log.debug('input after the call ended', { input: input.type });
  }

  private releaseOffer(offer: Extract<CallInput, { type: 'AgentOffered' }>): void {
    this.log.info('offer the call cannot take, agent released', { agentId: offer.agentId });
    try {
      this.deps.acd.releaseAgent(offer.agentId, this.callId, { attempt: 0, outcome: 'declined', ringMs: null });
    } catch (err) {
      this.log.error('agent release failed', { agentId: offer.agentId, err });
    }
  }

  private dropWaiting(): void {
    for (const input of this.inbox.splice(0)) this.dropLate(input);
  }

  private async finish(): Promise<void> {
    this.finished = true;
    this.dropWaiting();
    this.clearTimers();
    const rec = buildCallRecord(this.history);
    this.log.info('call ended', { outcome: rec.outcome, reason: rec.endReason, hungUpBy: rec.hungUpBy, agentId: rec.agentId });
    this.onEnded(this);
    await this.writeRecord();
    this.resolveDone(rec);
  }

  /**
   * Lets go of the call without touching Asterisk (a stop that hands live calls over to the next
   * instance): no more inputs, timers or requests; its events and record as they are now are stored
   * before this resolves. The next instance takes the call over from them (call.adopt.ts).
   */
  async handOver(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.inbox.splice(0);
    this.clearTimers();
    this.log.info('call handed over to the next instance', { state: this.state.type });
    this.onEnded(this);
    await this.writeRecord();
  }

  /** Ends the call after an internal error: release what it holds, hang up, close its record. */
  private async abort(err: unknown): Promise<void> {
    this.log.error('call aborted after an internal error', { err, state: this.state.type });
    await this.endNow();
  }

  /**
   * Ends the call at once (a stop that can wait no longer): hangs up caller and agent leg, destroys
   * the bridge, releases the agent and completes the record (ended by the system). Nothing of the
   * call is left up in Asterisk, and the record is handed to the repository before this resolves.
   */
  async endNow(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.dropWaiting();
    this.clearTimers();
    const s = this.state;
    const { acd, telephony } = this.deps;
    const quietly = async (op: () => Promise<void>) => {
      try {
        await op();
      } catch (cleanupErr) {
        this.log.warn('clean-up after abort failed', { err: String(cleanupErr) });
      }
    };
    acd.cancelRequest(this.callId, 'ended');
    const leg = this.liveAgentLeg();
    if (leg) {
      const agentId = s.type === 'ringing' ? s.offer.agentId : this.handlingAgent();
      const hungUp = quietly(() => telephony.hangup(leg.channelId));
      if (agentId) acd.releaseAgent(agentId, this.callId, { attempt: leg.attempt, outcome: leg.answered ? 'completed' : 'cancelled', ringMs: null }, hungUp);
      await hungUp;
    }
    const outbound = this.liveOutboundLeg();
    if (outbound) await quietly(() => telephony.hangup(outbound.channelId));
    const monitor = s.core.monitor;
    if (monitor) await quietly(() => telephony.hangup(monitor.channelId));
    await quietly(() => telephony.hangup(this.callerChannelId));
    const bridge = s.core.bridgeId;
    if (bridge) await quietly(() => telephony.destroyBridge(bridge));
    const closing = closeOpenCall(this.history, { now: this.deps.clock(), hungUpBy: 'system' });
    this.history.push(...closing);
    for (const e of closing) this.deps.bus.publish('call', e);
    this.persisted = this.persisted
      .then(() => this.deps.events.append(closing))
      .catch((appendErr: unknown) => this.log.error('call events not stored', { err: appendErr }));
    this.onEnded(this);
    const rec = buildCallRecord(this.history);
    await this.writeRecord();
    this.resolveDone(rec);
  }

  /**
   * Runs a step's state effects now and returns its Asterisk requests and timers, in order. When the
   * step hangs up an agent leg, the agent it releases is held until that hang-up ran (`legsClosed`
   * collects the release, so it also happens if the requests never run).
   */
  private decide(effects: readonly CallEffect[], legsClosed: Array<() => void>): PendingEffect[] {
    let legHangups = effects.filter((e) => e.type === 'HangupAgentLeg').length;
    const legClosed = legHangups > 0 ? signal() : null;
    if (legClosed) legsClosed.push(legClosed.fire);
    for (const e of effects) {
      if (!isStateEffect(e)) continue;
      try {
        this.runState(e, legClosed?.promise);
      } catch (err) {
        this.failed(e, err);
      }
    }
    return effects
      .filter((e) => !isStateEffect(e))
      .map((effect) =>
        effect.type === 'HangupAgentLeg' && legClosed ? { effect, done: () => (--legHangups === 0 ? legClosed.fire() : undefined) } : { effect },
      );
  }

  private async runPending(pending: readonly PendingEffect[], legsClosed: ReadonlyArray<() => void>): Promise<void> {
    const hangups: Promise<void>[] = [];
    const runOne = async ({ effect, done }: PendingEffect): Promise<void> => {
      try {
        await this.run(effect);
      } catch (err) {
        this.failed(effect, err);
      } finally {
        done?.();
      }
    };
    try {
      for (const p of pending) {
        // An agent leg's hang-up goes out now and finishes alongside the requests after it.
        if (p.effect.type === 'HangupAgentLeg') hangups.push(runOne(p));
        else await runOne(p);
      }
      await Promise.all(hangups);
    } finally {
      for (const release of legsClosed) release();
    }
  }

  /** The effects that change queue or agent state: synchronous, no Asterisk request. */
  private runState(e: StateEffect, legClosed?: Promise<void>): void {
    const acd = this.deps.acd;
    switch (e.type) {
      case 'RequestAgent':
        return acd.requestAgent({ callId: this.callId, queueId: e.queueId, priority: e.priority, retry: e.retry, queuedAt: e.queuedAt });
      case 'CancelAgentRequest':
        return acd.cancelRequest(this.callId, e.reason);
      case 'MarkAgentOnCall':
        return acd.agentOnCall(e.agentId, this.callId);
      case 'ReleaseAgent':
        return acd.releaseAgent(e.agentId, this.callId, { attempt: e.attempt, outcome: e.outcome, ringMs: e.ringMs }, legClosed);
      default:
        return assertNever(e);
    }
  }

  private async run(e: CallEffect): Promise<void> {
    const tel = this.deps.telephony;
    switch (e.type) {
      case 'Answer':
        await tel.answer(e.channelId);
        return this.deliver({ type: 'Answered' });
      case 'Play':
        return tel.play(e.channelId, e.playbackId, e.media);
      case 'StopPlayback':
        return tel.stopPlayback(e.playbackId);
      case 'StartMoh':
        return tel.startMoh(e.channelId, e.mohClass);
      case 'StopMoh':
        return tel.stopMoh(e.channelId);
      case 'StartRingback':
        return tel.startRingback(e.channelId);
      case 'StopRingback':
        return tel.stopRingback(e.channelId);
      case 'RequestAgent':
      case 'CancelAgentRequest':
      case 'MarkAgentOnCall':
      case 'ReleaseAgent':
        return this.runState(e);
      case 'RingAgent':
        this.log.info('ringing agent', { agentId: e.agentId, attempt: e.attempt, endpoint: e.endpoint });
        return tel.originate({ channelId: e.channelId, endpoint: e.endpoint, callerId: e.callerNumber, timeoutMs: e.timeoutMs });
      case 'HangupAgentLeg':
        return tel.hangup(e.channelId);
      case 'Bridge':
        await tel.createBridge(e.bridgeId);
        return tel.addChannels(e.bridgeId, e.channelIds);
      case 'DestroyBridge':
        return tel.destroyBridge(e.bridgeId);
      case 'LeaveBridge':
        return tel.removeChannel(e.bridgeId, e.channelId);
      case 'JoinBridge':
        return tel.addChannels(e.bridgeId, e.channelIds);
      case 'DialOut':
        this.log.info('dialling out', { n: e.n, number: e.number, trunk: e.trunk });
        return tel.dialOut({ channelId: e.channelId, number: e.number, trunk: e.trunk, callerId: e.callerId, timeoutMs: e.timeoutMs });
      case 'HangupOutboundLeg':
        return tel.hangup(e.channelId);
      case 'RingSupervisor':
        this.log.info('ringing supervisor', { n: e.n, endpoint: e.endpoint });
        return tel.originate({ channelId: e.channelId, endpoint: e.endpoint, callerId: e.callerId, timeoutMs: SUPERVISOR_RING_MS });
      case 'StartMonitor':
        await tel.snoop(e.snoopedChannelId, e.snoopId, e.whisper);
        await tel.createBridge(e.bridgeId);
        return tel.addChannels(e.bridgeId, [e.supervisorChannelId, e.snoopId]);
      case 'EndMonitor': {
        // Each part may be gone already (the supervisor hung up, the agent's leg took the snoop with it).
        const quietly = (p: Promise<void>) => p.catch((err: unknown) => (err instanceof TelephonyNotFoundError ? undefined : this.log.warn('monitor clean-up failed', { n: e.n, err: String(err) })));
        await Promise.all([quietly(tel.hangup(e.supervisorChannelId)), quietly(tel.hangup(e.snoopId)), quietly(tel.destroyBridge(e.bridgeId))]);
        return;
      }
      case 'StartRecording':
        return tel.recordBridge(e.bridgeId, e.name);
      case 'StopRecording':
        return tel.stopRecording(e.name);
      case 'HangupCaller':
        return tel.hangup(e.channelId);
      case 'StartTimer': {
        this.clearTimer(e.name);
        const fire = e.fire;
        // The deadline is the machine's; the requests before this one (a slow ring request under
        // load) have taken part of the time already.
        const ms = Math.max(0, e.at - this.deps.clock());
        const deliver = (): void => {
          this.timers.delete(e.name);
          this.deliver(fire);
        };
        const handle = this.deps.scheduler.setTimeout(() => {
          if (e.name !== 'ring') return deliver();
          // Asterisk ends the ring at the limit itself (its dial timeout). When our timer runs late,
          // the events Asterisk has sent meanwhile go first (they are read before the next turn's
          // timers), so the machine hears how and when the leg really ended.
          this.timers.set(e.name, this.deps.scheduler.setTimeout(deliver, 0));
        }, ms);
        this.timers.set(e.name, handle);
        return;
      }
      case 'CancelTimer':
        return this.clearTimer(e.name);
      case 'CancelAllTimers':
        return this.clearTimers();
      case 'PersistCallbackRequest':
        // Not awaited: a slow database must not hold the caller.
        void this.deps.callbacks
          .save(e.request)
          .catch((err: unknown) => this.log.error('callback request not stored', { err, callerNumber: e.request.callerNumber }));
        return;
      default:
        return assertNever(e);
    }
  }

  /** Turns a failed effect into the input that tells the machine what is true now. */
  private failed(e: CallEffect, err: unknown): void {
    // Which channel Asterisk no longer has, if that is the failure.
    const goneChannel = err instanceof TelephonyNotFoundError && err.resource === 'channel' ? err.id : null;
    const callerGone = goneChannel !== null && goneChannel === this.callerChannelId;
    switch (e.type) {
      case 'StopPlayback':
      case 'HangupAgentLeg':
      case 'HangupOutboundLeg':
      case 'HangupCaller':
      case 'DestroyBridge':
      case 'StopRecording':
        // Already gone is what we wanted.
        if (!(err instanceof TelephonyNotFoundError)) this.log.warn('clean-up failed', { effect: e.type, err: String(err) });
        return;
      case 'RingAgent':
        this.log.warn('agent leg failed to start', { agentId: e.agentId, attempt: e.attempt, err: String(err) });
        this.deliver({ type: 'AgentLegFailed', attempt: e.attempt, cause: 'unreachable' });
        return;
      case 'Play':
        if (callerGone) return this.deliver({ type: 'ChannelGone' });
        this.log.warn('playback failed', { playbackId: e.playbackId, err: String(err) });
        // Go on as if it had played.
        return this.deliver({ type: 'PlaybackFinished', playbackId: e.playbackId });
      case 'Bridge': {
        if (callerGone) return this.deliver({ type: 'ChannelGone' });
        const leg = this.liveAgentLeg();
        if (goneChannel === null) this.log.error('bridge failed', { bridgeId: e.bridgeId, err: String(err) });
        // The agent's leg is gone, or caller and agent cannot talk: end it as an agent hang-up would.
        if (leg) this.deliver({ type: 'AgentHungUp', attempt: leg.attempt });
        return;
      }
      case 'RingSupervisor':
      case 'StartMonitor':
        this.log.warn('supervisor could not be connected', { effect: e.type, n: e.n, err: String(err) });
        this.deliver({ type: 'MonitorLegEnded', n: e.n });
        return;
      case 'EndMonitor':
        this.log.warn('monitor clean-up failed', { n: e.n, err: String(err) });
        return;
      case 'DialOut':
        this.log.warn('outbound leg failed to start', { n: e.n, err: String(err) });
        this.deliver({ type: 'TransferLegFailed', n: e.n, cause: 'unreachable' });
        return;
      case 'LeaveBridge':
      case 'JoinBridge': {
        if (callerGone) return this.deliver({ type: 'ChannelGone' });
        const out = this.liveOutboundLeg();
        if (out && goneChannel === out.channelId) {
          return this.deliver(out.answered ? { type: 'TransferLegHungUp', n: out.n } : { type: 'TransferLegFailed', n: out.n, cause: 'unreachable' });
        }
        this.log.error('bridge change failed', { effect: e.type, bridgeId: e.bridgeId, err: String(err) });
        return;
      }
      case 'Answer':
      case 'StartMoh':
      case 'StopMoh':
      case 'StartRingback':
      case 'StopRingback':
        if (callerGone) return this.deliver({ type: 'ChannelGone' });
        this.log.warn('caller channel operation failed', { effect: e.type, err: String(err) });
        // A call we cannot answer cannot go on.
        if (e.type === 'Answer') {
          void this.deps.telephony
            .hangup(e.channelId)
            .catch((hangupErr: unknown) => this.log.debug('hang-up after failed answer failed', { err: String(hangupErr) }));
          this.deliver({ type: 'ChannelGone' });
        }
        return;
      case 'StartRecording':
        this.log.error('recording failed to start', { name: e.name, err: String(err) });
        this.deliver({ type: 'RecordingFailed', name: e.name });
        return;
      case 'RequestAgent':
      case 'CancelAgentRequest':
      case 'MarkAgentOnCall':
      case 'ReleaseAgent':
      case 'StartTimer':
      case 'CancelTimer':
      case 'CancelAllTimers':
      case 'PersistCallbackRequest':
        this.log.error('call effect failed', { effect: e.type, err });
        return;
      default:
        return assertNever(e);
    }
  }

  private clearTimer(name: TimerName): void {
    const h = this.timers.get(name);
    if (h !== undefined) {
      this.deps.scheduler.clearTimeout(h);
      this.timers.delete(name);
    }
  }

  private clearTimers(): void {
    for (const h of this.timers.values()) this.deps.scheduler.clearTimeout(h);
    this.timers.clear();
  }
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}
