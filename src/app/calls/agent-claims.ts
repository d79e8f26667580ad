/**
 * Agent claims without a shared store.
 *
 * `NO_AGENT_CLAIMS`: one call-path instance. Its agent service already refuses a second reservation,
 * so every claim is granted and nothing is kept (nothing can leak either).
 *
 * `LocalAgentClaims`: several call paths in one process sharing one instance of it never offer one
 * agent twice (tests use it for races without a database). Several processes need the shared store
 * (adapters/db agent claims).
 */
import type { AgentId, CallId } from '../../shared/ids';
import type { AgentClaimPort } from './calls.ports';

export const NO_AGENT_CLAIMS: AgentClaimPort = Object.freeze({
  claim: () => true,
  release: () => undefined,
});

export class LocalAgentClaims implements AgentClaimPort {
  private readonly holders = new Map<AgentId, CallId>();

  claim(agentId: AgentId, callId: CallId): boolean {
    const holder = this.holders.get(agentId);
    if (holder !== undefined) return holder === callId;
    this.holders.set(agentId, callId);
    return true;
  }

  release(agentId: AgentId, callId: CallId): void {
    if (this.holders.get(agentId) === callId) this.holders.delete(agentId);
  }

  /** The call an agent is claimed for, if any. */
  holderOf(agentId: AgentId): CallId | undefined {
    return this.holders.get(agentId);
  }
}
