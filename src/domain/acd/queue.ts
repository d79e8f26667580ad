/**
 * The waiting calls of every queue: FIFO per queue within priority classes (a higher class is
 * served first). A call stays in its queue while an agent rings; if the ring fails it waits again
 * at its original place, ahead of every call that arrived after it. Pure and immutable.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';

export interface QueueEntry {
  readonly callId: CallId;
  readonly queueId: QueueId;
  readonly priority: number;
  readonly enqueuedAt: number;
  /** Arrival order, the FIFO key within a priority class. */
  readonly order: number;
  /** The agent currently rung for this call. */
  readonly offeredTo: AgentId | null;
  /** Agents already rung for this call (others are preferred for the next offer). */
  readonly triedAgents: readonly AgentId[];
  /** Agents whose ring for this call failed: not offered this call again before `until`. */
  readonly backOff: readonly { readonly agentId: AgentId; readonly until: number }[];
}

export interface CallQueues {
  /** Sorted: priority class descending, then arrival. */
  readonly entries: readonly QueueEntry[];
  readonly nextOrder: number;
}

export const EMPTY_QUEUES: CallQueues = Object.freeze({ entries: Object.freeze([]), nextOrder: 1 });

/**
 * Priority class first, then the time the call first queued, then arrival here: a call taken over
 * after a restart (queued with its original time) goes back to its original place.
 */
export function compareEntries(a: QueueEntry, b: QueueEntry): number {
  return b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || a.order - b.order;
}

export function entryOf(q: CallQueues, callId: CallId): QueueEntry | undefined {
  return q.entries.find((e) => e.callId === callId);
}

/** Adds a call; a call already queued (a retry after a failed ring) keeps its place and waits again. */
export function enqueue(
  q: CallQueues,
  call: { callId: CallId; queueId: QueueId; priority: number; now: number },
): CallQueues {
  const existing = entryOf(q, call.callId);
  if (existing) return returnToQueue(q, call.callId);
  const entry: QueueEntry = {
    callId: call.callId,
    queueId: call.queueId,
    priority: call.priority,
    enqueuedAt: call.now,
    order: q.nextOrder,
    offeredTo: null,
    triedAgents: [],
    backOff: [],
  };
  const entries = [...q.entries];
  let i = entries.length;
  while (i > 0 && compareEntries(entries[i - 1] as QueueEntry, entry) > 0) i -= 1;
  entries.splice(i, 0, entry);
  return { entries, nextOrder: q.nextOrder + 1 };
}

export function markOffered(q: CallQueues, callId: CallId, agentId: AgentId): CallQueues {
  return update(q, callId, (e) => ({
    ...e,
    offeredTo: agentId,
    triedAgents: e.triedAgents.includes(agentId) ? e.triedAgents : [...e.triedAgents, agentId],
  }));
}

/** The agent's ring for this call failed: it is not offered this call again before `until`. */
export function backOffAgent(q: CallQueues, callId: CallId, agentId: AgentId, until: number): CallQueues {
  return update(q, callId, (e) => ({ ...e, backOff: [...e.backOff.filter((b) => b.agentId !== agentId), { agentId, until }] }));
}

/** Agents kept from this entry at `now` by a back-off. */
export function backedOffAgents(e: QueueEntry, now: number): AgentId[] {
  return e.backOff.filter((b) => b.until > now).map((b) => b.agentId);
}

/** The earliest back-off still running in any queue (when to look again), or null. */
export function nextBackOffEnd(q: CallQueues, now: number): number | null {
  let next: number | null = null;
  for (const e of q.entries) for (const b of e.backOff) if (b.until > now && (next === null || b.until < next)) next = b.until;
  return next;
}

/** The offer ended without a connection: the call waits again at its place. */
export function returnToQueue(q: CallQueues, callId: CallId): CallQueues {
  return update(q, callId, (e) => (e.offeredTo === null ? e : { ...e, offeredTo: null }));
}

export function removeCall(q: CallQueues, callId: CallId): CallQueues {
  if (!entryOf(q, callId)) return q;
  return { ...q, entries: q.entries.filter((e) => e.callId !== callId) };
}

/** 1-based place of the call in its own queue (offered calls count), or null when not queued. */
export function positionOf(q: CallQueues, callId: CallId): number | null {
  const entry = entryOf(q, callId);
  if (!entry) return null;
  let position = 0;
  for (const e of q.entries) {
    if (e.queueId === entry.queueId) position += 1;
    if (e.callId === callId) return position;
  }
  return null;
}

/** Calls waiting for an offer, best first, across all queues. */
export function waitingEntries(q: CallQueues): QueueEntry[] {
  return q.entries.filter((e) => e.offeredTo === null);
}

export interface QueueStats {
  readonly queueId: QueueId;
  /** Calls in the queue (waiting or being offered). */
  readonly calls: number;
  readonly waiting: number;
  readonly offered: number;
  readonly oldestEnqueuedAt: number | null;
}

export function queueStats(q: CallQueues, queueId: QueueId): QueueStats {
  let calls = 0;
  let offered = 0;
  let oldest: number | null = null;
  for (const e of q.entries) {
    if (e.queueId !== queueId) continue;
    calls += 1;
    if (e.offeredTo !== null) offered += 1;
    if (oldest === null || e.enqueuedAt < oldest) oldest = e.enqueuedAt;
  }
  return { queueId, calls, waiting: calls - offered, offered, oldestEnqueuedAt: oldest };
}

export function queueIds(q: CallQueues): QueueId[] {
  return [...new Set(q.entries.map((e) => e.queueId))];
}

function update(q: CallQueues, callId: CallId, f: (e: QueueEntry) => QueueEntry): CallQueues {
  let changed = false;
  const entries = q.entries.map((e) => {
    if (e.callId !== callId) return e;
    const n = f(e);
    if (n !== e) changed = true;
    return n;
  });
  return changed ? { ...q, entries } : q;
}
