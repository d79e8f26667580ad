/** Builders for call-machine tests: drive a call to any stage with hand-picked inputs. */
import { asAgentId, asCallId, asQueueId } from '../../../src/shared/ids';
import { makeCallPathSettings, type CallPathSettings, type CallPathSettingsInput } from '../../../src/domain/call/call.settings';
import { startCall, transition, type CallContext } from '../../../src/domain/call/call.machine';
import type { CallEffect } from '../../../src/domain/call/call.effects';
import type { CallEvent } from '../../../src/domain/call/call.events';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import type { CallState, CallStateType } from '../../../src/domain/call/call.state';

export const CALL = asCallId('1700000000.1');
export const CALLER_CHANNEL = '1700000000.1';
export const AGENT_A = asAgentId('a1001');
export const AGENT_B = asAgentId('a1002');
export const T0 = Date.UTC(2025, 5, 2, 1, 0, 0); // 09:00 in Asia/Shanghai

export function settingsWith(input: CallPathSettingsInput = {}): CallPathSettings {
  return makeCallPathSettings(input);
}

/** A call driven step by step, keeping every event and effect. */
export class Drive {
  state: CallState;
  now: number;
  position: number | null = 1;
  readonly events: CallEvent[] = [];
  readonly effects: CallEffect[] = [];
  lastEffects: readonly CallEffect[] = [];
  lastEvents: readonly CallEvent[] = [];

  constructor(
    readonly settings: CallPathSettings = settingsWith(),
    now = T0,
  ) {
    this.now = now;
    const t = startCall({ callId: CALL, channelId: CALLER_CHANNEL, callerNumber: '13800000000', calledNumber: '12345' }, this.ctx());
    this.state = t.state;
    this.record(t.effects, t.events);
  }

  ctx(): CallContext {
    return { now: this.now, settings: this.settings, queuePosition: this.position };
  }

  at(ms: number): this {
    this.now = T0 + ms;
    return this;
  }

  send(input: CallInput): this {
    const t = transition(this.state, input, this.ctx());
    this.state = t.state;
    this.record(t.effects, t.events);
    return this;
  }

  private record(effects: readonly CallEffect[], events: readonly CallEvent[]): void {
    this.lastEffects = effects;
    this.lastEvents = events;
    this.effects.push(...effects);
    this.events.push(...events);
  }

  /** The id of the playback currently playing to the caller (from the state). */
  playing(): string {
    const s = this.state;
    if ('playbackId' in s && s.playbackId) return s.playbackId;
    if (s.type === 'queued' && s.announcePlaybackId) return s.announcePlaybackId;
    throw new Error(`nothing plays in ${s.type}`);
  }

  finishPlayback(): this {
    return this.send({ type: 'PlaybackFinished', playbackId: this.playing() });
  }

  /** The token of the last StartTimer effect for `name`. */
  token(name: string): string {
    const starts = this.effects.filter((e): e is Extract<CallEffect, { type: 'StartTimer' }> => e.type === 'StartTimer' && e.name === name);
    const last = starts[starts.length - 1];
    if (!last) throw new Error(`no timer ${name}`);
    return last.token;
  }

  eventTypes(events: readonly CallEvent[] = this.lastEvents): string[] {
    return events.map((e) => e.type);
  }

  effectTypes(effects: readonly CallEffect[] = this.lastEffects): string[] {
    return effects.map((e) => e.type);
  }

  offer(agentId = AGENT_A, agentNumber = '1001'): this {
    return this.send({ type: 'AgentOffered', agentId, agentNumber, endpoint: `PJSIP/agent${agentNumber}` });
  }
}

/** Drives a new call to the first moment of `stage`. */
export function driveTo(stage: Exclude<CallStateType, 'ended'>, settings: CallPathSettings = settingsWith()): Drive {
  const d = new Drive(settings);
  if (stage === 'answering') return d;
  d.at(100).send({ type: 'Answered' });
  if (stage === 'greeting') return d;
  if (stage === 'menu') {
    if (!settings.menu.enabled) throw new Error('menu stage needs menu.enabled');
    return d.at(3000).finishPlayback();
  }
  d.at(3000).finishPlayback();
  if (settings.menu.enabled) d.send({ type: 'MenuTimeout', token: d.token('menu') });
  if (stage === 'queued') return d;
  if (stage === 'overflow') return d.at(4000).send({ type: 'NoAgentsAvailable' });
  d.at(5000).offer();
  if (stage === 'ringing') return d;
  d.at(8000).send({ type: 'AgentAnswered', attempt: 1 });
  if (stage === 'connecting') return d;
  d.at(10000).finishPlayback();
  if (stage === 'talking') return d;
  if (stage === 'held') return d.at(20000).send({ type: 'HoldRequested' });
  if (stage === 'threeWay') return d.at(20000).send({ type: 'ThreeWayRequested', number: '12319' }).at(24000).send({ type: 'TransferLegAnswered', n: 1 });
  if (stage === 'consulting') return d.at(20000).send({ type: 'TransferRequested', number: '12319', mode: 'consult' }).at(24000).send({ type: 'TransferLegAnswered', n: 1 });
  if (stage === 'transferring' || stage === 'transferred') {
    d.at(20000).send({ type: 'EmergencyTransferRequested', line: '110' });
    return stage === 'transferring' ? d : d.at(25000).send({ type: 'TransferLegAnswered', n: 1 });
  }
  d.at(70000).send({ type: 'AgentHungUp', attempt: 1 });
  if (stage === 'rating') return d;
  d.at(72000).send({ type: 'Dtmf', digit: '1' });
  if (stage === 'closing') return d;
  throw new Error(`unknown stage ${String(stage)}`);
}

export const NON_TERMINAL: Array<Exclude<CallStateType, 'ended'>> = [
  'answering',
  'greeting',
  'menu',
  'queued',
  'ringing',
  'connecting',
  'talking',
  'held',
  'transferring',
  'transferred',
  'threeWay',
  'consulting',
  'rating',
  'overflow',
  'closing',
];

export function menuSettings(): CallPathSettings {
  return settingsWith({ menu: { enabled: true, options: { '1': asQueueId('tax'), '2': asQueueId('water') } } });
}
