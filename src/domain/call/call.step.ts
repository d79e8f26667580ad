/**
 * Builder for one transition: a private copy of the call's core, plus the effects and events the
 * transition produces, in order. Used only inside `transition`, which stays pure from outside.
 */
import type { CallPathSettings } from './call.settings';
import { playbackId } from './call.ids';
import type { CallEffect, TimerName } from './call.effects';
import type { CallEvent, CallEventBody, EndReason } from './call.events';
import type { TimerInput } from './call.inputs';
import type { CallCore, CallState, CallStateBody } from './call.state';

/** What the machine is told besides the input. */
export interface CallContext {
  /** ms since epoch, from the session's clock. */
  readonly now: number;
  readonly settings: CallPathSettings;
  /** 1-based position of the call in its queue, as the ACD sees it now (null when not queued). */
  readonly queuePosition: number | null;
}

export interface CallTransition {
  readonly state: CallState;
  readonly effects: readonly CallEffect[];
  readonly events: readonly CallEvent[];
}

export class Step {
  readonly core: CallCore;
  readonly effects: CallEffect[] = [];
  readonly events: CallEvent[] = [];

  constructor(
    core: CallCore,
    readonly ctx: CallContext,
  ) {
    this.core = { ...core };
  }

  get now(): number {
    return this.ctx.now;
  }

  get settings(): CallPathSettings {
    return this.ctx.settings;
  }

  emit(body: CallEventBody): void {
    const seq = this.core.nextSeq;
    this.core.nextSeq = seq + 1;
    this.events.push({ ...body, callId: this.core.callId, seq, at: this.ctx.now });
  }

  effect(e: CallEffect): void {
    this.effects.push(e);
  }

  /** A new token for timer `name`. */
  token(name: TimerName): string {
    this.core.timers += 1;
    return `${name}-${this.core.timers}`;
  }

  /** Timer `name` fires at `at` (ms since epoch). */
  startTimer(name: TimerName, at: number, token: string, fire: TimerInput): void {
    this.effect({ type: 'StartTimer', name, at, token, fire });
  }

  /** Plays media to the caller, guarded by a timer in case Asterisk never reports the end. */
  play(media: readonly string[]): string {
    this.core.playbacks += 1;
    const id = playbackId(this.core.callId, this.core.playbacks);
    this.effect({ type: 'Play', channelId: this.core.callerChannelId, playbackId: id, media });
    this.startTimer('playback', this.now + this.settings.playbackGuardMs, id, { type: 'PlaybackGuardTimeout', playbackId: id });
    return id;
  }

  stopPlayback(id: string): void {
    this.effect({ type: 'StopPlayback', playbackId: id });
    this.effect({ type: 'CancelTimer', name: 'playback' });
  }

  /** The playback ended by itself. */
  playbackDone(): void {
    this.effect({ type: 'CancelTimer', name: 'playback' });
  }

  result(body: CallStateBody): CallTransition {
    return { state: { ...body, core: this.core } as CallState, effects: this.effects, events: this.events };
  }
}

/** What a state handler decides: the next state, or that the input is not accepted (and why). */
export type Outcome = CallStateBody | { ignored: string };

export const ignore = (why: string): Outcome => ({ ignored: why });

/** Plays a last prompt; the call is hung up when it finishes. */
export function closing(s: Step, media: readonly string[], reason: EndReason): Outcome {
  return { type: 'closing', playbackId: s.play(media), reason };
}
