/**
 * Database outage during a real call: the call keeps flowing (greeting, agent, conversation), the
 * call's events and record wait on disk, and when the database returns the record arrives complete,
 * exactly once.
 */
import { agentPortFor, startAgentPhone, startCall, stopAllSipp } from '../../support/sipp';
import { addAgents, startSystem, storedEvents, type RunningSystem } from '../../support/system-harness';
import { startDatabase, stopDatabase } from '../../support/db';
import { eventually } from '../../support/eventually';

const CALLER = '13700001111';

describe('database outage during a call', () => {
  let sut: RunningSystem;

  beforeAll(async () => {
    sut = await startSystem('db_outage', { WRAPUP_MS: '1000' });
    await addAgents(sut, [1001]);
  });

  afterAll(async () => {
    await stopAllSipp();
    startDatabase();
    await sut?.stop();
  });

  it('the record arrives complete, once, after the database comes back', async () => {
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500 });
    const call = await startCall({ callerNumber: CALLER, hangupAfterMs: 18_000, timeoutMs: 60_000 });
    // The call is in its greeting when the database goes away.
    await eventually(
      () => sut.callPath.registry.all().some((c) => c.snapshot().core.callerNumber === CALLER && c.snapshot().type === 'greeting'),
      30_000,
      50,
    );
    stopDatabase();
    try {
      const result = await call.result;
      expect(result.success).toBe(true);
      // The agent was reached and talked to the caller while the database was down.
      await eventually(() => sut.callPath.registry.size === 0, 15_000);
      expect(sut.callStore.pending()).toBe(true);
    } finally {
      startDatabase();
    }
    await phone.stop();

    const record = await eventually(async () => {
      const r = await sut.callStore.records.findOne({ callerNumber: CALLER }).lean();
      return r && r.endedAt && !sut.callStore.pending() ? r : null;
    }, 60_000, 500);
    expect(record.outcome).toBe('answered');
    expect(record.agentId).toBe('agent-1001');
    expect(record.hungUpBy).toBe('caller');
    expect(record.talkMs).toBeGreaterThan(0);
    expect(await sut.callStore.records.countDocuments({ callerNumber: CALLER })).toBe(1);
    // Keyed by its call id, and listed under the caller's number for the caller history.
    expect(record._id).toBe(record.callId);
    expect(new Set((await sut.callStore.history.read(CALLER)).map((e) => e.value.callId))).toEqual(new Set([record.callId]));
    const events = await storedEvents(sut, record.callId);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: record.version }, (_, i) => i + 1));
  });
});
