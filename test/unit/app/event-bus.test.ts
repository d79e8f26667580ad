import { asAgentId } from '../../../src/shared/ids';
import { EventBus } from '../../../src/app/events/event-bus';
import { FakeClock, RecordingLogger } from './fakes';

describe('event bus', () => {
  it('numbers messages globally across topics and stamps them', () => {
    const clock = new FakeClock();
    const sut = new EventBus(clock.now, new RecordingLogger());
    const agentMsgs: number[] = [];
    const all: string[] = [];
    sut.subscribe('agent', (m) => agentMsgs.push(m.seq));
    sut.subscribeAll((m) => all.push(`${m.seq}:${m.topic}`));
    const ev = { type: 'AgentReachabilityChanged' as const, agentId: asAgentId('a'), at: 1, reachable: false };
    sut.publish('agent', ev);
    clock.t += 5;
    const m = sut.publish('agent', ev);
    expect(m).toEqual({ topic: 'agent', seq: 2, publishedAt: clock.t, event: ev });
    expect(agentMsgs).toEqual([1, 2]);
    expect(all).toEqual(['1:agent', '2:agent']);
    expect(sut.lastSeq).toBe(2);
  });

  it('a throwing subscriber is logged and does not stop the others', () => {
    const log = new RecordingLogger();
    const sut = new EventBus(new FakeClock().now, log);
    const seen: number[] = [];
    sut.subscribe('agent', () => {
      throw new Error('boom');
    });
    sut.subscribe('agent', (m) => seen.push(m.seq));
    sut.publish('agent', { type: 'AgentReachabilityChanged', agentId: asAgentId('a'), at: 1, reachable: true });
    expect(seen).toEqual([1]);
    expect(log.lines.map((l) => l.message)).toEqual(['event subscriber failed']);
  });
});
