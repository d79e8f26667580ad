import { AgentConsoleService, type CallerHistoryLookup } from '../../../src/app/live/agent-console.service';
import { LiveDashboard } from '../../../src/app/live/live-dashboard';
import type { AgentConsoleEvents, AgentControlPort, CallActivity, ConsolePublisher } from '../../../src/app/live/live.ports';
import type { Actor } from '../../../src/domain/access';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/shared/errors';
import { asAgentId, asQueueId } from '../../../src/shared/ids';
import { silentLogger } from '../../../src/shared/logger';
import { T0, agentState, ev } from './live-fixtures';

const q = asQueueId('general');
const a1 = asAgentId('1001');

class RecordingPublisher implements ConsolePublisher {
  readonly toAgents: { agentId: string; event: keyof AgentConsoleEvents; payload: unknown }[] = [];
  readonly toCalls: CallActivity[] = [];
  toAgent<E extends keyof AgentConsoleEvents>(agentId: string, event: E, payload: AgentConsoleEvents[E]): void {
    this.toAgents.push({ agentId, event, payload });
  }
  toCall(_callId: string, payload: CallActivity): void {
    this.toCalls.push(payload);
  }
}

function setup(history: CallerHistoryLookup) {
  const publisher = new RecordingPublisher();
  const performed: unknown[] = [];
  const control: AgentControlPort = {
    perform: async (agentId, action, reason) => {
      if (action === 'ready' && agentId === 'busy') throw new ConflictError('agent on a call');
      performed.push([agentId, action, reason]);
    },
  };
  const dashboard = new LiveDashboard({ clock: () => T0 });
  const sut = new AgentConsoleService({ publisher, control, history, dashboard, clock: () => T0, log: silentLogger, historyTimeoutMs: 50 });
  const feed = (i: Parameters<LiveDashboard['apply']>[0]) => {
    dashboard.apply(i);
    sut.apply(i);
  };
  return { sut, publisher, performed, feed };
}

const previousCall = {
  callId: 'old',
  callerNumber: '13812345678',
  callerName: null,
  calledNumber: '12345',
  agentId: '1001',
  queueId: 'general',
  outcome: 'answered' as const,
  hungUpBy: 'caller',
  rating: { scale: 'two-level', digit: '1', value: 1, satisfied: true },
  attempts: [],
  waitMs: 3000,
  ringMs: 2000,
  talkMs: 30_000,
  wrapUpMs: null,
  recording: null,
  startedAt: T0 - 86_400_000,
  endedAt: T0 - 86_000_000,
  dayKey: '2025-06-09',
  hourKey: '2025-06-09T10',
  confidential: false,
  unitIds: [],
  masked: false,
};

describe('AgentConsoleService', () => {
  it('ring → screen pop with history, then ring stopped, answered, ended, rated, in order', async () => {
    const { sut, publisher, feed } = setup(async () => ({ callerNumber: '13812345678', masked: false, calls: [previousCall], workOrders: [] }));
    feed(ev('c1', T0, { type: 'CallEntered', channelId: 'c1', callerNumber: '13812345678', calledNumber: '12345', queueId: q, priority: 0 }));
    feed(ev('c1', T0, { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
    feed(ev('c1', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    feed(ev('c1', T0 + 3000, { type: 'AgentAnswered', attempt: 1, agentId: a1, agentNumber: '1001', ringMs: 2000, waitMs: 3000 }));
    feed(ev('c1', T0 + 33_000, { type: 'CallCompleted', agentId: a1, endedBy: 'caller', talkMs: 30_000 }));
    feed(ev('c1', T0 + 36_000, { type: 'CallRated', scale: 'two-level', digit: '2', value: 2, code: 'dissatisfied', label: '不满意', satisfied: false }));
    await sut.drain();
    expect(publisher.toAgents.map((p) => p.event)).toEqual(['ringing', 'answered', 'ended', 'rated']);
    expect(publisher.toAgents[0]?.payload).toMatchObject({
      callId: 'c1',
      callerNumber: '13812345678',
      masked: false,
      queueId: 'general',
      waitMs: 1000,
      history: { calls: [expect.objectContaining({ callId: 'old', outcome: 'answered' })], workOrders: [] },
    });
    expect(publisher.toAgents[3]?.payload).toMatchObject({ value: 2, satisfied: false });
    expect(publisher.toCalls.map((c) => c.type)).toEqual(['CallEntered', 'CallQueued', 'AgentOffered', 'AgentAnswered', 'CallCompleted', 'CallRated']);
  });

  it('confidential caller: screen pop masked, answered unmasked for the answering agent', async () => {
    const { sut, publisher, feed } = setup(async () => ({ callerNumber: '138****5678', masked: true, calls: [], workOrders: [] }));
    feed(ev('c2', T0, { type: 'CallEntered', channelId: 'c2', callerNumber: '13812345678', calledNumber: '12345', queueId: q, priority: 0 }, { confidential: true, callerName: '王五' }));
    feed(ev('c2', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    feed(ev('c2', T0 + 3000, { type: 'AgentAnswered', attempt: 1, agentId: a1, agentNumber: '1001', ringMs: 2000, waitMs: 3000 }));
    await sut.drain();
    expect(publisher.toAgents[0]?.payload).toMatchObject({ callerNumber: '138****5678', callerName: '王*', masked: true });
    expect(publisher.toAgents[1]?.payload).toMatchObject({ callerNumber: '13812345678', callerName: '王五', masked: false });
  });

  it('a slow or failing history lookup still pops (history null) and keeps the order', async () => {
    const { sut, publisher, feed } = setup(() => new Promise(() => undefined));
    feed(ev('c3', T0, { type: 'CallEntered', channelId: 'c3', callerNumber: '1', calledNumber: '12345', queueId: q, priority: 0 }));
    feed(ev('c3', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    feed(ev('c3', T0 + 11_000, { type: 'AgentRingMissed', attempt: 1, agentId: a1, outcome: 'no-answer', ringMs: 10_000 }));
    await sut.drain();
    expect(publisher.toAgents.map((p) => [p.event, (p.payload as { history?: unknown }).history])).toEqual([
      ['ringing', null],
      ['ringStopped', undefined],
    ]);
  });

  it('state changes go to the agent; actions are checked by the policy and delegated', async () => {
    const { sut, publisher, performed, feed } = setup(async () => ({ callerNumber: '', masked: false, calls: [], workOrders: [] }));
    feed(agentState(a1, T0, 'not_ready', '休息'));
    await sut.drain();
    expect(publisher.toAgents).toEqual([{ agentId: a1, event: 'state', payload: expect.objectContaining({ state: 'not_ready', reason: '休息' }) }]);

    const agent: Actor = { userId: 'u1', role: 'agent', agentId: '1001', unitId: null, groupId: null };
    const supervisor: Actor = { userId: 'u2', role: 'supervisor', agentId: null, unitId: null, groupId: null };
    const unit: Actor = { userId: 'u3', role: 'unit_handler', agentId: null, unitId: 'water', groupId: null };
    await sut.act(agent, '1001', 'not_ready', '会议');
    await sut.act(supervisor, '1002', 'logout', null);
    await expect(sut.act(agent, '1002', 'ready', null)).rejects.toThrow(NotFoundError);
    await expect(sut.act(unit, '1001', 'ready', null)).rejects.toThrow(ForbiddenError);
    await expect(sut.act(agent, '1001', 'not_ready', null)).rejects.toThrow(ValidationError);
    await expect(sut.act(supervisor, 'busy', 'ready', null)).rejects.toThrow(ConflictError);
    expect(performed).toEqual([
      ['1001', 'not_ready', '会议'],
      ['1002', 'logout', null],
    ]);
    expect(sut.currentState(agent, '1001')).toMatchObject({ state: 'not_ready', reason: '休息' });
  });
});
