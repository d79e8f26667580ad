/**
 * Calls under an in-call control when the app goes away (as after kill -9) are taken over by the next
 * instance on the same database and Asterisk, not ended (ADR 0019):
 * - a call on hold stays on hold (the caller gets the music, the agent's leg stays) and is resumed;
 * - a caller handed to an emergency line stays with it until the line hangs up;
 * - a three-way call keeps its three parties; the agent leaves, caller and unit go on, and the caller
 *   who stayed to the end is asked to rate;
 * - a supervisor listening stays on the call (phone leg, snoop and their bridge), still hearing it,
 *   and can stop afterwards (ADR 0026).
 * Each call keeps one complete record across the restart. Real SIP (sipp caller, agent phone, sipp as
 * the line / unit behind the trunk), real Asterisk, real database.
 */
import { asAgentId, asCallId } from '../../../src/shared/ids';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import { eventually } from '../../support/eventually';
import { AsteriskProbe } from '../../support/live-call';
import { agentPortFor, startAgentPhone, startCall, startEmergencyLine, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, startSystem, storedEvents, type RunningSystem } from '../../support/system-harness';

const A1 = asAgentId('agent-1001');

describe('calls under an in-call control are taken over after a restart of the app', () => {
  const systems: RunningSystem[] = [];
  let phones: AgentPhone[] = [];

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await stopAllSipp();
    for (const s of systems.splice(0).reverse()) await s.stop(0);
  });

  async function start(name: string, env: Record<string, string> = {}): Promise<RunningSystem> {
    const s = await startSystem(name, { WRAPUP_MS: '1000', RATING_TIMEOUT_MS: '2000', EMERGENCY_RING_SECONDS: '6', ...env });
    systems.push(s);
    return s;
  }

  /** The app goes away as after kill -9, then the next instance starts on the same database and takes `callId` over. */
  async function restart(first: RunningSystem, name: string, callId: string, stage: string) {
    await first.ari.stop();
    await first.db.stop();
    const second = await start(name, { MONGODB_URI: first.config.mongodb.uri });
    const session = await eventually(() => second.callPath.registry.get(asCallId(callId)) ?? null, 30_000, 50);
    await eventually(() => (session.snapshot().type === stage ? true : null), 10_000, 50);
    return { second, session, ast: new AsteriskProbe(second.ari.current()) };
  }

  /** A caller talking with agent 1001 on the first instance; `inputs` then given to the call. */
  async function controlledCall(first: RunningSystem, caller: string, until: (type: string) => boolean, ...inputs: CallInput[]) {
    await addAgents(first, [1001]);
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    await eventually(() => first.callPath.agents.get(A1)?.reachable === true, 30_000);
    const call = await startCall({ callerNumber: caller, hangupAfterMs: -1, timeoutMs: 150_000 });
    const session = await eventually(() => first.callPath.registry.all().find((s) => s.snapshot().core.callerNumber === caller && s.snapshot().type === 'talking') ?? null, 60_000, 50);
    const callId = session.callId;
    for (const i of inputs) first.callPath.registry.get(callId)?.deliver(i);
    await eventually(() => (until(session.snapshot().type) ? true : null), 30_000, 50);
    // Stored, so the next instance reads it.
    const stage = session.snapshot().type;
    await eventually(async () => ((await first.callStore.records.findOne({ _id: callId }).lean())?.detail as { stage?: string } | undefined)?.stage === stage || null, 10_000, 50);
    return { call, callId, agentLeg: `ring-${callId}-1` };
  }

  it('a call on hold stays on hold: the caller gets the music, the agent stays; resumed, then rated as usual', async () => {
    const first = await start('adopt_held');
    const { call, callId, agentLeg } = await controlledCall(first, '13700000701', (t) => t === 'held', { type: 'HoldRequested' });

    const { second, session, ast } = await restart(first, 'adopt_held', callId, 'held');
    expect(await ast.bridgeMembers(`bridge-${callId}`)).toEqual([agentLeg]);
    const [toCaller] = await ast.audioTo([callId]);
    expect(toCaller).toBeGreaterThan(20);
    expect(second.callPath.agents.get(A1)?.status).toEqual({ type: 'on-call', callId: asCallId(callId) });

    session.deliver({ type: 'ResumeRequested' });
    await ast.bridgeIs(`bridge-${callId}`, [callId, agentLeg]);
    await second.ari.current().channels.hangup({ channelId: agentLeg });
    const rec = await completedCall(second, '13700000701', 30_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({ outcome: 'answered', conversationEndedBy: 'agent', rating: { status: 'not-rated', notRatedReason: 'timeout' } });
    expect(rec.detail.holds).toHaveLength(1);
    expect(rec.detail.holds[0]?.endedAt).not.toBeNull();
    expect(rec.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'held' } })]);
    expect(rec.detail.timeline.map((e) => e.type)).not.toContain('CallNotRebuilt');
  }, 180_000);

  it('a caller handed to an emergency line stays with it; the line hangs up and the call ends emergency-transferred', async () => {
    const first = await start('adopt_emergency', { EMERGENCY_NUMBERS: '110=0433110' });
    const caller = '13700000702';
    const line = await startEmergencyLine({ mode: 'answer', expectNumber: '0433110', expectCaller: caller, answerAfterMs: 300, hangupAfterMs: 20_000 });
    phones.push(line);
    const { call, callId } = await controlledCall(first, caller, (t) => t === 'transferred', { type: 'EmergencyTransferRequested', line: '110' });

    const { second, ast } = await restart(first, 'adopt_emergency', callId, 'transferred');
    expect(await ast.bridgeMembers(`bridge-${callId}`)).toEqual([callId, `xfer-${callId}-1`].sort());
    for (const n of await ast.audioTo([callId, `xfer-${callId}-1`])) expect(n).toBeGreaterThan(20);
    // The agent was released before the restart: free for the next call.
    expect(second.callPath.agents.get(A1)?.status.type).not.toBe('on-call');

    expect((await line.exited).success).toBe(true);
    const rec = await completedCall(second, caller, 30_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({ endReason: 'emergency-transferred', hungUpBy: 'far-end', emergencyTransferredTo: '110', emergencyTransfers: [{ line: '110', outcome: 'answered' }] });
    expect(rec.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'transferred' } })]);
  }, 180_000);

  it('a three-way call keeps its three parties; the agent leaves, caller and unit go on; the caller is asked to rate', async () => {
    const first = await start('adopt_three_way');
    const caller = '13700000703';
    const unit = await startEmergencyLine({ mode: 'answer', expectNumber: '12319', expectCaller: caller, answerAfterMs: 300, hangupAfterMs: 25_000 });
    phones.push(unit);
    const { call, callId, agentLeg } = await controlledCall(first, caller, (t) => t === 'threeWay', { type: 'ThreeWayRequested', number: '12319' });
    // The unit joined, and that is stored.
    await eventually(() => ((first.callPath.registry.get(asCallId(callId))?.snapshot() as { joinedAt?: number | null } | undefined)?.joinedAt ? true : null), 20_000, 50);
    await eventually(async () => (await storedEvents(first, callId)).some((e) => e.type === 'PartyJoined') || null, 10_000, 50);

    const { second, session, ast } = await restart(first, 'adopt_three_way', callId, 'threeWay');
    await ast.bridgeIs(`bridge-${callId}`, [callId, agentLeg, `xfer-${callId}-1`]);
    expect(session.snapshot()).toMatchObject({ type: 'threeWay', agent: { agentId: A1 } });
    expect(second.callPath.agents.get(A1)?.status).toEqual({ type: 'on-call', callId: asCallId(callId) });

    await second.ari.current().channels.hangup({ channelId: agentLeg });
    await eventually(() => (session.snapshot().type === 'threeWay' && (session.snapshot() as { agent: unknown }).agent === null ? true : null), 10_000, 50);
    await ast.bridgeIs(`bridge-${callId}`, [callId, `xfer-${callId}-1`]);

    expect((await unit.exited).success).toBe(true);
    const rec = await completedCall(second, caller, 30_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({ outcome: 'answered', rating: { status: 'not-rated', notRatedReason: 'timeout' }, threeWayLegs: [{ number: '12319', outcome: 'left' }] });
    expect(rec.detail.agentLeftThreeWayAt).not.toBeNull();
    expect(rec.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'threeWay' } })]);
  }, 180_000);

  it('a supervisor listening stays on: the phone still hears the call after the restart; stopping it then ends it once', async () => {
    const first = await start('adopt_monitor');
    const caller = '13700000704';
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 300 }));
    const { call, callId, agentLeg } = await controlledCall(first, caller, (t) => t === 'talking', { type: 'MonitorRequested', mode: 'listen', userId: 'boss', endpoint: 'PJSIP/agent1002' });
    const sup = `sup-${callId}-1`;
    const spy = `spy-${callId}-1`;
    await eventually(() => (first.callPath.registry.get(asCallId(callId))?.snapshot().core.monitor?.joinedAt ? true : null), 20_000, 50);
    await eventually(async () => (await storedEvents(first, callId)).some((e) => e.type === 'SupervisorJoined') || null, 10_000, 50);
    await new AsteriskProbe(first.ari.current()).bridgeIs(spy, [`snoop-${callId}-1`, sup]);

    const { second, session, ast } = await restart(first, 'adopt_monitor', callId, 'talking');
    expect(session.snapshot().core.monitor).toMatchObject({ n: 1, mode: 'listen', userId: 'boss', channelId: sup });
    expect(await ast.bridgeMembers(spy)).toEqual([`snoop-${callId}-1`, sup].sort());
    expect(await ast.bridgeMembers(`bridge-${callId}`)).toEqual([callId, agentLeg].sort());
    const [toSupervisor] = await ast.audioTo([sup]);
    expect(toSupervisor).toBeGreaterThan(20);

    session.deliver({ type: 'MonitorStopRequested' });
    await ast.gone(sup);
    await ast.gone(`snoop-${callId}-1`);
    await second.ari.current().channels.hangup({ channelId: agentLeg });
    const rec = await completedCall(second, caller, 30_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail.monitors).toEqual([expect.objectContaining({ n: 1, mode: 'listen', joinedAt: expect.any(Number), leftAt: expect.any(Number) })]);
    expect(rec.detail.timeline.filter((e) => e.type === 'SupervisorLeft').map((e) => e.data['reason'])).toEqual(['stopped']);
    expect(rec.detail.timeline.filter((e) => e.type === 'CallAdopted')).toEqual([expect.objectContaining({ data: { stage: 'talking' } })]);
  }, 180_000);
});
