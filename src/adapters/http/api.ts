/**
 * The REST API: `buildApiRouters(deps)` returns the routers main.ts hands to HttpServer (before
 * the health router is fine; order among them does not matter). Security headers (helmet) are
 * set by HttpServer for every response.
 */
import { Router } from 'express';
import type { AuthService } from '../../app/auth/auth.service';
import type { UserService } from '../../app/auth/user.service';
import type { AgentConsoleService } from '../../app/live/agent-console.service';
import type { DashboardService } from '../../app/live/dashboard.service';
import type { QueuesService } from '../../app/queues/queues.service';
import type { CallRecordsService } from '../../app/records/call-records.service';
import { buildOpenApiDocument } from './openapi';
import type { DocumentedRouter, RouteDoc } from './route-table';
import { agentsRouter } from './routers/agents.router';
import { DEFAULT_LOGIN_RATE_LIMIT, authRouter, type LoginRateLimit } from './routers/auth.router';
import { callsRouter } from './routers/calls.router';
import { queuesRouter } from './routers/queues.router';
import { usersRouter } from './routers/users.router';

export interface ApiDeps {
  auth: AuthService;
  users: UserService;
  calls: CallRecordsService;
  queues: QueuesService;
  agentConsole: AgentConsoleService;
  dashboard: DashboardService;
  clock: () => number;
  /** Failed-login limits per (username, address) and per address; default DEFAULT_LOGIN_RATE_LIMIT. */
  loginRateLimit?: LoginRateLimit;
  /** Routers of other areas (e.g. work orders), documented in the same OpenAPI document. */
  extraRouters?: DocumentedRouter[];
}

export interface Api {
  routers: Router[];
  docs: RouteDoc[];
  openapi: Record<string, unknown>;
}

export function buildApi(deps: ApiDeps): Api {
  const parts = [
    authRouter(deps.auth, deps.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT),
    usersRouter(deps.auth, deps.users),
    agentsRouter(deps.auth, deps.users, deps.agentConsole, deps.dashboard),
    queuesRouter(deps.auth, deps.queues),
    callsRouter(deps.auth, deps.calls, deps.clock),
    ...(deps.extraRouters ?? []),
  ];
  const docs = parts.flatMap((p) => p.docs);
  const openapi = buildOpenApiDocument(docs);
  const root = Router();
  root.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  for (const p of parts) root.use(p.router);
  return { routers: [root], docs, openapi };
}

export function buildApiRouters(deps: ApiDeps): Router[] {
  return buildApi(deps).routers;
}
