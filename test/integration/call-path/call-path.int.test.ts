/**
 * The call path end to end: real Asterisk 22, sipp callers (RFC 2833 digits) and sipp agent phones.
 * A short greeting keeps the calls short; the prompts themselves are the lab's.
 */
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { eventually } from '../../support/eventually';
import { agentId, startCallPathLab, type CallPathLab } from './call-path-harness';

const SHORT_GREETING = { greeting: ['sound:hotline/digit-1'] };

describe('call path over real Asterisk', () => {
  let lab: CallPathLab | null = null;
  let phones: AgentPhone[] = [];

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await lab?.stop();
    lab = null;
    await stopAllSipp();
  });

  async function oneRecord(l: CallPathLab, timeoutMs = 60_000) {
    return eventually(() => {
      const done = l.completed();
      return done.length === 1 ? done[0] : null;
    }, timeoutMs, 200);
  }

  it('agent answers, caller rates 1 by RFC 2833 → record rated satisfied, agent, durations; rung once', async () => {
    lab = await startCallPathLab(SHORT_GREETING, [1001]);
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 8000 }));
    const call = await startCall({ dtmfDigit: 1, dtmfAfterMs: 12_000 });
    const rec = await oneRecord(lab);
    expect((await call.result).success).toBe(true);
    expect(rec).toMatchObject({
      outcome: 'answered',
      agentId: agentId(1001),
      agentNumber: '1001',
      rating: { status: 'rated', digit: '1', code: 'satisfied', satisfied: true },
      conversationEndedBy: 'agent',
      endReason: 'completed',
    });
    expect(rec?.attempts).toHaveLength(1);
    expect(rec?.talkMs).toBeGreaterThan(0);
    expect(rec?.waitMs).toBeGreaterThanOrEqual(0);
    expect(lab.agents.get(agentId(1001))?.status.type).toBe('wrap-up');
  }, 90_000);

  it('first agent never answers, second answers → a 10 s no-answer attempt, first agent not-ready "missed", alert', async () => {
    lab = await startCallPathLab(SHORT_GREETING, [1001, 1002]);
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 'never' }));
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 500, hangupAfterMs: 6000 }));
    await startCall({ hangupAfterMs: 22_000 });
    const rec = await oneRecord(lab);
    const [first, second] = rec?.attempts ?? [];
    expect(first).toMatchObject({ agentId: agentId(1001), outcome: 'no-answer' });
    expect(Math.abs((first?.ringMs ?? 0) - 10_000)).toBeLessThanOrEqual(500);
    expect(second).toMatchObject({ agentId: agentId(1002), outcome: 'answered' });
    expect(rec?.agentId).toBe(agentId(1002));
    expect(lab.agents.get(agentId(1001))?.status).toEqual({ type: 'not-ready', reason: 'missed' });
    const alert = lab.messages.find((m) => m.topic === 'agent' && m.event.type === 'SupervisorAlertRaised');
    expect(alert?.event).toMatchObject({ agentId: agentId(1001), attempt: 1, outcome: 'no-answer' });
  }, 90_000);

  it('caller hangs up while the agent rings → abandoned at ringing, attempt cancelled, agent ready again', async () => {
    lab = await startCallPathLab(SHORT_GREETING, [1001]);
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 'never' }));
    await startCall({ hangupAfterMs: 4000 });
    const rec = await oneRecord(lab);
    expect(rec).toMatchObject({ outcome: 'abandoned', hungUpBy: 'caller', abandon: { stage: 'ringing' } });
    expect(rec?.attempts[0]?.outcome).toBe('cancelled');
    expect(lab.agents.get(agentId(1001))?.status.type).toBe('ready');
  }, 60_000);

  it('invalid digit → re-prompt; no further digit → not rated', async () => {
    lab = await startCallPathLab({ ...SHORT_GREETING, rating: { timeoutMs: 3000 } }, [1001]);
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 6000 }));
    await startCall({ dtmfDigit: 7, dtmfAfterMs: 10_000 });
    const rec = await oneRecord(lab, 90_000);
    expect(rec?.rating).toMatchObject({ status: 'not-rated', notRatedReason: 'timeout', invalidDigits: ['7'] });
  }, 120_000);

  it('no agent logged in → overflow prompt, callback request by keypad stored with the caller number', async () => {
    lab = await startCallPathLab(SHORT_GREETING, []);
    await startCall({ callerNumber: '13912345678', dtmfDigit: 1, dtmfAfterMs: 3000 });
    const rec = await oneRecord(lab);
    expect(rec).toMatchObject({ outcome: 'callback-requested', overflow: { reason: 'no-agents' }, callbackRequested: true });
    expect(lab.callbacks).toEqual([expect.objectContaining({ callerNumber: '13912345678', callId: rec?.callId })]);
  }, 60_000);
});
