import { asAgentId, asCallId } from '../../../src/shared/ids';
import { ConflictError, NotFoundError } from '../../../src/shared/errors';
import { agentsReady, flush, world } from './fakes';

const A1 = asAgentId('a1001');

describe('agent service', () => {
  it('login / not ready / ready / logout publish agent events on the bus', () => {
    const w = world();
    agentsReady(w, 1);
    const sut = w.agents;
    sut.setNotReady(A1, 'lunch');
    sut.setReady(A1);
    sut.logout(A1);
    const changes = w.messages.filter((m) => m.topic === 'agent').map((m) => (m.event.type === 'AgentStatusChanged' ? [m.event.from, m.event.to, m.event.reason] : []));
    expect(changes).toEqual([
      ['logged-out', 'ready', null],
      ['ready', 'not-ready', 'lunch'],
      ['not-ready', 'ready', null],
      ['ready', 'logged-out', null],
    ]);
  });

  it('unknown agent → NotFoundError; refused action → ConflictError 409', () => {
    const w = world();
    expect(() => w.agents.login(asAgentId('nobody'))).toThrow(NotFoundError);
    agentsReady(w, 1);
    expect(() => w.agents.login(A1)).toThrow(ConflictError);
    expect(() => w.agents.finishWrapUp(A1)).toThrow(ConflictError);
  });

  it('wrap-up until the agent says ready (wrapUpMs 0) → finishWrapUp → ready', async () => {
    const w = world({ wrapUpMs: 0 });
    agentsReady(w, 1);
    const call = asCallId('c1');
    expect(w.agents.reserve(A1, call)).not.toBeNull();
    expect(w.agents.reserve(A1, asCallId('c2'))).toBeNull();
    w.agents.callAnswered(A1, call);
    w.agents.callFinished(A1, call);
    await w.scheduler.advance(3_600_000);
    expect(w.agents.get(A1)?.status.type).toBe('wrap-up');
    w.agents.finishWrapUp(A1);
    expect(w.agents.get(A1)?.status.type).toBe('ready');
  });

  it('disabled by the directory: logged out (after a call in progress), no login, no offer, no ready; registered again → may log in', async () => {
    const w = world({ wrapUpMs: 0 });
    agentsReady(w, 1);
    const call = asCallId('c1');
    expect(w.agents.reserve(A1, call)).not.toBeNull();
    w.agents.callAnswered(A1, call);
    w.agents.disable(A1);
    expect(w.agents.isDisabled(A1)).toBe(true);
    // During the call: the logout waits as the pending change; the agent cannot undo it.
    expect(() => w.agents.setReady(A1)).toThrow(ConflictError);
    w.agents.callFinished(A1, call);
    await w.scheduler.advance(1000);
    expect(w.agents.get(A1)?.status.type).toBe('logged-out');
    expect(() => w.agents.login(A1)).toThrow(/disabled/);
    expect(w.agents.reserve(A1, asCallId('c2'))).toBeNull();
    const profile = w.agents.get(A1)!;
    w.agents.register({ agentId: A1, agentNumber: profile.agentNumber, name: profile.name, endpoint: profile.endpoint, queues: profile.queues });
    expect(w.agents.login(A1, { ready: true }).status.type).toBe('ready');
  });

  it('register again → profile updated, state kept', () => {
    const w = world();
    agentsReady(w, 1);
    const a = w.agents.register({ agentId: A1, agentNumber: '2001', name: 'Renamed', endpoint: 'PJSIP/x', queues: [] });
    expect(a).toMatchObject({ agentNumber: '2001', status: { type: 'ready' } });
  });

  it('the last agent of a queue logs out → waiting calls get the no-agent overflow', async () => {
    const w = world();
    agentsReady(w, 1);
    w.agents.setNotReady(A1, 'break');
    w.tel.addCaller('ch1');
    const s = w.calls.startCall({ channelId: 'ch1', callerNumber: '1', calledNumber: '12345' });
    await flush();
    w.calls.deliver(s.callId, { type: 'PlaybackFinished', playbackId: 'pb-ch1-1' });
    await flush();
    expect(s.snapshot().type).toBe('queued');
    w.agents.logout(A1);
    await flush();
    expect(s.snapshot()).toMatchObject({ type: 'overflow', reason: 'no-agents' });
  });
});
