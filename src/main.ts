/**
 * The composition root: reads the configuration, builds every adapter, wires the use cases and
 * starts them; stops them in reverse order. Nothing else in the code base knows more than one
 * adapter. `buildSystem` is exported so integration tests run the same wiring as production.
 */
import path from 'node:path';
import { loadConfig, ConfigError, type Config } from './config/config';
import type { Logger } from './shared/logger';
import { BackgroundTasks } from './shared/background';
import { asAgentId, asQueueId, type AgentId } from './shared/ids';
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
import { MongoAgentStates } from './adapters/db/repositories/agent-state.repository';
import { AriConnection } from './adapters/ari/ari-connection';
import { AriSurveyDialer } from './adapters/ari/ari-survey-dialer';
import { AriStoredRecordings } from './adapters/ari/ari-recordings';
import { AriTelephony } from './adapters/ari/ari-telephony';
import { AriCallEvents } from './adapters/ari/ari-inputs';
import { AriSipAuth } from './adapters/ari/ari-sip-auth';
import { AriAgentPhones } from './adapters/ari/ari-agent-phones';
import { AriEndpointStates } from './adapters/ari/ari-endpoints';
import { BcryptPasswordHasher } from './adapters/auth/bcrypt-password-hasher';
import { JwtTokenSigner } from './adapters/auth/jwt-token-signer';
import { nodeSecretSource, nodeSipSecrets } from './adapters/auth/node-secret-source';
import { HttpServer } from './adapters/http/http-server';
import { healthRouter } from './adapters/http/health.router';
import { buildApi } from './adapters/http/api';
import { callControlsRouter } from './adapters/http/routers/call-controls.router';
import { CallControlService } from './app/calls/call-controls.service';
import { directoryRouter } from './adapters/http/routers/directory.router';
import { consoleSettingsRouter, webConsoleRouter } from './adapters/http/web-console.router';
import { Metrics, metricsRouter } from './adapters/metrics/metrics';
import { SocketProjector } from './adapters/realtime/projector';
import { RealtimeServer } from './adapters/realtime/socket-server';
import { EventBus } from './app/events/event-bus';
import { createCallPath, type CallPath } from './app/calls/call-path';
import { SurveyHandoverWatch } from './app/calls/survey-handovers';
import { AgentSipCredentials } from './app/agents/sip-credentials.service';
import { AgentDirectory } from './app/agents/agent-directory.service';
import { AuthService } from './app/auth/auth.service';
import { UserService } from './app/auth/user.service';
import { QueuesService } from './app/queues/queues.service';
import { metricsOptionsOf } from './app/queues/queues.ports';
import { CallRecordsService } from './app/records/call-records.service';
import { LiveDashboard } from './app/live/live-dashboard';
import { DashboardService } from './app/live/dashboard.service';
import { AgentConsoleService } from './app/live/agent-console.service';
import { AgentControl, liveInputsOf } from './app/live/call-path-bridge';
import { makeCallPathSettings } from './domain/call/call.settings';
import { ratingScalePreset } from './domain/rating/rating';
import { buildWorkOrderModule, type WorkOrderModule } from './composition/work-orders.module';
import { SmppGateway } from './adapters/sms/smpp-gateway';

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
  /** The agent directory over REST; Asterisk's PJSIP agents follow it live (ADR 0016). */
  readonly directory: AgentDirectory;
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
   * Stops in reverse order, each step logged and bounded: new calls are refused (handed back to the
   * dialplan), calls in progress get up to `drainMs` (SHUTDOWN_DRAIN_MS) to end, those still up are
   * ended and their records closed, then work orders, ARI, sockets, HTTP, the call store (last
   * records, spool) and the database, each within SHUTDOWN_STEP_MS.
   */
  stop(drainMs?: number): Promise<void>;
}

export function buildSystem(config: Config, log: Logger, background = new BackgroundTasks(log.child({ component: 'background' }))): System {
  const clock = Date.now;
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
  const agentStates = new MongoAgentStates(db.connection);
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
    ringTimeoutMs: config.callPath.ringTimeoutMs,
    wrapUpMs: config.callPath.wrapUpMs,
    maxQueueWaitMs: config.callPath.maxQueueWaitMs,
    recordCalls: config.callPath.recordCalls,
    ringingTone: config.callPath.ringingTone,
    strategy: config.callPath.strategy,
    rating: { timeoutMs: config.callPath.ratingTimeoutMs, scale: ratingScalePreset(config.callPath.ratingScale) },
    missedRing: { maxConsecutiveMisses: config.callPath.notReadyAfterMisses },
    refusedRetryMs: config.callPath.refusedRetryMs,
    maxRefusedRings: config.callPath.maxRefusedRings,
    emergency: config.callPath.emergency,
    rateAfterThreeWay: config.callPath.rateAfterThreeWay,
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
  const ariEvents = new AriCallEvents(callPath.calls, callPath.recovery, log.child({ component: 'ari-events' }), background, {
    trunkRtpTimeoutMs: config.callPath.trunkRtpTimeoutMs,
  });
  // Agents whose phone Asterisk cannot reach (not registered, not answering OPTIONS) are offered no call.
  const endpointStates = new AriEndpointStates(config.ari.app, callPath.reachability, log.child({ component: 'ari-endpoints' }), config.ari.requestTimeoutMs);
  // Asterisk keeps agents' credentials in memory only: the directory puts them back on every connection.
  const sipCredentials = new AgentSipCredentials({
    store: agents,
    asterisk: new AriSipAuth(ari, config.ari.requestTimeoutMs),
    secrets: nodeSipSecrets,
    log: log.child({ component: 'sip-credentials' }),
  });
  // The directory is the source of truth for agents' phones: Asterisk gets every enabled agent's
  // endpoint, AOR and auth (and loses disabled ones') on every connection (endpointStates.start
  // below) and at each change.
  const directory = new AgentDirectory({
    store: agents,
    asterisk: new AriAgentPhones(ari, config.agentPhones, config.ari.requestTimeoutMs),
    roster: callPath.agents,
    secrets: nodeSipSecrets,
    clock: Date.now,
    log: log.child({ component: 'agent-directory' }),
  });

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
  // The survey's calls live in their own Stasis application (own websocket): the inbound call path never sees them.
  const surveyApp = `${config.ari.app}-survey`;
  const surveyAri = new AriConnection(
    { url: config.ari.url, username: config.ari.username, password: config.ari.password, app: surveyApp, maxSockets: 8, requestTimeoutMs: config.ari.requestTimeoutMs, background },
    log.child({ component: 'ari-survey' }),
  );
  // A citizen who presses 0 is moved into the inbound application: the same queue and ACD as any caller.
  const surveyDialer = new AriSurveyDialer(
    surveyAri,
    { app: surveyApp, handoverApp: config.ari.app, callerId: config.survey.callerId, ringSeconds: config.survey.ringSeconds, requestTimeoutMs: config.ari.requestTimeoutMs },
    log.child({ component: 'survey' }),
  );
  const surveyHandovers = new SurveyHandoverWatch(bus, {
    setTimeout: (fn, ms) => setTimeout(background.handler('survey.handover-timer', fn), ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  });
  const workOrders = buildWorkOrderModule({
    db,
    auth,
    log: log.child({ component: 'work-orders' }),
    clock: Date.now,
    onCallConfidential: (callId) => onCallConfidential(callId),
    jobs: { sweepCron: config.tasks.sweepCron, foldCron: config.tasks.foldCron, reportCron: config.tasks.reportCron },
    background,
    attachments: config.attachments,
    survey: { dialer: surveyDialer, handovers: surveyHandovers, concurrency: config.survey.maxCalls },
    // Recordings of calls (RECORD_CALLS) stay in Asterisk until an order takes one as evidence.
    callRecordings: new AriStoredRecordings({ url: config.ari.url, username: config.ari.username, password: config.ari.password, requestTimeoutMs: config.ari.requestTimeoutMs }),
    ...(config.sms && {
      sms: {
        gateway: new SmppGateway(
          {
            host: config.sms.host, port: config.sms.port, tls: config.sms.tls, systemId: config.sms.systemId, password: config.sms.password,
            sourceAddr: config.sms.sourceAddr, timeoutMs: config.sms.timeoutMs, enquireLinkMs: 30_000,
          },
          log.child({ component: 'smpp' }),
        ),
        hotlineName: config.sms.hotlineName,
        hours: config.sms.hours,
        retry: { maxAttempts: config.sms.maxAttempts, baseDelayMs: config.sms.retryBaseMs, maxDelayMs: config.sms.retryMaxMs },
        maxPerMinute: config.sms.maxPerMinute,
        // A try may take the connection, the bind and the answer (each up to SMS_TIMEOUT_MS): the lease outlasts them.
        leaseMs: 4 * config.sms.timeoutMs,
      },
    }),
  });
  // A call handed to an emergency line: its open orders follow (转110/119/120/122).
  bus.subscribe('call', ({ event: e }) => {
    if (e.type !== 'EmergencyTransferAnswered') return;
    background.run('calls.emergency-orders', () => workOrders.orders.markEmergencyTransferred(e.callId, e.line), { callId: e.callId });
  });
  const callRecordReader = new MongoCallRecordReader(db.connection);
  const calls = new CallRecordsService(callRecordReader, workOrders.callerHistory, () =>
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
      callControlsRouter(auth, new CallControlService(callPath.registry, log.child({ component: 'call-controls' }), (agentId) => callPath.agents.get(asAgentId(agentId)) ?? null)),
      directoryRouter(auth, directory),
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
    directory,
    users,
    http,
    workOrders,
    dashboard,
    realtime,
    background,
    async start() {
      await db.start();
      await Promise.all([userRepo.init(), tokenRepo.init(), agents.init(), agentStates.init()]);
      if (config.bootstrapAdmin && (await users.ensureBootstrapAdmin(config.bootstrapAdmin.username, config.bootstrapAdmin.password))) {
        log.info('bootstrap administrator created', { username: config.bootstrapAdmin.username });
      }
      await callStore.start();
      await agentClaims?.start();
      for (const profile of await agents.listActive()) callPath.agents.register(profile);
      // Agents come back as they were before a restart; their phones' reachability follows from ARI.
      await callPath.agents.persistIn(agentStates);
      await queues.start();
      await workOrders.start();
      dashboard.start();
      // Today's figures per agent, from the day's records (the projection starts empty).
      try {
        const now = Date.now();
        dashboard.restoreToday(await callRecordReader.listForMetrics({ kind: 'all' }, now - 24 * 3600_000, now, {}));
      } catch (err) {
        log.warn("today's agent figures not restored", { err: String(err) });
      }
      ariEvents.start(ari);
      // On every connection the directory's phones go into Asterisk first, then their states are read.
      endpointStates.start(ari, () => directory.applyAll());
      // ARI connects in the background: the app serves /readyz (503 naming asterisk) until it does.
      background.run('ari.start', () => ari.start());
      background.run('ari-survey.start', () => surveyAri.start());
      await realtime.start();
      const { port } = await http.start();
      const addr = http.server.address();
      return { port: typeof addr === 'object' && addr ? addr.port : port };
    },
    async stop(drainMs = config.shutdown.drainMs) {
      stopping = true; // /readyz answers 503 from now on
      const stepMs = config.shutdown.stepMs;
      const step = (name: string, ms: number, fn: () => unknown) => stopStep(log, name, ms, fn);
      log.info('stopping', { drainMs, stepMs });
      // New calls go back to the dialplan (maintenance message, 503: the carrier routes them elsewhere).
      callPath.calls.refuseNewCalls();
      await step('drain calls', drainMs, () => callPath.calls.whenIdle());
      if (config.shutdown.liveCalls === 'hand-over') {
        // Left up in Asterisk, records current: the next instance takes them over (a deploy).
        await step('hand over calls still up', stepMs, () => callPath.calls.handOverAll());
      } else {
        // Whatever is still up is ended properly: no caller left in a silent call, every record closed.
        await step('end calls still up', stepMs, () => callPath.calls.endAll());
      }
      unsubscribe();
      stopEndingSessions();
      dashboard.stop();
      await step('work orders', stepMs, () => workOrders.stop());
      await step('survey asterisk connection', stepMs, () => surveyAri.stop());
      await step('asterisk connection', stepMs, () => ari.stop());
      await step('agent claims', stepMs, () => agentClaims?.stop());
      await step('sockets', stepMs, () => realtime.stop());
      await step('http', stepMs, () => http.stop());
      await step('agent states', stepMs, () => callPath.agents.flushStates());
      // The last events and records reach the database, or the spool when it is down.
      await step('call store', stepMs, () => callStore.stop());
      await step('database', stepMs, () => db.stop());
      log.info('stopped');
    },
  };
}

/** Longest a whole stop can take: the drain, then each later step (10) at its own bound. */
export function shutdownBoundMs(config: Config): number {
  return config.shutdown.drainMs + 10 * config.shutdown.stepMs;
}

/**
 * One step of a stop, logged at its start and end with how it ended; one that does not finish
 * within `ms` is left behind so the next step (and the exit) still comes.
 */
async function stopStep(log: Logger, name: string, ms: number, fn: () => unknown): Promise<void> {
  const started = Date.now();
  log.info('stop step', { step: name });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    Promise.resolve()
      .then(fn)
      .then(
        () => 'done' as const,
        (err: unknown) => {
          log.warn('stop step failed', { step: name, err: String(err) });
          return 'failed' as const;
        },
      ),
    new Promise<'timed-out'>((resolve) => {
      timer = setTimeout(() => resolve('timed-out'), ms);
    }),
  ]);
  clearTimeout(timer);
  (outcome === 'done' ? log.info : log.warn).call(log, 'stop step ended', { step: name, outcome, ms: Date.now() - started });
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
    // A bound on the whole stop, whatever hangs inside it.
    setTimeout(() => {
      log.error('shutdown did not finish in time, exiting', { boundMs: shutdownBoundMs(config) });
      process.exit(1);
    }, shutdownBoundMs(config) + 1000).unref();
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
