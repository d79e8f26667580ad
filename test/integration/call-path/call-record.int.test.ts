/**
 * What the call record says, over real calls (sipp through the lab's Asterisk into the product as
 * main.ts wires it, real database) and read back over REST as a supervisor would:
 * - the stored record follows a running call stage by stage (not "entered" until the end);
 * - who ended the conversation, the timeline's data, the agent's wrap-up (start, end, timer or agent),
 *   and the KPIs' handle time = talk + wrap-up;
 * - one outcome type: a callback request reads back as `callback-requested`, `?outcome=callback`,
 *   `overflow` and `ended` find their calls, and the KPIs count overflows and callback requests.
 *
 * Lab prompt lengths: greeting ~8.9 s, 工号 announcement ~4.5 s, overflow ~8.1 s, rating ~7.3 s.
 */
import type { Actor } from '../../../src/domain/access';
import type { CallRecordView as RestCall } from '../../../src/app/records/call-records.ports';
import { asAgentId, asUserId } from '../../../src/shared/ids';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const AGENT = asAgentId('agent-1001');

describe('the call record over real calls', () => {
  let sut: RunningSystem;
  let token = '';
  let phones: AgentPhone[] = [];
  const from = Date.now();

  async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await fetch(`${sut.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  beforeAll(async () => {
    sut = await startSystem('call_record', { WRAPUP_MS: '3000', RATING_TIMEOUT_MS: '2000' });
    await addAgents(sut, [1001]);
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长' });
    const res = await fetch(`${sut.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'boss', password: 'supervisor-password' }),
    });
    token = ((await res.json()) as { accessToken: string }).accessToken;
  });

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await stopAllSipp();
  });

  afterAll(async () => {
    await sut?.stop(5000);
  });

  it('a running call\'s stored record follows it; the ended record says who ended the conversation, has timeline data and the wrap-up the timer ended', async () => {
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 6000 }));
    const caller = '13700000301';
    const call = await startCall({ callerNumber: caller, timeoutMs: 60_000 });

    // While caller and agent talk, the stored record already says so.
    const running = await eventually(async () => {
      const d = await sut.callStore.records.findOne({ callerNumber: caller }).lean();
      return d && (d.detail as { stage?: string } | null)?.stage === 'talking' ? d : null;
    }, 40_000, 100);
    expect(running).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endedAt: null });
    expect(running.attempts).toEqual([expect.objectContaining({ outcome: 'answered' })]);

    expect((await call.result).success).toBe(true);
    const rec = await completedCall(sut, caller);
    const wrapped = await eventually(async () => {
      const d = await sut.callStore.records.findOne({ callerNumber: caller }).lean();
      return d?.wrapUp ? d : null;
    }, 20_000, 200);
    expect(wrapped.wrapUp).toMatchObject({ agentId: 'agent-1001', endedBy: 'timer' });
    const wrap = wrapped.wrapUp!;
    expect(wrapped.wrapUpMs).toBe(wrap.endedAt.getTime() - wrap.startedAt.getTime());
    expect(wrapped.wrapUpMs).toBeGreaterThanOrEqual(3000);
    // Wrap-up starts when the conversation ends.
    expect(wrap.startedAt.getTime()).toBeGreaterThanOrEqual(rec.detail.times.conversationEndedAt ?? Infinity);

    const rest = await api<RestCall>(`/api/calls/${rec.callId}`);
    expect(rest).toMatchObject({
      outcome: 'answered',
      endReason: 'completed',
      hungUpBy: 'system',
      conversationEndedBy: 'agent',
      callerLost: null,
      wrapUp: { agentId: 'agent-1001', endedBy: 'timer', startedAt: wrap.startedAt.getTime(), endedAt: wrap.endedAt.getTime() },
      wrapUpMs: wrapped.wrapUpMs,
    });
    const byType = (type: string) => rest.timeline.find((e) => e.type === type);
    expect(byType('AgentOffered')?.data).toMatchObject({ attempt: 1, agentId: 'agent-1001', agentNumber: '1001' });
    expect(byType('CallCompleted')?.data).toMatchObject({ agentId: 'agent-1001', endedBy: 'agent', talkMs: rest.talkMs });
    expect(byType('CallEnded')?.data).toMatchObject({ reason: 'completed', hungUpBy: 'system' });
    expect(byType('WrapUpEnded')?.data).toMatchObject({ endedBy: 'timer' });
  }, 90_000);

  it('the agent ends the wrap-up (console "ready") → the record says the agent ended it; AHT = talk + wrap-up', async () => {
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 6000 }));
    const caller = '13700000302';
    const call = await startCall({ callerNumber: caller, timeoutMs: 60_000 });
    await eventually(() => sut.callPath.agents.get(AGENT)?.status.type === 'wrap-up', 40_000, 50);
    await api(`/api/agents/agent-1001/state`, { method: 'POST', body: JSON.stringify({ action: 'wrap_up_done' }) });
    expect((await call.result).success).toBe(true);
    await completedCall(sut, caller);
    const d = await eventually(async () => {
      const r = await sut.callStore.records.findOne({ callerNumber: caller }).lean();
      return r?.wrapUp ? r : null;
    }, 20_000, 200);
    expect(d.wrapUp).toMatchObject({ agentId: 'agent-1001', endedBy: 'agent' });
    expect(d.wrapUpMs).toBeLessThan(3000);

    const kpi = await api<{ answered: number; averageTalk: { totalMs: number; count: number }; averageHandleTime: { totalMs: number; count: number } }>(
      `/api/kpi/calls?from=${from}&to=${Date.now() + 1000}`,
    );
    const answered = await sut.callStore.records.find({ outcome: 'answered' }).lean();
    const wrapUpTotal = answered.reduce((s, r) => s + (r.wrapUpMs ?? 0), 0);
    expect(wrapUpTotal).toBeGreaterThan(0);
    expect(kpi.averageHandleTime.count).toBe(kpi.averageTalk.count);
    expect(kpi.averageHandleTime.totalMs).toBe(kpi.averageTalk.totalMs + wrapUpTotal);
  }, 90_000);

  it('overflow with and without a callback request: read back, filtered and counted by the one outcome type', async () => {
    // No agent logged in: after the greeting the caller hears the overflow message.
    await setAgentStates(sut, { loggedOut: [1001] });
    const withCallback = await startCall({ callerNumber: '13700000303', dtmfDigit: 1, dtmfAfterMs: 12_000, timeoutMs: 60_000 });
    const without = await startCall({ callerNumber: '13700000304', timeoutMs: 60_000 });
    expect((await withCallback.result).success).toBe(true);
    expect((await without.result).success).toBe(true);
    const cb = await completedCall(sut, '13700000303');
    const of = await completedCall(sut, '13700000304');
    expect(cb.outcome).toBe('callback-requested');
    expect(of.outcome).toBe('overflow');

    const period = `from=${from}&to=${Date.now() + 1000}`;
    type Page = { items: Array<{ callId: string; outcome: string }>; total: number };
    const ids = (p: Page) => p.items.map((i) => i.callId).sort();
    const callback = await api<Page>(`/api/calls?${period}&outcome=callback`);
    expect(callback.items).toEqual([expect.objectContaining({ callId: cb.callId, outcome: 'callback-requested' })]);
    expect(ids(await api<Page>(`/api/calls?${period}&outcome=callback-requested`))).toEqual([cb.callId]);
    expect(ids(await api<Page>(`/api/calls?${period}&outcome=overflow`))).toEqual([of.callId]);
    const ended = await api<Page>(`/api/calls?${period}&outcome=ended`);
    expect(ended.items.map((i) => i.callId)).toEqual(expect.arrayContaining([cb.callId, of.callId]));
    expect(ended.total).toBe(await sut.callStore.records.countDocuments({ endedAt: { $ne: null } }));
    expect((await api<RestCall>(`/api/calls/${cb.callId}`)).outcome).toBe('callback-requested');

    const bad = await fetch(`${sut.baseUrl}/api/calls?outcome=nonsense`, { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(400);

    const kpi = await api<{ overflowed: number; callbackRequested: number }>(`/api/kpi/calls?${period}`);
    expect(kpi).toMatchObject({ overflowed: 2, callbackRequested: 1 });
  }, 90_000);
});
