/** Survey calls handed to the agent queue: the survey learns from the call events whether an agent answered. */
import { asAgentId, asCallId, asQueueId } from '../../../src/shared/ids';
import { EventBus } from '../../../src/app/events/event-bus';
import { SurveyHandoverWatch } from '../../../src/app/calls/survey-handovers';
import type { CallEvent, CallEventBody } from '../../../src/domain/call/call.events';
import { surveyRecord } from '../../../src/app/work-orders/lifecycle/survey-job';
import { FakeClock, FakeScheduler, RecordingLogger, flush } from './fakes';

const q = asQueueId('general');
const surveyOrder = { orderId: 'order-1', orderNumber: 'WO20260406-000001' };

function setup() {
  const clock = new FakeClock();
  const bus = new EventBus(clock.now, new RecordingLogger());
  const scheduler = new FakeScheduler(clock);
  const sut = new SurveyHandoverWatch(bus, scheduler, 30_000);
  let seq = 0;
  const publish = (callId: string, body: CallEventBody): void => {
    seq += 1;
    bus.publish('call', { ...body, callId: asCallId(callId), seq, at: clock.t } as CallEvent);
  };
  const entered = (callId: string, handover = true): void =>
    publish(callId, { type: 'CallEntered', channelId: callId, callerNumber: '13912345678', calledNumber: '', queueId: q, priority: 0, ...(handover ? { surveyOrder } : {}) });
  return { sut, publish, entered, scheduler };
}

describe('survey handovers', () => {
  it('the agent who answers the handed-over call; asked before or after it happened', async () => {
    const { sut, publish, entered } = setup();
    const early = sut.outcome('survey-1');
    entered('survey-1');
    publish('survey-1', { type: 'AgentAnswered', attempt: 1, agentId: asAgentId('agent-1001'), agentNumber: '1001', ringMs: 2000, waitMs: 2500 });
    await expect(early).resolves.toEqual({ agentId: 'agent-1001' });
    entered('survey-2');
    publish('survey-2', { type: 'AgentAnswered', attempt: 2, agentId: asAgentId('agent-1002'), agentNumber: '1002', ringMs: 2000, waitMs: 12_500 });
    await expect(sut.outcome('survey-2')).resolves.toEqual({ agentId: 'agent-1002' });
  });

  it('ended without an agent (abandoned, overflow, lost) → null; other calls are not watched', async () => {
    const { sut, publish, entered } = setup();
    const o = sut.outcome('survey-3');
    entered('survey-3');
    publish('survey-3', { type: 'CallEnded', reason: 'caller-hangup', hungUpBy: 'caller', stage: 'queued' });
    await expect(o).resolves.toEqual({ agentId: null });
    entered('inbound-1', false);
    publish('inbound-1', { type: 'CallEnded', reason: 'caller-hangup', hungUpBy: 'caller', stage: 'queued' });
    let settled = false;
    void sut.outcome('inbound-1').then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
  });

  it('a moved call that never enters the call path (refused while stopping) → null after the wait; one that entered is waited for', async () => {
    const { sut, publish, entered, scheduler } = setup();
    const never = sut.outcome('survey-4');
    const slow = sut.outcome('survey-5');
    entered('survey-5');
    await scheduler.advance(30_000);
    await expect(never).resolves.toEqual({ agentId: null });
    let settled = false;
    void slow.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    publish('survey-5', { type: 'AgentAnswered', attempt: 1, agentId: asAgentId('agent-1001'), agentNumber: '1001', ringMs: 2000, waitMs: 40_000 });
    await expect(slow).resolves.toEqual({ agentId: 'agent-1001' });
  });
});

describe('survey record of a handover', () => {
  it('answered by an agent → toAgent with the agent; nobody answered → an unreachable attempt with the handover', () => {
    expect(surveyRecord({ kind: 'toAgent', callId: 'survey-1' }, { agentId: 'agent-1001' })).toEqual({
      type: 'recordCallback', result: 'toAgent', handover: { agentId: 'agent-1001' }, surveyCallId: 'survey-1',
    });
    expect(surveyRecord({ kind: 'toAgent', callId: 'survey-2' }, { agentId: null })).toEqual({
      type: 'recordCallback', result: 'unreachable', handover: { agentId: null }, surveyCallId: 'survey-2',
    });
    expect(surveyRecord({ kind: 'answered', callId: 'survey-3', solved: '1', satisfaction: '3' })).toEqual({
      type: 'recordCallback', level: '基本满意', resolution: 'resolved', surveyCallId: 'survey-3',
    });
  });
});
