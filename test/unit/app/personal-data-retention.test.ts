import { PersonalDataRetention } from '../../../src/app/retention/personal-data-retention';
import { withoutCallerData, type DueCall, type PersonalDataRun, type PersonalDataStore } from '../../../src/app/retention/personal-data.ports';
import { silentLogger } from '../../../src/shared/logger';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7, 19, 0, 0);

/** Calls and requests in memory, as the database would answer the store's questions. */
class MemoryStore implements PersonalDataStore {
  readonly steps: string[] = [];
  /** Calls whose record refuses the strip (changed meanwhile). */
  readonly stubborn = new Set<string>();
  constructor(
    readonly calls: Map<string, DueCall & { removed: boolean }>,
    readonly requests: Map<string, { requestedAt: number; removed: boolean }>,
  ) {}

  async callsDue(before: number, limit: number): Promise<DueCall[]> {
    return [...this.calls.values()].filter((c) => !c.removed && c.startedAt < before).sort((a, b) => a.startedAt - b.startedAt).slice(0, limit);
  }
  async forgetInCallerIndex(number: string, callIds: ReadonlySet<string>): Promise<number> {
    this.steps.push(`index:${number}`);
    return callIds.size;
  }
  async stripEvents(callId: string): Promise<number> {
    this.steps.push(`events:${callId}`);
    return 1;
  }
  async stripCall(callId: string): Promise<boolean> {
    this.steps.push(`call:${callId}`);
    const c = this.calls.get(callId);
    if (!c || c.removed || this.stubborn.has(callId)) return false;
    c.removed = true;
    return true;
  }
  async callbacksDue(before: number, limit: number): Promise<string[]> {
    return [...this.requests.entries()].filter(([, r]) => !r.removed && r.requestedAt < before).map(([id]) => id).slice(0, limit);
  }
  async stripCallback(id: string): Promise<boolean> {
    const r = this.requests.get(id);
    if (!r || r.removed) return false;
    r.removed = true;
    return true;
  }
}

function setup(calls: DueCall[], requests: Array<[string, number]> = [], retentionDays = 1096) {
  const store = new MemoryStore(new Map(calls.map((c) => [c.callId, { ...c, removed: false }])), new Map(requests.map(([id, at]) => [id, { requestedAt: at, removed: false }])));
  const runs: PersonalDataRun[] = [];
  const sut = new PersonalDataRetention({ store, audit: { recorded: async (r) => void runs.push(r) }, retentionDays, clock: () => NOW, log: silentLogger });
  return { store, runs, sut };
}

const old = NOW - 1100 * DAY;

describe('personal-data retention', () => {
  it('removes the calls past the period: index entries per number first, then events, then the record; audits the counts once', async () => {
    const { store, runs, sut } = setup(
      [
        { callId: 'c1', callerNumber: '139', startedAt: old },
        { callId: 'c2', callerNumber: '139', startedAt: old + 1 },
        { callId: 'c3', callerNumber: '', startedAt: old + 2 },
        { callId: 'c4', callerNumber: '138', startedAt: NOW - DAY },
      ],
      [['r1', old], ['r2', NOW - DAY]],
    );
    expect(await sut.run()).toEqual({ calls: 3, events: 3, callerIndexEntries: 2, callbacks: 1 });
    // No index for a call without a number; the index of a number is trimmed once per batch, before its records.
    expect(store.steps).toEqual(['index:139', 'events:c1', 'call:c1', 'events:c2', 'call:c2', 'events:c3', 'call:c3']);
    expect(runs).toEqual([{ at: NOW, by: 'personal-data-retention', retentionDays: 1096, before: NOW - 1096 * DAY, calls: 3, events: 3, callerIndexEntries: 2, callbacks: 1 }]);
    expect(store.calls.get('c4')?.removed).toBe(false);
    expect(store.requests.get('r2')?.removed).toBe(false);
  });

  it('goes through batch after batch until none is left', async () => {
    const calls = Array.from({ length: 450 }, (_, i) => ({ callId: `c${i}`, callerNumber: `1390000${String(i).padStart(4, '0')}`, startedAt: old + i }));
    const { sut } = setup(calls);
    expect((await sut.run()).calls).toBe(450);
    expect((await sut.run()).calls).toBe(0);
  });

  it('a record that refuses the strip (changed meanwhile) is left to the next run instead of looping', async () => {
    const { store, sut } = setup([{ callId: 'c1', callerNumber: '139', startedAt: old }, { callId: 'c2', callerNumber: '138', startedAt: old + 1 }]);
    store.stubborn.add('c1');
    expect(await sut.run()).toMatchObject({ calls: 1 });
    expect(store.steps.filter((s) => s === 'call:c1')).toHaveLength(1);
    store.stubborn.clear();
    expect(await sut.run()).toMatchObject({ calls: 1 });
  });

  it('0 days: nothing is removed, nothing audited', async () => {
    const { store, runs, sut } = setup([{ callId: 'c1', callerNumber: '139', startedAt: old }], [['r1', old]], 0);
    expect(await sut.run()).toEqual({ calls: 0, events: 0, callerIndexEntries: 0, callbacks: 0 });
    expect(store.steps).toEqual([]);
    expect(runs).toEqual([]);
  });

  it('a run that removed nothing writes no audit entry', async () => {
    const { runs, sut } = setup([{ callId: 'c1', callerNumber: '139', startedAt: NOW - DAY }]);
    await sut.run();
    expect(runs).toEqual([]);
  });

  it('withoutCallerData drops the number and the name, nothing else', () => {
    expect(withoutCallerData({ callerNumber: '139', callerName: '张三', queueId: 'general', priority: 0 })).toEqual({ queueId: 'general', priority: 0 });
  });
});
