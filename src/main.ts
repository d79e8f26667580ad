/**
 * The composition root: reads the configuration, builds each area's module (src/composition) in
 * dependency order, starts them, and stops them in reverse order. The wiring inside an area lives
 * in its module, which the test harnesses build too. `buildSystem` is exported so integration
 * tests run the same wiring as production.
 */
import path from 'node:path';
import { loadConfig, ConfigError, type Config } from './config/config';
import type { Logger } from './shared/logger';
import { BackgroundTasks } from './shared/background';
import { asAgentId, type AgentId } from './shared/ids';
import { createLogger } from './adapters/logging/logger';
import { DbConnection } from './adapters/db/connection';
import type { CallStore } from './adapters/db/call-store';
import type { MongoAgentDirectory } from './adapters/db/repositories/agent.repository';
import { AriConnection } from './adapters/ari/ari-connection';
import { AriCallbackDialer } from './adapters/ari/ari-callback-dialer';
import { AriRecordingStore } from './adapters/ari/ari-recordings';
import { RedisDirectoryFeed } from './adapters/redis/redis-directory-feed';
import { RedisConfidentialFeed } from './adapters/redis/redis-confidential-feed';
import type { HttpServer } from './adapters/http/http-server';
import type { RealtimeServer } from './adapters/realtime/socket-server';
import { EventBus } from './app/events/event-bus';
import type { AgentSipCredentials } from './app/agents/sip-credentials.service';
import type { AgentDirectory } from './app/agents/agent-directory.service';
import type { UserService } from './app/auth/user.service';
import type { LiveDashboard } from './app/live/live-dashboard';
import { AgentControl } from './app/live/call-path-bridge';
import { buildAuthModule } from './composition/auth.module';
import { buildCallPathModule, type CallPath } from './composition/call-path.module';
import { buildDirectoryModule } from './composition/directory.module';
import { buildInCallControlsModule } from './composition/in-call-controls.module';
import { buildLiveModule } from './composition/live.module';
import { buildApiModule } from './composition/api.module';
import { buildSurveyModule } from './composition/survey.module';
import { callRecordingsOf, smsOf } from './composition/sms-evidence.module';
import { buildWorkOrderModule, type WorkOrderModule } from './composition/work-orders.module';
import { buildCallbacksModule, type CallbacksModule } from './composition/callbacks.module';
import { buildPersonalDataModule, type PersonalDataModule } from './composition/personal-data.module';

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
  /** Callback requests (回拨) placed by agents, calls' recordings and their retention. */
  readonly callbacks: CallbacksModule;
  /** Citizens' numbers and names taken out of call data after PERSONAL_DATA_RETENTION_DAYS (ADR 0025). */
  readonly personalData: PersonalDataModule;
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
  const bus = new EventBus(clock, log.child({ component: 'bus' }));

  const calls = buildCallPathModule({ config, db, bus, clock, log, background });
  const { callPath, ari } = calls;
  const people = buildAuthModule({ db, jwtSecret: config.auth.jwtSecret, clock, log: log.child({ component: 'auth' }) });
  // Several instances: a directory change made on one reaches the others' call paths at once.
  const directoryFeed = config.redis ? new RedisDirectoryFeed(config.redis.url, log.child({ component: 'directory-feed' })) : null;
  // And a caller marked confidential (or withdrawn) on one is known to the others' call paths at once.
  const confidentialFeed = config.redis ? new RedisConfidentialFeed(config.redis.url, log.child({ component: 'confidential-feed' })) : null;
  const directory = buildDirectoryModule({ config, ari, agents: calls.agents, callPath, auth: people.auth, clock, log, ...(directoryFeed ? { feed: directoryFeed } : {}) });
  const controls = buildInCallControlsModule({ callPath, auth: people.auth, log });
  const survey = buildSurveyModule({ config, bus, log, background });
  // Set below once the live layer exists: a call in progress whose order became confidential is masked there.
  let onCallConfidential: (callId: string) => void = () => undefined;
  const workOrders = buildWorkOrderModule({
    db,
    auth: people.auth,
    units: people.userRepo,
    log: log.child({ component: 'work-orders' }),
    clock,
    onCallConfidential: (callId) => onCallConfidential(callId),
    jobs: { sweepCron: config.tasks.sweepCron, foldCron: config.tasks.foldCron, reportCron: config.tasks.reportCron },
    background,
    attachments: config.attachments,
    survey: { dialer: survey.dialer, handovers: survey.handovers, concurrency: config.survey.maxCalls },
    callRecordings: callRecordingsOf(config.ari),
    ...(config.sms && { sms: smsOf(config.sms, log) }),
    ...(confidentialFeed ? { confidentialFeed } : {}),
  });
  // Agents' callbacks (回拨) are outbound calls in their own Stasis application, as the survey's are.
  const ariAccess = { url: config.ari.url, username: config.ari.username, password: config.ari.password, requestTimeoutMs: config.ari.requestTimeoutMs };
  const callbackAri = new AriConnection({ ...ariAccess, app: `${config.ari.app}-callback`, maxSockets: 8, background }, log.child({ component: 'ari-callback' }));
  const callbacks = buildCallbacksModule({
    conn: db.connection,
    auth: people.auth,
    recordings: new AriRecordingStore(ariAccess),
    dialer: new AriCallbackDialer(
      callbackAri,
      { app: `${config.ari.app}-callback`, callerId: config.survey.callerId, ringSeconds: config.callbacks.ringSeconds, requestTimeoutMs: config.ari.requestTimeoutMs },
      log.child({ component: 'callbacks' }),
    ),
    agents: {
      phoneOf: (agentId) => {
        const a = callPath.agents.get(asAgentId(agentId));
        return a ? { endpoint: a.endpoint, idle: a.status.type === 'not-ready' } : null;
      },
    },
    confidentialCallers: workOrders.confidentialCallers,
    recordCalls: config.callPath.recordCalls,
    retentionDays: config.recordings.retentionDays,
    retentionCron: config.recordings.retentionCron,
    scheduler: workOrders.scheduler,
    background,
    clock,
    log: log.child({ component: 'callbacks' }),
  });
  const personalData = buildPersonalDataModule({
    conn: db.connection,
    retentionDays: config.personalData.retentionDays,
    retentionCron: config.personalData.retentionCron,
    scheduler: workOrders.scheduler,
    clock,
    log: log.child({ component: 'personal-data' }),
  });
  // A call handed to an emergency line: its open orders follow (转110/119/120/122).
  bus.subscribe('call', ({ event: e }) => {
    if (e.type !== 'EmergencyTransferAnswered') return;
    background.run('calls.emergency-orders', () => workOrders.orders.markEmergencyTransferred(e.callId, e.line), { callId: e.callId });
  });
  let stopping = false;
  const live = buildLiveModule({
    db,
    auth: people.auth,
    clock,
    log,
    control: new AgentControl(callPath.agents),
    callerHistory: workOrders.callerHistory,
    confidentialCallers: workOrders.confidentialCallers,
    background,
    consoleSettings: { breakReasons: config.breakReasons, wrapUpMs: config.callPath.wrapUpMs, ringTimeoutMs: config.callPath.ringTimeoutMs },
    // Read on scrape, long after start-up (the socket server exists by then).
    metrics: {
      socketConnections: (): number => web.realtime.io.engine.clientsCount,
      background,
      ariConnected: () => ari.isConnected(),
      spoolBacklogBytes: () => calls.callStore.spoolBacklogBytes(),
    },
  });
  const dashboard = live.dashboard as LiveDashboard;
  const web = buildApiModule({
    auth: people,
    live,
    clock,
    log,
    host: config.http.host,
    port: config.http.port,
    routers: [...workOrders.routers, controls.router, directory.router, callbacks.router],
    readiness: [
      // Fails at once when shutdown begins, so load balancers stop sending work while calls drain.
      { name: 'shutdown', check: () => !stopping },
      { name: 'asterisk', check: () => ari.isConnected() },
      { name: 'database', check: () => db.ping() },
    ],
    metricsScrapeToken: config.metricsScrapeToken,
    // The built consoles (web/dist, next to src/ and dist/).
    webConsoleDir: path.resolve(__dirname, '..', 'web', 'dist'),
    loginRateLimit: config.auth.loginRateLimit,
    realtime: { redisUrl: config.redis?.url ?? null, corsOrigins: config.corsOrigins },
    background,
  });
  controls.joinInstances(web.realtime);
  // Work-order notices (催办/督办/escalations, retries, callbacks) and changes, pushed live.
  live.projector.attachWorkOrders(workOrders.events);
  onCallConfidential = (callId) => live.markConfidential(callId);
  const agentName = (agentId: AgentId) => callPath.agents.get(agentId)?.name;
  const unsubscribe = live.follow((l) => bus.subscribeAll(l), agentName);

  return {
    config,
    log,
    db,
    ari,
    bus,
    callPath,
    callStore: calls.callStore,
    agents: calls.agents,
    sipCredentials: directory.sipCredentials,
    directory: directory.directory,
    users: people.users,
    http: web.http,
    workOrders,
    callbacks,
    personalData,
    dashboard,
    realtime: web.realtime,
    background,
    async start() {
      await db.start();
      await people.init();
      if (config.bootstrapAdmin && (await people.users.ensureBootstrapAdmin(config.bootstrapAdmin.username, config.bootstrapAdmin.password))) {
        log.info('bootstrap administrator created', { username: config.bootstrapAdmin.username });
      }
      await calls.start();
      if (directoryFeed) {
        await directoryFeed.start();
        directoryFeed.subscribe(
          (agentId) => background.run('directory.follow', () => directory.directory.follow(agentId), { agentId }),
          () => background.run('directory.resync', () => directory.directory.followAll()),
        );
      }
      await live.start();
      await callbacks.start();
      await confidentialFeed?.start();
      await workOrders.start();
      // On every connection the directory's phones go into Asterisk first, then their states are read.
      calls.connect(() => directory.directory.applyAll());
      survey.connect();
      // Callbacks an instance left in progress (a crash) are settled once Asterisk can say their legs are gone.
      callbackAri.on('connected', () => background.run('callbacks.settle', () => callbacks.callbacks.settleStale()));
      background.run('ari-callback.start', () => callbackAri.start());
      return web.start();
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
      web.detach();
      live.stop();
      await step('work orders', stepMs, () => workOrders.stop());
      await step('survey asterisk connection', stepMs, () => survey.stop());
      await step('callback calls', stepMs, () => callbacks.stop());
      await step('callback asterisk connection', stepMs, () => callbackAri.stop());
      await step('asterisk connection', stepMs, () => ari.stop());
      await step('agent claims', stepMs, () => calls.stopAgentClaims());
      await step('sockets', stepMs, () => web.realtime.stop());
      await step('directory feed', stepMs, () => Promise.all([directoryFeed?.stop(), confidentialFeed?.stop()]));
      await step('http', stepMs, () => web.http.stop());
      await step('agent states', stepMs, () => callPath.agents.flushStates());
      // The last events and records reach the database, or the spool when it is down.
      await step('call store', stepMs, () => calls.callStore.stop());
      await step('database', stepMs, () => db.stop());
      log.info('stopped');
    },
  };
}

/** Longest a whole stop can take: the drain, then each later step (13) at its own bound. */
export function shutdownBoundMs(config: Config): number {
  return config.shutdown.drainMs + 13 * config.shutdown.stepMs;
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
