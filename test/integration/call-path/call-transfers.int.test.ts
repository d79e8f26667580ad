/**
 * Transfers over real calls (sipp caller through the lab's Asterisk into the product as main.ts wires
 * it, sipp agent phones, sipp as the handling unit behind the trunk, real database), driven over REST
 * as the agent handling the call:
 * - blind transfer to a unit: the unit gets the call with the caller's number, the agent's leg is
 *   freed, caller and unit are bridged; the unit hanging up leaves the caller to rate the agent;
 * - consultative transfer completed (the agent talks with the unit while the caller hears the hold
 *   music, then hands the caller over) and cancelled (the unit is dropped, the caller is back);
 * - transfer to another queue: the call waits there by the time it first queued, that queue's agents
 *   ring under the 10-second rule, the record is one record with the transfer on it.

 */
import Ari, { type Client } from 'ari-client';
import type { Actor } from '../../../src/domain/access';
import type { CallSession } from '../../../src/app/calls/call-session';
import { asAgentId, asQueueId, asUserId } from '../../../src/shared/ids';
import { ensureAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { AsteriskProbe, callControl, login, sessionIn as sessionInOf } from '../../support/live-call';
import { agentPortFor, startAgentPhone, startCall, startEmergencyLine, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const AGENT = asAgentId('agent-1001');
const UNIT = '12319';

describe('transfers on real calls', () => {
  let sut: RunningSystem;
  let ari: Client;
  let agentToken = '';
  let phones: AgentPhone[] = [];

  let ast: AsteriskProbe;
  const control = (callId: string, what: string, body?: unknown) => callControl(sut, agentToken, callId, what, body);
  const sessionIn = (callerNumber: string, state: string, timeoutMs?: number) => sessionInOf(sut, callerNumber, state, timeoutMs);
  const agentReady = () => eventually(() => (sut.callPath.agents.get(AGENT)?.status.type === 'ready' ? true : null), 10_000);

  /** Sipp phones: agent 1001 answering, and the unit behind the trunk; then the caller. */
  async function callWithUnit(caller: string, unitOpts: Parameters<typeof startEmergencyLine>[0]) {
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    const unit = await startEmergencyLine(unitOpts);
    phones.push(unit);
    const call = await startCall({ callerNumber: caller, hangupAfterMs: -1, timeoutMs: 120_000 });
    const session = await sessionIn(caller, 'talking', 60_000);
    const callId = session.callId;
    return { unit, call, session, callId, agentLeg: session.liveAgentLeg()?.channelId ?? '', unitLeg: `xfer-${callId}-1`, bridge: `bridge-${callId}` };
  }

  function consultJoined(session: CallSession): Promise<true> {
    return eventually(() => {
      const s = session.snapshot();
      return s.type === 'consulting' && s.joinedAt !== null ? true : null;
    }, 20_000, 100);
  }

  beforeAll(async () => {
    sut = await startSystem('call_transfers', { WRAPUP_MS: '1000', RATING_TIMEOUT_MS: '2000', EMERGENCY_RING_SECONDS: '6' });
    const lab = await ensureAsterisk();
    ari = await Ari.connect(lab.ariUrl, lab.ariUsername, lab.ariPassword);
    ast = new AsteriskProbe(ari);
    await addAgents(sut, [1001]);
    await sut.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '话务员1001', agentId: 'agent-1001' });
    agentToken = await login(sut, 'agent1001', 'agent-password-1');
  });

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await stopAllSipp();
  });

  afterAll(async () => {
    await sut?.stop(5000);
  });

  it('blind transfer to a unit: the unit gets the caller\'s number, the agent is freed, caller and unit talk; the caller stays to the end and is asked to rate', async () => {
    const caller = '13900000021';
    const { unit, call, callId, agentLeg, unitLeg, bridge } = await callWithUnit(caller, { mode: 'answer', expectNumber: UNIT, expectCaller: caller, answerAfterMs: 500, hangupAfterMs: 6000 });

    expect((await control(callId, 'transfer', { number: 'x12', mode: 'blind' })).status).toBe(400);
    expect((await control(callId, 'transfer/complete')).status).toBe(409);
    expect(await control(callId, 'transfer', { number: UNIT, mode: 'blind' })).toMatchObject({ status: 202, body: { callId, control: 'transfer', state: 'talking' } });
    await sessionIn(caller, 'transferred', 30_000);
    await ast.gone(agentLeg);
    await agentReady();
    await ast.bridgeIs(bridge, [callId, unitLeg]);
    for (const n of await ast.audioTo([callId, unitLeg])) expect(n).toBeGreaterThan(20);

    // The unit hangs up: the caller stayed to the end, is asked to rate, gives no digit.
    expect((await unit.exited).success).toBe(true); // the number dialled and the caller number shown were checked
    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({
      outcome: 'answered',
      conversationEndedBy: 'agent',
      transferredTo: { kind: 'unit', number: UNIT },
      rating: { status: 'not-rated', notRatedReason: 'timeout' },
      transfers: [{ n: 1, kind: 'blind', number: UNIT, fromQueueId: 'general', agentId: 'agent-1001', outcome: 'completed' }],
    });
    const x = rec.detail.transfers[0]!;
    expect(x.answeredAt).not.toBeNull();
    expect(x.endedAt).toBeGreaterThanOrEqual(x.completedAt ?? Infinity);
    expect(rec.detail.times.ratingAskedAt).toBeGreaterThanOrEqual(x.endedAt ?? Infinity);
    expect(rec.detail.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['TransferStarted', 'TransferAnswered', 'TransferCompleted', 'TransferEnded']));
  });

  it('blind transfer to a unit that is busy: the caller goes back to the agent', async () => {
    const caller = '13900000022';
    const { call, session, callId, agentLeg, bridge } = await callWithUnit(caller, { mode: 'busy' });

    expect((await control(callId, 'transfer', { number: UNIT })).status).toBe(202);
    await eventually(() => {
      const s = session.snapshot();
      return s.type === 'talking' && s.core.transfers === 1 ? true : null;
    }, 30_000, 100);
    await ast.bridgeIs(bridge, [callId, agentLeg]);

    await ari.channels.hangup({ channelId: agentLeg });
    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({ transferredTo: null, transfers: [{ kind: 'blind', outcome: 'busy', backTo: 'agent', answeredAt: null }], rating: { status: 'not-rated' } });
  });

  it('consultative transfer completed: the caller hears the hold music while the agent talks with the unit, then caller and unit talk', async () => {
    const caller = '13900000023';
    const { unit, call, session, callId, agentLeg, unitLeg, bridge } = await callWithUnit(caller, { mode: 'answer', expectNumber: UNIT, expectCaller: caller, answerAfterMs: 500, hangupAfterMs: 10_000 });

    expect((await control(callId, 'transfer', { number: UNIT, mode: 'consult' })).status).toBe(202);
    await consultJoined(session);
    // Agent and unit in the call's bridge; the caller outside it, getting the music.
    await ast.bridgeIs(bridge, [agentLeg, unitLeg]);
    for (const n of await ast.audioTo([callId, agentLeg, unitLeg])) expect(n).toBeGreaterThan(20);
    expect((await control(callId, 'hold')).status).toBe(409);

    expect((await control(callId, 'transfer/complete')).status).toBe(202);
    await sessionIn(caller, 'transferred', 10_000);
    await ast.bridgeIs(bridge, [callId, unitLeg]);
    await ast.gone(agentLeg);
    await agentReady();
    for (const n of await ast.audioTo([callId, unitLeg])) expect(n).toBeGreaterThan(20);

    expect((await unit.exited).success).toBe(true);
    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({
      outcome: 'answered',
      transferredTo: { kind: 'unit', number: UNIT },
      transfers: [{ kind: 'consult', number: UNIT, outcome: 'completed', backTo: null }],
      rating: { status: 'not-rated', notRatedReason: 'timeout' },
    });
    // The consultation was a hold of the caller, on the record.
    expect(rec.detail.holds).toHaveLength(1);
    const x = rec.detail.transfers[0]!;
    expect(rec.detail.holds[0]).toMatchObject({ startedAt: x.requestedAt, endedAt: x.completedAt });
    expect(x.answeredAt).toBeLessThan(x.completedAt ?? 0);
  });

  it('consultative transfer cancelled: the unit is hung up and the caller is back with the agent', async () => {
    const caller = '13900000024';
    const { unit, call, session, callId, agentLeg, unitLeg, bridge } = await callWithUnit(caller, { mode: 'answer', expectNumber: UNIT, expectCaller: caller, answerAfterMs: 300 });

    expect((await control(callId, 'transfer/cancel')).status).toBe(409);
    expect((await control(callId, 'transfer', { number: UNIT, mode: 'consult' })).status).toBe(202);
    await consultJoined(session);
    await ast.bridgeIs(bridge, [agentLeg, unitLeg]);

    expect((await control(callId, 'transfer/cancel')).status).toBe(202);
    await sessionIn(caller, 'talking', 10_000);
    await ast.bridgeIs(bridge, [callId, agentLeg]);
    // The unit got our BYE and ended its call normally.
    expect((await unit.exited).success).toBe(true);
    expect(await ast.channelExists(unitLeg)).toBe(false);

    await ari.channels.hangup({ channelId: agentLeg });
    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({
      conversationEndedBy: 'agent',
      transferredTo: null,
      transfers: [{ kind: 'consult', outcome: 'cancelled', backTo: 'agent' }],
      rating: { status: 'not-rated' },
    });
    expect(rec.detail.transfers[0]?.answeredAt).not.toBeNull();
    expect(rec.detail.holds).toHaveLength(1);
    expect(rec.detail.holds[0]?.endedAt).toBe(rec.detail.transfers[0]?.endedAt);
  });

  it('transfer to another queue: it waits there by its first queue time; that queue\'s agents ring under the 10-second rule; one record shows the transfer', async () => {
    const caller = '13900000025';
    // Two tax agents: 1002 (longest idle, offered first) never answers, 1003 answers.
    for (const n of [1002, 1003]) {
      const profile = { agentId: asAgentId(`agent-${n}`), agentNumber: String(n), name: `税务话务员${n}`, endpoint: `PJSIP/agent${n}`, queues: [asQueueId('tax')] };
      await sut.agents.save(profile);
      sut.callPath.agents.register(profile);
      sut.callPath.agents.login(profile.agentId, { ready: true });
      await new Promise((r) => setTimeout(r, 20)); // distinct idle times: 1002 idle longest
    }
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 'never' }));
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1003), answerAfterMs: 300 }));
    const call = await startCall({ callerNumber: caller, hangupAfterMs: -1, timeoutMs: 120_000 });
    const session = await sessionIn(caller, 'talking', 60_000);
    const callId = session.callId;
    const firstLeg = session.liveAgentLeg()?.channelId ?? '';
    const queuedAt = session.snapshot().core.queuedAt;
    expect(queuedAt).not.toBeNull();

    expect((await control(callId, 'queue-transfer', { queueId: 'general' })).status).toBe(409);
    expect((await control(callId, 'queue-transfer', { queueId: 'no-such-queue' })).status).toBe(404);
    expect((await control(callId, 'queue-transfer', { queueId: 'tax' })).status).toBe(202);
    // Agent 1001 is released; the call is in the tax queue at its first queue time.
    await ast.gone(firstLeg);
    await eventually(() => (['wrap-up', 'ready'].includes(sut.callPath.agents.get(AGENT)?.status.type ?? '') ? true : null), 10_000);
    const entry = await eventually(() => sut.callPath.acd.snapshot().entries.find((e) => e.callId === callId) ?? null, 10_000, 50);
    expect(entry).toMatchObject({ queueId: 'tax', enqueuedAt: queuedAt });

    // 1002 rings to the limit, then 1003 answers and talks with the caller in a new bridge.
    const talking = await eventually(() => {
      const s = session.snapshot();
      return s.type === 'talking' && s.agent.agentId === asAgentId('agent-1003') ? s : null;
    }, 40_000, 100);
    await ast.bridgeIs(`bridge-${callId}`, [callId, talking.agent.channelId]);
    await ari.channels.hangup({ channelId: talking.agent.channelId });

    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.queueId).toBe('tax');
    expect(rec.detail).toMatchObject({
      outcome: 'answered',
      agentId: 'agent-1003',
      transferredTo: { kind: 'queue', queueId: 'tax' },
      transfers: [{ kind: 'queue', queueId: 'tax', fromQueueId: 'general', agentId: 'agent-1001', outcome: 'queued' }],
    });
    expect(rec.detail.times.queuedAt).toBe(queuedAt);
    expect(rec.detail.attempts.map((a) => [a.agentId, a.outcome])).toEqual([
      ['agent-1001', 'answered'],
      ['agent-1002', 'no-answer'],
      ['agent-1003', 'answered'],
    ]);
    // The 10-second rule on the tax queue's agent.
    expect(rec.detail.attempts[1]!.ringMs).toBeGreaterThanOrEqual(10_000 - 50);
    const types = rec.detail.timeline.map((e) => e.type);
    expect(types.filter((t) => t === 'CallCompleted')).toHaveLength(2);
    expect(types).toContain('CallTransferredToQueue');
  });
});
