/**
 * ARI event sequences recorded from real calls in the lab (Asterisk 22, sipp caller and phones,
 * test/integration/call-path/call-path.int.test.ts run with RECORD_ARI_EVENTS, see docs/testing.md),
 * replayed through the adapter: what Asterisk really sends (the ring told both as a state change and
 * as Dial events, the answer as a state change, a Dial ANSWER and the leg's StasisStart, a missed ring
 * as the leg destroyed with cause 19) must reach the call as one input per fact, with Asterisk's times.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AriCallEvents, type AriEvent } from '../../../src/adapters/ari/ari-inputs';
import type { IncomingCall } from '../../../src/app/calls/call.service';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import type { CallId } from '../../../src/shared/ids';
import { silentLogger } from '../../../src/shared/logger';

function recorded(name: string): AriEvent[] {
  const text = fs.readFileSync(path.join(__dirname, 'recorded', `${name}.jsonl`), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as AriEvent);
}

function replay(name: string, edit: (events: AriEvent[]) => AriEvent[] = (e) => e) {
  const events = edit(recorded(name));
  const admitted: IncomingCall[] = [];
  const delivered: Array<[CallId, CallInput]> = [];
  const sut = new AriCallEvents(
    {
      admit: (c) => admitted.push(c),
      deliver: (callId, input) => {
        delivered.push([callId, input]);
        return true;
      },
    },
    { reconcile: async () => undefined },
    silentLogger,
  );
  for (const e of events) sut.handle(e);
  const inputs = delivered.map(([, i]) => i);
  const of = <T extends CallInput['type']>(type: T) => inputs.filter((i): i is Extract<CallInput, { type: T }> => i.type === type);
  const callId = String((events[0]?.['channel'] as { id: string }).id);
  return { events, admitted, delivered, inputs, of, callId };
}

/** Asterisk's time of the first event of `type` about `channelId` that matches `pick`. */
function firstTime(events: AriEvent[], pick: (e: AriEvent) => boolean): number {
  const e = events.find(pick);
  if (!e) throw new Error('no such event in the recording');
  return Date.parse(String(e['timestamp']).replace(/\+0000$/, 'Z'));
}

const channelOf = (e: AriEvent) => (e['channel'] ?? e['peer']) as { id: string; state?: string } | undefined;

describe('recorded ARI sequences through the adapter', () => {
  it('answered and rated: one call, the ring once (at the first report), answered once, the agent\'s hang-up once, the digit', () => {
    const r = replay('answered-rated');
    expect(r.admitted).toEqual([{ channelId: r.callId, callerNumber: '13800000101', calledNumber: '12345' }]);
    expect(new Set(r.delivered.map(([id]) => id))).toEqual(new Set([r.callId]));
    const leg = `ring-${r.callId}-1`;
    // Asterisk reported this ring more than once (a state change and Dial events).
    expect(r.events.filter((e) => channelOf(e)?.id === leg && (channelOf(e)?.state === 'Ringing' || e['dialstatus'] === 'RINGING')).length).toBeGreaterThanOrEqual(2);
    const ringAt = firstTime(r.events, (e) => channelOf(e)?.id === leg && (channelOf(e)?.state === 'Ringing' || e['dialstatus'] === 'RINGING'));
    expect(r.of('AgentRinging')).toEqual([{ type: 'AgentRinging', attempt: 1, at: ringAt }]);
    expect(r.of('AgentAnswered')).toEqual([{ type: 'AgentAnswered', attempt: 1 }]);
    expect(r.of('AgentHungUp')).toEqual([{ type: 'AgentHungUp', attempt: 1 }]);
    expect(r.of('AgentLegFailed')).toEqual([]);
    expect(r.of('Dtmf')).toEqual([{ type: 'Dtmf', digit: '1' }]);
    // In the order the call lived it.
    const order = r.inputs.map((i) => i.type).filter((t) => t !== 'PlaybackFinished');
    expect(order.slice(0, 4)).toEqual(['AgentRinging', 'AgentAnswered', 'AgentHungUp', 'Dtmf']);
  });

  it('first phone never answers, the second does: the missed ring ends once as no-answer at Asterisk\'s time, then attempt 2 rings and is answered', () => {
    const r = replay('no-answer-then-second-agent');
    expect(r.admitted).toHaveLength(1);
    const first = `ring-${r.callId}-1`;
    const destroyedAt = firstTime(r.events, (e) => e.type === 'ChannelDestroyed' && channelOf(e)?.id === first);
    expect(r.of('AgentLegFailed')).toEqual([{ type: 'AgentLegFailed', attempt: 1, cause: 'no-answer', at: destroyedAt }]);
    expect(r.of('AgentRinging').map((i) => i.attempt)).toEqual([1, 2]);
    expect(r.of('AgentAnswered')).toEqual([{ type: 'AgentAnswered', attempt: 2 }]);
    expect(r.of('AgentHungUp')).toEqual([{ type: 'AgentHungUp', attempt: 2 }]);
    const order = r.inputs.map((i) => (i.type === 'PlaybackFinished' ? null : `${i.type}${'attempt' in i ? i.attempt : ''}`)).filter(Boolean);
    expect(order.slice(0, 5)).toEqual(['AgentRinging1', 'AgentLegFailed1', 'AgentRinging2', 'AgentAnswered2', 'AgentHungUp2']);
    // Then only the end of the caller's channel (the app hung it up: a hang-up request, then StasisEnd).
    expect(order.slice(5).every((t) => t === 'CallerHungUp' || t === 'ChannelGone')).toBe(true);
  });

  it('a leg\'s end reported again after its destruction (a repeated event) does not end the attempt twice', () => {
    const r = replay('answered-rated', (events) => events.flatMap((e) => (e.type === 'ChannelDestroyed' ? [e, e] : [e])));
    expect(r.of('AgentHungUp')).toEqual([{ type: 'AgentHungUp', attempt: 1 }]);
    expect(r.of('AgentLegFailed')).toEqual([]);
  });

  it('an invalid digit, then a valid one: both reach the call, in order', () => {
    const r = replay('invalid-then-valid-digit');
    expect(r.of('Dtmf').map((i) => i.digit)).toEqual(['7', '2']);
  });

  it('no agent: the callback digit reaches the call; no agent input at all', () => {
    const r = replay('no-agent-overflow-callback');
    expect(r.of('Dtmf').map((i) => i.digit)).toEqual(['1']);
    expect(r.inputs.filter((i) => i.type.startsWith('Agent'))).toEqual([]);
  });

  it('every caller playback that finished reaches its call once; the agent\'s announcement copy is not the call\'s', () => {
    const r = replay('answered-rated');
    const finished = r.events.filter((e) => e.type === 'PlaybackFinished').map((e) => (e['playback'] as { id: string }).id);
    expect(finished.some((id) => id.startsWith('agentpb-'))).toBe(true);
    expect(r.of('PlaybackFinished').map((i) => i.playbackId)).toEqual(finished.filter((id) => id.startsWith('pb-')));
  });
});
