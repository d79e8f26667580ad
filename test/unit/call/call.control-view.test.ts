import { controlViewChanged, nextControlView, type CallControlView } from '../../../src/domain/call/call.control-view';
import type { CallEvent, CallEventBody } from '../../../src/domain/call/call.events';
import { asAgentId, asCallId, asQueueId } from '../../../src/shared/ids';

const a1 = asAgentId('agent-1001');
const a2 = asAgentId('agent-1002');

/** Folds the bodies in order (seq 1, 2, …; one second apart) and returns every view. */
function fold(bodies: CallEventBody[]): Array<CallControlView | null> {
  let view: CallControlView | null = null;
  return bodies.map((b, i) => {
    view = nextControlView(view, { callId: asCallId('c1'), seq: i + 1, at: 1000 * (i + 1), ...b } as CallEvent);
    return view;
  });
}
const phases = (bodies: CallEventBody[]) => fold(bodies).map((v) => v?.phase ?? null);

const answered: CallEventBody[] = [
  { type: 'AgentAnswered', attempt: 1, agentId: a1, agentNumber: '1001', ringMs: 1000, waitMs: 2000 },
  { type: 'CallBridged', bridgeId: 'bridge-c1', agentChannelId: 'ring-c1-1' },
];

describe('通话控制 folded from the call\'s events', () => {
  it('nothing before the answer; connecting, then talking once bridged; hold and resume', () => {
    expect(phases([{ type: 'CallQueued', queueId: asQueueId('general'), priority: 0, retry: false }])).toEqual([null]);
    const views = fold([...answered, { type: 'CallHeld', agentId: a1 }, { type: 'CallResumed', agentId: a1, heldMs: 1000 }]);
    expect(views.map((v) => v?.phase)).toEqual(['connecting', 'talking', 'held', 'talking']);
    expect(views[2]).toMatchObject({ agentId: a1, since: 3000, seq: 3, transfer: null });
  });

  it('emergency transfer: transferring with the line; back to the agent when it fails, over when it answers', () => {
    const start: CallEventBody = { type: 'EmergencyTransferStarted', n: 1, line: '110', number: '0433110', channelId: 'xfer-c1-1', agentId: a1 };
    const views = fold([...answered, start, { type: 'EmergencyTransferFailed', n: 1, line: '110', cause: 'busy', ringMs: 100, backTo: 'agent' }]);
    expect(views[2]).toMatchObject({ phase: 'transferring', transfer: { kind: 'emergency', line: '110', number: '0433110', answered: false } });
    expect(views[3]).toMatchObject({ phase: 'talking', transfer: null });
    expect(phases([...answered, start, { type: 'EmergencyTransferAnswered', n: 1, line: '110', ringMs: 500 }]).slice(2)).toEqual(['transferring', 'over']);
    expect(phases([...answered, start, { type: 'EmergencyTransferFailed', n: 1, line: '110', cause: 'no-answer', ringMs: 100, backTo: 'queue' }]).slice(3)).toEqual(['over']);
  });

  it('consultative transfer: consulting (unit ringing, then on the line), completed or cancelled; the unit failing gives the caller back', () => {
    const start: CallEventBody = { type: 'TransferStarted', n: 1, mode: 'consult', number: '12319', channelId: 'xfer-c1-1', agentId: a1 };
    const views = fold([...answered, start, { type: 'TransferAnswered', n: 1, ringMs: 300 }, { type: 'TransferCancelled', n: 1, by: 'agent' }]);
    expect(views.slice(2).map((v) => [v?.phase, v?.transfer?.answered ?? null])).toEqual([
      ['consulting', false],
      ['consulting', true],
      ['talking', null],
    ]);
    expect(phases([...answered, start, { type: 'TransferAnswered', n: 1, ringMs: 300 }, { type: 'TransferCompleted', n: 1, agentId: a1 }]).slice(4)).toEqual(['over']);
    expect(phases([...answered, start, { type: 'TransferAnswered', n: 1, ringMs: 300 }, { type: 'TransferFailed', n: 1, cause: 'unit-left', backTo: 'agent' }]).slice(4)).toEqual(['talking']);
  });

  it('blind transfer: transferring, over at the answer', () => {
    const start: CallEventBody = { type: 'TransferStarted', n: 1, mode: 'blind', number: '12319', channelId: 'xfer-c1-1', agentId: a1 };
    expect(fold([...answered, start])[2]).toMatchObject({ phase: 'transferring', transfer: { kind: 'blind', number: '12319' } });
    expect(phases([...answered, start, { type: 'TransferAnswered', n: 1, ringMs: 300 }]).slice(3)).toEqual(['over']);
  });

  it('three-way: invited, joined; the unit leaving is back to two, the agent leaving is over; a failure is back to the agent', () => {
    const start: CallEventBody = { type: 'ThreeWayStarted', n: 1, number: '12319', channelId: 'xfer-c1-1', agentId: a1 };
    const joined: CallEventBody = { type: 'PartyJoined', n: 1, party: 'unit', number: '12319' };
    expect(fold([...answered, start, joined]).slice(2).map((v) => v?.threeWay)).toEqual([
      { number: '12319', joined: false },
      { number: '12319', joined: true },
    ]);
    expect(phases([...answered, start, joined, { type: 'PartyLeft', n: 1, party: 'unit' }]).slice(4)).toEqual(['talking']);
    expect(phases([...answered, start, joined, { type: 'PartyLeft', n: 1, party: 'agent' }]).slice(4)).toEqual(['over']);
    expect(phases([...answered, start, { type: 'ThreeWayFailed', n: 1, cause: 'busy', backTo: 'agent' }]).slice(3)).toEqual(['talking']);
  });

  it('the supervisor on the call, asked, joined and gone, without changing the phase', () => {
    const views = fold([
      ...answered,
      { type: 'MonitorRequested', n: 1, mode: 'whisper', userId: 'boss' },
      { type: 'SupervisorJoined', n: 1, mode: 'whisper', userId: 'boss' },
      { type: 'CallHeld', agentId: a1 },
      { type: 'SupervisorLeft', n: 1, userId: 'boss', reason: 'stopped', joinedMs: 1000 },
    ]);
    expect(views.slice(2).map((v) => [v?.phase, v?.monitor])).toEqual([
      ['talking', { mode: 'whisper', joined: false }],
      ['talking', { mode: 'whisper', joined: true }],
      ['held', { mode: 'whisper', joined: true }],
      ['held', null],
    ]);
  });

  it('over when the conversation ends or the call goes to another queue; a later answer is a new agent\'s view', () => {
    expect(phases([...answered, { type: 'CallCompleted', agentId: a1, endedBy: 'caller', talkMs: 1000 }]).slice(2)).toEqual(['over']);
    const views = fold([
      ...answered,
      { type: 'CallTransferredToQueue', n: 1, fromQueueId: asQueueId('general'), queueId: asQueueId('tax'), agentId: a1 },
      { type: 'CallHeld', agentId: a1 },
      { type: 'AgentAnswered', attempt: 2, agentId: a2, agentNumber: '1002', ringMs: 1000, waitMs: 5000 },
    ]);
    expect(views.slice(2).map((v) => [v?.agentId, v?.phase])).toEqual([
      [a1, 'over'],
      [a1, 'over'],
      [a2, 'connecting'],
    ]);
  });

  it('a change is what the console shows, not the seq', () => {
    const [v1, v2] = fold([...answered]);
    expect(controlViewChanged(null, v1 ?? null)).toBe(true);
    expect(controlViewChanged(v1 ?? null, v2 ?? null)).toBe(true);
    expect(controlViewChanged(v2 ?? null, v2 ? { ...v2, seq: 99 } : null)).toBe(false);
    expect(controlViewChanged(v2 ?? null, v2 ?? null)).toBe(false);
  });
});
