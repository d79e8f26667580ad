/**
 * Wiring of the call path: ARI ⇄ the pure call machine. `createCallPath` builds its use cases from
 * their ports (the unit tests give it fakes); `buildCallPathModule` gives it the real adapters
 * (Asterisk over ARI, the call store with its spool, agent claims in the database when several
 * instances share the agents) and the ARI event and endpoint-state readers.
 */
import path from 'node:path';
import type { Config } from '../config/config';
import { AriConnection } from '../adapters/ari/ari-connection';
import { AriTelephony } from '../adapters/ari/ari-telephony';
import { AriCallEvents } from '../adapters/ari/ari-inputs';
import { AriEndpointStates } from '../adapters/ari/ari-endpoints';
import type { DbConnection } from '../adapters/db/connection';
import { CallStore } from '../adapters/db/call-store';
import { Spool } from '../adapters/db/spool';
import { MongoCallPersistence } from '../adapters/db/call-persistence';
import { MongoAgentDirectory } from '../adapters/db/repositories/agent.repository';
import { MongoAgentClaims } from '../adapters/db/repositories/agent-claim.repository';
import { MongoAgentStates } from '../adapters/db/repositories/agent-state.repository';
import { makeCallPathSettings } from '../domain/call/call.settings';
import { ratingScalePreset } from '../domain/rating/rating';
import { asQueueId } from '../shared/ids';
import type { CallPathSettings } from '../domain/call/call.settings';
import { BackgroundTasks, type Background } from '../shared/background';
import type { EventBus } from '../app/events/event-bus';
import { AcdService } from '../app/calls/acd.service';
import { AgentService } from '../app/calls/agent.service';
import { CallRecovery } from '../app/calls/call-recovery';
import { CallRegistry } from '../app/calls/call-registry';
import { CallService } from '../app/calls/call.service';
import { EndpointReachability } from '../app/calls/endpoint-reachability';
import type { CallSession } from '../app/calls/call-session';
import type { CallId } from '../shared/ids';
import { clockTimers, type ClockTimer } from '../shared/clock';
import type {
  AgentClaimPort,
  CallbackRequestRepository,
  CallEventStore,
  CallRecordRepository,
  Clock,
  Logger,
  Scheduler,
  TelephonyPort,
} from '../app/calls/calls.ports';

export interface CallPathPorts {
  readonly settings: CallPathSettings;
  readonly telephony: TelephonyPort;
  readonly events: CallEventStore;
  readonly records: CallRecordRepository;
  readonly callbacks: CallbackRequestRepository;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Agent claims shared with other call-path instances; default none (this is the only one). */
  readonly agentClaims?: AgentClaimPort;
  /** How long an agent another instance holds is skipped before it is claimed again. */
  readonly claimRetryMs?: number;
  /** Where the sessions' fire-and-forget work runs; default one of their own on `logger`. */
  readonly background?: Background;
}

export interface CallPath {
  readonly registry: CallRegistry;
  readonly agents: AgentService;
  readonly acd: AcdService;
  readonly calls: CallService;
  readonly recovery: CallRecovery;
  /** Agents' phones reachable or not, from Asterisk's endpoint states. */
  readonly reachability: EndpointReachability;
}

export function createCallPath(p: CallPathPorts): CallPath {
  const background = p.background ?? new BackgroundTasks(p.logger);
  const registry = new CallRegistry((err, event) => p.logger.error('call registry listener failed', { event: String(event), err }));
  const agents = new AgentService(
    { wrapUpMs: p.settings.wrapUpMs, missedRing: p.settings.missedRing },
    p.scheduler,
    p.clock,
    p.bus,
    p.logger.child({ component: 'agents' }),
  );
  const acd = new AcdService(
    { strategy: p.settings.strategy, overflowWhenNoAgents: p.settings.overflowWhenNoAgents, refusedRetryMs: p.settings.refusedRetryMs },
    agents,
    (callId, input) => {
      const s = registry.get(callId);
      if (!s || !s.accepts()) return false;
      s.deliver(input);
      return true;
    },
    p.clock,
    p.bus,
    p.logger.child({ component: 'acd' }),
    {
      scheduler: p.scheduler,
      ...(p.agentClaims ? { claims: p.agentClaims } : {}),
      ...(p.claimRetryMs !== undefined ? { claimRetryMs: p.claimRetryMs } : {}),
    },
  );
  const calls = new CallService(
    {
      settings: p.settings,
      telephony: p.telephony,
      events: p.events,
      records: p.records,
      callbacks: p.callbacks,
      acd,
      scheduler: p.scheduler,
      clock: p.clock,
      bus: p.bus,
      logger: p.logger,
      background,
    },
    registry,
  );
  recordWrapUps(registry, agents, p.logger);
  const recovery = new CallRecovery({
    telephony: p.telephony,
    calls,
    background,
    registry,
    events: p.events,
    records: p.records,
    clock: p.clock,
    settings: p.settings,
    logger: p.logger.child({ component: 'call-recovery' }),
  });
  const reachability = new EndpointReachability(agents, p.logger.child({ component: 'agents' }));
  return { registry, agents, acd, calls, recovery, reachability };
}

/** Most ended calls kept waiting for their agent's wrap-up to end (one per agent is the norm). */
const MAX_AWAITING_WRAP_UP = 10_000;

/**
 * Records each agent's wrap-up on its call. The wrap-up usually outlasts the caller (rating, thanks),
 * so a call whose agent answered is kept after it ended until that agent's wrap-up is over.
 */
function recordWrapUps(registry: CallRegistry, agents: AgentService, logger: Logger): void {
  const awaiting = new Map<CallId, CallSession>();
  registry.on('removed', (s) => {
    if (s.answeredBy() === null) return;
    awaiting.set(s.callId, s);
    if (awaiting.size > MAX_AWAITING_WRAP_UP) {
      const oldest = awaiting.keys().next().value;
      if (oldest !== undefined) awaiting.delete(oldest);
    }
  });
  agents.on('wrapUpEnded', ({ callId, wrapUp }) => {
    const s = registry.get(callId) ?? awaiting.get(callId);
    awaiting.delete(callId);
    if (!s) {
      logger.warn('wrap-up of a call no longer known, not recorded', { callId, agentId: wrapUp.agentId });
      return;
    }
    s.recordWrapUp(wrapUp).catch((err: unknown) => logger.error('wrap-up not recorded', { callId, err: String(err) }));
  });
}

/** The call path's settings from the configuration (what a deployment does not set keeps the domain's default). */
export function callPathSettingsOf(c: Config['callPath']): CallPathSettings {
  return makeCallPathSettings({
    ringTimeoutMs: c.ringTimeoutMs,
    wrapUpMs: c.wrapUpMs,
    maxQueueWaitMs: c.maxQueueWaitMs,
    recordCalls: c.recordCalls,
    ringingTone: c.ringingTone,
    strategy: c.strategy,
    rating: { timeoutMs: c.ratingTimeoutMs, scale: ratingScalePreset(c.ratingScale) },
    missedRing: { maxConsecutiveMisses: c.notReadyAfterMisses },
    refusedRetryMs: c.refusedRetryMs,
    maxRefusedRings: c.maxRefusedRings,
    emergency: c.emergency,
    rateAfterThreeWay: c.rateAfterThreeWay,
    ...(c.menuOptions && {
      menu: {
        enabled: true,
        options: Object.fromEntries(Object.entries(c.menuOptions).map(([digit, queue]) => [digit, asQueueId(queue)])),
      },
    }),
  });
}

export interface CallPathModuleDeps {
  readonly config: Config;
  readonly db: DbConnection;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly log: Logger;
  readonly background: BackgroundTasks;
}

export interface CallPathModule {
  readonly ari: AriConnection;
  readonly callPath: CallPath;
  readonly callStore: CallStore;
  /** The agents as stored (the directory's store too). */
  readonly agents: MongoAgentDirectory;
  readonly settings: CallPathSettings;
  /** Creates indexes, starts the call store and claims, registers the agents and restores their states. */
  start(): Promise<void>;
  /**
   * Reads Asterisk: call events, and on every connection `beforeEndpointStates` (the directory puts
   * the phones in) and then the phones' states; connects in the background.
   */
  connect(beforeEndpointStates: () => Promise<unknown>): void;
  /** Lets go of this instance's agent claims (a stop, after the calls and ARI). */
  stopAgentClaims(): Promise<void>;
}

export function buildCallPathModule(d: CallPathModuleDeps): CallPathModule {
  const { config, db, log, background } = d;
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
  const settings = callPathSettingsOf(config.callPath);
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
    // On the app's clock: a timer never fires before its delay by the clock the services compare with.
    scheduler: (() => {
      const timers = clockTimers(d.clock);
      return {
        setTimeout: (fn: () => void, ms: number) => timers.setTimeout(background.handler('call.timer', fn), ms),
        clearTimeout: (h: object) => timers.clearTimeout(h as ClockTimer),
      };
    })(),
    background,
    clock: d.clock,
    bus: d.bus,
    logger: log.child({ component: 'calls' }),
    ...(agentClaims ? { agentClaims } : {}),
  });
  const ariEvents = new AriCallEvents(callPath.calls, callPath.recovery, log.child({ component: 'ari-events' }), background, {
    trunkRtpTimeoutMs: config.callPath.trunkRtpTimeoutMs,
  });
  // Agents whose phone Asterisk cannot reach (not registered, not answering OPTIONS) are offered no call.
  const endpointStates = new AriEndpointStates(config.ari.app, callPath.reachability, log.child({ component: 'ari-endpoints' }), config.ari.requestTimeoutMs);
  return {
    ari,
    callPath,
    callStore,
    agents,
    settings,
    async start() {
      await Promise.all([agents.init(), agentStates.init()]);
      await callStore.start();
      await agentClaims?.start();
      for (const profile of await agents.listActive()) callPath.agents.register(profile);
      // Agents come back as they were before a restart; their phones' reachability follows from ARI.
      await callPath.agents.persistIn(agentStates);
    },
    connect(beforeEndpointStates) {
      ariEvents.start(ari);
      endpointStates.start(ari, beforeEndpointStates);
      // ARI connects in the background: the app serves /readyz (503 naming asterisk) until it does.
      background.run('ari.start', () => ari.start());
    },
    async stopAgentClaims() {
      await agentClaims?.stop();
    },
  };
}
