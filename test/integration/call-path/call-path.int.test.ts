/**
 * The call path end to end, wired as in production (src/main.ts buildSystem, real database): sipp
 * callers on the trunk (RFC 2833 digits) and sipp agent phones through real Asterisk 22. Each test
 * places one call; the assertions read the stored record, its stored events and the event bus.
 *
 * Timings follow the lab's prompts: greeting ~9 s, the agent's 工号 ~4.5 s, rating prompt ~7.5 s,
 * overflow prompt ~8 s. Digit and hang-up times are counted from the caller's answer.
 */
import type { AnyBusMessage } from '../../../src/app/events/event-bus';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, storedEvents, type RunningSystem } from '../../support/system-harness';

describe('call path over real Asterisk and the real database', () => {
  let sut: RunningSystem;
  const messages: AnyBusMessage[] = [];
  let phones: AgentPhone[] = [];

  beforeAll(async () => {
    sut = await startSystem('call_path', { WRAPUP_MS: '1000' });
    await addAgents(sut, [1001, 1002]);
    sut.bus.subscribeAll((m) => messages.push(m));
  });

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await stopAllSipp();
  });

  afterAll(async () => {
    await sut?.stop(5000);
  });

  it('agent answers, caller rates 1 by RFC 2833 → record rated satisfied, agent, durations; the agent was rung once', async () => {
    await setAgentStates(sut, { ready: [1001], notReady: [1002] });
    // The agent hangs up ~17 s after the caller's answer; the digit comes during the rating prompt.
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 7000 }));
    const call = await startCall({ callerNumber: '13800000101', dtmfDigit: 1, dtmfAfterMs: 19_500, timeoutMs: 60_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13800000101');
    expect(rec).toMatchObject({
      outcome: 'answered',
      agentId: 'agent-1001',
      agentIds: ['agent-1001'],
      endReason: 'completed',
      hungUpBy: 'system',
      rating: { scale: 'two-level', digit: '1', value: 1, code: 'satisfied', satisfied: true },
    });
    expect(rec.detail).toMatchObject({
      agentNumber: '1001',
      conversationEndedBy: 'agent',
      rating: { status: 'rated', digit: '1', code: 'satisfied', satisfied: true, invalidDigits: [] },
    });
    expect(rec.attempts).toEqual([expect.objectContaining({ attempt: 1, agentId: 'agent-1001', outcome: 'answered' })]);
    // The phone answers 500 ms into its ring: the wait (queue to answer) holds the ring.
    const answered = (await storedEvents(sut, rec.callId)).find((e) => e.type === 'AgentAnswered');
    expect(answered?.data).toMatchObject({ waitMs: rec.waitMs, ringMs: rec.ringMs });
    expect(rec.ringMs).toBeGreaterThanOrEqual(500);
    expect(rec.waitMs).toBeGreaterThanOrEqual(rec.ringMs ?? Infinity);
    expect(rec.talkMs).toBeGreaterThan(0);
    expect(rec.detail.totalMs).toBeGreaterThan((rec.talkMs ?? 0) + (rec.ringMs ?? 0));
    expect(rec.detail.times.ratedAt).not.toBeNull();
    const events = await storedEvents(sut, rec.callId);
    expect(events.filter((e) => e.type === 'AgentOffered')).toHaveLength(1);
    // After the call the agent went to wrap-up.
    expect(messages).toContainEqual(
      expect.objectContaining({ topic: 'agent', event: expect.objectContaining({ agentId: 'agent-1001', type: 'AgentStatusChanged', to: 'wrap-up' }) }),
    );
  }, 90_000);

  it('first agent never answers, second answers → a 10 s no-answer attempt, first agent not-ready "missed", alert, second agent connected', async () => {
    await setAgentStates(sut, { ready: [1001, 1002] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 'never' }));
    // The second agent hangs up 7 s after answering (after the 工号), whenever that is; the caller
    // stays until the system ends the call after the rating prompt.
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 500, hangupAfterMs: 7000 }));
    const call = await startCall({ callerNumber: '13800000102', timeoutMs: 90_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13800000102');
    const [first, second] = rec.attempts;
    expect(rec.attempts).toHaveLength(2);
    expect(first).toMatchObject({ attempt: 1, agentId: 'agent-1001', outcome: 'no-answer' });
    // Rung for the whole ring limit, not cut short (a timer may fire a few ms before the wall clock
    // says so), counted to the cancel.
    expect(first?.ringMs).toBeGreaterThanOrEqual(10_000 - 50);
    expect(first?.ringMs).toBeLessThanOrEqual((first?.endedAt?.getTime() ?? 0) - (first?.startedAt.getTime() ?? 0));
    expect(second).toMatchObject({ attempt: 2, agentId: 'agent-1002', outcome: 'answered' });
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1002', hungUpBy: 'system' });
    expect(rec.detail.conversationEndedBy).toBe('agent');
    expect(rec.detail.times.bridgedAt).not.toBeNull();
    const missed = (await storedEvents(sut, rec.callId)).find((e) => e.type === 'AgentRingMissed');
    expect(missed?.data).toMatchObject({ attempt: 1, agentId: 'agent-1001', outcome: 'no-answer' });

    expect(sut.callPath.agents.get('agent-1001' as never)?.status).toEqual({ type: 'not-ready', reason: 'missed' });
    const alert = messages.find((m) => m.topic === 'agent' && m.event.type === 'SupervisorAlertRaised' && m.event.callId === rec.callId);
    expect(alert?.event).toMatchObject({ agentId: 'agent-1001', kind: 'agent-missed-ring', attempt: 1, outcome: 'no-answer' });
  }, 120_000);

  it('invalid digit, then a valid one → rated with the valid digit, the invalid one recorded', async () => {
    await setAgentStates(sut, { ready: [1001], notReady: [1002] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 7000 }));
    // 7 during the rating prompt (~17 s), then 2 during the re-prompt.
    const call = await startCall({
      callerNumber: '13800000103',
      dtmfDigit: 7,
      dtmfAfterMs: 19_500,
      dtmf2Digit: 2,
      dtmf2AfterMs: 22_000,
      timeoutMs: 60_000,
    });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13800000103');
    expect(rec).toMatchObject({ outcome: 'answered', endReason: 'completed', rating: { scale: 'two-level', digit: '2', value: 2, satisfied: false } });
    expect(rec.detail.rating).toMatchObject({ status: 'rated', digit: '2', code: 'dissatisfied', satisfied: false, invalidDigits: ['7'] });
    const types = (await storedEvents(sut, rec.callId)).map((e) => e.type);
    expect(types.filter((t) => t === 'RatingRequested')).toHaveLength(2);
    expect(types.indexOf('RatingDigitInvalid')).toBeLessThan(types.indexOf('CallRated'));
  }, 90_000);

  it('no agent logged in → overflow prompt, callback request by keypad stored with the caller number', async () => {
    await setAgentStates(sut, { loggedOut: [1001, 1002] });
    // The digit comes during the overflow prompt that follows the greeting.
    const call = await startCall({ callerNumber: '13912345678', dtmfDigit: 1, dtmfAfterMs: 11_500, timeoutMs: 60_000 });
    expect((await call.result).success).toBe(true);

    const rec = await completedCall(sut, '13912345678');
    expect(rec).toMatchObject({ outcome: 'callback-requested', callbackRequested: true, endReason: 'callback-requested', agentId: null, attempts: [] });
    expect(rec.detail.overflow).toMatchObject({ reason: 'no-agents' });
    const callbacks = await eventually(async () => {
      const found = await sut.callStore.callbacks.find({ callerNumber: '13912345678' }).lean();
      return found.length > 0 ? found : null;
    });
    expect(callbacks).toEqual([expect.objectContaining({ callId: rec.callId, callerNumber: '13912345678', queueId: 'general', status: 'open' })]);
  }, 60_000);
});
