import { withoutCancellingTones } from '../../../src/app/calls/call-session';
import type { CallEffect } from '../../../src/domain/call/call.effects';

const CH = 'caller-1';
const startMoh: CallEffect = { type: 'StartMoh', channelId: CH, mohClass: 'default' };
const stopMoh: CallEffect = { type: 'StopMoh', channelId: CH };
const startRing: CallEffect = { type: 'StartRingback', channelId: CH };
const stopRing: CallEffect = { type: 'StopRingback', channelId: CH };
const hangupLeg: CallEffect = { type: 'HangupAgentLeg', channelId: 'ring-1', attempt: 1 };
const ringAgent = (attempt: number): CallEffect => ({
  type: 'RingAgent',
  agentId: 'a1' as never,
  endpoint: 'PJSIP/a1',
  attempt,
  channelId: `ring-${attempt}`,
  callerNumber: '1',
  timeoutMs: 10_000,
});
const play: CallEffect = { type: 'Play', channelId: CH, playbackId: 'p1', media: ['sound:x'] };

const run = (effects: CallEffect[]): string[] => withoutCancellingTones(effects.map((effect) => ({ effect }))).map((p) => p.effect.type);

describe('withoutCancellingTones', () => {
  it('miss and next offer in one batch: stop tone, music on, music off, tone on → nothing of it', () => {
    expect(run([hangupLeg, stopRing, startMoh, ringAgent(2), stopMoh, startRing])).toEqual(['HangupAgentLeg', 'RingAgent']);
  });

  it('queued and offered in one batch: the music never starts, only the tone', () => {
    expect(run([startMoh, stopMoh, startRing, ringAgent(1)])).toEqual(['StartRingback', 'RingAgent']);
  });

  it('keeps requests that change what the caller hears', () => {
    expect(run([stopRing, startMoh])).toEqual(['StopRingback', 'StartMoh']);
    expect(run([stopMoh, startRing])).toEqual(['StopMoh', 'StartRingback']);
  });

  it('a prompt between a stop and a start keeps both (the music stops for the prompt)', () => {
    expect(run([stopMoh, play, startMoh])).toEqual(['StopMoh', 'Play', 'StartMoh']);
  });

  it('a different tone between two requests of one tone keeps them apart', () => {
    expect(run([stopMoh, startRing, startMoh])).toEqual(['StopMoh', 'StartRingback', 'StartMoh']);
  });

  it('returns the same entries (their callbacks kept), in order', () => {
    const done = (): void => undefined;
    const out = withoutCancellingTones([{ effect: hangupLeg, done }, { effect: startMoh }, { effect: stopMoh }]);
    expect(out).toEqual([{ effect: hangupLeg, done }]);
  });
});
