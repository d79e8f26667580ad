import { asAgentId, asQueueId, type AgentId } from '../../../src/shared/ids';
import { DEFAULT_CALL_PATH_SETTINGS } from '../../../src/domain/call/call.settings';
import type { MissedRingPolicy } from '../../../src/domain/acd/agent.types';
import { agentTransition, type AgentContext, type AgentInput } from '../../../src/domain/acd/agent.machine';
import { newAgent, type Agent } from '../../../src/domain/acd/agent.types';

export const QUEUE = asQueueId('general');

export function agentCtx(now: number, over: { wrapUpMs?: number; missedRing?: Partial<MissedRingPolicy> } = {}): AgentContext {
  return {
    now,
    wrapUpMs: over.wrapUpMs ?? 15_000,
    missedRing: { ...DEFAULT_CALL_PATH_SETTINGS.missedRing, ...over.missedRing },
  };
}

export function agent(n: number, queues = [QUEUE]): Agent {
  return newAgent({ agentId: asAgentId(`a${n}`), agentNumber: String(n), name: `Agent ${n}`, endpoint: `PJSIP/agent${n}`, queues }, 0);
}

/** Applies inputs in order, failing on a refused one. */
export function apply(a: Agent, inputs: AgentInput[], ctx: AgentContext = agentCtx(0)): Agent {
  let cur = a;
  for (const i of inputs) {
    const t = agentTransition(cur, i, ctx);
    if (t.refused) throw new Error(`${i.type} refused: ${t.refused}`);
    cur = t.agent;
  }
  return cur;
}

export function readyAgent(n: number, idleSince: number): Agent {
  return apply(agent(n), [{ type: 'Login' }], agentCtx(idleSince));
}

export const id = (n: number): AgentId => asAgentId(`a${n}`);
