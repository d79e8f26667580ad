/** Fake ports for the call path's use cases: a manual clock and scheduler, a scripted Asterisk, in-memory stores. */
import { asAgentId, asQueueId, type CallId } from '../../../src/shared/ids';
import type { LogFields, Logger } from '../../../src/shared/logger';
import { makeCallPathSettings, type CallPathSettings, type CallPathSettingsInput } from '../../../src/domain/call/call.settings';
import type { CallbackRequest } from '../../../src/domain/call/call.effects';
import type { CallEvent } from '../../../src/domain/call/call.events';
import type { CallRecord } from '../../../src/domain/call/call.record';
import { createCallPath, type CallPath, type CallPathPorts } from '../../../src/composition/call-path.module';
import { EventBus, type AnyBusMessage } from '../../../src/app/events/event-bus';
import {
  TelephonyNotFoundError,
  type BridgeInfo,
  type CallbackRequestRepository,
  type CallEventStore,
  type CallRecordRepository,
  type ChannelInfo,
  type DialOutRequest,
  type OriginateRequest,
  type Scheduler,
  type TelephonyPort,
  type TimerHandle,
} from '../../../src/app/calls/calls.ports';

export const T0 = Date.UTC(2025, 5, 2, 1, 0, 0);

export class FakeClock {
  t = T0;
  /** The Clock the services are given. */
  readonly now = (): number => this.t;
}

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeScheduler implements Scheduler {
  private timers: Timer[] = [];
  private next = 1;
  constructor(private readonly clock: FakeClock) {}
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = { id: this.next++, at: this.clock.t + ms, fn };
    this.timers.push(t);
    return t;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  /**
   * Fires the earliest timer alone (the clock moves to it if it lies ahead), nothing it schedules and
   * no queued work after it: a timer that fires while other events wait to be read.
   */
  fireOne(): void {
    const first = [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id)[0];
    if (!first) throw new Error('no timer pending');
    this.timers = this.timers.filter((t) => t !== first);
    this.clock.t = Math.max(this.clock.t, first.at);
    first.fn();
  }
  /**
   * Fires the earliest timer `ms` before its time by the clock: Node's timers and Date.now are
   * different clocks, and a timer may fire a millisecond early by the latter.
   */
  fireOneEarly(ms: number): void {
    const first = [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id)[0];
    if (!first) throw new Error('no timer pending');
    this.timers = this.timers.filter((t) => t !== first);
    this.clock.t = Math.max(this.clock.t, first.at - ms);
    first.fn();
  }
  /** Moves the clock forward, firing due timers in time order (and letting the calls react). */
  async advance(ms: number): Promise<void> {
    const end = this.clock.t + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.clock.t = due.at;
      due.fn();
      await flush();
    }
    this.clock.t = end;
    await flush();
  }
}

/** Lets queued inputs and effects run to completion. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export type TelCall = [string, ...unknown[]];

export class FakeTelephony implements TelephonyPort {
  readonly calls: TelCall[] = [];
  readonly channels = new Map<string, ChannelInfo>();
  readonly bridges = new Map<string, string[]>();
  /** method → error to throw (once per entry). */
  readonly failures: Array<{ method: string; error: Error }> = [];
  /** While set, hang-ups are recorded and then wait for it (an Asterisk slow to answer). */
  hangupGate: Promise<void> | null = null;
  /** While set, originate requests are recorded and then wait for it. */
  originateGate: Promise<void> | null = null;

  private step(method: string, ...args: unknown[]): void {
    this.calls.push([method, ...args]);
    const i = this.failures.findIndex((f) => f.method === method);
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      throw f?.error;
    }
  }
  private channel(id: string): void {
    if (!this.channels.has(id)) throw new TelephonyNotFoundError('channel', id);
  }
  addCaller(id: string, callerNumber = '13800000000', calledNumber = '12345'): void {
    this.channels.set(id, { id, state: 'Ring', callerNumber, calledNumber });
  }
  methods(): string[] {
    return this.calls.map((c) => c[0]);
  }
  async answer(channelId: string): Promise<void> {
    this.step('answer', channelId);
    this.channel(channelId);
    const ch = this.channels.get(channelId);
    if (ch) this.channels.set(channelId, { ...ch, state: 'Up' });
  }
  async play(channelId: string, playbackId: string, media: readonly string[]): Promise<void> {
    this.step('play', channelId, playbackId, media);
    this.channel(channelId);
  }
  async stopPlayback(playbackId: string): Promise<void> {
    this.step('stopPlayback', playbackId);
  }
  async startMoh(channelId: string): Promise<void> {
    this.step('startMoh', channelId);
    this.channel(channelId);
  }
  async stopMoh(channelId: string): Promise<void> {
    this.step('stopMoh', channelId);
    this.channel(channelId);
  }
  async startRingback(channelId: string): Promise<void> {
    this.step('startRingback', channelId);
    this.channel(channelId);
  }
  async stopRingback(channelId: string): Promise<void> {
    this.step('stopRingback', channelId);
    this.channel(channelId);
  }
  async originate(req: OriginateRequest): Promise<void> {
    this.step('originate', req);
    if (this.originateGate) await this.originateGate;
    this.channels.set(req.channelId, { id: req.channelId, state: 'Down', callerNumber: req.callerId, calledNumber: '' });
  }
  async hangup(channelId: string): Promise<void> {
    this.step('hangup', channelId);
    if (this.hangupGate) await this.hangupGate;
    this.channel(channelId);
    this.channels.delete(channelId);
  }
  async refuse(channelId: string): Promise<void> {
    this.step('refuse', channelId);
    this.channel(channelId);
    this.channels.delete(channelId);
  }
  async createBridge(bridgeId: string): Promise<void> {
    this.step('createBridge', bridgeId);
    this.bridges.set(bridgeId, []);
  }
  async addChannels(bridgeId: string, channelIds: readonly string[]): Promise<void> {
    this.step('addChannels', bridgeId, channelIds);
    for (const c of channelIds) this.channel(c);
    const had = this.bridges.get(bridgeId) ?? [];
    this.bridges.set(bridgeId, [...had.filter((c) => !channelIds.includes(c)), ...channelIds]);
  }
  async removeChannel(bridgeId: string, channelId: string): Promise<void> {
    this.step('removeChannel', bridgeId, channelId);
    this.channel(channelId);
    const had = this.bridges.get(bridgeId);
    if (!had) throw new TelephonyNotFoundError('bridge', bridgeId);
    this.bridges.set(bridgeId, had.filter((c) => c !== channelId));
  }
  async snoop(channelId: string, snoopId: string, whisper: boolean): Promise<void> {
    this.step('snoop', channelId, snoopId, whisper);
    this.channel(channelId);
    this.channels.set(snoopId, { id: snoopId, state: 'Up', callerNumber: '', calledNumber: '' });
  }
  async dialOut(req: DialOutRequest): Promise<void> {
    this.step('dialOut', req);
    this.channels.set(req.channelId, { id: req.channelId, state: 'Down', callerNumber: req.callerId, calledNumber: req.number });
  }
  async destroyBridge(bridgeId: string): Promise<void> {
    this.step('destroyBridge', bridgeId);
    if (!this.bridges.delete(bridgeId)) throw new TelephonyNotFoundError('bridge', bridgeId);
  }
  async recordBridge(bridgeId: string, name: string): Promise<void> {
    this.step('recordBridge', bridgeId, name);
  }
  async stopRecording(name: string): Promise<void> {
    this.step('stopRecording', name);
  }
  async listChannels(): Promise<ChannelInfo[]> {
    return [...this.channels.values()];
  }
  async listBridges(): Promise<BridgeInfo[]> {
    return [...this.bridges.entries()].map(([id, channelIds]) => ({ id, channelIds }));
  }
}

export class MemoryEventStore implements CallEventStore {
  readonly byCall = new Map<CallId, Map<number, CallEvent>>();
  appends = 0;
  fail = false;
  async append(events: readonly CallEvent[]): Promise<void> {
    if (this.fail) throw new Error('database unavailable');
    this.appends += 1;
    for (const e of events) {
      let m = this.byCall.get(e.callId);
      if (!m) this.byCall.set(e.callId, (m = new Map()));
      if (!m.has(e.seq)) m.set(e.seq, e);
    }
  }
  async load(callId: CallId): Promise<CallEvent[]> {
    return [...(this.byCall.get(callId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }
  async listOpenCallIds(): Promise<CallId[]> {
    return [...this.byCall.entries()].filter(([, m]) => ![...m.values()].some((e) => e.type === 'CallEnded')).map(([id]) => id);
  }
}

export class MemoryRecords implements CallRecordRepository {
  readonly records = new Map<CallId, CallRecord>();
  upserts: CallRecord[] = [];
  async upsert(record: CallRecord): Promise<void> {
    this.upserts.push(record);
    this.records.set(record.callId, record);
  }
  completed(): CallRecord[] {
    return [...this.records.values()].filter((r) => r.complete);
  }
}

export class MemoryCallbacks implements CallbackRequestRepository {
  readonly saved: CallbackRequest[] = [];
  async save(request: CallbackRequest): Promise<void> {
    this.saved.push(request);
  }
}

export class RecordingLogger implements Logger {
  constructor(
    readonly lines: Array<{ level: string; message: string; fields: LogFields }> = [],
    private readonly base: LogFields = {},
  ) {}
  private add(level: string, message: string, fields?: LogFields): void {
    this.lines.push({ level, message, fields: { ...this.base, ...fields } });
  }
  debug(m: string, f?: LogFields): void {
    this.add('debug', m, f);
  }
  info(m: string, f?: LogFields): void {
    this.add('info', m, f);
  }
  warn(m: string, f?: LogFields): void {
    this.add('warn', m, f);
  }
  error(m: string, f?: LogFields): void {
    this.add('error', m, f);
  }
  child(fields: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.base, ...fields });
  }
}

export const Q = asQueueId('general');

export interface World extends CallPath {
  clock: FakeClock;
  scheduler: FakeScheduler;
  tel: FakeTelephony;
  store: MemoryEventStore;
  recs: MemoryRecords;
  callbacks: MemoryCallbacks;
  bus: EventBus;
  log: RecordingLogger;
  messages: AnyBusMessage[];
  settings: CallPathSettings;
}

export function world(
  settings: CallPathSettingsInput = {},
  patch: (s: CallPathSettings) => CallPathSettings = (s) => s,
  claims: Pick<CallPathPorts, 'agentClaims' | 'claimRetryMs'> = {},
): World {
  const clock = new FakeClock();
  const scheduler = new FakeScheduler(clock);
  const tel = new FakeTelephony();
  const store = new MemoryEventStore();
  const recs = new MemoryRecords();
  const callbacks = new MemoryCallbacks();
  const log = new RecordingLogger();
  const bus = new EventBus(clock.now, log);
  const messages: AnyBusMessage[] = [];
  bus.subscribeAll((m) => messages.push(m));
  const s = patch(makeCallPathSettings(settings));
  const path = createCallPath({ settings: s, telephony: tel, events: store, records: recs, callbacks, scheduler, clock: clock.now, bus, logger: log, ...claims });
  return { ...path, clock, scheduler, tel, store, recs, callbacks, bus, log, messages, settings: s };
}

/** Registers agents a1001… (工号 1001…) on the default queue and logs them in, a1001 idle longest. */
export function agentsReady(w: World, n: number): void {
  for (let i = 1; i <= n; i++) {
    const agentId = asAgentId(`a${1000 + i}`);
    w.agents.register({ agentId, agentNumber: String(1000 + i), name: `Agent ${i}`, endpoint: `PJSIP/agent${1000 + i}`, queues: [Q] });
    w.clock.t += 1;
    w.agents.login(agentId);
  }
}

/** The last play() to a channel: its playback id. */
export function lastPlayback(tel: FakeTelephony): string {
  // The agent's copy of the 工号 announcement (agentpb-…) is not one the call waits for.
  const plays = tel.calls.filter((c) => c[0] === 'play' && String(c[2]).startsWith('pb-'));
  const last = plays[plays.length - 1];
  if (!last) throw new Error('nothing played');
  return last[2] as string;
}

export function lastPlayedMedia(tel: FakeTelephony): readonly string[] {
  const plays = tel.calls.filter((c) => c[0] === 'play');
  return (plays[plays.length - 1]?.[3] ?? []) as readonly string[];
}
