/**
 * Every way a call can end (issue 3 item 9), one real call each through real Asterisk into the
 * product wired as in production: exactly one complete stored record per call, with the right
 * outcome, abandon stage and who hung up. (Hanging up in the menu: menu.int.test.ts.)
 *
 * Times are counted from the caller's answer; the lab's greeting lasts ~9 s, the agent's 工号
 * announcement ~4.5 s after the agent answers, the rating prompt ~7.5 s.
 */
import { asAgentId } from '../../../src/shared/ids';
import { asteriskCli } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, storedEvents, type RunningSystem } from '../../support/system-harness';

const AGENT = asAgentId('agent-1001');

describe('a call ends at each stage → one complete record with the right outcome', () => {
  let sut: RunningSystem;
  let phones: AgentPhone[] = [];

  beforeAll(async () => {
    sut = await startSystem('call_hangups', { WRAPUP_MS: '1000', RATING_TIMEOUT_MS: '2000' });
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

  async function phone(opts: { answerAfterMs: number | 'never'; hangupAfterMs?: number }): Promise<AgentPhone> {
    const p = await startAgentPhone({ endpointPort: agentPortFor(1001), ...opts });
    phones.push(p);
    return p;
  }

  it('caller hangs up in the greeting → abandoned in the greeting, never queued', async () => {
    await setAgentStates(sut, { ready: [1001] });
    const call = await startCall({ callerNumber: '13700000201', hangupAfterMs: 3000, timeoutMs: 30_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13700000201');
    expect(rec).toMatchObject({ outcome: 'abandoned', endReason: 'caller-hangup', hungUpBy: 'caller', agentId: null, attempts: [], waitMs: null });
    expect(rec.detail).toMatchObject({ abandon: { stage: 'greeting', position: null, waitMs: null }, rating: { status: 'not-asked' } });
    expect(rec.detail.times.greetedAt).toBeNull();
    expect(rec.detail.times.queuedAt).toBeNull();
  }, 60_000);

  it('caller hangs up in the queue (agent logged in, not ready) → abandoned in the queue with position and wait', async () => {
    await setAgentStates(sut, { notReady: [1001] });
    const call = await startCall({ callerNumber: '13700000202', hangupAfterMs: 12_000, timeoutMs: 30_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13700000202');
    expect(rec).toMatchObject({ outcome: 'abandoned', endReason: 'caller-hangup', hungUpBy: 'caller', agentId: null, attempts: [] });
    expect(rec.detail.abandon).toMatchObject({ stage: 'queued', position: 1 });
    // Queued after the greeting; the wait runs from the queue to the caller's hang-up.
    const t = rec.detail.times;
    expect(t.greetedAt).not.toBeNull();
    expect(t.queuedAt ?? 0).toBeGreaterThanOrEqual(t.greetedAt ?? Infinity);
    expect(rec.waitMs).toBeGreaterThan(0);
    expect(rec.waitMs).toBeLessThanOrEqual((t.endedAt ?? 0) - (t.queuedAt ?? 0));
    expect(rec.detail.abandon?.waitMs).toBe(rec.waitMs);
    expect(sut.callPath.acd.positionOf(rec.callId as never)).toBeNull();
  }, 60_000);

  it('caller hangs up while the agent rings → abandoned while ringing, attempt cancelled, agent ready again', async () => {
    await setAgentStates(sut, { ready: [1001] });
    await phone({ answerAfterMs: 'never' });
    const call = await startCall({ callerNumber: '13700000203', hangupAfterMs: 12_000, timeoutMs: 30_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13700000203');
    expect(rec).toMatchObject({ outcome: 'abandoned', endReason: 'caller-hangup', hungUpBy: 'caller', agentId: null });
    expect(rec.detail.abandon).toMatchObject({ stage: 'ringing' });
    expect(rec.attempts).toEqual([expect.objectContaining({ attempt: 1, agentId: 'agent-1001', outcome: 'cancelled' })]);
    // Cut short by the caller: not a missed ring, shorter than the ring limit, counted to the cancel.
    const attempt = rec.attempts[0];
    expect(attempt?.ringMs).toBeLessThan(10_000);
    expect(attempt?.ringMs).toBeLessThanOrEqual((attempt?.endedAt?.getTime() ?? 0) - (attempt?.startedAt.getTime() ?? 0));
    expect((await storedEvents(sut, rec.callId)).map((e) => e.type)).not.toContain('AgentRingMissed');
    // A caller who gives up is not the agent's miss.
    await eventually(() => sut.callPath.agents.get(AGENT)?.status.type === 'ready', 5000);
  }, 60_000);

  it('caller hangs up during the conversation → answered, ended by the caller, no rating', async () => {
    await setAgentStates(sut, { ready: [1001] });
    await phone({ answerAfterMs: 500 });
    // Bridged ~14 s after the answer.
    const call = await startCall({ callerNumber: '13700000204', hangupAfterMs: 17_000, timeoutMs: 30_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13700000204');
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'caller-hangup', hungUpBy: 'caller', rating: null });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'caller', abandon: null, rating: { status: 'not-asked' } });
    expect(rec.detail.times.bridgedAt).not.toBeNull();
    expect(rec.talkMs).toBe((rec.detail.times.conversationEndedAt ?? 0) - (rec.detail.times.bridgedAt ?? 0));
    expect(rec.talkMs).toBeGreaterThan(0);
    // The agent's leg was hung up with the caller; the agent goes to wrap-up, then Ready.
    await eventually(() => sut.callPath.agents.get(AGENT)?.status.type === 'ready', 10_000);
  }, 60_000);

  it('caller hangs up during the rating prompt → answered, not rated (caller hung up)', async () => {
    await setAgentStates(sut, { ready: [1001] });
    await phone({ answerAfterMs: 500, hangupAfterMs: 7000 });
    // The agent hangs up ~17 s after the answer; the rating prompt plays until ~24.5 s.
    const call = await startCall({ callerNumber: '13700000205', hangupAfterMs: 20_000, timeoutMs: 30_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13700000205');
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'caller-hangup', hungUpBy: 'caller', rating: null });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'agent', rating: { status: 'not-rated', notRatedReason: 'caller-hangup' } });
    expect(rec.detail.times.ratingAskedAt).not.toBeNull();
    expect(rec.talkMs).toBeGreaterThan(0);
  }, 60_000);

  it('agent hangs up → the caller hears the rating prompt; no digit → not rated, thanks, the system ends the call', async () => {
    await setAgentStates(sut, { ready: [1001] });
    await phone({ answerAfterMs: 500, hangupAfterMs: 7000 });
    // The caller stays until the BYE: prompt ~7.5 s + 2 s rating limit + thanks ~3.5 s.
    const call = await startCall({ callerNumber: '13700000206', timeoutMs: 60_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13700000206');
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'completed', hungUpBy: 'system', rating: null });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'agent', rating: { status: 'not-rated', notRatedReason: 'timeout', invalidDigits: [] } });
    expect(rec.detail.times.ratingAskedAt).not.toBeNull();
    expect(rec.detail.times.conversationEndedAt).toBeLessThanOrEqual(rec.detail.times.ratingAskedAt ?? 0);
  }, 60_000);

  it('the agent\'s phone vanishes mid-call (no BYE, no more audio) → Asterisk ends its leg after AGENT_RTP_TIMEOUT, the caller is asked to rate', async () => {
    await setAgentStates(sut, { ready: [1001] });
    const p = await phone({ answerAfterMs: 500 });
    const call = await startCall({ callerNumber: '13700000208', timeoutMs: 60_000 });
    await eventually(
      () => sut.callPath.registry.all().find((s) => s.snapshot().core.callerNumber === '13700000208' && s.snapshot().type === 'talking'),
      30_000,
    );
    const crashedAt = Date.now();
    await p.crash();
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13700000208');
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'completed', hungUpBy: 'system' });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'agent', rating: { status: 'not-rated', notRatedReason: 'timeout' } });
    // Ended by Asterisk's RTP timeout (10 s in the lab, test/support/asterisk.ts), not before it.
    expect(rec.detail.times.conversationEndedAt ?? 0).toBeGreaterThanOrEqual(crashedAt + 10_000 - 1_000);
    await eventually(() => sut.callPath.agents.get(AGENT)?.status.type === 'ready', 10_000);
  }, 90_000);

  it('the caller vanishes mid-call (sipp killed, no BYE, no more audio) → Asterisk ends the caller leg after TRUNK_RTP_TIMEOUT; the record says the caller was lost, talk time to the last audio', async () => {
    await setAgentStates(sut, { ready: [1001] });
    await phone({ answerAfterMs: 500 });
    const call = await startCall({ callerNumber: '13700000209', timeoutMs: 60_000 });
    await eventually(
      () => sut.callPath.registry.all().find((s) => s.snapshot().core.callerNumber === '13700000209' && s.snapshot().type === 'talking'),
      30_000,
    );
    // A few seconds of conversation first, so the talk time to count is well above Asterisk's 1-s resolution.
    await new Promise((r) => setTimeout(r, 3000));
    const killedAt = Date.now();
    await call.stop();

    const rec = await completedCall(sut, '13700000209', 40_000);
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'caller-lost', hungUpBy: 'network', rating: null });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'network', callerLost: { why: 'media-timeout' }, rating: { status: 'not-asked' } });
    const lost = rec.detail.callerLost!;
    const t = rec.detail.times;
    // Counted to the last audio (Asterisk's hang-up time less the lab's 10-s RTP timeout), not to the hang-up.
    expect(rec.talkMs).toBe(lost.lastSignAt - (t.bridgedAt ?? 0));
    expect((t.conversationEndedAt ?? 0) - lost.lastSignAt).toBeGreaterThanOrEqual(10_000);
    // Asterisk keeps the last packet's time in whole seconds.
    expect(Math.abs(lost.lastSignAt - killedAt)).toBeLessThan(2_000);
    // The agent's leg went with it; the agent is free again.
    await eventually(async () => (await asteriskCli('core show channels concise')).trim() === '', 10_000);
    await eventually(() => sut.callPath.agents.get(AGENT)?.status.type === 'ready', 10_000);
  }, 90_000);

  it('Asterisk loses the caller channel during the conversation → closed by the network, agent leg ended', async () => {
    await setAgentStates(sut, { ready: [1001] });
    await phone({ answerAfterMs: 500 });
    const call = await startCall({ callerNumber: '13700000207', timeoutMs: 60_000 });
    const session = await eventually(
      () => sut.callPath.registry.all().find((s) => s.snapshot().core.callerNumber === '13700000207' && s.snapshot().type === 'talking'),
      30_000,
    );
    // Asterisk's own hang-up (as on a lost channel), not the caller's BYE.
    await asteriskCli(`channel request hangup ${session.callerChannelId}`);
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13700000207');
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'channel-gone', hungUpBy: 'network', rating: null });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'network', abandon: null, rating: { status: 'not-asked' } });
    // The agent's leg was hung up too (Asterisk has no channel left) and the agent is free again.
    await eventually(async () => (await asteriskCli('core show channels concise')).trim() === '', 10_000);
    await eventually(() => sut.callPath.agents.get(AGENT)?.status.type === 'ready', 10_000);
  }, 60_000);
});
