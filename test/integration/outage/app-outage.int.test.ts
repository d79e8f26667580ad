/**
 * The application goes away while an agent's phone rings (no stop: its ARI connection and database
 * connection simply vanish) and comes back after Asterisk has cancelled the ring at the limit it was
 * given (the originate's dial timeout). The ring is recorded as what Asterisk did: a no-answer miss
 * of the ring limit, not a ring that lasted until the application came back; the caller, still on
 * the line, is taken over and waits again.
 */
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

describe('an application outage during a ring', () => {
  let first: RunningSystem | null = null;
  let second: RunningSystem | null = null;
  let phone: AgentPhone | null = null;

  afterAll(async () => {
    await phone?.stop();
    await stopAllSipp();
    await second?.stop(5000);
    // The vanished instance still holds timers and a listening port.
    await first?.stop(0);
  });

  it('→ the ring Asterisk ended at the limit is recorded at the limit, not until the restart', async () => {
    first = await startSystem('app_outage', { WRAPUP_MS: '1000' });
    await addAgents(first, [1001]);
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 'never' });
    // The caller stays on the line through the outage and gives up later.
    const call = await startCall({ callerNumber: '13500000501', hangupAfterMs: 40_000, timeoutMs: 90_000 });
    await eventually(() => first?.callPath.registry.all().some((s) => s.snapshot().type === 'ringing'), 30_000, 50);
    // Stored as ringing before the application vanishes.
    await eventually(async () => {
      const d = await first?.callStore.records.findOne({ callerNumber: '13500000501' }).lean();
      return (d?.detail as { stage?: string } | undefined)?.stage === 'ringing';
    }, 10_000, 50);

    // The application vanishes: no more ARI, no more database (what it still does goes nowhere).
    const uri = first.config.mongodb.uri;
    await first.ari.stop();
    await first.db.stop();
    // Asterisk cancels the ring at the limit by itself; the application comes back later.
    await new Promise((r) => setTimeout(r, 14_000));
    second = await startSystem('app_outage_back', { MONGODB_URI: uri, WRAPUP_MS: '1000' });

    const rec = await completedCall(second, '13500000501', 60_000);
    expect(rec.attempts[0]).toMatchObject({ agentId: 'agent-1001', outcome: 'no-answer', ringMs: second.config.callPath.ringTimeoutMs });
    // Taken over after the restart (waiting again), until the caller gave up.
    expect(rec.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'ringing' } })]);
    expect(rec.endReason).not.toBe('recovered');
    await call.result;
  }, 120_000);

  it('→ a call that was talking and ended while the application was away is closed when it comes back', async () => {
    await second?.stop(5000);
    await phone?.stop();
    await first?.stop(0);
    first = await startSystem('app_outage_talk', { WRAPUP_MS: '1000' });
    await addAgents(first, [1001]);
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    // Bridged ~14.5 s after the answer; the caller hangs up (BYE) at 20 s, while the application is away.
    const call = await startCall({ callerNumber: '13500000502', hangupAfterMs: 20_000, timeoutMs: 90_000 });
    await eventually(() => first?.callPath.registry.all().some((s) => s.snapshot().type === 'talking'), 30_000, 50);
    // The stored record already says the call is answered and talking.
    await eventually(async () => {
      const d = await first?.callStore.records.findOne({ callerNumber: '13500000502' }).lean();
      return (d?.detail as { stage?: string } | undefined)?.stage === 'talking';
    }, 10_000, 100);
    const uri = first.config.mongodb.uri;
    await first.ari.stop();
    await first.db.stop();
    expect((await call.result).success).toBe(true);
    second = await startSystem('app_outage_talk_back', { MONGODB_URI: uri, WRAPUP_MS: '1000' });
    const rec = await completedCall(second, '13500000502', 30_000);
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'recovered' });
  }, 120_000);
});
