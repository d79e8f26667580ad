/**
 * In-call controls over real calls (sipp caller through the lab's Asterisk into the product as main.ts
 * wires it, sipp agent phone, sipp as the emergency line behind the trunk, real database), driven over
 * REST as the agent handling the call:
 * - hold / resume: the caller leaves the bridge and Asterisk sends it RTP (the hold music) while held;
 *   the agent's leg stays; hold time on the record; the rating path after the hold is unchanged;
 * - one-key emergency transfer: the line gets the call with the configured number and the caller's
 *   number, the agent's leg is freed, caller and line are bridged, the record says so; a line that
 *   answers 486 or never answers gives the caller back to the agent;
 * - authorisation: another agent gets 404, a control that makes no sense 409, a unit handler 403.
 *
 * RTP is read from Asterisk's own counters (ARI rtp_statistics): packets sent to a channel.
 */
import Ari, { type Client } from 'ari-client';
import type { Actor } from '../../../src/domain/access';
import { asAgentId, asQueueId, asUserId } from '../../../src/shared/ids';
import { ensureAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { AsteriskProbe, callControl, login as loginAs, sessionIn as sessionInOf } from '../../support/live-call';
import { agentPortFor, startAgentPhone, startCall, startEmergencyLine, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const AGENT = asAgentId('agent-1001');
/** The number the lab dials for 110 (EMERGENCY_NUMBERS): not the line's own, to see the setting used. */
const NUMBER_110 = '0433110';

describe('in-call controls on real calls', () => {
  let sut: RunningSystem;
  let ari: Client;
  let agentToken = '';
  let otherAgentToken = '';
  let unitToken = '';
  let bossToken = '';
  let otherBossToken = '';
  let phones: AgentPhone[] = [];

  let ast: AsteriskProbe;
  const login = (username: string, password: string) => loginAs(sut, username, password);
  const control = (token: string, callId: string, what: string, body?: unknown, method = 'POST') => callControl(sut, token, callId, what, body, method);
  const sessionIn = (callerNumber: string, state: string, timeoutMs?: number) => sessionInOf(sut, callerNumber, state, timeoutMs);
  const txPackets = (channelId: string) => ast.txPackets(channelId);
  const bridgeMembers = (bridgeId: string) => ast.bridgeMembers(bridgeId);
  const channelExists = (channelId: string) => ast.channelExists(channelId);

  beforeAll(async () => {
    sut = await startSystem('in_call_controls', {
      WRAPUP_MS: '1000',
      RATING_TIMEOUT_MS: '2000',
      EMERGENCY_NUMBERS: `110=${NUMBER_110}`,
      EMERGENCY_RING_SECONDS: '6',
    });
    const lab = await ensureAsterisk();
    ari = await Ari.connect(lab.ariUrl, lab.ariUsername, lab.ariPassword);
    ast = new AsteriskProbe(ari);
    await addAgents(sut, [1001]);
    await sut.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '话务员1001', agentId: 'agent-1001' });
    await sut.users.create(ADMIN, { username: 'agent1002', password: 'agent-password-2', role: 'agent', displayName: '话务员1002', agentId: 'agent-1002' });
    await sut.users.create(ADMIN, { username: 'unit1', password: 'unit-password-1', role: 'unit_handler', displayName: '承办单位', unitId: 'unit-water' });
    // Supervisors' own phones are agent-like seats: boss's seat supervises the call's queue, boss2's another one.
    sut.callPath.agents.register({ agentId: asAgentId('seat-1002'), agentNumber: '1002', name: '值班长席位', endpoint: 'PJSIP/agent1002', queues: [asQueueId('general')] });
    sut.callPath.agents.register({ agentId: asAgentId('seat-1003'), agentNumber: '1003', name: '税务班长席位', endpoint: 'PJSIP/agent1003', queues: [asQueueId('tax')] });
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长', agentId: 'seat-1002' });
    await sut.users.create(ADMIN, { username: 'boss2', password: 'supervisor-password-2', role: 'supervisor', displayName: '税务班长', agentId: 'seat-1003' });
    bossToken = await login('boss', 'supervisor-password');
    otherBossToken = await login('boss2', 'supervisor-password-2');
    agentToken = await login('agent1001', 'agent-password-1');
    otherAgentToken = await login('agent1002', 'agent-password-2');
    unitToken = await login('unit1', 'unit-password-1');
  });

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await stopAllSipp();
  });

  afterAll(async () => {
    await sut?.stop(5000);
  });

  it('hold: the caller leaves the bridge and gets RTP (hold music), the agent leg stays; resume; hold time on the record; rating as usual', async () => {
    const caller = '13900000001';
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    const call = await startCall({ callerNumber: caller, hangupAfterMs: -1, timeoutMs: 120_000 });
    const session = await sessionIn(caller, 'talking', 60_000);
    const callId = session.callId;
    const agentLeg = session.liveAgentLeg()?.channelId ?? '';
    const bridge = `bridge-${callId}`;
    // The session is talking once it asked for the bridge; Asterisk fills it a moment later.
    await ast.bridgeIs(bridge, [callId, agentLeg]);

    // Nothing to resume; other people may not touch the call.
    expect((await control(agentToken, callId, 'resume')).status).toBe(409);
    expect((await control(otherAgentToken, callId, 'hold')).status).toBe(404);
    expect((await control(unitToken, callId, 'hold')).status).toBe(403);

    const held = await control(agentToken, callId, 'hold');
    expect(held).toMatchObject({ status: 202, body: { callId, control: 'hold', state: 'talking' } });
    await sessionIn(caller, 'held');
    await eventually(async () => ((await bridgeMembers(bridge)).join() === agentLeg ? true : null), 10_000);
    // Held: Asterisk keeps sending the caller audio (the music), while the agent leg stays up.
    const before = await txPackets(callId);
    await new Promise((r) => setTimeout(r, 2000));
    const sent = (await txPackets(callId)) - before;
    expect(sent).toBeGreaterThan(40); // 20-ms packets: ~100 in 2 s
    expect(await channelExists(agentLeg)).toBe(true);
    expect(sut.callPath.agents.get(AGENT)?.status.type).toBe('on-call');
    // The stored record follows: the call is on hold.
    await eventually(async () => ((await sut.callStore.records.findOne({ callerNumber: caller }).lean())?.detail as { stage?: string } | null)?.stage === 'held' || null, 10_000);
    expect((await control(agentToken, callId, 'hold')).status).toBe(409);

    expect((await control(agentToken, callId, 'resume')).status).toBe(202);
    await sessionIn(caller, 'talking');
    await eventually(async () => ((await bridgeMembers(bridge)).length === 2 ? true : null), 10_000);

    // The agent hangs up: the caller is asked to rate, gives no digit, the call ends as always.
    await ari.channels.hangup({ channelId: agentLeg });
    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({ outcome: 'answered', conversationEndedBy: 'agent', rating: { status: 'not-rated', notRatedReason: 'timeout' } });
    expect(rec.detail.holds).toHaveLength(1);
    expect(rec.detail.holdMs).toBeGreaterThanOrEqual(2000);
    expect(rec.detail.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['CallHeld', 'CallResumed']));
  });

  it('emergency transfer: the line gets the configured number with the caller\'s number, the agent is freed, caller and line talk; the record says so', async () => {
    const caller = '13900000002';
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    const line = await startEmergencyLine({ mode: 'answer', expectNumber: NUMBER_110, expectCaller: caller, answerAfterMs: 500, hangupAfterMs: 8000 });
    phones.push(line);
    const call = await startCall({ callerNumber: caller, hangupAfterMs: -1, timeoutMs: 120_000 });
    const session = await sessionIn(caller, 'talking', 60_000);
    const callId = session.callId;
    const agentLeg = session.liveAgentLeg()?.channelId ?? '';

    // The agent records the case while talking: a work order made from the call (DRAFT).
    await eventually(async () => (await sut.callStore.records.findOne({ _id: callId, agentId: 'agent-1001' }).lean()) ?? null, 10_000);
    const created = await fetch(`${sut.baseUrl}/api/work-orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ callId, caller: { phone: caller }, category: '求助', urgency: '紧急', areaCode: '110105', content: '家中起火' }),
    });
    expect(created.status).toBe(201);
    const orderId = ((await created.json()) as { id: string }).id;

    expect((await control(agentToken, callId, 'emergency-transfer', { line: '999' })).status).toBe(400);
    expect((await control(agentToken, callId, 'emergency-transfer', { line: '110' })).status).toBe(202);
    await sessionIn(caller, 'transferred', 30_000);
    const leg = `xfer-${callId}-1`;
    // The agent's leg is gone and the agent is free for the next call (wrap-up, then ready).
    await eventually(async () => (!(await channelExists(agentLeg)) ? true : null), 10_000);
    await eventually(() => (sut.callPath.agents.get(AGENT)?.status.type === 'ready' ? true : null), 10_000);
    // Caller and line in the call's bridge, audio flowing both ways through Asterisk.
    expect(await bridgeMembers(`bridge-${callId}`)).toEqual([callId, leg].sort());
    const [c0, l0] = [await txPackets(callId), await txPackets(leg)];
    await new Promise((r) => setTimeout(r, 1000));
    expect((await txPackets(callId)) - c0).toBeGreaterThan(20);
    expect((await txPackets(leg)) - l0).toBeGreaterThan(20);

    // The line hangs up: the call ends, handed over.
    const lineResult = await line.exited;
    expect(lineResult.success).toBe(true); // the number dialled and the caller number shown were checked
    const rec = await completedCall(sut, caller, 30_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({
      outcome: 'answered',
      endReason: 'emergency-transferred',
      hungUpBy: 'far-end',
      emergencyTransferredTo: '110',
      rating: { status: 'not-asked' },
      emergencyTransfers: [{ line: '110', number: NUMBER_110, outcome: 'answered', backTo: null }],
    });
    expect(rec.detail.emergencyTransfers[0]?.answeredAt).not.toBeNull();
    // The order made from the call follows it: 转110.
    const order = await eventually(async () => {
      const res = await fetch(`${sut.baseUrl}/api/work-orders/${orderId}`, { headers: { authorization: `Bearer ${agentToken}` } });
      const body = (await res.json()) as { status?: string };
      return body.status === 'EMERGENCY_TRANSFERRED' ? body : null;
    }, 10_000);
    expect(order.status).toBe('EMERGENCY_TRANSFERRED');
  });

  it.each([
    ['busy', 'busy'],
    ['never', 'no-answer'],
  ] as const)('emergency transfer to a line that is %s: the caller goes back to the agent', async (mode, cause) => {
    const caller = mode === 'busy' ? '13900000003' : '13900000004';
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    phones.push(await startEmergencyLine({ mode }));
    const call = await startCall({ callerNumber: caller, hangupAfterMs: -1, timeoutMs: 120_000 });
    const session = await sessionIn(caller, 'talking', 60_000);
    const callId = session.callId;
    const agentLeg = session.liveAgentLeg()?.channelId ?? '';

    expect((await control(agentToken, callId, 'emergency-transfer', { line: '119' })).status).toBe(202);
    if (mode === 'never') {
      // (A busy line refuses within milliseconds: the caller may be back with the agent already.)
      await sessionIn(caller, 'transferring', 10_000);
      expect((await control(agentToken, callId, 'emergency-transfer', { line: '119' })).status).toBe(409);
    }
    // Back with the agent (the ring limit is 6 s for the line that never answers).
    await eventually(() => {
      const s = session.snapshot();
      return s.type === 'talking' && s.core.transfers === 1 ? true : null;
    }, 30_000, 100);
    await eventually(async () => ((await bridgeMembers(`bridge-${callId}`)).length === 2 ? true : null), 10_000);
    expect(await channelExists(agentLeg)).toBe(true);
    expect(await channelExists(`xfer-${callId}-1`)).toBe(false);

    await ari.channels.hangup({ channelId: agentLeg });
    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({
      outcome: 'answered',
      emergencyTransferredTo: null,
      emergencyTransfers: [{ line: '119', number: '119', outcome: cause, backTo: 'agent', answeredAt: null }],
      rating: { status: 'not-rated' },
    });
    expect(rec.detail.timeline.map((e) => e.type)).toContain('EmergencyTransferFailed');
  });

  it('supervisor listen, whisper and barge through the supervisor\'s own phone; agents and another queue\'s supervisor refused; on the record', async () => {
    const caller = '13900000005';
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 300 }));
    const call = await startCall({ callerNumber: caller, hangupAfterMs: -1, timeoutMs: 180_000 });
    const session = await sessionIn(caller, 'talking', 60_000);
    const callId = session.callId;
    const agentLeg = session.liveAgentLeg()?.channelId ?? '';
    const bridge = `bridge-${callId}`;

    expect((await control(agentToken, callId, 'monitor', { mode: 'listen' })).status).toBe(403);
    expect((await control(otherBossToken, callId, 'monitor', { mode: 'listen' })).status).toBe(403);
    expect((await control(bossToken, callId, 'monitor', undefined, 'DELETE')).status).toBe(409);

    const joined = (n: number) =>
      eventually(() => {
        const m = session.snapshot().core.monitor;
        return m && m.n === n && m.joinedAt !== null ? m : null;
      }, 20_000, 100);
    const left = () => eventually(() => (session.snapshot().core.monitor === null ? true : null), 20_000, 100);
    const hearsAudio = async (channelId: string) => {
      const t0 = await txPackets(channelId);
      await new Promise((r) => setTimeout(r, 1000));
      return (await txPackets(channelId)) - t0;
    };

    // Listen: the supervisor's phone is bridged with a snoop on the agent's leg, not with the call.
    expect((await control(bossToken, callId, 'monitor', { mode: 'listen' })).status).toBe(202);
    await joined(1);
    expect((await control(bossToken, callId, 'monitor', { mode: 'barge' })).status).toBe(409);
    await eventually(async () => ((await bridgeMembers(`spy-${callId}-1`)).join() === [`snoop-${callId}-1`, `sup-${callId}-1`].sort().join() ? true : null), 10_000);
    expect(await bridgeMembers(bridge)).toEqual([callId, agentLeg].sort());
    expect(await hearsAudio(`sup-${callId}-1`)).toBeGreaterThan(20);
    expect((await control(bossToken, callId, 'monitor', undefined, 'DELETE')).status).toBe(202);
    await left();
    await eventually(async () => (!(await channelExists(`sup-${callId}-1`)) && !(await channelExists(`snoop-${callId}-1`)) ? true : null), 10_000);

    // Whisper: the same, with the snoop whispering to the agent.
    expect((await control(bossToken, callId, 'monitor', { mode: 'whisper' })).status).toBe(202);
    await joined(2);
    await eventually(async () => ((await bridgeMembers(`spy-${callId}-2`)).length === 2 ? true : null), 10_000);
    expect(await hearsAudio(`sup-${callId}-2`)).toBeGreaterThan(20);
    expect((await control(bossToken, callId, 'monitor', undefined, 'DELETE')).status).toBe(202);
    await left();

    // Barge: the supervisor's phone joins the call's bridge.
    expect((await control(bossToken, callId, 'monitor', { mode: 'barge' })).status).toBe(202);
    await joined(3);
    await eventually(async () => ((await bridgeMembers(bridge)).length === 3 ? true : null), 10_000);
    expect(await bridgeMembers(bridge)).toEqual([callId, agentLeg, `sup-${callId}-3`].sort());
    expect(await hearsAudio(`sup-${callId}-3`)).toBeGreaterThan(20);

    // The agent hangs up: the supervisor goes with the conversation; the caller is asked to rate.
    await ari.channels.hangup({ channelId: agentLeg });
    await eventually(async () => (!(await channelExists(`sup-${callId}-3`)) ? true : null), 10_000);
    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail.rating.status).toBe('not-rated');
    expect(rec.detail.monitors.map((m) => [m.n, m.mode, m.joinedAt !== null, m.leftAt !== null])).toEqual([
      [1, 'listen', true, true],
      [2, 'whisper', true, true],
      [3, 'barge', true, true],
    ]);
    const lefts = rec.detail.timeline.filter((e) => e.type === 'SupervisorLeft').map((e) => e.data['reason']);
    expect(lefts).toEqual(['stopped', 'stopped', 'call-moved']);
  });

  it('three-way call (三方通话): caller, agent and the unit\'s line in one bridge; the agent leaves, caller and unit go on; the caller stayed to the end and is asked to rate', async () => {
    const caller = '13900000006';
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 }));
    const unit = await startEmergencyLine({ mode: 'answer', expectNumber: '12319', expectCaller: caller, answerAfterMs: 300, hangupAfterMs: 15_000 });
    phones.push(unit);
    const call = await startCall({ callerNumber: caller, hangupAfterMs: -1, timeoutMs: 120_000 });
    const session = await sessionIn(caller, 'talking', 60_000);
    const callId = session.callId;
    const agentLeg = session.liveAgentLeg()?.channelId ?? '';
    const unitLeg = `xfer-${callId}-1`;
    const bridge = `bridge-${callId}`;

    expect((await control(agentToken, callId, 'three-way', { number: 'abc' })).status).toBe(400);
    expect((await control(agentToken, callId, 'three-way', { number: '12319' })).status).toBe(202);
    await eventually(() => {
      const s = session.snapshot();
      return s.type === 'threeWay' && s.joinedAt !== null ? true : null;
    }, 20_000, 100);
    await eventually(async () => ((await bridgeMembers(bridge)).length === 3 ? true : null), 10_000);
    expect(await bridgeMembers(bridge)).toEqual([callId, agentLeg, unitLeg].sort());
    // Each party gets audio from Asterisk (the mix of the other two).
    const before = await Promise.all([callId, agentLeg, unitLeg].map(txPackets));
    await new Promise((r) => setTimeout(r, 1000));
    const after = await Promise.all([callId, agentLeg, unitLeg].map(txPackets));
    after.forEach((n, i) => expect(n - (before[i] ?? 0)).toBeGreaterThan(20));

    // The agent leaves the caller with the unit.
    await ari.channels.hangup({ channelId: agentLeg });
    await eventually(() => {
      const s = session.snapshot();
      return s.type === 'threeWay' && s.agent === null ? true : null;
    }, 10_000, 100);
    await eventually(() => (sut.callPath.agents.get(AGENT)?.status.type === 'ready' ? true : null), 10_000);
    expect(await bridgeMembers(bridge)).toEqual([callId, unitLeg].sort());

    // The unit hangs up: the caller stayed to the end, is asked to rate, gives no digit.
    expect((await unit.exited).success).toBe(true);
    const rec = await completedCall(sut, caller, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail).toMatchObject({ outcome: 'answered', conversationEndedBy: 'agent', rating: { status: 'not-rated', notRatedReason: 'timeout' } });
    expect(rec.detail.agentLeftThreeWayAt).not.toBeNull();
    expect(rec.detail.threeWayLegs).toHaveLength(1);
    const leg = rec.detail.threeWayLegs[0]!;
    expect(leg).toMatchObject({ number: '12319', outcome: 'left' });
    expect(leg.joinedAt).not.toBeNull();
    expect(leg.leftAt).toBeGreaterThan(rec.detail.agentLeftThreeWayAt ?? Infinity);
    expect(rec.detail.times.ratingAskedAt).toBeGreaterThanOrEqual(leg.leftAt ?? Infinity);
    expect(rec.detail.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['ThreeWayStarted', 'PartyJoined', 'PartyLeft']));
  });
});
