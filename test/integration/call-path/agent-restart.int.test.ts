/**
 * Agents survive a restart of the app (issue 28 item 3): their presence (Ready, not-ready and why,
 * logged out) is stored as it changes and put back at start, today's figures are read back from the
 * day's call records, and the phones' reachability comes from Asterisk's endpoint states again.
 * A real call (sipp) is answered before the restart so there are figures to restore.
 */
import { asAgentId } from '../../../src/shared/ids';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const A1 = asAgentId('agent-1001');
const A2 = asAgentId('agent-1002');
const A3 = asAgentId('agent-1003');

describe('agent presence and today’s figures across an app restart', () => {
  let first: RunningSystem | null = null;
  let second: RunningSystem | null = null;
  let phone: AgentPhone | null = null;

  afterAll(async () => {
    await phone?.stop();
    await stopAllSipp();
    await first?.stop(2000);
    await second?.stop(2000);
  });

  it('Ready, not-ready 小休 and logged-out agents come back as they were; the call answered before the restart is counted today', async () => {
    first = await startSystem('agent_restart', { WRAPUP_MS: '1000', RATING_TIMEOUT_MS: '2000' });
    await addAgents(first, [1001, 1002, 1003]);
    first.callPath.agents.setNotReady(A2, '小休');
    first.callPath.agents.logout(A3);

    phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 500, hangupAfterMs: 1500 });
    await eventually(() => first?.callPath.agents.get(A1)?.reachable === true, 30_000);
    const call = await startCall({ callerNumber: '13700000401', timeoutMs: 60_000 });
    expect((await call.result).success).toBe(true);
    expect(await completedCall(first, '13700000401')).toMatchObject({ outcome: 'answered', agentId: 'agent-1001' });
    await eventually(() => first?.callPath.agents.get(A1)?.status.type === 'ready', 30_000);

    const uri = first.config.mongodb.uri;
    await first.stop(2000);
    first = null;

    second = await startSystem('agent_restart', { MONGODB_URI: uri, WRAPUP_MS: '1000' });
    const agents = second.callPath.agents;
    expect(agents.get(A1)?.status).toEqual({ type: 'ready' });
    expect(agents.get(A2)?.status).toEqual({ type: 'not-ready', reason: '小休' });
    expect(agents.get(A3)?.status).toEqual({ type: 'logged-out' });
    // Reconciled with the endpoints: agent1001's phone answers OPTIONS, agent1002's contact nobody.
    await eventually(() => agents.get(A1)?.reachable === true && agents.get(A2)?.reachable === false, 30_000);

    const view = second.dashboard.snapshot().agents.find((a) => a.agentId === A1);
    expect(view).toMatchObject({ callsToday: 1, missesToday: 0, handledCount: 1 });

    // And it takes calls without logging in again.
    const next = await startCall({ callerNumber: '13700000402', timeoutMs: 60_000 });
    expect((await next.result).success).toBe(true);
    expect(await completedCall(second, '13700000402')).toMatchObject({ outcome: 'answered', agentId: 'agent-1001' });
  }, 180_000);
});
