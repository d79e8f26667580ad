import { asAgentId, asCallId, asQueueId } from '../../../src/shared/ids';
import {
  EMPTY_QUEUES,
  enqueue,
  markOffered,
  positionOf,
  queueStats,
  removeCall,
  returnToQueue,
  waitingEntries,
  type CallQueues,
} from '../../../src/domain/acd/queue';

const Q = asQueueId('general');
const URGENT = asQueueId('urgent');
const c = (n: number) => asCallId(`c${n}`);

function add(q: CallQueues, n: number, priority = 0, queueId = Q): CallQueues {
  return enqueue(q, { callId: c(n), queueId, priority, now: 1000 * n });
}

describe('call queues', () => {
  it('FIFO within a queue; positions 1, 2, 3', () => {
    const sut = add(add(add(EMPTY_QUEUES, 1), 2), 3);
    expect(waitingEntries(sut).map((e) => e.callId)).toEqual([c(1), c(2), c(3)]);
    expect([1, 2, 3].map((n) => positionOf(sut, c(n)))).toEqual([1, 2, 3]);
    expect(positionOf(sut, c(9))).toBeNull();
  });

  it('a higher priority class goes ahead of earlier calls', () => {
    const sut = add(add(add(EMPTY_QUEUES, 1), 2), 3, 5);
    expect(waitingEntries(sut).map((e) => e.callId)).toEqual([c(3), c(1), c(2)]);
    expect(positionOf(sut, c(3))).toBe(1);
  });

  it('positions count per queue', () => {
    const sut = add(add(add(EMPTY_QUEUES, 1), 2, 0, URGENT), 3);
    expect(positionOf(sut, c(2))).toBe(1);
    expect(positionOf(sut, c(3))).toBe(2);
  });

  it('offered calls keep their place but are not waiting; a failed ring puts the call back at its place', () => {
    let sut = add(add(EMPTY_QUEUES, 1), 2);
    sut = markOffered(sut, c(1), asAgentId('a1'));
    expect(waitingEntries(sut).map((e) => e.callId)).toEqual([c(2)]);
    expect(positionOf(sut, c(2))).toBe(2);
    sut = add(sut, 3);
    sut = returnToQueue(sut, c(1));
    expect(waitingEntries(sut).map((e) => e.callId)).toEqual([c(1), c(2), c(3)]);
    expect(waitingEntries(sut)[0]?.triedAgents).toEqual(['a1']);
  });

  it('enqueue of a queued call (retry) → back at its place, not a second entry', () => {
    let sut = add(add(EMPTY_QUEUES, 1), 2);
    sut = markOffered(sut, c(1), asAgentId('a1'));
    sut = enqueue(sut, { callId: c(1), queueId: Q, priority: 0, now: 99999 });
    expect(sut.entries).toHaveLength(2);
    expect(sut.entries[0]).toMatchObject({ callId: c(1), offeredTo: null, enqueuedAt: 1000 });
  });

  it('remove; stats', () => {
    let sut = add(add(add(EMPTY_QUEUES, 1), 2), 3);
    sut = markOffered(sut, c(2), asAgentId('a1'));
    expect(queueStats(sut, Q)).toEqual({ queueId: Q, calls: 3, waiting: 2, offered: 1, oldestEnqueuedAt: 1000 });
    sut = removeCall(sut, c(1));
    expect(positionOf(sut, c(3))).toBe(2);
    expect(removeCall(sut, c(42))).toBe(sut);
  });
});
