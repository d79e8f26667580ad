/**
 * The composition root: reads the configuration, builds every adapter, wires the use cases and
 * starts them; stops them in reverse order. Nothing else in the code base knows more than one
 * adapter. `buildSystem` is exported so integration tests run the same wiring as production.
 */
import path from 'node:path';
import { loadConfig, ConfigError, type Config } from './config/config';
import type { Logger } from './shared/logger';
import { BackgroundTasks } from './shared/background';
import { asQueueId, type AgentId } from './shared/ids';
import { createLogger } from './adapters/logging/logger';
import { DbConnection } from './adapters/db/connection';
import { CallStore } from './adapters/db/call-store';
import { Spool } from './adapters/db/spool';
import { MongoCallPersistence } from './adapters/db/call-persistence';
import { MongoAgentDirectory } from './adapters/db/repositories/agent.repository';
import { MongoUserRepository } from './adapters/db/repositories/user.repository';
import { MongoTokenRepository } from './adapters/db/repositories/token.repository';
import { MongoQueueRepository, MongoSettingsRepository } from './adapters/db/repositories/queue-settings.repository';
import { MongoCallRecordReader } from './adapters/db/repositories/call-record.repository';
import { MongoAgentClaims } from './adapters/db/repositories/agent-claim.repository';
import { AriConnection } from './adapters/ari/ari-connection';
import { AriTelephony } from './adapters/ari/ari-telephony';
import { AriCallEvents } from './adapters/ari/ari-inputs';
import { AriSipAuth } from './adapters/ari/ari-sip-auth';
import { BcryptPasswordHasher } from './adapters/auth/bcrypt-password-hasher';
import { JwtTokenSigner } from './adapters/auth/jwt-token-signer';
import { nodeSecretSource, nodeSipSecrets } from './adapters/auth/node-secret-source';
import { HttpServer } from './adapters/http/http-server';
import { healthRouter } from './adapters/http/health.router';
import { buildApi } from './adapters/http/api';
import { consoleSettingsRouter, webConsoleRouter } from './adapters/http/web-console.router';
import { Metrics, metricsRouter } from './adapters/metrics/metrics';
import { SocketProjector } from './adapters/realtime/projector';
import { RealtimeServer } from './adapters/realtime/socket-server';
import { EventBus } from './app/events/event-bus';
import { createCallPath, type CallPath } from './app/calls/call-path';
import { AgentSipCredentials } from './app/agents/sip-credentials.service';
import { AuthService } from './app/auth/auth.service';
import { UserService } from './app/auth/user.service';
import { QueuesService, metricsOptionsOf } from './app/queues/queues.service';
import { CallRecordsService } from './app/records/call-records.service';
import { LiveDashboard } from './app/live/live-dashboard';
import { DashboardService } from './app/live/dashboard.service';
import { AgentConsoleService } from './app/live/agent-console.service';
import { AgentControl, liveInputsOf } from './app/live/call-path-bridge';
import { makeCallPathSettings } from './domain/call/call-settings';
import { ratingScalePreset } from './domain/rating/rating';
import { buildWorkOrderModule, type WorkOrderModule } from './composition/work-orders.module';

export interface System {
  readonly config: Config;
  readonly log: Logger;
  readonly db: DbConnection;
  readonly ari: AriConnection;
  readonly bus: EventBus;
  readonly callPath: CallPath;
  readonly callStore: CallStore;
  readonly agents: MongoAgentDirectory;
  /** Agents' own SIP secrets: issued once, kept as digests, put into Asterisk after every ARI connection. */
  readonly sipCredentials: AgentSipCredentials;
  readonly users: UserService;
  readonly http: HttpServer;
  readonly workOrders: WorkOrderModule;
  /** The live dashboard projection (its deltas go to the dashboard room). */
  readonly dashboard: LiveDashboard;
  /** The Socket.IO server on `http`. */
  readonly realtime: RealtimeServer;
  /** Where every timer, job, event handler and fire-and-forget promise runs (failures counted in /metrics). */
  readonly background: BackgroundTasks;
  /** Starts everything; resolves when the HTTP server listens (ARI may still be connecting). */
  start(): Promise<{ port: number }>;
  /**
   * Stops in reverse order: waits up to `drainMs` for calls in progress to end, then ARI, sockets,
   * HTTP, the spool flush and the database. Calls still up are reconciled at the next start.
   */
  stop(drainMs?: number): Promise<void>;
}

/** Longest wait at shutdown for calls in progress to end (docker-compose.yml's stop_grace_period is longer). */
export const CALL_DRAIN_MS = 30_000;

export function buildSystem(config: Config, log: Logger, background = new BackgroundTasks(log.child({ component: 'background' }))): System {
  const clock = { now: () => Date.now() };
  const db = new DbConnection(config.mongodb.uri, log.child({ component: 'db' }));
  const callStore = new CallStore(
    db,
    new Spool(path.resolve(config.spoolDir), 'calls'),
    log.child({ component: 'call-store' }),
    config.tasks.spoolFlushMs,
    undefined,
    background,
  );
  const persistence = new MongoCallPersistence(callStore);
  const agents = new MongoAgentDirectory(db.connection);
  const bus = new EventBus(clock, log.child({ component: 'bus' }));

  // ---- call path: ARI ⇄ pure call machine ----
  const ari = new AriConnection(
    {
      url: config.ari.url,
      username: config.ari.username,
      password: config.ari.password,
      app: config.ari.app,
      maxSockets: config.ari.maxSockets,
      requestTimeoutMs: config.ari.requestTimeoutMs,
      background,
    },
    log.child({ component: 'ari' }),
  );
  const settings = makeCallPathSettings({
    defaultQueueId: asQueueId('general'),
    ringTimeoutMs: config.callPath.ringTimeoutMs,
    wrapUpMs: config.callPath.wrapUpMs,
    maxQueueWaitMs: config.callPath.maxQueueWaitMs,
    recordCalls: config.callPath.recordCalls,
    ringingTone: config.callPath.ringingTone,
    strategy: config.callPath.strategy,
    rating: { timeoutMs: config.callPath.ratingTimeoutMs, scale: ratingScalePreset(config.callPath.ratingScale) },
    missedRing: { maxConsecutiveMisses: config.callPath.notReadyAfterMisses },
    ...(config.callPath.menuOptions && {
      menu: {
        enabled: true,
        options: Object.fromEntries(Object.entries(config.callPath.menuOptions).map(([digit, queue]) => [digit, asQueueId(queue)])),
      },
    }),
  });
  // Several instances with call paths over the same agents claim each offer in the database.
  const agentClaims =
    config.callPath.agentClaims === 'database'
      ? new MongoAgentClaims(db.connection, { log: log.child({ component: 'agent-claims' }), renewMs: config.tasks.agentClaimRenewMs, background })
      : null;
  const callPath = createCallPath({
    settings,
    telephony: new AriTelephony(ari, { app: config.ari.app, requestTimeoutMs: config.ari.requestTimeoutMs }),
    events: persistence,
    records: persistence,
    callbacks: persistence,
    scheduler: {
      setTimeout: (fn, ms) => setTimeout(background.handler('call.timer', fn), ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
    background,
    clock,
    bus,
    logger: log.child({ component: 'calls' }),
    ...(agentClaims ? { agentClaims } : {}),
  });
  const ariEvents = new AriCallEvents(callPath.calls, callPath.recovery, log.child({ component: 'ari-events' }), background);
  // Asterisk keeps agents' credentials in memory only: the directory puts them back on every connection.
  const sipCredentials = new AgentSipCredentials({
    store: agents,
    asterisk: new AriSipAuth(ari, config.ari.requestTimeoutMs),
    secrets: nodeSipSecrets,
    log: log.child({ component: 'sip-credentials' }),
  });
  ari.on('connected', background.handler('sip-credentials.apply', () => sipCredentials.applyAll()));

  // ---- people, auth and the live layer ----
  const userRepo = new MongoUserRepository(db.connection);
  const tokenRepo = new MongoTokenRepository(db.connection);
  const hasher = new BcryptPasswordHasher(12);
  const auth = new AuthService(
    {
      users: userRepo,
      tokens: tokenRepo,
      hasher,
      signer: new JwtTokenSigner({ secret: config.auth.jwtSecret }),
      secrets: nodeSecretSource,
      clock: Date.now,
      log: log.child({ component: 'auth' }),
    },
    { accessTtlSec: 900, refreshTtlSec: 7 * 24 * 3600 },
  );
  const users = new UserService({ users: userRepo, hasher, auth, clock: Date.now });
  const queues = new QueuesService(new MongoQueueRepository(db.connection), new MongoSettingsRepository(db.connection), Date.now);
  const dashboard = new LiveDashboard({
    clock: Date.now,
    queueWaitAlertSec: (q) => queues.cachedQueue(q)?.waitAlertSec,
    onListenerError: (err) => background.failed('dashboard.listener', err),
    background,
  });
  queues.onSettings((s) => dashboard.updateSettings(s));
  queues.onQueue((q) => dashboard.registerQueue(q.queueId));
  // Set below once the live layer exists: a call in progress whose order became confidential is masked there.
  let onCallConfidential: (callId: string) => void = () => undefined;
  const workOrders = buildWorkOrderModule({
    db,
    auth,
    log: log.child({ component: 'work-orders' }),
    clock: Date.now,
    onCallConfidential: (callId) => onCallConfidential(callId),
    jobs: { sweepCron: config.tasks.sweepCron, foldCron: config.tasks.foldCron, reportCron: config.tasks.reportCron },
    background,
  });
  const calls = new CallRecordsService(new MongoCallRecordReader(db.connection), workOrders.callerHistory, () =>
    metricsOptionsOf(queues.currentSettings()),
  );
  const dashboardService = new DashboardService(dashboard);
  const projector = new SocketProjector();
  const agentConsole = new AgentConsoleService({
    publisher: projector,
    control: new AgentControl(callPath.agents),
    history: (actor, call) => calls.historyFor(actor, call),
    dashboard,
    clock: Date.now,
    log: log.child({ component: 'console' }),
    background,
  });
  let stopping = false;
  // Counted once the server below exists (metrics are read on scrape, long after start-up).
  const metrics: Metrics = new Metrics(dashboard, {
    socketConnections: (): number => realtime.io.engine.clientsCount,
    background,
    ariConnected: () => ari.isConnected(),
    spoolBacklogBytes: () => callStore.spoolBacklogBytes(),
  });
  const api = buildApi({
    auth,
    users,
    calls,
    queues,
    agentConsole,
    dashboard: dashboardService,
    clock: Date.now,
    loginRateLimit: config.auth.loginRateLimit,
    extraRouters: [
      ...workOrders.routers,
      consoleSettingsRouter(auth, { breakReasons: config.breakReasons, wrapUpMs: config.callPath.wrapUpMs, ringTimeoutMs: config.callPath.ringTimeoutMs }),
    ],
  });
  // The built consoles (web/dist, next to src/ and dist/); absent until `npm run build:web`.
  const webConsole = webConsoleRouter(path.resolve(__dirname, '..', 'web', 'dist'));
  if (!webConsole) log.warn('web consoles not built: run npm run build:web');
  const http = new HttpServer(
    {
      host: config.http.host,
      port: config.http.port,
      routers: [
        metricsRouter(metrics, auth, config.metricsScrapeToken),
        healthRouter([
          // Fails at once when shutdown begins, so load balancers stop sending work while calls drain.
          { name: 'shutdown', check: () => !stopping },
          { name: 'asterisk', check: () => ari.isConnected() },
          { name: 'database', check: () => db.ping() },
        ]),
        ...(webConsole ? [webConsole] : []),
        ...api.routers,
      ],
    },
    log.child({ component: 'http' }),
  );
  const realtime = new RealtimeServer(
    http.server,
    { auth, agentConsole, projector, dashboard: dashboardService, log: log.child({ component: 'realtime' }), background },
    { redisUrl: config.redis?.url ?? null, corsOrigins: config.corsOrigins },
  );
  // Logout, reuse, password/role/account changes disconnect the sockets they cover, on every instance.
  const stopEndingSessions = auth.onSessionsEnded((e) => realtime.endSessions(e));
  projector.attachDashboard(dashboard);
  // Work-order notices (催办/督办/escalations, retries, callbacks) and changes, pushed live.
  projector.attachWorkOrders(workOrders.events);

  onCallConfidential = (callId) => {
    const input = { kind: 'confidential', callId, at: Date.now() } as const;
    dashboard.apply(input);
    agentConsole.apply(input);
  };
  const agentName = (agentId: AgentId) => callPath.agents.get(agentId)?.name;
  const unsubscribe = bus.subscribeAll((message) => {
    for (const input of liveInputsOf(message, agentName)) {
      dashboard.apply(input);
      agentConsole.apply(input);
      metrics.observe(input);
    }
  });

  return {
    config,
    log,
    db,
    ari,
    bus,
    callPath,
    callStore,
    agents,
    sipCredentials,
    users,
    http,
    workOrders,
    dashboard,
    realtime,
    background,
    async start() {
      await db.start();
      await Promise.all([userRepo.init(), tokenRepo.init(), agents.init()]);
      if (config.bootstrapAdmin && (await users.ensureBootstrapAdmin(config.bootstrapAdmin.username, config.bootstrapAdmin.password))) {
        log.info('bootstrap administrator created', { username: config.bootstrapAdmin.username });
      }
      await callStore.start();
      await agentClaims?.start();
      for (const profile of await agents.listActive()) callPath.agents.register(profile);
      await queues.start();
      await workOrders.start();
      dashboard.start();
      ariEvents.start(ari);
      // ARI connects in the background: the app serves /readyz (503 naming asterisk) until it does.
      background.run('ari.start', () => ari.start());
      await realtime.start();
      const { port } = await http.start();
      const addr = http.server.address();
      return { port: typeof addr === 'object' && addr ? addr.port : port };
    },
    async stop(drainMs = CALL_DRAIN_MS) {
      stopping = true;
      // Let calls in progress finish (bounded); whatever is left is reconciled at the next start.
      let drainTimer: NodeJS.Timeout | null = null;
      await Promise.race([
        callPath.calls.whenIdle(),
        new Promise<void>((resolve) => {
          drainTimer = setTimeout(resolve, drainMs);
        }),
      ]);
      if (drainTimer) clearTimeout(drainTimer);
      unsubscribe();
      stopEndingSessions();
      dashboard.stop();
      await workOrders.stop();
      await ari.stop();
      await agentClaims?.stop();
      await realtime.stop();
      await http.stop().catch(() => undefined);
      await callStore.stop();
      await db.stop();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  const background = new BackgroundTasks(log.child({ component: 'background' }));
  let system: System | null = null;
  let stopping = false;
  const shutdown = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { reason });
    (system ? system.stop() : Promise.resolve())
      .then(() => process.exit(code))
      .catch((err: unknown) => {
        log.error('shutdown failed', { err: String(err) });
        process.exit(1);
      });
  };
  // A rejection nobody handled (every known one runs through the Background helper): logged and
  // counted, and the process goes on, since the calls in progress matter more than that one promise.
  process.on('unhandledRejection', (reason) => background.failed('process.unhandled-rejection', reason));
  // An exception nobody caught leaves unknown state behind (Node's own advice: do not resume). The
  // process stops as on SIGTERM: calls in progress may finish (up to 30 s), then it exits with 1 for
  // its supervisor to restart it; calls still up are reconciled at the next start.
  process.on('uncaughtException', (err, origin) => {
    background.failed('process.uncaught-exception', err, { origin });
    shutdown('uncaught exception', 1);
  });
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));

  system = buildSystem(config, log, background);
  const { port } = await system.start();
  log.info('hotline started', { http: `http://${config.http.host}:${port}`, ari: config.ari.url, app: config.ari.app });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
