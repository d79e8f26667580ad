/**
 * Graceful drain: as soon as shutdown begins, /readyz answers 503 naming `shutdown` (load balancers
 * stop sending work) while a real call in progress is still being served.
 */
import type { CallEvent } from '../../../src/domain/call/call.events';
import { startCall } from '../../support/sipp';
import { eventually } from '../../support/eventually';
import { startSystem, type RunningSystem } from '../../support/system-harness';

describe('readiness during shutdown', () => {
  let sut: RunningSystem;
  let stopped: Promise<void> | null = null;

  const callEvents: CallEvent[] = [];

  beforeAll(async () => {
    sut = await startSystem('drain_readyz', { MAX_QUEUE_WAIT_MS: '5000' });
    sut.bus.subscribeAll((m) => {
      if (m.topic === 'call') callEvents.push(m.event);
    });
  });
  afterAll(async () => {
    await (stopped ?? sut?.stop());
  });

  it('503 with `shutdown` failing at once, while the call in progress is drained', async () => {
    const ready = await fetch(`${sut.baseUrl}/readyz`);
    expect(ready.status).toBe(200);

    const call = await startCall({ callerNumber: '13700137000', hangupAfterMs: -1, timeoutMs: 90_000 });
    const entered = await eventually(() => callEvents.find((e) => e.type === 'CallEntered') ?? null, 20_000);
    stopped = sut.stop();
    const res = await fetch(`${sut.baseUrl}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'not ready', failing: ['shutdown'] });
    // The call was not cut: the app still played it through to its end.
    expect((await call.result).success).toBe(true);
    await stopped;
    // Shutdown waited for the call's end.
    expect(callEvents.filter((e) => e.callId === entered.callId).map((e) => e.type)).toContain('CallEnded');
  });
});
