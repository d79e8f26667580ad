/** The wallboard's data for the consoles benches: agents (a third Ready, the rest on break) and queues with two waiting callers each. */
import { asCallId } from '../../src/shared/ids';
import type { TestApp } from '../../test/support/api-harness';

export function feedBoard(app: TestApp, agents: number, queues: number): void {
  const t0 = Date.now();
  for (let q = 0; q < queues; q += 1) app.dashboard!.registerQueue(`queue-${q}`);
  for (let a = 0; a < agents; a += 1) {
    app.feed({ kind: 'agent', agentId: `agent-${a}`, state: a % 3 === 0 ? 'ready' : 'not_ready', reason: a % 3 === 0 ? null : '休息', at: t0, displayName: `话务员${a}` });
  }
  let callN = 0;
  for (let q = 0; q < queues; q += 1) {
    for (let k = 0; k < 2; k += 1) {
      callN += 1;
      const callId = asCallId(`bench-${callN}`);
      const queueId = `queue-${q}`;
      app.feed({ kind: 'call', event: { callId, seq: 1, at: t0, type: 'CallEntered', channelId: callId, callerNumber: `139${String(callN).padStart(8, '0')}`, calledNumber: '12345', queueId, priority: 0 } as never });
      app.feed({ kind: 'call', event: { callId, seq: 2, at: t0 + k, type: 'CallQueued', queueId, priority: 0, retry: false } as never });
    }
  }
}
