import { applyDeltas, type Snapshot } from '../../../web/src/dashboard';

const snapshot = (over: Partial<Snapshot> = {}): Snapshot =>
  ({ seq: 5, at: 0, counters: {}, callsInProgress: 0, queues: [], agents: [], abandoned: [], alerts: [], ...over }) as unknown as Snapshot;
const call = (callId: string, callerNumber: string) => ({ callId, callerNumber, queueId: 'general', waitMs: 4000, position: 1, at: 1 });

describe('wallboard copy of the dashboard', () => {
  it('an abandoned call sent again masked replaces its entry in place; a new one goes first', () => {
    const s = snapshot({ abandoned: [call('b', '13800000002'), call('a', '13944445555')] });
    const masked = applyDeltas(s, [{ type: 'abandoned', seq: 6, at: 2, call: call('a', '139****5555') }] as never);
    expect(masked.gap).toBe(false);
    expect(masked.snapshot.abandoned.map((a) => [a.callId, a.callerNumber])).toEqual([
      ['b', '13800000002'],
      ['a', '139****5555'],
    ]);
    const more = applyDeltas(masked.snapshot, [{ type: 'abandoned', seq: 7, at: 3, call: call('c', '13700000003') }] as never);
    expect(more.snapshot.abandoned.map((a) => a.callId)).toEqual(['c', 'b', 'a']);
  });

  it('deltas at or below the copy are skipped; a gap asks for a resync', () => {
    const s = snapshot();
    expect(applyDeltas(s, [{ type: 'abandoned', seq: 5, at: 2, call: call('a', '1') }] as never).snapshot.abandoned).toEqual([]);
    expect(applyDeltas(s, [{ type: 'abandoned', seq: 7, at: 2, call: call('a', '1') }] as never).gap).toBe(true);
  });
});
