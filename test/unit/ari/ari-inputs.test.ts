import { EventEmitter } from 'node:events';
import type { Client } from 'ari-client';
import { asCallId, type CallId } from '../../../src/shared/ids';
import { silentLogger } from '../../../src/shared/logger';
import type { IncomingCall } from '../../../src/app/calls/call.service';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import { AriCallEvents, legFailureFromCause, legFailureFromDialStatus, surveyHandoverArgs, surveyHandoverFromArgs } from '../../../src/adapters/ari/ari-inputs';

const CH = '1749000000.7';
const CALL = asCallId(CH);
const LEG = `ring-${CH}-2`;

function setup() {
  const started: IncomingCall[] = [];
  const delivered: Array<[CallId, CallInput]> = [];
  let reconciles = 0;
  const sut = new AriCallEvents(
    {
      admit: (c) => started.push(c),
      deliver: (callId, input) => {
        delivered.push([callId, input]);
        return true;
      },
    },
    { reconcile: async () => void (reconciles += 1) },
    silentLogger,
  );
  return { sut, started, delivered, reconciles: () => reconciles };
}

const channel = (id: string, extra: Record<string, unknown> = {}) => ({ id, state: 'Ring', caller: { number: '13800000000' }, dialplan: { exten: '12345' }, ...extra });

describe('ARI events → call inputs', () => {
  it('outbound (transfer / unit) legs: answered on StasisStart, then hung up; never taken for a new caller', () => {
    const { sut, started, delivered } = setup();
    const X = `xfer-${CH}-1`;
    sut.handle({ type: 'StasisStart', args: ['outbound'], channel: channel(X, { state: 'Up' }) });
    sut.handle({ type: 'ChannelHangupRequest', cause: 16, channel: channel(X) });
    sut.handle({ type: 'ChannelDestroyed', cause: 16, channel: channel(X) });
    expect(started).toEqual([]);
    expect(delivered).toEqual([
      [CALL, { type: 'TransferLegAnswered', n: 1 }],
      [CALL, { type: 'TransferLegHungUp', n: 1 }],
    ]);
  });

  it('an outbound leg that never answered: busy (Dial BUSY, cause 17) / no answer (cause 19)', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'Dial', dialstatus: 'BUSY', peer: channel(`xfer-${CH}-1`) });
    sut.handle({ type: 'ChannelDestroyed', cause: 17, channel: channel(`xfer-${CH}-1`) });
    sut.handle({ type: 'ChannelDestroyed', cause: 19, channel: channel(`xfer-${CH}-2`) });
    expect(delivered).toEqual([
      [CALL, { type: 'TransferLegFailed', n: 1, cause: 'busy' }],
      [CALL, { type: 'TransferLegFailed', n: 2, cause: 'no-answer' }],
    ]);
  });

  it('supervisor phone legs answer and end; snoop channels are ours and ignored', () => {
    const { sut, started, delivered } = setup();
    sut.handle({ type: 'StasisStart', args: ['monitor'], channel: channel(`snoop-${CH}-1`) });
    sut.handle({ type: 'StasisStart', args: ['agent'], channel: channel(`sup-${CH}-1`, { state: 'Up' }) });
    sut.handle({ type: 'ChannelDtmfReceived', digit: '1', channel: channel(`sup-${CH}-1`) });
    sut.handle({ type: 'ChannelDestroyed', cause: 16, channel: channel(`sup-${CH}-1`) });
    sut.handle({ type: 'ChannelDestroyed', cause: 16, channel: channel(`snoop-${CH}-1`) });
    expect(started).toEqual([]);
    expect(delivered).toEqual([
      [CALL, { type: 'MonitorLegAnswered', n: 1 }],
      [CALL, { type: 'MonitorLegEnded', n: 1 }],
    ]);
  });

  it('StasisStart of a caller → a call with caller and called number (Stasis argument first)', () => {
    const { sut, started } = setup();
    sut.handle({ type: 'StasisStart', args: ['12345'], channel: channel(CH, { dialplan: { exten: '999' } }) });
    expect(started).toEqual([{ channelId: CH, callerNumber: '13800000000', calledNumber: '12345' }]);
  });

  it('StasisStart of a survey call moved in (the citizen pressed 0) → a call about the order, from the citizen\'s number', () => {
    const { sut, started } = setup();
    const args = surveyHandoverArgs({ orderId: 'order-1', orderNumber: 'WO20260406-000001', phone: '13912345678' });
    sut.handle({ type: 'StasisStart', args: args.split(','), channel: channel('survey-abc', { caller: { number: '12345' }, dialplan: { exten: 's' } }) });
    expect(started).toEqual([{ channelId: 'survey-abc', callerNumber: '13912345678', calledNumber: '', surveyOrder: { orderId: 'order-1', orderNumber: 'WO20260406-000001' } }]);
    // Only the survey's marker makes a handover: an ordinary call never does.
    expect(surveyHandoverFromArgs(['12345', 'order-1', 'WO1'])).toBeNull();
  });

  it('caller hang-up request, StasisEnd, destroyed → CallerHungUp to the call', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'ChannelHangupRequest', cause: 16, channel: channel(CH) });
    sut.handle({ type: 'StasisEnd', channel: channel(CH) });
    sut.handle({ type: 'ChannelDestroyed', cause: 16, channel: channel(CH) });
    expect(delivered).toEqual([
      [CALL, { type: 'CallerHungUp' }],
      [CALL, { type: 'CallerHungUp' }],
      [CALL, { type: 'CallerHungUp' }],
    ]);
  });

  it('soft hang-up request on the caller (Asterisk shutting down, CLI) → ChannelGone, not the caller', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'ChannelHangupRequest', cause: 4, soft: true, channel: channel(CH) });
    expect(delivered).toEqual([[CALL, { type: 'ChannelGone' }]]);
  });

  it('DTMF on the caller → Dtmf; on an agent leg → nothing', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'ChannelDtmfReceived', digit: '1', duration_ms: 100, channel: channel(CH) });
    sut.handle({ type: 'ChannelDtmfReceived', digit: '5', duration_ms: 100, channel: channel(LEG) });
    expect(delivered).toEqual([[CALL, { type: 'Dtmf', digit: '1' }]]);
  });

  it('PlaybackFinished pb-<callId>-n → PlaybackFinished to that call; foreign playbacks ignored', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'PlaybackFinished', playback: { id: `pb-${CH}-3` } });
    sut.handle({ type: 'PlaybackFinished', playback: { id: 'something-else' } });
    expect(delivered).toEqual([[CALL, { type: 'PlaybackFinished', playbackId: `pb-${CH}-3` }]]);
  });

  it('agent leg Up (state change, Dial ANSWER, StasisStart) → one AgentAnswered for its attempt', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'ChannelStateChange', channel: channel(LEG, { state: 'Up' }) });
    sut.handle({ type: 'Dial', dialstatus: 'ANSWER', peer: channel(LEG) });
    sut.handle({ type: 'StasisStart', args: ['agent'], channel: channel(LEG, { state: 'Up' }) });
    expect(delivered).toEqual([[CALL, { type: 'AgentAnswered', attempt: 2 }]]);
  });

  it("agent leg ringing (state change, Dial RINGING) → one AgentRinging with Asterisk's time, before the answer", () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'ChannelStateChange', timestamp: '2026-12-06T07:30:01.250+0000', channel: channel(LEG, { state: 'Ringing' }) });
    sut.handle({ type: 'Dial', dialstatus: 'RINGING', timestamp: '2026-12-06T07:30:01.251+0000', peer: channel(LEG) });
    sut.handle({ type: 'Dial', dialstatus: 'ANSWER', peer: channel(LEG) });
    sut.handle({ type: 'ChannelStateChange', channel: channel(LEG, { state: 'Ringing' }) });
    expect(delivered).toEqual([
      [CALL, { type: 'AgentRinging', attempt: 2, at: Date.UTC(2026, 11, 6, 7, 30, 1, 250) }],
      [CALL, { type: 'AgentAnswered', attempt: 2 }],
    ]);
  });

  it('Dial RINGING first, without a readable time → AgentRinging without one; a caller channel ringing is not a leg', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'Dial', dialstatus: 'RINGING', timestamp: 'not a time', peer: channel(LEG) });
    sut.handle({ type: 'ChannelStateChange', channel: channel(LEG, { state: 'Ringing' }) });
    sut.handle({ type: 'ChannelStateChange', channel: channel(CH, { state: 'Ringing' }) });
    const other = `ring-${CH}-3`;
    sut.handle({ type: 'ChannelHangupRequest', cause: 17, channel: channel(other) });
    sut.handle({ type: 'Dial', dialstatus: 'BUSY', peer: channel(other) });
    sut.handle({ type: 'ChannelDestroyed', cause: 17, channel: channel(other) });
    expect(delivered).toEqual([
      [CALL, { type: 'AgentRinging', attempt: 2 }],
      [CALL, { type: 'AgentLegFailed', attempt: 3, cause: 'busy' }],
    ]);
  });

  it('answered agent hangs up → one AgentHungUp (hang-up request, StasisEnd, destroyed)', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'StasisStart', args: ['agent'], channel: channel(LEG, { state: 'Up' }) });
    sut.handle({ type: 'ChannelHangupRequest', cause: 16, channel: channel(LEG) });
    sut.handle({ type: 'StasisEnd', channel: channel(LEG) });
    sut.handle({ type: 'ChannelDestroyed', cause: 16, channel: channel(LEG) });
    expect(delivered.map(([, i]) => i)).toEqual([
      { type: 'AgentAnswered', attempt: 2 },
      { type: 'AgentHungUp', attempt: 2 },
    ]);
  });

  it.each([
    [17, 'busy'],
    [21, 'rejected'],
    [19, 'no-answer'],
    [3, 'unreachable'],
    [16, 'unreachable'],
  ] as const)('unanswered leg destroyed with cause %d → AgentLegFailed %s', (cause, expected) => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'ChannelHangupRequest', cause, channel: channel(LEG) });
    sut.handle({ type: 'ChannelDestroyed', cause, channel: channel(LEG) });
    expect(delivered).toEqual([[CALL, { type: 'AgentLegFailed', attempt: 2, cause: expected }]]);
  });

  it("an unanswered leg's end carries Asterisk's time of it (the event's timestamp)", () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'ChannelDestroyed', cause: 19, timestamp: '2026-12-02T16:09:07.497+0000', channel: channel(LEG) });
    expect(delivered).toEqual([[CALL, { type: 'AgentLegFailed', attempt: 2, cause: 'no-answer', at: Date.UTC(2026, 11, 2, 16, 9, 7, 497) }]]);
  });

  it('Dial NOANSWER → no-answer (the call machine decides whether that was the phone or the limit)', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'Dial', dialstatus: 'NOANSWER', peer: channel(LEG) });
    sut.handle({ type: 'ChannelDestroyed', cause: 16, timestamp: 'not a time', channel: channel(LEG) });
    expect(delivered).toEqual([[CALL, { type: 'AgentLegFailed', attempt: 2, cause: 'no-answer' }]]);
  });

  it('a Dial failure status wins over the hang-up cause', () => {
    const { sut, delivered } = setup();
    sut.handle({ type: 'Dial', dialstatus: 'BUSY', peer: channel(LEG) });
    sut.handle({ type: 'ChannelDestroyed', cause: 16, channel: channel(LEG) });
    expect(delivered).toEqual([[CALL, { type: 'AgentLegFailed', attempt: 2, cause: 'busy' }]]);
  });

  it('listens on each client once and reconciles after every connection', async () => {
    const { sut, delivered, reconciles } = setup();
    const conn = new EventEmitter();
    sut.start({ on: (event, l) => conn.on(event, l) });
    const client = new EventEmitter() as unknown as Client;
    conn.emit('connected', { client, reconnect: false });
    conn.emit('connected', { client, reconnect: true });
    await Promise.resolve();
    (client as unknown as EventEmitter).emit('ChannelDtmfReceived', { type: 'ChannelDtmfReceived', digit: '2', channel: channel(CH) });
    expect(delivered).toEqual([[CALL, { type: 'Dtmf', digit: '2' }]]);
    expect(reconciles()).toBe(2);
  });

  it('cause and dial status tables', () => {
    expect(legFailureFromCause(17)).toBe('busy');
    expect(legFailureFromDialStatus('CHANUNAVAIL')).toBe('unreachable');
    expect(legFailureFromDialStatus('CANCEL')).toBeNull();
  });
});
