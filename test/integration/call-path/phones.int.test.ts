/**
 * What real phones do to the call path (issue 28 item 1, issue 20 item 1), with real SIP through
 * the lab's Asterisk into the product wired as in production:
 * - a phone that is not there (no registration, no answer to OPTIONS) is offered no call: no ring
 *   attempt at all, the caller waits, and the agent is Ready and free when the caller leaves;
 * - the phone comes up (answers OPTIONS): the agent is reachable again and takes the next call;
 * - a phone that crashes becomes unreachable by qualify (OPTIONS), not at registration expiry;
 * - the agent hears the 工号 announcement on its own leg while the caller hears it;
 * - a phone that answers 486 Busy is not offered the same call again within the back-off, the
 *   refusals put the agent not-ready "忙/拒接", and the call takes the overflow path after the bound.
 */
import { asAgentId } from '../../../src/shared/ids';
import type { AnyBusMessage } from '../../../src/app/events/event-bus';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const AGENT = asAgentId('agent-1001');

describe('agent phones: reachability (qualify) and refusals', () => {
  let sut: RunningSystem;
  let phones: AgentPhone[] = [];
  const messages: AnyBusMessage[] = [];

  beforeAll(async () => {
    sut = await startSystem('call_phones', {
      WRAPUP_MS: '1000',
      RATING_TIMEOUT_MS: '2000',
      REFUSED_RETRY_MS: '3000',
      NOT_READY_AFTER_MISSES: '3',
      MAX_REFUSED_RINGS: '3',
    });
    sut.bus.subscribeAll((m) => messages.push(m));
    await addAgents(sut, [1001]);
  });

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await stopAllSipp();
  });

  afterAll(async () => {
    await sut?.stop(5000);
  });

  async function phone(opts: { answerAfterMs: number | 'never' | 'busy'; hangupAfterMs?: number }): Promise<AgentPhone> {
    const p = await startAgentPhone({ endpointPort: agentPortFor(1001), ...opts });
    phones.push(p);
    return p;
  }

  const offersTo = (callId: string) =>
    messages.filter((m) => m.topic === 'call' && m.event.type === 'AgentOffered' && m.event.callId === callId);

  it('no phone behind the agent → no ring at all, the caller waits, the agent is Ready afterwards; the phone comes up → it takes the next call', async () => {
    // Nothing answers OPTIONS on agent1001's contact: Asterisk reports the endpoint offline.
    await eventually(() => sut.callPath.agents.get(AGENT)?.reachable === false, 30_000);
    expect(sut.callPath.agents.get(AGENT)?.status.type).toBe('ready');

    const call = await startCall({ callerNumber: '13700000301', hangupAfterMs: 14_000, timeoutMs: 40_000 });
    expect((await call.result).success).toBe(true);
    const rec = await completedCall(sut, '13700000301');
    expect(rec).toMatchObject({ outcome: 'abandoned', agentId: null, attempts: [] });
    expect(rec.detail.abandon).toMatchObject({ stage: 'queued' });
    expect(offersTo(rec.callId)).toHaveLength(0);
    expect(sut.callPath.agents.get(AGENT)?.status.type).toBe('ready');

    // The phone starts and answers OPTIONS: reachable again, and it takes the next call.
    await phone({ answerAfterMs: 500, hangupAfterMs: 1500 });
    await eventually(() => sut.callPath.agents.get(AGENT)?.reachable === true, 30_000);
    expect(messages.some((m) => m.topic === 'agent' && m.event.type === 'AgentReachabilityChanged' && m.event.reachable)).toBe(true);
    const second = await startCall({ callerNumber: '13700000302', timeoutMs: 60_000 });
    expect((await second.result).success).toBe(true);
    const answered = await completedCall(sut, '13700000302');
    expect(answered).toMatchObject({ outcome: 'answered', agentId: 'agent-1001' });
    expect(answered.attempts).toHaveLength(1);
  }, 120_000);

  it('a phone that crashes (no BYE, no answer to OPTIONS) becomes unreachable by qualify and is offered nothing', async () => {
    const p = await phone({ answerAfterMs: 500 });
    await eventually(() => sut.callPath.agents.get(AGENT)?.reachable === true, 30_000);
    await p.crash();
    await eventually(() => sut.callPath.agents.get(AGENT)?.reachable === false, 30_000);
    const call = await startCall({ callerNumber: '13700000303', hangupAfterMs: 12_000, timeoutMs: 40_000 });
    expect((await call.result).success).toBe(true);
    const rec = await completedCall(sut, '13700000303');
    expect(rec.attempts).toEqual([]);
    expect(sut.callPath.agents.get(AGENT)?.status.type).toBe('ready');
  }, 90_000);

  it('the agent hears the 工号 announcement on its own leg (Asterisk plays it to the agent channel), then talks with the caller', async () => {
    // The agent stays past the ~4.4 s announcement, so the two are bridged.
    await phone({ answerAfterMs: 500, hangupAfterMs: 8000 });
    await eventually(() => sut.callPath.agents.get(AGENT)?.reachable === true, 30_000);
    const agents = sut.callPath.agents;
    if (agents.get(AGENT)?.status.type !== 'ready') agents.setReady(AGENT);
    const started: Array<{ id: string; target: string }> = [];
    const finished: string[] = [];
    const client = sut.ari.current();
    const onStarted = (e: unknown) => {
      const p = (e as { playback?: { id?: string; target_uri?: string } }).playback;
      if (p?.id) started.push({ id: p.id, target: p.target_uri ?? '' });
    };
    const onFinished = (e: unknown) => {
      const p = (e as { playback?: { id?: string } }).playback;
      if (p?.id) finished.push(p.id);
    };
    client.on('PlaybackStarted' as 'StasisStart', onStarted);
    client.on('PlaybackFinished' as 'StasisStart', onFinished);
    try {
      const call = await startCall({ callerNumber: '13700000305', timeoutMs: 60_000 });
      expect((await call.result).success).toBe(true);
      const rec = await completedCall(sut, '13700000305');
      expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001' });
      const agentLeg = `ring-${rec.callId}-1`;
      expect(started).toContainEqual({ id: `agentpb-${rec.callId}-1`, target: `channel:${agentLeg}` });
      expect(finished).toContain(`agentpb-${rec.callId}-1`);
      expect(rec.detail.times.bridgedAt).not.toBeNull();
    } finally {
      client.removeListener('PlaybackStarted', onStarted as never);
      client.removeListener('PlaybackFinished', onFinished as never);
    }
  }, 90_000);

  it('a phone answering 486 Busy: offered again only after the back-off, not-ready 忙/拒接 after 3 refusals, the call overflows (no tight loop)', async () => {
    await phone({ answerAfterMs: 'busy' });
    await eventually(() => sut.callPath.agents.get(AGENT)?.reachable === true, 30_000);
    const agents = sut.callPath.agents;
    if (agents.get(AGENT)?.status.type !== 'ready') agents.setReady(AGENT);

    const call = await startCall({ callerNumber: '13700000304', timeoutMs: 90_000 });
    expect((await call.result).success).toBe(true);
    const rec = await completedCall(sut, '13700000304');

    expect(rec.attempts.map((a) => [a.agentId, a.outcome])).toEqual([
      ['agent-1001', 'busy'],
      ['agent-1001', 'busy'],
      ['agent-1001', 'busy'],
    ]);
    // Each new offer of the same call to the same phone waited for the back-off after the refusal.
    const recorded = rec.detail.attempts;
    for (let i = 1; i < recorded.length; i++) {
      const prev = recorded[i - 1]!;
      expect(recorded[i]!.offeredAt - (prev.endedAt ?? prev.offeredAt)).toBeGreaterThanOrEqual(3000);
    }
    expect(rec).toMatchObject({ outcome: 'overflow' });
    expect(rec.detail.overflow).toMatchObject({ reason: 'no-agents' });
    expect(agents.get(AGENT)?.status).toEqual({ type: 'not-ready', reason: '忙/拒接' });
  }, 120_000);
});
