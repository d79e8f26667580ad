import { asAgentId, asCallId } from '../../../src/shared/ids';
import type { CallInput } from '../../../src/domain/call/call.inputs';
import { AcdService } from '../../../src/app/calls/acd.service';
import { EndpointReachability } from '../../../src/app/calls/endpoint-reachability';
import { agentsReady, Q, world } from './fakes';

function acdWith(strategy: 'longest-idle' | 'round-robin', agents: number) {
  const w = world();
  agentsReady(w, agents);
  const delivered: Array<[string, CallInput]> = [];
  const sut = new AcdService({ strategy, overflowWhenNoAgents: true }, w.agents, (callId, input) => {
    delivered.push([callId, input]);
    return true;
  }, w.clock.now, w.bus, w.log);
  return { w, sut, delivered };
}

const c = (n: number) => asCallId(`c${n}`);

describe('acd service', () => {
  it('a call queues → offered at once to the longest-idle agent, reserved', () => {
    const { w, sut, delivered } = acdWith('longest-idle', 2);
    sut.requestAgent({ callId: c(1), queueId: Q, priority: 0, retry: false });
    expect(delivered).toEqual([[c(1), { type: 'AgentOffered', agentId: 'a1001', agentNumber: '1001', endpoint: 'PJSIP/agent1001' }]]);
    expect(w.agents.get(asAgentId('a1001'))?.status.type).toBe('ringing');
    expect(sut.positionOf(c(1))).toBe(1);
    const q = w.messages.filter((m) => m.topic === 'queue').map((m) => m.event.type);
    expect(q).toEqual(['QueueCallJoined', 'QueueCallOffered']);
  });

  it('never two offers to one agent: three calls, two agents → two offers, one call waits', () => {
    const { sut, delivered } = acdWith('longest-idle', 2);
    for (const n of [1, 2, 3]) sut.requestAgent({ callId: c(n), queueId: Q, priority: 0, retry: false });
    const offers = delivered.filter(([, i]) => i.type === 'AgentOffered').map(([id, i]) => [id, i.type === 'AgentOffered' ? i.agentId : '']);
    expect(offers).toEqual([
      [c(1), 'a1001'],
      [c(2), 'a1002'],
    ]);
    expect(sut.stats()).toEqual([{ queueId: Q, calls: 3, waiting: 1, offered: 2, oldestEnqueuedAt: expect.any(Number) }]);
  });

  it('ring missed → agent not-ready; the call asks again and goes to the next agent, not back to the one that missed', () => {
    const { sut, delivered } = acdWith('longest-idle', 2);
    sut.requestAgent({ callId: c(1), queueId: Q, priority: 0, retry: false });
    sut.releaseAgent(asAgentId('a1001'), c(1), { attempt: 1, outcome: 'no-answer', ringMs: 10000 });
    sut.requestAgent({ callId: c(1), queueId: Q, priority: 0, retry: true });
    const offers = delivered.filter(([, i]) => i.type === 'AgentOffered').map(([, i]) => (i.type === 'AgentOffered' ? i.agentId : ''));
    expect(offers).toEqual(['a1001', 'a1002']);
  });

  it('round-robin → agents take turns', () => {
    const { w, sut, delivered } = acdWith('round-robin', 3);
    for (const n of [1, 2, 3, 4]) {
      sut.requestAgent({ callId: c(n), queueId: Q, priority: 0, retry: false });
      const offer = delivered[delivered.length - 1]?.[1];
      if (offer?.type !== 'AgentOffered') continue;
      sut.agentOnCall(offer.agentId, c(n));
      sut.cancelRequest(c(n), 'connected');
      sut.releaseAgent(offer.agentId, c(n), { attempt: 1, outcome: 'completed', ringMs: null });
      w.agents.setReady(offer.agentId);
    }
    expect(delivered.map(([, i]) => (i.type === 'AgentOffered' ? i.agentId : i.type))).toEqual(['a1001', 'a1002', 'a1003', 'a1001']);
  });

  it('no agent logged in → NoAgentsAvailable to the call', () => {
    const { sut, delivered } = acdWith('longest-idle', 0);
    sut.requestAgent({ callId: c(1), queueId: Q, priority: 0, retry: false });
    expect(delivered).toEqual([[c(1), { type: 'NoAgentsAvailable' }]]);
  });

  it('the call is gone when offered → agent freed and the next call gets it', () => {
    const w = world();
    agentsReady(w, 1);
    const gone = new Set([c(1)]);
    const delivered: string[] = [];
    const sut = new AcdService({ strategy: 'longest-idle', overflowWhenNoAgents: true }, w.agents, (callId, input) => {
      if (gone.has(callId)) return false;
      delivered.push(`${callId}:${input.type}`);
      return true;
    }, w.clock.now, w.bus, w.log);
    w.agents.setNotReady(asAgentId('a1001'), 'x');
    sut.requestAgent({ callId: c(1), queueId: Q, priority: 0, retry: false });
    sut.requestAgent({ callId: c(2), queueId: Q, priority: 0, retry: false });
    w.agents.setReady(asAgentId('a1001'));
    expect(delivered).toEqual(['c2:AgentOffered']);
    expect(sut.positionOf(c(1))).toBeNull();
  });

  it('a waiting call is offered when its agent becomes ready and its phone reachable (Asterisk endpoint states), in either order, not before', () => {
    const w = world();
    agentsReady(w, 1);
    const delivered: string[] = [];
    const sut = new AcdService({ strategy: 'longest-idle', overflowWhenNoAgents: true }, w.agents, (callId, input) => {
      delivered.push(`${callId}:${input.type}`);
      return true;
    }, w.clock.now, w.bus, w.log);
    const reachability = new EndpointReachability(w.agents, w.log);
    const a = asAgentId('a1001');

    // 小休 and the phone offline: the call waits.
    w.agents.setNotReady(a, '休息');
    reachability.update('PJSIP/agent1001', 'offline');
    sut.requestAgent({ callId: c(1), queueId: Q, priority: 0, retry: false });
    // The phone answers OPTIONS again while on break: still nothing.
    reachability.update('PJSIP/agent1001', 'online');
    expect(delivered).toEqual([]);
    // 就绪: offered at once.
    w.agents.setReady(a);
    expect(delivered).toEqual(['c1:AgentOffered']);
    sut.releaseAgent(a, c(1), { attempt: 1, outcome: 'cancelled', ringMs: 100 });
    sut.cancelRequest(c(1), 'abandoned');

    // The other order: 就绪 while the phone is offline, then the phone comes back.
    w.agents.setNotReady(a, '休息');
    reachability.update('PJSIP/agent1001', 'offline');
    sut.requestAgent({ callId: c(2), queueId: Q, priority: 0, retry: false });
    w.agents.setReady(a);
    expect(delivered).toEqual(['c1:AgentOffered']);
    reachability.update('PJSIP/agent1001', 'online');
    expect(delivered).toEqual(['c1:AgentOffered', 'c2:AgentOffered']);
  });

  it('caller leaves → QueueCallLeft with wait; later calls move up', () => {
    const { w, sut } = acdWith('longest-idle', 0);
    w.agents.register({ agentId: asAgentId('a9'), agentNumber: '9', name: 'n', endpoint: 'e', queues: [Q] });
    w.agents.login(asAgentId('a9'), { ready: false });
    sut.requestAgent({ callId: c(1), queueId: Q, priority: 0, retry: false });
    sut.requestAgent({ callId: c(2), queueId: Q, priority: 0, retry: false });
    w.clock.t += 4000;
    sut.cancelRequest(c(1), 'abandoned');
    expect(sut.positionOf(c(2))).toBe(1);
    const left = w.messages.find((m) => m.topic === 'queue' && m.event.type === 'QueueCallLeft');
    expect(left?.event).toMatchObject({ callId: c(1), reason: 'abandoned', waitMs: 4000, calls: 1 });
  });
});
