/**
 * Whether each agent's phone can be reached, from Asterisk's view of its endpoint: a PJSIP endpoint
 * is "offline" when it has no registered contact, or when its contacts stopped answering OPTIONS
 * (qualify on the agent AORs, asterisk-config/pjsip.conf). The ACD offers calls only to reachable
 * agents, so a phone that is not registered or has crashed is not rung at all (each such ring would
 * fail at once and the call would be offered again and again).
 */
import type { Logger } from '../../shared/logger';
import type { AgentService } from './agent.service';

/** Asterisk's endpoint state (ARI Endpoint.state). */
export type EndpointState = 'online' | 'offline' | 'unknown';

export function endpointStateOf(value: unknown): EndpointState {
  return value === 'online' || value === 'offline' ? value : 'unknown';
}

export class EndpointReachability {
  constructor(
    private readonly agents: AgentService,
    private readonly log: Logger,
  ) {}

  /** Calls `listener` with the endpoint of each agent added from now on (its state is to be read). */
  onEndpointAdded(listener: (endpoint: string) => void): () => void {
    return this.agents.on('endpointAdded', (a) => listener(a.endpoint));
  }

  /** The dial strings of the enabled agents' endpoints (PJSIP/agent1001 …), to watch (a disabled one's is gone from Asterisk). */
  endpoints(): string[] {
    return [...new Set(this.agents.list().filter((a) => !this.agents.isDisabled(a.agentId)).map((a) => a.endpoint))];
  }

  /**
   * Asterisk reports the state of `endpoint` (a dial string, PJSIP/agent1001). Only "offline" makes
   * an agent unreachable: "unknown" is what an endpoint without qualify reports while it may work.
   */
  update(endpoint: string, state: EndpointState): void {
    const reachable = state !== 'offline';
    for (const agent of this.agents.list()) {
      if (agent.endpoint !== endpoint || agent.reachable === reachable) continue;
      this.log.info('agent phone reachability changed', { agentId: agent.agentId, endpoint, state, reachable });
      try {
        this.agents.setReachable(agent.agentId, reachable);
      } catch (err) {
        this.log.error('agent reachability not applied', { agentId: agent.agentId, err: String(err) });
      }
    }
  }
}
