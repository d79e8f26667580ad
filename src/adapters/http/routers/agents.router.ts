/** Agents with their live state, agent state actions, and the dashboard snapshot (REST bootstrap). */
import { z } from 'zod';
import type { AuthService } from '../../../app/auth/auth.service';
import type { UserService } from '../../../app/auth/user.service';
import type { AgentConsoleService } from '../../../app/live/agent-console.service';
import type { DashboardService } from '../../../app/live/dashboard.service';
import { authOf, requireAuth } from '../auth.middleware';
import { sendProblem } from '../problem';
import { DocumentedRouter } from '../route-table';
import { id, parse } from '../validate';
import { agentActionResponse, agentListResponse, agentStateResponse, dashboardDeltasResponse, dashboardSnapshotResponse } from '../response-schemas';

export const agentParams = z.strictObject({ agentId: id });
export const agentActionBody = z.strictObject({
  action: z.enum(['login', 'logout', 'ready', 'not_ready', 'wrap_up_done']),
  reason: z.string().min(1).max(100).optional(),
});
export const agentListQuery = z.strictObject({ groupId: id.optional() });
export const deltasQuery = z.strictObject({ after: z.coerce.number().int().min(0) });

export function agentsRouter(auth: AuthService, users: UserService, console: AgentConsoleService, dashboard: DashboardService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route({ method: 'get', path: '/api/agents', response: agentListResponse, summary: 'Agents and their live state', tag: 'agents', permission: 'agents:read', query: agentListQuery }, authed, async (req, res) => {
    const q = parse(agentListQuery, req.query, 'query');
    const actor = authOf(res).actor;
    const list = await users.listAgents(actor, q.groupId ? { groupId: q.groupId } : {});
    const live = dashboard.agentViews(actor);
    res.json({ items: list.map((u) => ({ ...u, live: (u.agentId && live.get(u.agentId)) || null })) });
  });
  r.route({ method: 'get', path: '/api/agents/:agentId/state', response: agentStateResponse, summary: 'An agent\'s current state (own agent, or any for managers)', tag: 'agents', permission: 'agents:control', params: agentParams }, authed, async (req, res) => {
    const p = parse(agentParams, req.params, 'params');
    res.json(console.currentState(authOf(res).actor, p.agentId));
  });
  r.route({ method: 'post', path: '/api/agents/:agentId/state', response: agentActionResponse, summary: 'Agent state action: login, logout, ready, not_ready (with reason), wrap_up_done', tag: 'agents', permission: 'agents:control', params: agentParams, body: agentActionBody, errors: [409] }, authed, async (req, res) => {
    const p = parse(agentParams, req.params, 'params');
    const b = parse(agentActionBody, req.body, 'body');
    const state = await console.act(authOf(res).actor, p.agentId, b.action, b.reason ?? null);
    res.json({ agentId: p.agentId, action: b.action, state });
  });
  r.route({ method: 'get', path: '/api/dashboard/snapshot', response: dashboardSnapshotResponse, summary: 'Full dashboard snapshot; deltas then follow on the socket', tag: 'dashboard', permission: 'dashboard:view' }, authed, async (_req, res) => {
    res.json(dashboard.snapshot(authOf(res).actor));
  });
  r.route({ method: 'get', path: '/api/dashboard/deltas', response: dashboardDeltasResponse, summary: 'Deltas after a sequence number (410 when too old: take a snapshot)', tag: 'dashboard', permission: 'dashboard:view', query: deltasQuery, errors: [410] }, authed, async (req, res) => {
    const q = parse(deltasQuery, req.query, 'query');
    const deltas = dashboard.deltasSince(authOf(res).actor, q.after);
    if (deltas === null) {
      sendProblem(req, res, 410, 'CONFLICT.STATE', 'deltas no longer kept, take a snapshot');
      return;
    }
    res.json({ items: deltas });
  });
  return r;
}
