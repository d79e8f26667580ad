/**
 * What the call path needs from the outside world. Adapters implement these; use cases import
 * nothing else that does I/O.
 */
import type { AgentId, CallId } from '../../shared/ids';
import type { CallEvent } from '../../domain/call/call.events';
import type { CallbackRequest } from '../../domain/call/call.effects';
import type { CallRecord } from '../../domain/call/call.record';

export type { Logger, LogFields } from '../../shared/logger';

/** A channel Asterisk has in our Stasis application. */
export interface ChannelInfo {
  readonly id: string;
  /** Asterisk channel state: Down, Ring, Ringing, Up, … */
  readonly state: string;
  readonly callerNumber: string;
  /** The dialled number (dialplan exten) for inbound calls. */
  readonly calledNumber: string;
}

export interface BridgeInfo {
  readonly id: string;
  readonly channelIds: readonly string[];
}

export interface OriginateRequest {
  /** Our id for the new channel (ring-<callId>-<attempt>). */
  readonly channelId: string;
  /** Dial string, e.g. PJSIP/agent1001. */
  readonly endpoint: string;
  /** Caller id shown on the agent's phone. */
  readonly callerId: string;
  /** Upper bound Asterisk itself applies; our own ring timer is the real limit. */
  readonly timeoutMs: number;
}

/** A call out through a trunk into our application (an outbound leg of a call). */
export interface DialOutRequest {
  /** Our id for the new channel (xfer-<callId>-<n>). */
  readonly channelId: string;
  readonly number: string;
  /** The trunk's PJSIP endpoint. */
  readonly trunk: string;
  /** The number the far end sees (the caller's). */
  readonly callerId: string;
  /** Asterisk's own ring limit for the leg. */
  readonly timeoutMs: number;
}

/**
 * Asterisk through ARI. Every method rejects with `TelephonyNotFoundError` when Asterisk does not
 * know the object (ARI 404), and with another error for anything else.
 */
export interface TelephonyPort {
  answer(channelId: string): Promise<void>;
  /** Plays the media list in order as one playback with our id. */
  play(channelId: string, playbackId: string, media: readonly string[]): Promise<void>;
  stopPlayback(playbackId: string): Promise<void>;
  startMoh(channelId: string, mohClass: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  /** A ringing tone to an answered channel (Asterisk's ring indication, played in band). */
  startRingback(channelId: string): Promise<void>;
  stopRingback(channelId: string): Promise<void>;
  /** Calls an agent's phone into our Stasis application with our channel id. */
  originate(req: OriginateRequest): Promise<void>;
  hangup(channelId: string): Promise<void>;
  /**
   * Hands a caller's channel we will not serve back to Asterisk's dialplan (context `app-failed`:
   * maintenance message, then the documented cause), before it is answered.
   */
  refuse(channelId: string): Promise<void>;
  createBridge(bridgeId: string): Promise<void>;
  addChannels(bridgeId: string, channelIds: readonly string[]): Promise<void>;
  /** Takes a channel out of a bridge; it stays in our application. */
  removeChannel(bridgeId: string, channelId: string): Promise<void>;
  /**
   * A snoop channel `snoopId` on `channelId` into our application: it hears both directions of the
   * channel; with `whisper` what is played into it goes to that channel's far end only (the agent).
   */
  snoop(channelId: string, snoopId: string, whisper: boolean): Promise<void>;
  /** Calls a number out through a trunk into our Stasis application with our channel id. */
  dialOut(req: DialOutRequest): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  /** Records the bridge under `name` (format chosen by the adapter). */
  recordBridge(bridgeId: string, name: string): Promise<void>;
  stopRecording(name: string): Promise<void>;
  /** Channels in our Stasis application (for reconciliation). */
  listChannels(): Promise<ChannelInfo[]>;
  listBridges(): Promise<BridgeInfo[]>;
}

export type TelephonyResource = 'channel' | 'bridge' | 'playback' | 'recording';

export class TelephonyNotFoundError extends Error {
  constructor(
    readonly resource: TelephonyResource,
    readonly id: string,
  ) {
    super(`${resource} not found: ${id}`);
    this.name = 'TelephonyNotFoundError';
  }
}

/**
 * Append-only call events, unique on (callId, seq): appending an event twice stores it once.
 * `append` must not lose events while the database is unavailable (the adapter keeps them durably
 * and writes them when it returns); it rejects only when it could not even keep them.
 */
export interface CallEventStore {
  append(events: readonly CallEvent[]): Promise<void>;
  /** A call's events in seq order (empty when unknown). */
  load(callId: CallId): Promise<CallEvent[]>;
  /** Calls with events but no CallEnded. */
  listOpenCallIds(): Promise<CallId[]>;
}

/** The `calls` projection: one record per call, replaced by callId (idempotent). */
export interface CallRecordRepository {
  upsert(record: CallRecord): Promise<void>;
}

export interface CallbackRequestRepository {
  /** Idempotent by callId. */
  save(request: CallbackRequest): Promise<void>;
}

export type { Clock } from '../../shared/clock';

/** Opaque to the use cases. */
export type TimerHandle = object;

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Who may offer a call to an agent right now, across every app instance that shares the agents.
 * The ACD claims the agent before reserving it for a call and releases the claim when the agent is
 * free again (ring ended, or conversation and wrap-up over). A claim that is refused means another
 * instance holds the agent: the ACD skips the agent and asks again after a back-off.
 *
 * `claim` may answer synchronously (one instance, in memory) or with a promise (a shared store).
 * A rejected promise counts as a refusal: when the arbiter cannot answer, nobody is double-booked.
 * `release` never throws; an implementation that cannot write keeps the claim until it lapses.
 */
export interface AgentClaimPort {
  claim(agentId: AgentId, callId: CallId): boolean | Promise<boolean>;
  release(agentId: AgentId, callId: CallId): void;
}
