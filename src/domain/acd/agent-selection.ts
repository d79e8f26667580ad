/**
 * Which Ready agent gets a call, and which waiting calls get which agents. Pure.
 *
 * longest-idle (default): the agent waiting longest since becoming Ready.
 * round-robin: agents in a fixed order (by agent id), continuing after the last one offered in that queue.
 * Agents not yet rung for this call are preferred; one already rung is offered again only when no
 * other agent is free. Each agent gets at most one offer per plan (and the agent machine refuses a
 * second reservation), so an agent is never offered two calls at once.
 */
import type { AgentId, CallId, QueueId } from '../../shared/ids';
import { isAvailable } from './agent.machine';
import type { AcdStrategy, Agent } from './agent.types';
import { backedOffAgents, waitingEntries, type CallQueues } from './queue';

export interface SelectionOptions {
  readonly strategy: AcdStrategy;
  /** Round-robin: the agent offered last in this queue. */
  readonly lastOffered: AgentId | null;
  /** Agents already rung for this call. */
  readonly tried: readonly AgentId[];
  /** Agents not to be offered this call now (their ring for it failed a moment ago). */
  readonly excluded?: readonly AgentId[];
}

const cmpId = (x: string, y: string): number => x.localeCompare(y, 'en', { numeric: true });

function pick(candidates: readonly Agent[], opts: SelectionOptions): Agent | null {
  if (opts.strategy === 'longest-idle') {
    let best: Agent | null = null;
    for (const a of candidates) {
      const idle = a.idleSince ?? Number.POSITIVE_INFINITY;
      const bestIdle = best?.idleSince ?? Number.POSITIVE_INFINITY;
      if (best === null || idle < bestIdle || (idle === bestIdle && cmpId(a.agentId, best.agentId) < 0)) best = a;
    }
    return best;
  }
  // Round-robin over agent ids in a fixed order, continuing after the last agent offered.
  const ordered = [...candidates].sort((a, b) => cmpId(a.agentId, b.agentId));
  const last = opts.lastOffered;
  const after = last === null ? undefined : ordered.find((a) => cmpId(a.agentId, last) > 0);
  return after ?? ordered[0] ?? null;
}

/** The agent to offer a call of `queueId` to, among `agents`; null when none is available. */
export function selectAgent(agents: readonly Agent[], queueId: QueueId, opts: SelectionOptions): Agent | null {
  const excluded = opts.excluded ?? [];
  const available = agents.filter((a) => isAvailable(a, queueId) && !excluded.includes(a.agentId));
  const fresh = available.filter((a) => !opts.tried.includes(a.agentId));
  return pick(fresh.length > 0 ? fresh : available, opts);
}

export interface PlannedOffer {
  readonly callId: CallId;
  readonly queueId: QueueId;
  readonly agentId: AgentId;
}

/**
 * Pairs waiting calls (best first: priority class, then arrival) with available agents; an agent
 * whose ring for a call failed is not paired with that call before its back-off ends (`now`).
 * `lastOffered` is the round-robin memory per queue; the new memory is returned.
 */
export function planOffers(
  queues: CallQueues,
  agents: readonly Agent[],
  strategy: AcdStrategy,
  lastOffered: Readonly<Record<string, AgentId>>,
  now = 0,
): { offers: PlannedOffer[]; lastOffered: Record<string, AgentId> } {
  const memory: Record<string, AgentId> = { ...lastOffered };
  let free = agents.filter((a) => a.status.type === 'ready' && a.reachable);
  const offers: PlannedOffer[] = [];
  for (const entry of waitingEntries(queues)) {
    if (free.length === 0) break;
    const agent = selectAgent(free, entry.queueId, {
      strategy,
      lastOffered: memory[entry.queueId] ?? null,
      tried: entry.triedAgents,
      excluded: backedOffAgents(entry, now),
    });
    if (!agent) continue;
    offers.push({ callId: entry.callId, queueId: entry.queueId, agentId: agent.agentId });
    memory[entry.queueId] = agent.agentId;
    free = free.filter((a) => a.agentId !== agent.agentId);
  }
  return { offers, lastOffered: memory };
}
