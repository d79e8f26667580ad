/**
 * Two app instances, each running its own call path (as src/main.ts wires it, AGENT_CLAIMS=database),
 * on one database and one Redis, share one agent. Asterisk gives an application's calls to one
 * websocket only, so each instance has its own ARI application on the lab's Asterisk (standing in
 * for two Asterisk servers): A gets a sipp caller through the dialplan (application `hotline`),
 * B gets a caller placed into `hotline-b` through ARI. Both calls want agent 1001 at the same
 * moment: the agent is offered one call, then the other once the first is over, never both at once.
 */
import type { AnyBusMessage } from '../../../src/app/events/event-bus';
import { asAgentId, asCallId } from '../../../src/shared/ids';
import { ensureAsterisk } from '../../support/asterisk';
import { testMongoUri } from '../../support/db';
import { eventually } from '../../support/eventually';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp } from '../../support/sipp';
import { addAgents, startSystem, type RunningSystem } from '../../support/system-harness';

const CALLER_A = '13911110001';
const CALLER_B = '13911110002';
const AGENT = 'agent-1001';

interface Busy {
  instance: 'A' | 'B';
  callId: string;
  from: number;
  to: number | null;
}

/** Spans during which one instance had the agent (ringing, on the call, in wrap-up), from its bus. */
function busySpans(instance: 'A' | 'B', messages: AnyBusMessage[]): Busy[] {
  const spans: Busy[] = [];
  for (const m of messages) {
    if (m.topic !== 'agent' || m.event.agentId !== AGENT || m.event.type !== 'AgentStatusChanged') continue;
    const e = m.event;
    if (e.to === 'ringing') spans.push({ instance, callId: e.callId ?? '', from: m.publishedAt, to: null });
    else if (['ready', 'not-ready', 'logged-out'].includes(e.to) && ['ringing', 'on-call', 'wrap-up'].includes(e.from)) {
      const open = spans.find((s) => s.to === null);
      if (open) open.to = m.publishedAt;
    }
  }
  return spans;
}

describe('two instances with their own call paths share one agent', () => {
  let a: RunningSystem;
  let b: RunningSystem;
  const seen: Record<'A' | 'B', AnyBusMessage[]> = { A: [], B: [] };

  beforeAll(async () => {
    const lab = await ensureAsterisk();
    const shared = {
      MONGODB_URI: testMongoUri('two_call_paths'),
      REDIS_URL: process.env['TEST_REDIS_URL'] ?? '',
      AGENT_CLAIMS: 'database',
      WRAPUP_MS: '1000',
      RATING_TIMEOUT_MS: '1000',
    };
    a = await startSystem('two_call_paths_a', { ...shared, ARI_APP: lab.ariApp });
    b = await startSystem('two_call_paths_b', { ...shared, ARI_APP: `${lab.ariApp}-b` });
    a.bus.subscribeAll((m) => seen.A.push(m));
    b.bus.subscribeAll((m) => seen.B.push(m));
    await addAgents(a, [1001]);
    await addAgents(b, [1001]);
  });

  afterAll(async () => {
    await stopAllSipp();
    await b?.stop(5_000);
    await a?.stop(5_000);
  });

  it('the agent is offered one call at a time; both calls are answered by it', async () => {
    const lab = await ensureAsterisk();
    const agentPhone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300, hangupAfterMs: 2000 });
    // B's caller: a phone that answers when B's application calls it, then stays until B hangs up.
    const callerPhoneB = await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 0 });

    // Asterisk dials a phone only once its qualify (OPTIONS) has found it: wait for that, as the app does.
    const ariAuth = { authorization: `Basic ${Buffer.from(`${lab.ariUsername}:${lab.ariPassword}`).toString('base64')}` };
    await eventually(async () => {
      const states = await Promise.all(['agent1001', 'agent1002'].map(async (e) => ((await (await fetch(`${lab.ariUrl}/ari/endpoints/PJSIP/${e}`, { headers: ariAuth })).json()) as { state?: string }).state));
      return states.every((st) => st === 'online');
    }, 30_000, 200);
    // Both instances have learnt it too (their ACDs offer calls to reachable agents only).
    await eventually(() => [a, b].every((sys) => sys.callPath.agents.get(asAgentId(AGENT))?.reachable === true), 30_000, 200);
    // Both calls at once: A's through the dialplan, B's placed into B's application.
    const callA = await startCall({ callerNumber: CALLER_A, timeoutMs: 120_000 });
    const res = await fetch(
      `${lab.ariUrl}/ari/channels?${new URLSearchParams({
        endpoint: 'PJSIP/agent1002',
        app: `${lab.ariApp}-b`,
        appArgs: '12345',
        callerId: CALLER_B,
        channelId: `bcall-${Date.now()}`,
        timeout: '30',
      }).toString()}`,
      { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${lab.ariUsername}:${lab.ariPassword}`).toString('base64')}` } },
    );
    expect(res.status).toBe(200);

    const recordOf = (sut: RunningSystem, caller: string) =>
      eventually(async () => {
        const r = await sut.callStore.records.findOne({ callerNumber: caller }).lean();
        return r && r.endedAt ? r : null;
      }, 90_000, 250);
    const [recA, recB] = await Promise.all([recordOf(a, CALLER_A), recordOf(b, CALLER_B)]);
    expect((await callA.result).success).toBe(true);
    await agentPhone.stop();
    await callerPhoneB.stop();

    expect(recA).toMatchObject({ outcome: 'answered', agentId: AGENT });
    expect(recB).toMatchObject({ outcome: 'answered', agentId: AGENT });

    // Each instance had the agent once, and never while the other had it.
    const spans = [...busySpans('A', seen.A), ...busySpans('B', seen.B)].sort((x, y) => x.from - y.from);
    expect(spans.map((s) => s.instance).sort()).toEqual(['A', 'B']);
    const [first, second] = spans as [Busy, Busy];
    expect(first.to).not.toBeNull();
    expect(second.from).toBeGreaterThanOrEqual(first.to ?? Number.POSITIVE_INFINITY);
    expect([first.callId, second.callId].sort()).toEqual([recA.callId, recB.callId].sort());

    // While the first call had the agent, the other instance found it claimed and waited.
    const offersOf = (messages: AnyBusMessage[]) =>
      messages.filter((m) => m.topic === 'call' && m.event.type === 'AgentOffered').map((m) => (m.topic === 'call' ? m.event.callId : asCallId('')));
    expect(offersOf(seen.A)).toEqual([recA.callId]);
    expect(offersOf(seen.B)).toEqual([recB.callId]);

    // The claims in the database: one per call, one per instance, both released.
    const claims = await a.db.connection.collection('agent_claims').find({ agentId: AGENT }).sort({ gen: 1 }).toArray();
    expect(claims.map((c) => c['callId'] as string)).toEqual([first.callId, second.callId]);
    expect(new Set(claims.map((c) => c['owner'] as string)).size).toBe(2);
    await eventually(async () => (await a.db.connection.collection('agent_claims').countDocuments({ agentId: AGENT, releasedAt: null })) === 0, 5_000);
  });
});
