import { ConfidentialCallers, type ConfidentialCallerStore } from '../../../../src/app/callers/confidential-callers';
import { callerKey } from '../../../../src/domain/access';
import { silentLogger } from '../../../../src/shared/logger';

class MemoryStore implements ConfidentialCallerStore {
  readonly docs = new Map<string, string[]>();
  readonly since = new Map<string, Date>();
  readonly calls = new Map<string, string>();
  reads = 0;
  late = false;
  async marked(keys: readonly string[]): Promise<Set<string>> {
    this.reads += 1;
    if (this.late) return new Promise(() => undefined);
    return new Set(keys.filter((k) => this.docs.has(k)));
  }
  async add(keys: readonly string[], source: string, at: Date): Promise<void> {
    for (const k of keys) {
      this.docs.set(k, [...(this.docs.get(k) ?? []), source]);
      if (!this.since.has(k)) this.since.set(k, at);
    }
  }
  async markedSince(since: Date): Promise<Array<{ key: string; since: Date }>> {
    this.reads += 1;
    return [...this.since.entries()].filter(([, at]) => at >= since).map(([key, at]) => ({ key, since: at }));
  }
  async callerOfCall(callId: string): Promise<string | null> {
    return this.calls.get(callId) ?? null;
  }
}

describe('callerKey', () => {
  it('one key whatever way the network writes the number', () => {
    for (const n of ['13812345678', '+8613812345678', '008613812345678', '8613812345678', '013812345678', '138-1234-5678']) expect(callerKey(n)).toBe('13812345678');
    expect(callerKey('010-62345678')).toBe('01062345678');
    expect(callerKey('anonymous')).toBe('');
  });
});

describe('ConfidentialCallers', () => {
  it('an order marks the number it gives and its call\'s caller; later calls from either form of the number are confidential', async () => {
    const store = new MemoryStore();
    store.calls.set('call-1', '+8613911112222');
    const callers = new ConfidentialCallers(store, silentLogger);
    expect(await callers.isConfidential('13911112222')).toBe(false);
    await callers.markFromOrder({ id: 'o1', phone: '13700003333', callId: 'call-1' });
    expect([...store.docs.entries()].sort()).toEqual([
      ['13700003333', ['order:o1']],
      ['13911112222', ['order:o1']],
    ]);
    // A fresh instance (another app instance) reads the store.
    const other = new ConfidentialCallers(store, silentLogger);
    expect(await other.isConfidential('013911112222')).toBe(true);
    expect(await other.isConfidential('13700003333')).toBe(true);
    expect(await other.isConfidential('13600000000')).toBe(false);
    const reads = store.reads;
    // A known confidential caller is answered without a read (marks are never withdrawn).
    expect(await other.isConfidential('13700003333')).toBe(true);
    expect(store.reads).toBe(reads);
    expect(await other.which(['13700003333', '13600000000', '+8613911112222'])).toEqual(new Set(['13700003333', '+8613911112222']));
  });

  it('a lookup that is late or fails counts as confidential', async () => {
    const store = new MemoryStore();
    store.late = true;
    const callers = new ConfidentialCallers(store, silentLogger, { lookupTimeoutMs: 20 });
    expect(await callers.isConfidential('13800000000')).toBe(true);
    store.late = false;
    store.marked = async () => {
      throw new Error('database down');
    };
    expect(await callers.isConfidential('13800000000')).toBe(true);
    expect(await callers.isConfidential('')).toBe(false);
  });

  it('while its copy is fresh, a caller is answered from memory; marks made elsewhere arrive with the next refresh', async () => {
    const store = new MemoryStore();
    let now = 1_000_000;
    const here = new ConfidentialCallers(store, silentLogger, { freshForMs: 10_000 }, () => now);
    const elsewhere = new ConfidentialCallers(store, silentLogger, {}, () => now);
    await here.refresh();
    const reads = store.reads;
    expect(await here.isConfidential('13800000001')).toBe(false);
    expect(store.reads).toBe(reads);
    await elsewhere.mark(['13800000001'], 'order:o9');
    now += 1000;
    await here.refresh();
    expect(await here.isConfidential('+8613800000001')).toBe(true);
    // A copy not read for longer than freshForMs asks the store for each new caller.
    now += 20_000;
    const before = store.reads;
    expect(await here.isConfidential('13800000002')).toBe(false);
    expect(store.reads).toBe(before + 1);
  });
});
