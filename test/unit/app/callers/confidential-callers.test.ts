import { ConfidentialCallers, type ConfidentialCallerStore } from '../../../../src/app/callers/confidential-callers';
import { callerKey } from '../../../../src/domain/access';
import { silentLogger } from '../../../../src/shared/logger';

class MemoryStore implements ConfidentialCallerStore {
  readonly docs = new Map<string, string[]>();
  readonly calls = new Map<string, string>();
  reads = 0;
  late = false;
  async marked(keys: readonly string[]): Promise<Set<string>> {
    this.reads += 1;
    if (this.late) return new Promise(() => undefined);
    return new Set(keys.filter((k) => this.docs.has(k)));
  }
  async add(keys: readonly string[], source: string): Promise<void> {
    for (const k of keys) this.docs.set(k, [...(this.docs.get(k) ?? []), source]);
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
});
