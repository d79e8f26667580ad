/**
 * Proves the lab end to end: the product (as main.ts wires it) connects to real Asterisk, a real SIP
 * call from sipp is answered and greeted, the app ends it (no agent is logged in, so after the
 * greeting comes the overflow message), and the call record in the real database has the caller's
 * number and consistent timestamps.
 */
import { placeCall } from '../../support/sipp';
import { startSystem, type RunningSystem } from '../../support/system-harness';
import { eventually } from '../../support/eventually';

describe('lab: first call through real Asterisk', () => {
  let sut: RunningSystem;

  beforeAll(async () => {
    sut = await startSystem('first_call', { MAX_QUEUE_WAIT_MS: '5000' });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('readiness names no failing dependency once ARI and the database are up', async () => {
    const res = await fetch(`${sut.baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', failing: [] });
  });

  it('a caller is answered, greeted and released by the app; the record is stored', async () => {
    const before = Date.now();
    const result = await placeCall({ callerNumber: '13800138000', hangupAfterMs: -1, timeoutMs: 90_000 });
    // The far end (our app) ended the call: sipp saw a BYE and completed the scenario.
    expect(result.success).toBe(true);
    expect(result.timedOut).toBe(false);

    const record = await eventually(async () => {
      const r = await sut.callStore.records.findOne({ callerNumber: '13800138000' }).lean();
      return r && r.endedAt ? r : null;
    }, 20_000);
    expect(record.calledNumber).toBe('12345');
    expect(record.startedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(record.endedAt!.getTime()).toBeGreaterThan(record.startedAt.getTime());
    expect(record.endedAt!.getTime()).toBeLessThanOrEqual(Date.now());
    const types = record.timeline.map((t) => t.type);
    expect(types).toEqual(expect.arrayContaining(['CallEntered', 'CallAnswered', 'GreetingFinished', 'CallEnded']));
    expect(record.outcome).toBe('overflow');
    expect(record.hungUpBy).toBe('system');
    // Exactly one record for the call, and its events are stored too.
    expect(await sut.callStore.records.countDocuments({ callerNumber: '13800138000' })).toBe(1);
    expect(await sut.callStore.events.countDocuments({ callId: record.callId })).toBe(record.version);
  });
});
