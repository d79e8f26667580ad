/**
 * Asterisk restarts during a call: the product (wired as in production, real database) reconnects,
 * reconciles, the call's stored record is closed, and the next call is served. (Restarts the lab's
 * Asterisk.)
 */
import { UNUSED_ARI_EVENTS } from '../../../src/adapters/ari/ari-connection';
import { ensureAsterisk, restartAsterisk, runningAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

/** The event types Asterisk keeps from the application (its event filter, as Asterisk reports it). */
async function disallowedEvents(sut: RunningSystem): Promise<string[]> {
  const { ariApp } = await ensureAsterisk();
  const applications = sut.ari.current().applications as unknown as {
    get(p: { applicationName: string }): Promise<{ events_disallowed?: Array<{ type: string }> }>;
  };
  const app = await applications.get({ applicationName: ariApp });
  return (app.events_disallowed ?? []).map((e) => e.type).sort();
}

/** The agent and the calls, for a wait that times out. */
function callState(sut: RunningSystem) {
  return () => ({ agent: sut.callPath.agents.get('agent-1001' as never), calls: sut.callPath.registry.all().map((s) => s.snapshot()) });
}

describe('Asterisk restart during a call', () => {
  let sut: RunningSystem;
  let phone: AgentPhone | null = null;

  beforeAll(async () => {
    sut = await startSystem('asterisk_restart', { WRAPUP_MS: '1000' });
    await addAgents(sut, [1001]);
  });

  afterAll(async () => {
    await phone?.stop();
    await stopAllSipp();
    await sut?.stop(5000);
  });

  it('→ reconnect, the open call gets a complete record, a new call works', async () => {
    let reconnects = 0;
    sut.ari.on('connected', ({ reconnect }) => {
      if (reconnect) reconnects += 1;
    });
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    const first = await startCall({ callerNumber: '13500000401', timeoutMs: 60_000 });
    await eventually(() => sut.callPath.registry.all().some((s) => s.snapshot().type === 'talking'), 30_000, 100, callState(sut));
    // Events the call path does not read are filtered in Asterisk, also after a restart.
    expect(await disallowedEvents(sut)).toEqual([...UNUSED_ARI_EVENTS].sort());

    await restartAsterisk();
    await eventually(() => reconnects >= 1 && sut.ari.isConnected(), 30_000, 100);
    await eventually(async () => (await disallowedEvents(sut)).length > 0, 10_000, 200);
    expect(await disallowedEvents(sut)).toEqual([...UNUSED_ARI_EVENTS].sort());
    const closed = await completedCall(sut, '13500000401');
    expect(closed).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', hungUpBy: 'network', endReason: 'channel-gone' });
    // Asterisk's stop hangs up both legs itself. Usually the connection drops first and the call is
    // closed as lost; when the agent leg's hang-up still reaches the app before that, the agent's
    // leg ended first as far as the app can tell (a soft hang-up request, as an agent leg the app
    // hangs up itself also gives), and the conversation is counted to the agent.
    expect(['network', 'agent']).toContain(closed.detail.conversationEndedBy);
    await first.stop();

    await eventually(() => sut.callPath.agents.get('agent-1001' as never)?.status.type === 'ready', 20_000, 200);
    // Bridged ~14 s after the answer.
    const second = await startCall({ callerNumber: '13500000402', hangupAfterMs: 16_000, timeoutMs: 60_000 });
    expect((await second.result).success).toBe(true);
    const rec = await completedCall(sut, '13500000402');
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', hungUpBy: 'caller', endReason: 'caller-hangup' });
  }, 180_000);

  it('Asterisk killed (kill -9) mid-call → the conversation is counted to the loss of contact, and the record says so', async () => {
    await eventually(() => sut.callPath.agents.get('agent-1001' as never)?.status.type === 'ready', 20_000, 200);
    phone ??= await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    const call = await startCall({ callerNumber: '13500000403', timeoutMs: 60_000 });
    await eventually(() => sut.callPath.registry.all().some((s) => s.snapshot().type === 'talking'), 30_000, 100, callState(sut));
    // A few seconds of conversation, then Asterisk dies without hanging anything up.
    await new Promise((r) => setTimeout(r, 2000));
    const { pid } = await runningAsterisk();
    expect(pid).not.toBeNull();
    process.kill(pid as number, 'SIGKILL');
    await eventually(() => !sut.ari.isConnected(), 10_000, 50);
    // Down for a while before it comes back: that time is not talk time.
    await new Promise((r) => setTimeout(r, 3000));
    const restartedAt = Date.now();
    await ensureAsterisk();
    const rec = await completedCall(sut, '13500000403');
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', hungUpBy: 'network', endReason: 'caller-lost' });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'network', callerLost: { why: 'asterisk-lost' } });
    const lost = rec.detail.callerLost!;
    const t = rec.detail.times;
    expect(rec.talkMs).toBe(lost.lastSignAt - (t.bridgedAt ?? 0));
    expect(lost.lastSignAt).toBeLessThan(restartedAt);
    expect(t.conversationEndedAt ?? 0).toBeGreaterThan(restartedAt);
    await call.stop();
  }, 180_000);
});
