/**
 * Wiring of the live layer: queues and monitoring settings, the live dashboard projection, the
 * agent console service and its socket projector, the call records read side (REST, screen pop)
 * and the Prometheus metrics. Inputs come from the call path's bus (`follow`) or, in the REST
 * test harness, from the test (`apply`).
 */
import type { DbConnection } from '../adapters/db/connection';
import { MongoCallCases } from '../adapters/db/repositories/call-case.repository';
import { MongoCallRecordReader } from '../adapters/db/repositories/call-record.repository';
import { MongoQueueRepository, MongoSettingsRepository } from '../adapters/db/repositories/queue-settings.repository';
import type { Authenticator } from '../adapters/http/auth.middleware';
import type { DocumentedRouter } from '../adapters/http/route-table';
import { consoleSettingsRouter, type ConsoleSettings } from '../adapters/http/web-console.router';
import { Metrics, type MetricsOptions } from '../adapters/metrics/metrics';
import { SocketProjector } from '../adapters/realtime/projector';
import type { AnyBusMessage } from '../app/events/event-bus';
import { AgentConsoleService } from '../app/live/agent-console.service';
import { liveInputsOf } from '../app/live/call-path-bridge';
import { ConfidentialGate } from '../app/live/confidential-gate';
import { DashboardService } from '../app/live/dashboard.service';
import { LiveDashboard } from '../app/live/live-dashboard';
import type { AgentControlPort, LiveInput } from '../app/live/live.ports';
import { metricsOptionsOf } from '../app/queues/queues.ports';
import { QueuesService } from '../app/queues/queues.service';
import type { WorkOrderLookup } from '../app/records/call-records.ports';
import { CallRecordsService, type ConfidentialCallerReads } from '../app/records/call-records.service';
import { BackgroundTasks, type Background } from '../shared/background';
import type { Clock } from '../shared/clock';
import type { AgentId } from '../shared/ids';
import type { Logger } from '../shared/logger';

export interface LiveModuleDeps {
  readonly db: DbConnection;
  readonly auth: Authenticator;
  readonly clock: Clock;
  readonly log: Logger;
  /** What the consoles' agent actions drive: the call path's agents (main.ts) or a stand-in (tests). */
  readonly control: AgentControlPort;
  /** A caller's recent work orders for the screen pop and call details. */
  readonly callerHistory: WorkOrderLookup;
  /** false: this instance serves sockets but runs no dashboard projection (others do). */
  readonly withDashboard?: boolean;
  readonly background?: Background;
  /** The agent console's settings route (break reasons, wrap-up and ring limits); none without. */
  readonly consoleSettings?: ConsoleSettings;
  /** What the metrics read besides the live projection (sockets, ARI, spool, background tasks). */
  readonly metrics?: MetricsOptions;
  /**
   * Callers known to be confidential (docs/adr/0021): a new call from one is masked from its first
   * live event and read as confidential by REST. Without it, calls follow their orders only.
   */
  readonly confidentialCallers?: { isConfidential(callerNumber: string): Promise<boolean> } & ConfidentialCallerReads;
}

export interface LiveModule {
  readonly queues: QueuesService;
  /** The live dashboard projection; null when `withDashboard` is false. */
  readonly dashboard: LiveDashboard | null;
  /** The dashboard the REST API reads (this instance's projection, or an empty one without it). */
  readonly apiDashboard: DashboardService;
  /** The dashboard the sockets serve snapshots of; null without a projection (asked of the others). */
  readonly socketDashboard: DashboardService | null;
  readonly calls: CallRecordsService;
  readonly callRecordReader: MongoCallRecordReader;
  readonly agentConsole: AgentConsoleService;
  readonly projector: SocketProjector;
  readonly metrics: Metrics;
  readonly routers: DocumentedRouter[];
  /** One call event or agent change into the projections and the metrics. */
  apply(input: LiveInput): void;
  /** A call in progress whose order became confidential: masked from now on. */
  markConfidential(callId: string): void;
  /** Feeds every bus message into `apply`; returns the unsubscribe. */
  follow(subscribeAll: (l: (m: AnyBusMessage) => void) => () => void, agentName: (agentId: AgentId) => string | undefined): () => void;
  /**
   * Loads queues and settings, starts the dashboard's alert and day ticks and reads today's
   * per-agent figures back from the day's call records. `{ ticks: false, restoreToday: false }`:
   * queues and settings only (the REST harness drives the projection itself).
   */
  start(opts?: { ticks?: boolean; restoreToday?: boolean }): Promise<void>;
  stop(): void;
}

export function buildLiveModule(d: LiveModuleDeps): LiveModule {
  const { clock, log, background } = d;
  const queues = new QueuesService(new MongoQueueRepository(d.db.connection), new MongoSettingsRepository(d.db.connection), clock);
  const dashboard =
    d.withDashboard === false
      ? null
      : new LiveDashboard({
          clock,
          queueWaitAlertSec: (q) => queues.cachedQueue(q)?.waitAlertSec,
          ...(background ? { onListenerError: (err: unknown) => background.failed('dashboard.listener', err), background } : {}),
        });
  if (dashboard) {
    queues.onSettings((s) => dashboard.updateSettings(s));
    queues.onQueue((q) => dashboard.registerQueue(q.queueId));
  }
  const callRecordReader = new MongoCallRecordReader(d.db.connection);
  // The call metrics read the monitoring settings' thresholds, as the dashboard does.
  const calls = new CallRecordsService(callRecordReader, d.callerHistory, () => metricsOptionsOf(queues.currentSettings()), d.confidentialCallers ?? null);
  const socketDashboard = dashboard ? new DashboardService(dashboard) : null;
  const viewDashboard = dashboard ?? new LiveDashboard({ clock });
  const projector = new SocketProjector();
  const agentConsole = new AgentConsoleService({
    publisher: projector,
    control: d.control,
    history: (actor, call) => calls.historyFor(actor, call),
    dashboard: viewDashboard,
    clock,
    log: log.child({ component: 'console' }),
    ...(background ? { background } : {}),
  });
  const metrics = new Metrics(dashboard, d.metrics ?? {});
  if (dashboard) projector.attachDashboard(dashboard);
  const apply = (input: LiveInput): void => {
    dashboard?.apply(input);
    agentConsole.apply(input);
    metrics.observe(input);
  };
  // The call path's inputs pass the gate: a known confidential caller is masked from the first event.
  const known = d.confidentialCallers;
  const callCases = new MongoCallCases(d.db.connection);
  const gate = known
    ? new ConfidentialGate({
        isConfidential: (n) => known.isConfidential(n),
        markCall: (callId) => callCases.mark(callId, { confidential: true, unitIds: [], handlingUnitIds: [] }),
        deliver: apply,
        background: background ?? new BackgroundTasks(log.child({ component: 'background' })),
      })
    : null;
  const enter = (input: LiveInput): void => (gate ? gate.accept(input) : apply(input));
  return {
    queues,
    dashboard,
    apiDashboard: socketDashboard ?? new DashboardService(viewDashboard),
    socketDashboard,
    calls,
    callRecordReader,
    agentConsole,
    projector,
    metrics,
    routers: d.consoleSettings ? [consoleSettingsRouter(d.auth, d.consoleSettings)] : [],
    apply,
    markConfidential(callId) {
      // Through the gate too: a call still waiting for its caller's lookup gets it after its first event.
      enter({ kind: 'confidential', callId, at: clock() });
    },
    follow(subscribeAll, agentName) {
      return subscribeAll((message) => {
        for (const input of liveInputsOf(message, agentName)) enter(input);
      });
    },
    async start(opts = {}) {
      await queues.start();
      if (opts.ticks !== false) dashboard?.start();
      if (opts.restoreToday === false || !dashboard) return;
      // Today's figures per agent, from the day's records (the projection starts empty).
      try {
        const now = clock();
        dashboard.restoreToday(await callRecordReader.listForMetrics({ kind: 'all' }, now - 24 * 3600_000, now, {}));
      } catch (err) {
        log.warn("today's agent figures not restored", { err: String(err) });
      }
    },
    stop() {
      dashboard?.stop();
    },
  };
}
