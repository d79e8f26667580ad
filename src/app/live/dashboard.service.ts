/** Access-checked reads of the live dashboard, for REST bootstrap and socket joins. */
import { requirePermission, type Actor } from '../../domain/access';
import type { DashboardDelta, DashboardSnapshot, AgentView } from './dashboard.types';
import type { LiveDashboard } from './live-dashboard';

export class DashboardService {
  constructor(private readonly dashboard: LiveDashboard) {}

  snapshot(actor: Actor): DashboardSnapshot {
    requirePermission(actor, 'dashboard:view');
    return this.dashboard.snapshot();
  }

  /** Missed deltas after `seq`, or null: take a snapshot. */
  deltasSince(actor: Actor, seq: number): DashboardDelta[] | null {
    requirePermission(actor, 'dashboard:view');
    return this.dashboard.deltasSince(seq);
  }

  /** Live state of each agent (for the agents list). */
  agentViews(actor: Actor): Map<string, AgentView> {
    requirePermission(actor, 'agents:read');
    return new Map(this.dashboard.snapshot().agents.map((a) => [a.agentId, a]));
  }
}
