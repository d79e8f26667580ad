import { asCallId, asQueueId } from '../../../src/shared/ids';
import { planOffers, selectAgent } from '../../../src/domain/acd/agent-selection';
import { EMPTY_QUEUES, enqueue, markOffered } from '../../../src/domain/acd/queue';
import { agent, apply, id, QUEUE, readyAgent } from './acd-fixtures';

describe('agent selection', () => {
  const a1 = readyAgent(1, 300);
  const a2 = readyAgent(2, 100); // idle longest
  const a3 = readyAgent(3, 200);

  it('longest-idle → the agent ready the longest', () => {
    expect(selectAgent([a1, a2, a3], QUEUE, { strategy: 'longest-idle', lastOffered: null, tried: [] })?.agentId).toBe(id(2));
  });

  it('only logged-in, ready, reachable agents of the queue', () => {
    const paused = apply(readyAgent(4, 0), [{ type: 'SetNotReady', reason: 'x' }]);
    const away = apply(readyAgent(5, 0), [{ type: 'ReachabilityChanged', reachable: false }]);
    const other = apply(agent(6, [asQueueId('tax')]), [{ type: 'Login' }]);
    const out = agent(7);
    expect(selectAgent([paused, away, other, out], QUEUE, { strategy: 'longest-idle', lastOffered: null, tried: [] })).toBeNull();
  });

  it('agents already rung for the call are offered again only when nobody else is free', () => {
    expect(selectAgent([a1, a2], QUEUE, { strategy: 'longest-idle', lastOffered: null, tried: [id(2)] })?.agentId).toBe(id(1));
    expect(selectAgent([a2], QUEUE, { strategy: 'longest-idle', lastOffered: null, tried: [id(2)] })?.agentId).toBe(id(2));
  });

  it('round-robin → next agent id after the last one offered, wrapping', () => {
    const agents = [readyAgent(10, 0), a2, a3, a1];
    const rr = (last: number | null) => selectAgent(agents, QUEUE, { strategy: 'round-robin', lastOffered: last === null ? null : id(last), tried: [] })?.agentId;
    expect(rr(null)).toBe(id(1));
    expect(rr(1)).toBe(id(2));
    expect(rr(3)).toBe(id(10));
    expect(rr(10)).toBe(id(1));
    // The last one offered is busy now: continue after its place.
    expect(selectAgent([a1, a3], QUEUE, { strategy: 'round-robin', lastOffered: id(2), tried: [] })?.agentId).toBe(id(3));
  });

  describe('planOffers', () => {
    const c = (n: number) => asCallId(`c${n}`);
    let q = EMPTY_QUEUES;
    q = enqueue(q, { callId: c(1), queueId: QUEUE, priority: 0, now: 1 });
    q = enqueue(q, { callId: c(2), queueId: QUEUE, priority: 0, now: 2 });
    q = enqueue(q, { callId: c(3), queueId: QUEUE, priority: 9, now: 3 });

    it('pairs best calls first with distinct agents; each agent at most once', () => {
      const { offers, lastOffered } = planOffers(q, [a1, a2], 'longest-idle', {});
      expect(offers).toEqual([
        { callId: c(3), queueId: QUEUE, agentId: id(2) },
        { callId: c(1), queueId: QUEUE, agentId: id(1) },
      ]);
      expect(lastOffered).toEqual({ general: id(1) });
    });

    it('offered calls are skipped; no free agent → no offers', () => {
      const offered = markOffered(q, c(3), id(9));
      expect(planOffers(offered, [a1], 'longest-idle', {}).offers).toEqual([{ callId: c(1), queueId: QUEUE, agentId: id(1) }]);
      expect(planOffers(q, [], 'longest-idle', {}).offers).toEqual([]);
    });

    it('a call whose queue has no free agent does not block calls of other queues', () => {
      let q2 = enqueue(EMPTY_QUEUES, { callId: c(1), queueId: asQueueId('tax'), priority: 0, now: 1 });
      q2 = enqueue(q2, { callId: c(2), queueId: QUEUE, priority: 0, now: 2 });
      expect(planOffers(q2, [a1], 'longest-idle', {}).offers).toEqual([{ callId: c(2), queueId: QUEUE, agentId: id(1) }]);
    });
  });
});
