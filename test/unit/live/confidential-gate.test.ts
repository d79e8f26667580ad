import { ConfidentialGate } from '../../../src/app/live/confidential-gate';
import type { LiveInput } from '../../../src/app/live/live.ports';
import { BackgroundTasks } from '../../../src/shared/background';
import { silentLogger } from '../../../src/shared/logger';
import { asQueueId } from '../../../src/shared/ids';
import { T0, agentState, ev } from './live-fixtures';

const q = asQueueId('general');
const entered = (callId: string, callerNumber: string) => ev(callId, T0, { type: 'CallEntered', channelId: `ch-${callId}`, callerNumber, calledNumber: '12345', queueId: q, priority: 0 });

function gateWith(answers: Map<string, { resolve: (v: boolean) => void; reject: (e: Error) => void }>) {
  const delivered: LiveInput[] = [];
  const marked: string[] = [];
  const gate = new ConfidentialGate({
    isConfidential: (n) => new Promise<boolean>((resolve, reject) => answers.set(n, { resolve, reject })),
    markCall: async (callId) => {
      marked.push(callId);
    },
    deliver: (i) => delivered.push(i),
    background: new BackgroundTasks(silentLogger),
  });
  return { gate, delivered, marked };
}

const settle = () => new Promise((r) => setImmediate(r));
const kinds = (xs: LiveInput[]) => xs.map((x) => (x.kind === 'call' ? `${x.event.callId}:${x.event.type}:${String(x.confidential ?? false)}` : x.kind));

describe('ConfidentialGate', () => {
  it('holds a new call\'s inputs until its lookup answers, then delivers them in order, the first marked confidential', async () => {
    const answers = new Map<string, { resolve: (v: boolean) => void; reject: (e: Error) => void }>();
    const { gate, delivered, marked } = gateWith(answers);
    gate.accept(entered('c1', '13800001111'));
    gate.accept(ev('c1', T0 + 5, { type: 'GreetingFinished' }));
    gate.accept({ kind: 'confidential', callId: 'c1', at: T0 + 6 });
    // Other calls' and agents' inputs are not held.
    gate.accept(agentState('1001', T0 + 7, 'ready'));
    gate.accept(ev('c0', T0 + 8, { type: 'GreetingFinished' }));
    expect(kinds(delivered)).toEqual(['agent', 'c0:GreetingFinished:false']);
    expect(gate.waiting).toBe(1);
    answers.get('13800001111')!.resolve(true);
    await settle();
    expect(kinds(delivered.slice(2))).toEqual(['c1:CallEntered:true', 'c1:GreetingFinished:false', 'confidential']);
    expect(marked).toEqual(['c1']);
    // Later inputs of the call pass at once.
    gate.accept(ev('c1', T0 + 9, { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
    expect(kinds(delivered.slice(5))).toEqual(['c1:CallQueued:false']);
    expect(gate.waiting).toBe(0);
  });

  it('a caller not confidential is delivered as is and its record is not marked', async () => {
    const answers = new Map<string, { resolve: (v: boolean) => void; reject: (e: Error) => void }>();
    const { gate, delivered, marked } = gateWith(answers);
    gate.accept(entered('c2', '13800002222'));
    answers.get('13800002222')!.resolve(false);
    await settle();
    expect(kinds(delivered)).toEqual(['c2:CallEntered:false']);
    expect(marked).toEqual([]);
  });

  it('a lookup that fails still releases the call, masked (fail closed)', async () => {
    const answers = new Map<string, { resolve: (v: boolean) => void; reject: (e: Error) => void }>();
    const { gate, delivered, marked } = gateWith(answers);
    gate.accept(entered('c3', '13800003333'));
    answers.get('13800003333')!.reject(new Error('database down'));
    await settle();
    expect(kinds(delivered)).toEqual(['c3:CallEntered:true']);
    expect(marked).toEqual([]);
    expect(gate.waiting).toBe(0);
  });
});
