import { ConfidentialCallers } from '../../../../src/app/callers/confidential-callers';
import { MemoryStore } from './memory-store';
import { callerKey } from '../../../../src/domain/access';
import { silentLogger } from '../../../../src/shared/logger';

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
    // A known confidential caller is answered without a read.
    expect(await other.isConfidential('13700003333')).toBe(true);
    expect(store.reads).toBe(reads);
    expect(await other.masks([{ callerNumber: '13700003333', startedAt: 1 }, { callerNumber: '13600000000', startedAt: 1 }, { callerNumber: '+8613911112222', startedAt: 1 }])).toEqual([true, false, true]);
  });

  it('a lookup that is late or fails counts as confidential', async () => {
    const store = new MemoryStore();
    store.late = true;
    const callers = new ConfidentialCallers(store, silentLogger, { lookupTimeoutMs: 20 });
    expect(await callers.isConfidential('13800000000')).toBe(true);
    store.late = false;
    store.standings = async () => {
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
    await elsewhere.mark(['13800000001'], { source: 'order:o9', by: null, reason: null });
    now += 1000;
    await here.refresh();
    expect(await here.isConfidential('+8613800000001')).toBe(true);
    // A copy not read for longer than freshForMs asks the store for each new caller.
    now += 20_000;
    const before = store.reads;
    expect(await here.isConfidential('13800000002')).toBe(false);
    expect(store.reads).toBe(before + 1);
  });

  it('a withdrawn mark: new calls are not confidential, calls before the withdrawal stay masked; a new mark starts again', async () => {
    const store = new MemoryStore();
    let now = 1_000_000;
    const here = new ConfidentialCallers(store, silentLogger, {}, () => now);
    const elsewhere = new ConfidentialCallers(store, silentLogger, {}, () => now);
    await here.refresh();
    const [marked] = await here.mark(['13800000009'], { source: 'user:boss', by: { userId: 'boss', role: 'supervisor' }, reason: '来电人要求保密' });
    await elsewhere.refresh();
    expect(await elsewhere.isConfidential('13800000009')).toBe(true);
    now += 5000;
    const withdrawnAt = now;
    expect(await here.withdraw(marked!.markId, { userId: 'boss', role: 'supervisor' }, '来电人撤回保密要求')).toBe('done');
    expect(await here.withdraw(marked!.markId, { userId: 'boss', role: 'supervisor' }, '再次撤销')).toBe('withdrawn');
    expect(await here.withdraw('no-such-mark', { userId: 'boss', role: 'supervisor' }, '撤销')).toBe('absent');
    expect(await here.isConfidential('13800000009')).toBe(false);
    // The other instance still masks until it reads the change (the safe side), then follows it.
    expect(await elsewhere.isConfidential('13800000009')).toBe(true);
    now += 1000;
    await elsewhere.refresh();
    expect(await elsewhere.isConfidential('13800000009')).toBe(false);
    const calls = [{ callerNumber: '13800000009', startedAt: withdrawnAt - 1 }, { callerNumber: '13800000009', startedAt: withdrawnAt + 1 }];
    expect(await elsewhere.masks(calls)).toEqual([true, false]);
    // A fresh instance reads the withdrawal from the store, with its time.
    expect(await new ConfidentialCallers(store, silentLogger).masks(calls)).toEqual([true, false]);
    // Marked again: every call of the caller is confidential again.
    now += 1000;
    await elsewhere.mark(['+8613800000009'], { source: 'call:c7', by: { userId: 'u-agent', role: 'agent' }, reason: null });
    expect(store.docs.get('13800000009')).toEqual(['call:c7']);
    await here.refresh();
    expect(await here.masks(calls)).toEqual([true, true]);
    expect(await here.isConfidential('13800000009')).toBe(true);
  });

  it('a change made here is announced to the other instances; a failed announcement is only logged', async () => {
    const store = new MemoryStore();
    let published = 0;
    let fail = false;
    const callers = new ConfidentialCallers(store, silentLogger);
    callers.announceTo({
      publish: async () => {
        published += 1;
        if (fail) throw new Error('redis down');
      },
      subscribe: () => () => undefined,
    });
    const [m] = await callers.mark(['13800000010'], { source: 'user:boss', by: null, reason: 'x' });
    expect(published).toBe(1);
    fail = true;
    expect(await callers.withdraw(m!.markId, { userId: 'boss', role: 'admin' }, 'y')).toBe('done');
    expect(published).toBe(2);
  });
});
