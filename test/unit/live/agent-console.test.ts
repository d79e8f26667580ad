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
const a2 = asAgentId('1002');

type HistoryView = Awaited<ReturnType<CallerHistoryLookup>>;
const emptyHistory: HistoryView = { callerNumber: '', masked: false, calls: [], workOrders: [] };

/** A history lookup the test answers by hand; records who asked. */
function manualHistory() {
  const asked: { agentId: string | null; callId: string; answer: (v: HistoryView) => void }[] = [];
  const lookup: CallerHistoryLookup = (actor, call) =>
    new Promise<HistoryView>((resolve) => asked.push({ agentId: actor.agentId, callId: call.callId, answer: resolve }));
  return { asked, lookup };
}

const events = (p: RecordingPublisher) => p.toAgents.map((x) => `${x.agentId}:${x.event}`);

class RecordingPublisher implements ConsolePublisher {
  readonly toAgents: { agentId: string; event: keyof AgentConsoleEvents; payload: unknown }[] = [];
  readonly toCalls: CallActivity[] = [];
  /** Agents with a console connected. */
  readonly watched = new Set<string>(['1001', '1002']);
  async hasConsole(agentId: string): Promise<boolean> {
    return this.watched.has(agentId);
  }
  toAgent<E extends keyof AgentConsoleEvents>(agentId: string, event: E, payload: AgentConsoleEvents[E]): void {
    this.toAgents.push({ agentId, event, payload });
  }
  toCall(_callId: string, payload: CallActivity): void {
    this.toCalls.push(payload);
  }
}

function setup(history: CallerHistoryLookup, historyTimeoutMs = 50) {
  const publisher = new RecordingPublisher();
  const performed: unknown[] = [];
  const control: AgentControlPort = {
    perform: async (agentId, action, reason) => {
      if (action === 'ready' && agentId === 'busy') throw new ConflictError('agent on a call');
      performed.push([agentId, action, reason]);
    },
  };
  const dashboard = new LiveDashboard({ clock: () => T0 });
  const sut = new AgentConsoleService({ publisher, control, history, dashboard, clock: () => T0, log: silentLogger, historyTimeoutMs });
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
  endReason: 'caller-hangup' as const,
  hungUpBy: 'caller' as const,
  conversationEndedBy: 'caller' as const,
  callerLost: null,
  wrapUp: null,
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
  handlingUnitIds: [],
  surveyOrder: null,
  masked: false,
};

describe('AgentConsoleService', () => {
  it('ring → screen pop at once, the caller\'s history as a follow-up, then answered, ended, rated, in order', async () => {
    const { sut, publisher, feed } = setup(async () => ({ callerNumber: '13812345678', masked: false, calls: [previousCall], workOrders: [] }));
    feed(ev('c1', T0, { type: 'CallEntered', channelId: 'c1', callerNumber: '13812345678', calledNumber: '12345', queueId: q, priority: 0 }));
    feed(ev('c1', T0, { type: 'CallQueued', queueId: q, priority: 0, retry: false }));
    feed(ev('c1', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    // The pop left synchronously, before any lookup could answer.
    expect(publisher.toAgents.map((p) => p.event)).toEqual(['ringing']);
    expect(publisher.toAgents[0]?.payload).toEqual({
      callId: 'c1',
      attempt: 1,
      callerNumber: '13812345678',
      callerName: null,
      masked: false,
      queueId: 'general',
      waitMs: 1000,
      offeredAt: T0 + 1000,
      surveyOrder: null,
    });
    await sut.drain();
    expect(publisher.toAgents[1]).toEqual({
      agentId: a1,
      event: 'history',
      payload: { callId: 'c1', attempt: 1, history: { calls: [expect.objectContaining({ callId: 'old', outcome: 'answered' })], workOrders: [] } },
    });
    feed(ev('c1', T0 + 3000, { type: 'AgentAnswered', attempt: 1, agentId: a1, agentNumber: '1001', ringMs: 2000, waitMs: 3000 }));
    feed(ev('c1', T0 + 33_000, { type: 'CallCompleted', agentId: a1, endedBy: 'caller', talkMs: 30_000 }));
    feed(ev('c1', T0 + 36_000, { type: 'CallRated', scale: 'two-level', digit: '2', value: 2, code: 'dissatisfied', label: '不满意', satisfied: false }));
    await sut.drain();
    // 通话控制 follows the answer (connecting) and the end of the conversation (over).
    expect(publisher.toAgents.map((p) => p.event)).toEqual(['ringing', 'history', 'answered', 'control', 'ended', 'control', 'rated']);
    expect(publisher.toAgents[6]?.payload).toMatchObject({ value: 2, satisfied: false });
    expect(publisher.toCalls.map((c) => c.type)).toEqual(['CallEntered', 'CallQueued', 'AgentOffered', 'AgentAnswered', 'CallCompleted', 'CallRated']);
  });

  it('a citizen who pressed 0 in an order\'s automated survey: the pop names the order', () => {
    const { publisher, feed } = setup(async () => emptyHistory);
    const surveyOrder = { orderId: 'order-1', orderNumber: 'WO20260406-000001' };
    feed(ev('survey-1', T0, { type: 'CallEntered', channelId: 'survey-1', callerNumber: '13912345678', calledNumber: '', queueId: q, priority: 0, surveyOrder }));
    feed(ev('survey-1', T0 + 500, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 500 }));
    expect(publisher.toAgents[0]).toMatchObject({ agentId: a1, event: 'ringing', payload: { callId: 'survey-1', callerNumber: '13912345678', surveyOrder } });
  });

  it('confidential caller: screen pop masked, answered unmasked for the answering agent', async () => {
    const { sut, publisher, feed } = setup(async () => ({ callerNumber: '138****5678', masked: true, calls: [], workOrders: [] }));
    feed(ev('c2', T0, { type: 'CallEntered', channelId: 'c2', callerNumber: '13812345678', calledNumber: '12345', queueId: q, priority: 0 }, { confidential: true, callerName: '王五' }));
    feed(ev('c2', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    feed(ev('c2', T0 + 3000, { type: 'AgentAnswered', attempt: 1, agentId: a1, agentNumber: '1001', ringMs: 2000, waitMs: 3000 }));
    await sut.drain();
    expect(publisher.toAgents[0]?.payload).toMatchObject({ callerNumber: '138****5678', callerName: '王*', masked: true });
    expect(publisher.toAgents[1]?.payload).toMatchObject({ callerNumber: '13812345678', callerName: '王五', masked: false });
    // The answering agent still gets the history of the pop it answered.
    expect(events(publisher)).toEqual(['1001:ringing', '1001:answered', '1001:control', '1001:history']);
  });

  it('a call whose work order became confidential while it waited: the next offer\'s pop and history lookup are masked', async () => {
    const lookups: boolean[] = [];
    const { sut, publisher, feed } = setup(async (_actor, call) => {
      lookups.push(call.confidential);
      return emptyHistory;
    });
    feed(ev('c3', T0, { type: 'CallEntered', channelId: 'c3', callerNumber: '13812345678', calledNumber: '12345', queueId: q, priority: 0 }));
    feed(ev('c3', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    feed(ev('c3', T0 + 11_000, { type: 'AgentRingMissed', attempt: 1, agentId: a1, outcome: 'no-answer', ringMs: 10_000 }));
    feed({ kind: 'confidential', callId: 'c3', at: T0 + 12_000 });
    feed(ev('c3', T0 + 13_000, { type: 'AgentOffered', attempt: 2, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r2', waitMs: 13_000 }));
    await sut.drain();
    const pops = publisher.toAgents.filter((x) => x.event === 'ringing').map((x) => x.payload);
    expect(pops).toEqual([
      expect.objectContaining({ attempt: 1, callerNumber: '13812345678', masked: false }),
      expect.objectContaining({ attempt: 2, callerNumber: '138****5678', masked: true }),
    ]);
    // The history of the second offer is looked up for a confidential call (the first offer's was dropped with its ring).
    expect(lookups.at(-1)).toBe(true);
  });

  it('a lookup slower than its limit → history null after the limit; the pop did not wait', async () => {
    const { sut, publisher, feed } = setup(() => new Promise(() => undefined));
    feed(ev('c3', T0, { type: 'CallEntered', channelId: 'c3', callerNumber: '1', calledNumber: '12345', queueId: q, priority: 0 }));
    feed(ev('c3', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    expect(events(publisher)).toEqual(['1001:ringing']);
    await sut.drain();
    expect(publisher.toAgents.map((p) => [p.event, p.payload])).toEqual([
      ['ringing', expect.not.objectContaining({ history: expect.anything() })],
      ['history', { callId: 'c3', attempt: 1, history: null }],
    ]);
  });

  it('no console connected for the agent → no lookup, no follow-up', async () => {
    const { lookup, asked } = manualHistory();
    const { sut, publisher, feed } = setup(lookup);
    publisher.watched.clear();
    feed(ev('c4', T0, { type: 'CallEntered', channelId: 'c4', callerNumber: '13800000004', calledNumber: '12345', queueId: q, priority: 0 }));
    feed(ev('c4', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    await sut.drain();
    expect(asked).toEqual([]);
    expect(events(publisher)).toEqual(['1001:ringing']);
  });

  it('ring over before the history arrives → the history is dropped', async () => {
    const { lookup, asked } = manualHistory();
    const { sut, publisher, feed } = setup(lookup);
    feed(ev('c5', T0, { type: 'CallEntered', channelId: 'c5', callerNumber: '13800000005', calledNumber: '12345', queueId: q, priority: 0 }));
    feed(ev('c5', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    await new Promise((r) => setImmediate(r));
    expect(asked.map((a) => a.agentId)).toEqual(['1001']);
    feed(ev('c5', T0 + 2000, { type: 'AgentRingCancelled', attempt: 1, agentId: a1, ringMs: 1000, reason: 'caller-hangup' }));
    asked[0]?.answer(emptyHistory);
    await sut.drain();
    expect(events(publisher)).toEqual(['1001:ringing', '1001:ringStopped']);
  });

  it('one lookup in flight per call: the next offer waits for it, even past its time limit, then gets its own', async () => {
    const { lookup, asked } = manualHistory();
    // A longer limit: the abandoned lookup keeps the slot for ten of them, well past this test's steps.
    const { sut, publisher, feed } = setup(lookup, 200);
    feed(ev('c6', T0, { type: 'CallEntered', channelId: 'c6', callerNumber: '13800000006', calledNumber: '12345', queueId: q, priority: 0 }));
    feed(ev('c6', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    await sut.drain(); // the first lookup ran out of time: history null for agent 1001
    feed(ev('c6', T0 + 11_000, { type: 'AgentRingMissed', attempt: 1, agentId: a1, outcome: 'no-answer', ringMs: 10_000 }));
    feed(ev('c6', T0 + 11_000, { type: 'AgentOffered', attempt: 2, agentId: a2, agentNumber: '1002', endpoint: 'e', channelId: 'r2', waitMs: 11_000 }));
    await sut.drain();
    // Still one lookup: the abandoned one has not settled.
    expect(asked.map((a) => a.agentId)).toEqual(['1001']);
    asked[0]?.answer(emptyHistory);
    await new Promise((r) => setImmediate(r));
    expect(asked.map((a) => a.agentId)).toEqual(['1001', '1002']);
    asked[1]?.answer({ ...emptyHistory, calls: [previousCall] });
    await sut.drain();
    expect(events(publisher)).toEqual(['1001:ringing', '1001:history', '1001:ringStopped', '1002:ringing', '1002:history']);
    expect(publisher.toAgents[1]?.payload).toEqual({ callId: 'c6', attempt: 1, history: null });
    expect(publisher.toAgents[4]?.payload).toMatchObject({ callId: 'c6', attempt: 2, history: { calls: [expect.objectContaining({ callId: 'old' })] } });
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

  it('通话控制: each change goes to the handling agent only, whoever made it; a console connecting during the call gets the call', async () => {
    const { sut, publisher, feed } = setup(async () => emptyHistory);
    publisher.watched.clear();
    feed(ev('k1', T0, { type: 'CallEntered', channelId: 'k1', callerNumber: '13812345678', calledNumber: '12345', queueId: q, priority: 0 }, { confidential: true, callerName: '张三' }));
    feed(ev('k1', T0 + 1000, { type: 'AgentOffered', attempt: 1, agentId: a1, agentNumber: '1001', endpoint: 'e', channelId: 'r', waitMs: 1000 }));
    feed(ev('k1', T0 + 2000, { type: 'AgentAnswered', attempt: 1, agentId: a1, agentNumber: '1001', ringMs: 1000, waitMs: 2000 }));
    feed(ev('k1', T0 + 2500, { type: 'CallBridged', bridgeId: 'bridge-k1', agentChannelId: 'ring-k1-1' }));
    // A supervisor's hold, then the unit of a consultation hanging up: the console follows both.
    feed(ev('k1', T0 + 3000, { type: 'CallHeld', agentId: a1 }));
    feed(ev('k1', T0 + 4000, { type: 'CallResumed', agentId: a1, heldMs: 1000 }));
    feed(ev('k1', T0 + 5000, { type: 'TransferStarted', n: 1, mode: 'consult', number: '12319', channelId: 'xfer-k1-1', agentId: a1 }));
    feed(ev('k1', T0 + 5500, { type: 'RecordingStarted', name: 'x' })); // nothing shown changes: no push
    feed(ev('k1', T0 + 6000, { type: 'TransferFailed', n: 1, cause: 'unit-left', backTo: 'agent' }));
    await sut.drain();
    const controls = publisher.toAgents.filter((p) => p.event === 'control');
    expect(controls.every((p) => p.agentId === a1)).toBe(true);
    expect(controls.map((p) => (p.payload as { phase: string }).phase)).toEqual(['connecting', 'talking', 'held', 'talking', 'consulting', 'talking']);
    // The handling agent sees the confidential caller, as in the answered push.
    expect(controls[0]?.payload).toEqual({
      callId: 'k1',
      seq: 3,
      phase: 'connecting',
      since: T0 + 2000,
      transfer: null,
      threeWay: null,
      monitor: null,
      call: { callerNumber: '13812345678', callerName: '张三', masked: false, queueId: 'general', waitMs: 2000, answeredAt: T0 + 2000 },
    });

    const agent: Actor = { userId: 'u1', role: 'agent', agentId: '1001', unitId: null, groupId: null };
    const other: Actor = { userId: 'u2', role: 'agent', agentId: '1002', unitId: null, groupId: null };
    const supervisor: Actor = { userId: 'u3', role: 'supervisor', agentId: null, unitId: null, groupId: null };
    expect(sut.currentCall(agent)).toMatchObject({ callId: 'k1', phase: 'talking', call: { callerNumber: '13812345678' } });
    expect(sut.currentCall(other)).toBeNull();
    expect(sut.currentCall(supervisor)).toBeNull();

    feed(ev('k1', T0 + 9000, { type: 'CallCompleted', agentId: a1, endedBy: 'caller', talkMs: 6500 }));
    expect(publisher.toAgents.at(-1)).toMatchObject({ agentId: a1, event: 'control', payload: { phase: 'over' } });
    expect(sut.currentCall(agent)).toBeNull();
  });
});
