/**
 * Agents' presence kept across restarts: an app that restarts (a deployment) puts every agent back in
 * the state it had, instead of logging everyone out. Stored is the state the agent rests in: an agent
 * ringing, on a call or in wrap-up is stored as what it goes to afterwards (Ready, or the not-ready or
 * logout it asked for meanwhile), since a call in progress is the call path's to rebuild.
 */
import type { AgentId } from '../../shared/ids';

export interface StoredAgentState {
  readonly agentId: AgentId;
  readonly status: 'logged-out' | 'ready' | 'not-ready';
  /** The not-ready reason; null otherwise. */
  readonly reason: string | null;
  /** When the agent entered that state (epoch ms). */
  readonly since: number;
}

export interface AgentStateStore {
  /** Replaces the agent's stored state (idempotent). Rejects when it could not be written. */
  save(state: StoredAgentState): Promise<void>;
  loadAll(): Promise<StoredAgentState[]>;
}
