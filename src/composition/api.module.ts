/**
 * Wiring of the API: the REST routers of every area in one OpenAPI document, the health and
 * metrics routes and the built consoles on one HTTP server, and the Socket.IO server on it.
 */
import { buildApi, type Api } from '../adapters/http/api';
import { healthRouter, type ReadinessProbe } from '../adapters/http/health.router';
import { HttpServer } from '../adapters/http/http-server';
import type { DocumentedRouter } from '../adapters/http/route-table';
import type { LoginRateLimit } from '../adapters/http/routers/auth.router';
import { webConsoleRouter } from '../adapters/http/web-console.router';
import { metricsRouter } from '../adapters/metrics/metrics';
import { RealtimeServer, type RealtimeOptions } from '../adapters/realtime/socket-server';
import type { Background } from '../shared/background';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import type { AuthModule } from './auth.module';
import type { LiveModule } from './live.module';

export interface ApiModuleDeps {
  readonly auth: AuthModule;
  readonly live: LiveModule;
  readonly clock: Clock;
  readonly log: Logger;
  readonly host: string;
  /** 0: a free port. */
  readonly port: number;
  /** The routers of the other areas (work orders, in-call controls, directory, …). */
  readonly routers: readonly DocumentedRouter[];
  /** What /readyz checks (besides being up). */
  readonly readiness: readonly ReadinessProbe[];
  /** Bearer token of the Prometheus scraper; null: administrators only. */
  readonly metricsScrapeToken: string | null;
  /** The built consoles (web/dist); null: not served. */
  readonly webConsoleDir: string | null;
  readonly loginRateLimit?: LoginRateLimit;
  readonly realtime: RealtimeOptions;
  readonly background?: Background;
}

export interface ApiModule {
  readonly api: Api;
  readonly http: HttpServer;
  readonly realtime: RealtimeServer;
  /** Starts the socket server, then listens; resolves with the port. */
  start(): Promise<{ port: number }>;
  /** Unsubscribes from the auth events (the servers are stopped by their own steps). */
  detach(): void;
}

export function buildApiModule(d: ApiModuleDeps): ApiModule {
  const { auth, live, log } = d;
  const api = buildApi({
    auth: auth.auth,
    users: auth.users,
    calls: live.calls,
    queues: live.queues,
    agentConsole: live.agentConsole,
    dashboard: live.apiDashboard,
    clock: d.clock,
    ...(d.loginRateLimit ? { loginRateLimit: d.loginRateLimit } : {}),
    extraRouters: [...d.routers, ...live.routers],
  });
  // The built consoles (web/dist, next to src/ and dist/); absent until `npm run build:web`.
  const webConsole = d.webConsoleDir === null ? null : webConsoleRouter(d.webConsoleDir);
  if (d.webConsoleDir !== null && !webConsole) log.warn('web consoles not built: run npm run build:web');
  const http = new HttpServer(
    {
      host: d.host,
      port: d.port,
      routers: [metricsRouter(live.metrics, auth.auth, d.metricsScrapeToken), healthRouter([...d.readiness]), ...(webConsole ? [webConsole] : []), ...api.routers],
    },
    log.child({ component: 'http' }),
  );
  const realtime = new RealtimeServer(
    http.server,
    {
      auth: auth.auth,
      agentConsole: live.agentConsole,
      projector: live.projector,
      dashboard: live.socketDashboard,
      log: log.child({ component: 'realtime' }),
      ...(d.background ? { background: d.background } : {}),
    },
    d.realtime,
  );
  // Logout, reuse, password/role/account changes disconnect the sockets they cover, on every instance.
  const stopEndingSessions = auth.auth.onSessionsEnded((e) => realtime.endSessions(e));
  return {
    api,
    http,
    realtime,
    async start() {
      await realtime.start();
      const { port } = await http.start();
      const addr = http.server.address();
      return { port: typeof addr === 'object' && addr ? addr.port : port };
    },
    detach() {
      stopEndingSessions();
    },
  };
}
