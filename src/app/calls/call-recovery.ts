/**
 * Reconciliation with Asterisk, at start-up and after every ARI reconnect. Asterisk does not replay
 * the events we missed, so we ask it what exists and make our side agree:
 *
 * - a live call whose caller channel is gone gets `ChannelGone` (its session completes the record);
 *   one whose agent leg is gone gets the agent-leg input; one whose ringing leg is up gets `AgentAnswered`;
 * - an agent leg or bridge of ours that no live call owns is hung up / destroyed;
 * - a caller channel in our Stasis application that no live call owns belongs to a call that was
 *   running when the application stopped: it is taken over where it was (call.adopt.ts), or, when
 *   that cannot be done, ended with the goodbye prompt and a record that says why;
 * - calls whose stored events are open, with no live session and no channel, are closed.
 */
import type { CallId } from '../../shared/ids';
import type { CallPathSettings } from '../../domain/call/call.settings';
import { bridgeId, callIdForChannel, parseBridgeId, parseMonitorId, parseRingChannelId, parseTransferChannelId } from '../../domain/call/call.ids';
import type { AsteriskCallView } from '../../domain/call/call.adopt';
import type { Background } from '../../shared/background';
import type { CallService } from './call.service';
import { closeOpenCall, enteredUnknownCall } from '../../domain/call/call.close';
import type { CallEvent } from '../../domain/call/call.events';
import { buildCallRecord } from '../../domain/call/call.record';
import type { CallRegistry } from './call-registry';
import {
  TelephonyNotFoundError,
  type CallEventStore,
  type BridgeInfo,
  type CallRecordRepository,
  type ChannelInfo,
  type Clock,
  type Logger,
  type TelephonyPort,
} from './calls.ports';

export interface RecoveryReport {
  /** Live calls told their caller channel is gone. */
  readonly sessionsClosed: CallId[];
  /** Live calls told about their agent leg (gone or answered). */
  readonly agentLegsUpdated: CallId[];
  /** Agent legs and bridges of ours that no live call owns. */
  readonly strayChannelsHungUp: string[];
  readonly strayBridgesDestroyed: string[];
  /** Calls found live after a restart and taken over where they were (or started, when nothing was stored yet). */
  readonly adopted: CallId[];
  /** Calls found live after a restart whose state could not be rebuilt: goodbye prompt, then ended. */
  readonly notRebuilt: CallId[];
  /** Caller channels in Stasis whose stored events could not be read (or a complete call's channel): hung up. */
  readonly unknownCallsEnded: CallId[];
  /** Open stored calls with no channel: record completed. */
  readonly storedCallsClosed: CallId[];
}

export interface CallRecoveryDeps {
  readonly telephony: TelephonyPort;
  /** Where calls found after a restart are taken over. */
  readonly calls: Pick<CallService, 'adopt' | 'startCall'>;
  readonly background: Background;
  readonly registry: CallRegistry;
  readonly events: CallEventStore;
  readonly records: CallRecordRepository;
  readonly clock: Clock;
  readonly settings: CallPathSettings;
  readonly logger: Logger;
}

export class CallRecovery {
  private running: Promise<RecoveryReport> | null = null;

  constructor(private readonly deps: CallRecoveryDeps) {}

  /** One reconciliation at a time; a call during a run waits for that run. */
  /**
   * `lostContactAt`: when the connection to Asterisk dropped before this run (a reconnection). A live
   * call whose caller channel is gone by now is counted to that moment, its last sign of life, and
   * its record says the caller's leg was lost with Asterisk (`asterisk-lost`).
   */
  reconcile(opts: { lostContactAt?: number } = {}): Promise<RecoveryReport> {
    if (!this.running) {
      this.running = this.run(opts.lostContactAt).finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async run(lostContactAt?: number): Promise<RecoveryReport> {
    const { telephony, registry, logger } = this.deps;
    const report: RecoveryReport = {
      sessionsClosed: [],
      agentLegsUpdated: [],
      strayChannelsHungUp: [],
      strayBridgesDestroyed: [],
      adopted: [],
      notRebuilt: [],
      unknownCallsEnded: [],
      storedCallsClosed: [],
    };
    const [channels, bridges] = await Promise.all([telephony.listChannels(), telephony.listBridges()]);
    const byId = new Map(channels.map((c) => [c.id, c]));

    for (const session of registry.all()) {
      if (!session.accepts()) continue;
      if (!byId.has(session.callerChannelId)) {
        session.deliver(lostContactAt === undefined ? { type: 'ChannelGone' } : { type: 'ChannelGone', lost: { why: 'asterisk-lost', at: lostContactAt } });
        report.sessionsClosed.push(session.callId);
        continue;
      }
      const out = session.liveOutboundLeg();
      if (out) {
        const och = byId.get(out.channelId);
        if (!och) session.deliver(out.answered ? { type: 'TransferLegHungUp', n: out.n } : { type: 'TransferLegFailed', n: out.n, cause: 'unreachable' });
        else if (!out.answered && och.state === 'Up') session.deliver({ type: 'TransferLegAnswered', n: out.n });
      }
      const leg = session.liveAgentLeg();
      if (!leg) continue;
      const ch = byId.get(leg.channelId);
      if (!ch) {
        session.deliver(leg.answered ? { type: 'AgentHungUp', attempt: leg.attempt } : { type: 'AgentLegFailed', attempt: leg.attempt, cause: 'unreachable' });
        report.agentLegsUpdated.push(session.callId);
      } else if (!leg.answered && ch.state === 'Up') {
        session.deliver({ type: 'AgentAnswered', attempt: leg.attempt });
        report.agentLegsUpdated.push(session.callId);
      }
    }

    // Caller channels no live call owns: calls that were running when the application restarted.
    const found: Array<{ ch: ChannelInfo; stored: CallEvent[] }> = [];
    for (const ch of channels) {
      if (!isCallerChannel(ch.id) || registry.byChannel(ch.id)) continue;
      const stored = await this.load(callIdForChannel(ch.id));
      if (stored === null || (stored.length > 0 && stored[0]?.type !== 'CallEntered')) {
        // Nothing can be known of it now: hung up; its stored events are closed by a later reconciliation.
        await this.endUnknownCall(ch);
        report.unknownCallsEnded.push(callIdForChannel(ch.id));
      } else {
        found.push({ ch, stored });
      }
    }
    // Calls that hold an agent first (ringing or with the agent), so no waiting call is offered an
    // agent that is still on one of them; then in the order they entered (each waiting call goes
    // back to its own place in the queue whatever the order).
    const rank = ({ stored }: { stored: CallEvent[] }) => (holdsAgent(stored) ? 0 : 1);
    found.sort((a, b) => rank(a) - rank(b) || (a.stored[0]?.at ?? Infinity) - (b.stored[0]?.at ?? Infinity));
    for (const { ch, stored } of found) this.adopt(ch, stored, channels, bridges, report);

    // Legs of ours no live call owns (a taken-over call owns its agent leg, its transfer's leg and its
    // supervisor's leg, snoop and bridge).
    for (const ch of channels) {
      const ring = parseRingChannelId(ch.id);
      if (ring) {
        const owner = registry.get(ring.callId);
        if (!owner || !owner.accepts() || owner.liveAgentLeg()?.channelId !== ch.id) {
          await this.quietly(() => telephony.hangup(ch.id), 'stray agent leg hang-up failed', ch.id);
          report.strayChannelsHungUp.push(ch.id);
        }
        continue;
      }
      const xfer = parseTransferChannelId(ch.id);
      if (xfer) {
        const owner = registry.get(xfer.callId);
        if (!owner || !owner.accepts() || owner.liveOutboundLeg()?.channelId !== ch.id) {
          await this.quietly(() => telephony.hangup(ch.id), 'stray outbound leg hang-up failed', ch.id);
          report.strayChannelsHungUp.push(ch.id);
        }
        continue;
      }
      const monitor = parseMonitorId(ch.id);
      if (monitor) {
        const owner = registry.get(monitor.callId);
        if (!owner || !owner.accepts() || owner.snapshot().core.monitor?.n !== monitor.n) {
          await this.quietly(() => telephony.hangup(ch.id), 'stray monitor leg hang-up failed', ch.id);
          report.strayChannelsHungUp.push(ch.id);
        }
      }
    }

    for (const b of bridges) {
      const monitor = parseMonitorId(b.id);
      const callId = parseBridgeId(b.id) ?? monitor?.callId ?? null;
      if (callId === null) continue;
      const owner = registry.get(callId);
      if (owner && owner.accepts() && (!monitor || owner.snapshot().core.monitor?.n === monitor.n)) continue;
      await this.quietly(() => telephony.destroyBridge(b.id), 'stray bridge destroy failed', b.id);
      report.strayBridgesDestroyed.push(b.id);
    }

    let open: CallId[] = [];
    try {
      open = await this.deps.events.listOpenCallIds();
    } catch (err) {
      logger.warn('open calls not listed, closing them later', { err: String(err) });
    }
    for (const callId of open) {
      if (registry.get(callId)?.accepts()) continue;
      if (report.unknownCallsEnded.includes(callId)) continue;
      // The channel may belong to a call we just adopted elsewhere; only channel-less calls are closed here.
      const stored = await this.load(callId);
      if (stored === null) continue;
      const entered = stored.find((e) => e.type === 'CallEntered');
      if (entered && entered.type === 'CallEntered' && byId.has(entered.channelId)) continue;
      if (await this.close(callId, stored, 'network')) report.storedCallsClosed.push(callId);
    }

    logger.info('call reconciliation done', {
      channels: channels.length,
      sessionsClosed: report.sessionsClosed.length,
      agentLegsUpdated: report.agentLegsUpdated.length,
      strayChannelsHungUp: report.strayChannelsHungUp.length,
      strayBridgesDestroyed: report.strayBridgesDestroyed.length,
      adopted: report.adopted.length,
      notRebuilt: report.notRebuilt.length,
      unknownCallsEnded: report.unknownCallsEnded.length,
      storedCallsClosed: report.storedCallsClosed.length,
    });
    return report;
  }

  /**
   * A caller's channel found with no live call: the call was running when the application stopped.
   * It is taken over from its stored events and Asterisk's view of it (call.adopt.ts), or ended with
   * the goodbye prompt when that cannot be done. A channel with nothing stored that was never
   * answered entered just before the stop: it starts as a new call. One whose record is complete
   * already is only hung up.
   */
  private adopt(ch: ChannelInfo, stored: CallEvent[], channels: readonly ChannelInfo[], bridges: readonly BridgeInfo[], report: RecoveryReport): void {
    const callId = callIdForChannel(ch.id);
    const { calls, logger } = this.deps;
    if (stored.length > 0 && buildCallRecord(stored).complete) {
      logger.info('call already complete still in stasis, hanging it up', { callId, channelId: ch.id });
      this.deps.background.run('call.recovery', () => this.quietly(() => this.deps.telephony.hangup(ch.id), 'complete call hang-up failed', ch.id), { callId });
      report.unknownCallsEnded.push(callId);
      return;
    }
    if (stored.length === 0 && ch.state !== 'Up') {
      calls.startCall({ channelId: ch.id, callerNumber: ch.callerNumber, calledNumber: ch.calledNumber });
      report.adopted.push(callId);
      return;
    }
    const view: AsteriskCallView = {
      callerChannelId: ch.id,
      callerNumber: ch.callerNumber,
      calledNumber: ch.calledNumber,
      callerUp: ch.state === 'Up',
      legs: channels.filter((c) => parseRingChannelId(c.id)?.callId === callId).map((c) => ({ channelId: c.id, up: c.state === 'Up' })),
      bridge: bridges.find((b) => b.id === bridgeId(callId)) ?? null,
      outbound: channels.filter((c) => parseTransferChannelId(c.id)?.callId === callId).map((c) => ({ channelId: c.id, up: c.state === 'Up' })),
      monitor: {
        channels: channels.filter((c) => parseMonitorId(c.id)?.callId === callId).map((c) => ({ channelId: c.id, up: c.state === 'Up' })),
        bridges: bridges.filter((b) => { const m = parseMonitorId(b.id); return m?.kind === 'bridge' && m.callId === callId; }),
      },
    };
    const { rebuilt } = calls.adopt(stored, view);
    (rebuilt ? report.adopted : report.notRebuilt).push(callId);
  }

  /** A caller channel nobody runs: hang it up and complete its record. */
  private async endUnknownCall(ch: ChannelInfo): Promise<void> {
    const callId = callIdForChannel(ch.id);
    this.deps.logger.warn('unknown call in stasis, ending it', { callId, channelId: ch.id });
    await this.quietly(() => this.deps.telephony.hangup(ch.id), 'unknown call hang-up failed', ch.id);
    let stored = await this.load(callId);
    if (stored === null) return; // Unknown whether it has events: the next reconciliation closes it.
    if (stored.length === 0) {
      const line = this.deps.settings.lines[ch.calledNumber];
      stored = [
        enteredUnknownCall(callId, {
          channelId: ch.id,
          callerNumber: ch.callerNumber,
          calledNumber: ch.calledNumber,
          queueId: line?.queueId ?? this.deps.settings.defaultQueueId,
          at: this.deps.clock(),
        }),
      ];
      await this.append(stored);
    }
    await this.close(callId, stored, 'system');
  }

  /** Appends the closing events and writes the record; false when there was nothing to close. */
  private async close(callId: CallId, stored: readonly CallEvent[], hungUpBy: 'network' | 'system'): Promise<boolean> {
    if (stored.length === 0 || stored[0]?.type !== 'CallEntered') {
      this.deps.logger.warn('open call without its first event, not closed', { callId });
      return false;
    }
    const extra = closeOpenCall(stored, { now: this.deps.clock(), hungUpBy, ringLimitMs: this.deps.settings.ringTimeoutMs });
    if (extra.length === 0) return false;
    await this.append(extra);
    try {
      await this.deps.records.upsert(buildCallRecord([...stored, ...extra]));
    } catch (err) {
      this.deps.logger.error('call record not stored', { callId, err: String(err) });
    }
    this.deps.logger.info('call closed by reconciliation', { callId, hungUpBy });
    return true;
  }

  /** The stored events; null when the store could not be read. */
  private async load(callId: CallId): Promise<CallEvent[] | null> {
    try {
      return await this.deps.events.load(callId);
    } catch (err) {
      this.deps.logger.warn('call events not loaded', { callId, err: String(err) });
      return null;
    }
  }

  private async append(events: readonly CallEvent[]): Promise<void> {
    try {
      await this.deps.events.append(events);
    } catch (err) {
      this.deps.logger.error('call events not stored', { callId: events[0]?.callId, err: String(err) });
    }
  }

  private async quietly(op: () => Promise<void>, message: string, id: string): Promise<void> {
    try {
      await op();
    } catch (err) {
      // Gone already is the goal; anything else is worth a line.
      if (!(err instanceof TelephonyNotFoundError)) this.deps.logger.warn(message, { id, err: String(err) });
    }
  }
}

/** Whether a stored call holds an agent (its phone rings for it, or the agent is on it). */
function holdsAgent(stored: readonly CallEvent[]): boolean {
  if (stored.length === 0) return false;
  const stage = buildCallRecord(stored).stage;
  return stage === 'ringing' || stage === 'connecting' || stage === 'talking';
}

/** A caller's channel (not one of the legs we make: agent, transfer or supervisor legs). */
function isCallerChannel(id: string): boolean {
  return !parseRingChannelId(id) && !parseTransferChannelId(id) && !parseMonitorId(id);
}
