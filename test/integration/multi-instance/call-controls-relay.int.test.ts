/**
 * In-call controls across two app instances (as src/main.ts wires them) on one database and one
 * Redis: A runs the call (its ARI application gets the sipp caller), B runs none; requests made to B
 * are decided by A through the Socket.IO Redis adapter and answered by B as A decided them. Real SIP
 * (sipp caller and agent phone), real Asterisk, real database, real Redis.
 */
import Ari, { type Client } from 'ari-client';
import type { Actor } from '../../../src/domain/access';
import { asAgentId, asUserId } from '../../../src/shared/ids';
import { ensureAsterisk } from '../../support/asterisk';
import { testMongoUri } from '../../support/db';
import { eventually } from '../../support/eventually';
import { AsteriskProbe, callControl, login, sessionIn } from '../../support/live-call';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CALLER = '13911120001';

describe('in-call controls reach the instance that runs the call', () => {
  let a: RunningSystem;
  let b: RunningSystem;
  let ari: Client;
  let phone: AgentPhone | null = null;

  beforeAll(async () => {
    const lab = await ensureAsterisk();
    const redis = process.env['TEST_REDIS_URL'] ?? '';
    expect(redis).not.toBe('');
    const shared = { MONGODB_URI: testMongoUri('call_controls_relay'), REDIS_URL: redis, WRAPUP_MS: '1000', RATING_TIMEOUT_MS: '1500' };
    a = await startSystem('call_controls_relay_a', { ...shared, ARI_APP: lab.ariApp });
    b = await startSystem('call_controls_relay_b', { ...shared, ARI_APP: `${lab.ariApp}-b` });
    ari = await Ari.connect(lab.ariUrl, lab.ariUsername, lab.ariPassword);
    await addAgents(a, [1001]);
    await a.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '话务员1001', agentId: 'agent-1001' });
    await a.users.create(ADMIN, { username: 'agent1002', password: 'agent-password-2', role: 'agent', displayName: '话务员1002', agentId: 'agent-1002' });
    await a.users.create(ADMIN, { username: 'unit1', password: 'unit-password-1', role: 'unit_handler', displayName: '承办单位', unitId: 'unit-water' });
  });

  afterAll(async () => {
    await phone?.stop();
    await stopAllSipp();
    await b?.stop(5_000);
    await a?.stop(5_000);
  });

  it('hold and resume asked of B act on A\'s call; B answers A\'s refusals; unknown calls are 404 everywhere', async () => {
    const ast = new AsteriskProbe(ari);
    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300 });
    await eventually(() => a.callPath.agents.get(asAgentId('agent-1001'))?.reachable === true, 30_000);
    const call = await startCall({ callerNumber: CALLER, hangupAfterMs: -1, timeoutMs: 120_000 });
    const session = await sessionIn(a, CALLER, 'talking', 60_000);
    const callId = session.callId;
    const agentLeg = session.liveAgentLeg()?.channelId ?? '';
    expect(b.callPath.registry.get(callId)).toBeUndefined();

    const agentAtB = await login(b, 'agent1001', 'agent-password-1');
    // Decided by A: another agent's call is 404, a control that makes no sense 409 (with A's reason).
    expect((await callControl(b, await login(b, 'agent1002', 'agent-password-2'), callId, 'hold')).status).toBe(404);
    const resume = await callControl(b, agentAtB, callId, 'resume');
    expect(resume.status).toBe(409);
    expect(String(resume.body['detail'])).toContain('通话未保持');
    expect((await callControl(b, agentAtB, callId, 'queue-transfer', { queueId: 'no-such-queue' })).status).toBe(404);
    // Decided by B before asking anyone: a unit handler may not control calls.
    expect((await callControl(b, await login(b, 'unit1', 'unit-password-1'), callId, 'hold')).status).toBe(403);
    expect((await callControl(b, agentAtB, 'no-such-call', 'hold')).status).toBe(404);

    expect(await callControl(b, agentAtB, callId, 'hold')).toMatchObject({ status: 202, body: { callId, control: 'hold', state: 'talking' } });
    await sessionIn(a, CALLER, 'held', 10_000);
    await ast.bridgeIs(`bridge-${callId}`, [agentLeg]);
    const [music] = await ast.audioTo([callId]);
    expect(music).toBeGreaterThan(20);
    expect((await callControl(b, agentAtB, callId, 'resume')).status).toBe(202);
    await ast.bridgeIs(`bridge-${callId}`, [callId, agentLeg]);

    await ari.channels.hangup({ channelId: agentLeg });
    const rec = await completedCall(a, CALLER, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail.holds).toHaveLength(1);
    expect(rec.detail.holds[0]?.endedAt).not.toBeNull();
  });
});
