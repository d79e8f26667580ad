/**
 * Wiring of the work-order area: mongoose repositories, use cases, the supervision sweep and
 * report jobs (node-cron with a database lease), and the REST routers. main.ts builds it once,
 * passes `routers` to the API, subscribes the live API to `events`, and calls start()/stop().
 */
import type { Background } from '../shared/background';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { DbConnection } from '../adapters/db/connection';
import { MongoJobLock } from '../adapters/db/repositories/job-lock.repository';
import { MongoKnowledgeRepository } from '../adapters/db/repositories/knowledge.repository';
import { MongoWorkOrderRepository } from '../adapters/db/repositories/work-order.repository';
import { MongoWorkOrderRollupStore } from '../adapters/db/repositories/work-order-facts.repository';
import { MongoUnitComplaintRepository } from '../adapters/db/repositories/unit-complaint.repository';
import { MongoNoticeLog } from '../adapters/db/repositories/notice-log.repository';
import { MongoWakeSchedule } from '../adapters/db/repositories/wake-schedule.repository';
import { MongoOrderChangeLog } from '../adapters/db/repositories/order-change-log.repository';
import { MongoReportSnapshotStore, MongoWorkOrderSettingsStore } from '../adapters/db/repositories/work-order-settings.repository';
import type { Authenticator } from '../adapters/http/auth.middleware';
import type { DocumentedRouter } from '../adapters/http/route-table';
import { complaintsRouter } from '../adapters/http/routers/complaints.router';
import { knowledgeRouter } from '../adapters/http/routers/knowledge.router';
import { presetsRouter } from '../adapters/http/routers/presets.router';
import { reportsRouter } from '../adapters/http/routers/reports.router';
import { reportWorkbook } from '../adapters/xlsx/report-workbook';
import { workOrdersRouter } from '../adapters/http/routers/work-orders.router';
import { deskRouter } from '../adapters/http/routers/desk.router';
import { unitsRouter } from '../adapters/http/routers/units.router';
import { MongoUnitRepository } from '../adapters/db/repositories/unit.repository';
import { UnitDirectoryService, type UnitHandlers } from '../app/work-orders/units/unit-directory.service';
import { MongoIdempotencyStore } from '../adapters/db/repositories/idempotency.repository';
import { attachmentsRouter } from '../adapters/http/routers/attachments.router';
import { GridFsAttachmentStore } from '../adapters/db/repositories/attachment.store';
import { sharpImageCleaner } from '../adapters/images/sharp-image-cleaner';
import { AttachmentService } from '../app/attachments/attachment.service';
import type { CallRecordingSource } from '../app/attachments/attachment.ports';
import { AttachmentRetention } from '../app/attachments/attachment-retention';
import type { AttachmentLimits } from '../domain/attachment';
import { CronJobScheduler } from '../adapters/jobs/cron-scheduler';
import { ComplaintService } from '../app/work-orders/lifecycle/complaint.service';
import { KnowledgeService } from '../app/work-orders/knowledge/knowledge.service';
import { RegulationService } from '../app/work-orders/lifecycle/regulation.service';
import { SupervisionSweep, type SweepOptions } from '../app/work-orders/lifecycle/supervision-sweep';
import { SurveyJob, surveyJob, type SurveyJobOptions } from '../app/work-orders/lifecycle/survey-job';
import { MongoSurveyClaims } from '../adapters/db/repositories/survey-claim.repository';
import { createWorkOrderEmitter, type WorkOrderEmitter } from '../app/work-orders/lifecycle/work-order.events';
import { WorkOrderFacts, type WorkOrderFactsOptions } from '../app/work-orders/reporting/work-order-facts.service';
import { workOrderJobs, type WorkOrderJobOptions } from '../app/work-orders/work-order.jobs';
import { WorkOrderReportService } from '../app/work-orders/reporting/work-order-report.service';
import { WorkOrderService } from '../app/work-orders/lifecycle/work-order.service';
import { backfillRadar, type RadarBackfillResult } from '../app/work-orders/lifecycle/radar-backfill';
import { orderHandlers, unitIdsOf } from '../app/work-orders/lifecycle/work-order.policy';
import { MongoCallCases } from '../adapters/db/repositories/call-case.repository';
import { MongoConfidentialCallers } from '../adapters/db/repositories/confidential-caller.repository';
import { ConfidentialCallers } from '../app/callers/confidential-callers';
import { ConfidentialMarks } from '../app/callers/confidential-marks.service';
import type { ConfidentialCallerFeed } from '../app/callers/callers.ports';
import { callersRouter } from '../adapters/http/routers/callers.router';
import type { Logger } from '../shared/logger';
import type { WorkOrderLookup } from '../app/records/call-records.ports';
import type { CallCases, SurveyDialer, SurveyHandovers } from '../app/work-orders/work-orders.ports';
import { normalizePhone } from '../domain/work-order';
import { MongoSmsOutbox } from '../adapters/db/repositories/sms-outbox.repository';
import { smsRouter } from '../adapters/http/routers/sms.router';
import type { SmsGateway } from '../app/sms/sms.ports';
import { SmsService, type SmsOptions } from '../app/sms/sms.service';
import { BackgroundTasks } from '../shared/background';

export interface WorkOrderModuleDeps {
  readonly db: DbConnection;
  /** The AuthService (anything that turns a bearer token into an AuthContext). */
  readonly auth: Authenticator;
  /** Units with an active handler (the users' directory): listed with the unit directory, and seeded into it. */
  readonly units?: UnitHandlers;
  readonly log: Logger;
  readonly clock?: () => number;
  /** Preset until an administrator selects one; default beijing-2023. */
  readonly defaultPresetId?: string;
  /** Lock owner id of this instance; default `<hostname>:<pid>:<uuid>`. */
  readonly instanceId?: string;
  readonly sweep?: Partial<SweepOptions>;
  /** Cron expressions of the jobs, or false to run no scheduler (the sweep can still be run by hand). */
  readonly jobs?: WorkOrderJobOptions | false;
  /** Told when an order marked its call confidential (the live layer masks a call in progress). */
  readonly onCallConfidential?: (callId: string) => void;
  /** KPI rollup settings (grace of the change log's hours, batch sizes). */
  readonly facts?: WorkOrderFactsOptions;
  /** Where the jobs' firings run (main.ts: the process's one Background). */
  readonly background?: Background;
  /** Evidence files: limits and whether photos keep their EXIF; default as in config.ts. */
  readonly attachments?: Partial<AttachmentLimits> & {
    readonly keepImageMetadata?: boolean;
    /** Days after an order closed until its files are deleted (0 or absent: kept for good). */
    readonly retentionDays?: number;
    /** When the retention job runs (default daily at 02:20). */
    readonly retentionCron?: string;
  };
  /** The automated callback survey: without a dialer (no telephony) there is no survey job. */
  readonly survey?: { readonly dialer: SurveyDialer; readonly handovers?: SurveyHandovers; readonly cron?: string } & Partial<SurveyJobOptions>;
  /** The telephony's stored call recordings (ARI); without it no call recording can be attached. */
  readonly callRecordings?: CallRecordingSource;
  /** Text messages to citizens: without a gateway none is queued or sent. */
  readonly sms?: { readonly gateway: SmsGateway } & Partial<SmsOptions>;
  /** Several instances: changes of the confidential-caller directory announced to and heard from the others (started by the caller). */
  readonly confidentialFeed?: ConfidentialCallerFeed;
}

export const ATTACHMENT_RETENTION_JOB = 'attachments.retention';

export interface WorkOrderModule {
  /** Pass to buildApi (`extraRouters`): the routers with their OpenAPI docs. */
  readonly routers: DocumentedRouter[];
  /** 催办/督办/escalation/change events for the live API. */
  readonly events: WorkOrderEmitter;
  readonly orders: WorkOrderService;
  readonly attachments: AttachmentService;
  /** The GridFS store (tests read its download audit). */
  readonly attachmentStore: GridFsAttachmentStore;
  /** Deletes the files of orders closed longer than the retention period (scheduled when it is set). */
  readonly retention: AttachmentRetention;
  readonly knowledge: KnowledgeService;
  readonly complaints: ComplaintService;
  readonly reports: WorkOrderReportService;
  readonly regulation: RegulationService;
  readonly sweep: SupervisionSweep;
  /** The automated callback survey (null without a dialer); scheduled with the other jobs. */
  readonly survey: SurveyJob | null;
  /** Text messages to citizens (sent only with a gateway); its dispatcher runs from start() to stop(). */
  readonly sms: SmsService;
  /** KPI sums per period: the fold job's work (`facts.fold()`), reports' reads, `facts.rebuildFromOrders`. */
  readonly facts: WorkOrderFacts;
  readonly scheduler: CronJobScheduler | null;
  /**
   * Gives open orders written before the radar fields existed theirs (start runs it once in the
   * background; idempotent, safe on several instances at once).
   */
  backfillRadar(): Promise<RadarBackfillResult>;
  /** The unit directory (承办单位). */
  readonly units: UnitDirectoryService;
  /** A caller's recent orders, for the agent console's screen pop. */
  readonly callerHistory: WorkOrderLookup;
  /** Callers marked confidential (by their orders, an agent or a supervisor): their later calls are masked from the first event. */
  readonly confidentialCallers: ConfidentialCallers;
  /** Marking and withdrawing callers over REST, the marks' list and audit. */
  readonly confidentialMarks: ConfidentialMarks;
  /** Creates indexes, loads presets and calendar years, starts the jobs. Call after db.start(). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function buildWorkOrderModule(deps: WorkOrderModuleDeps): WorkOrderModule {
  const clock = deps.clock ?? Date.now;
  const conn = deps.db.connection;
  const log = deps.log.child({ area: 'work-orders' });
  const wakes = new MongoWakeSchedule(conn);
  // Every write is marked (on every instance, jobs or not): the sweep's instance keeps orders read ahead until then.
  const changes = new MongoOrderChangeLog(conn);
  const orderRepo = new MongoWorkOrderRepository(conn, { wakes, changes, clock });
  const noticeLog = new MongoNoticeLog(conn);
  const factsRepo = new WorkOrderFacts({ store: new MongoWorkOrderRollupStore(conn), log }, deps.facts);
  const kbRepo = new MongoKnowledgeRepository(conn);
  const settings = new MongoWorkOrderSettingsStore(conn);
  const snapshots = new MongoReportSnapshotStore(conn);
  const events = createWorkOrderEmitter((err, event) => log.error('work order event listener failed', { event: String(event), err: String(err) }));
  const regulation = new RegulationService({ store: settings, clock, log, ...(deps.defaultPresetId ? { defaultPresetId: deps.defaultPresetId } : {}) });
  const newId = (): string => randomUUID();
  const callCases = new MongoCallCases(conn);
  const calls: CallCases = {
    subject: (callId) => callCases.subject(callId),
    async mark(callId, c) {
      await callCases.mark(callId, c);
      if (c.confidential) deps.onCallConfidential?.(callId);
    },
  };
  const confidentialStore = new MongoConfidentialCallers(conn);
  const confidentialCallers = new ConfidentialCallers(confidentialStore, log.child({ component: 'confidential-callers' }));
  if (deps.confidentialFeed) confidentialCallers.announceTo(deps.confidentialFeed);
  const confidentialMarks = new ConfidentialMarks({
    callers: confidentialCallers,
    records: confidentialStore,
    calls: { subject: (callId) => callCases.subject(callId), markConfidential: (callId) => calls.mark(callId, { confidential: true, unitIds: [], handlingUnitIds: [] }) },
    log: log.child({ component: 'confidential-marks' }),
  });
  let confidentialRefresh: { stop(): void } | null = null;
  let unsubscribeConfidential: (() => void) | undefined;
  const attachmentStore = new GridFsAttachmentStore(conn);
  const limits: AttachmentLimits = {
    maxFileBytes: deps.attachments?.maxFileBytes ?? 20 * 1024 * 1024,
    maxOrderBytes: deps.attachments?.maxOrderBytes ?? 200 * 1024 * 1024,
    maxOrderFiles: deps.attachments?.maxOrderFiles ?? 50,
  };
  const attachments = new AttachmentService({
    orders: orderRepo, store: attachmentStore, images: sharpImageCleaner, limits, keepImageMetadata: deps.attachments?.keepImageMetadata ?? false, clock, log,
    ...(deps.callRecordings ? { recordings: { source: deps.callRecordings, calls: callCases } } : {}),
  });
  const retentionDays = deps.attachments?.retentionDays ?? 0;
  const retention = new AttachmentRetention({ orders: orderRepo, store: attachmentStore, retentionDays, clock, log });
  const unitRepo = new MongoUnitRepository(conn);
  const orders = new WorkOrderService({
    orders: orderRepo, notices: noticeLog, facts: factsRepo, knowledge: kbRepo, regulation, events, clock, newId, log, calls, callers: confidentialCallers,
    attachmentRefs: (orderId, refs, field) => attachments.resolveRefs(orderId, refs, field),
    stoppedUnits: (ids) => unitRepo.stopped(ids),
  });
  regulation.onCalendarChange((reason) => orders.recomputeProvisionalDeadlines(reason));
  const knowledge = new KnowledgeService({ articles: kbRepo, clock, newId, log });
  const complaintRepo = new MongoUnitComplaintRepository(conn);
  const complaints = new ComplaintService({ complaints: complaintRepo, orders: orderRepo, clock, newId, log });
  const reports = new WorkOrderReportService({ facts: factsRepo, complaints: complaintRepo, scoring: () => regulation.activePreset().scoring, clock });
  const sweep = new SupervisionSweep({ orders: orderRepo, wakes, notices: noticeLog, changes, regulation, events, clock, log }, deps.sweep);
  const jobLock = new MongoJobLock(conn);
  const idempotency = new MongoIdempotencyStore(conn);
  const owner = deps.instanceId ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  const survey = deps.survey
    ? new SurveyJob({ orders: orderRepo, service: orders, regulation, claims: new MongoSurveyClaims(conn), dialer: deps.survey.dialer,
      ...(deps.survey.handovers ? { handovers: deps.survey.handovers } : {}), owner, clock, log }, deps.survey)
    : null;
  const scheduler =
    deps.jobs === false
      ? null
      : new CronJobScheduler({ lock: jobLock, owner, log, clock, ...(deps.background ? { background: deps.background } : {}) });
  if (scheduler && deps.jobs !== false) {
    for (const job of workOrderJobs({ sweep, regulation, reports, snapshots, facts: factsRepo, clock, log }, deps.jobs ?? {})) scheduler.add(job);
    if (survey) scheduler.add(surveyJob(survey, regulation, deps.survey?.cron));
    if (retentionDays > 0) {
      scheduler.add({
        name: ATTACHMENT_RETENTION_JOB, cron: deps.attachments?.retentionCron ?? '20 2 * * *', leaseMs: 3_600_000,
        run: async () => {
          const r = await retention.run();
          if (r.filesDeleted > 0) log.info('attachment retention', { ...r });
        },
      });
    }
  }
  const background = deps.background ?? new BackgroundTasks(log.child({ component: 'background' }), clock);
  const smsLog = log.child({ component: 'sms' });
  const smsOutbox = new MongoSmsOutbox(conn);
  const sms = new SmsService(
    {
      outbox: smsOutbox, gateway: deps.sms?.gateway ?? null, orders: orderRepo, regulation, background, clock, log: smsLog,
      // The SMS is the first contact the preset allows after failed calls (青浦 / 北京 smsIfNeverReached).
      onNeverReachedSent: async (orderId, messageId) => {
        await orders.actAsSystem(orderId, { type: 'recordContactAttempt', channel: 'sms', reached: false, note: `短信告知已发送（网关编号 ${messageId}）` });
      },
    },
    deps.sms ?? {},
  );
  // Notices are queued only where a gateway can send them.
  const unsubscribeSms = deps.sms ? sms.subscribe(events) : undefined;
  let smsDispatcher: { stop(): void } | null = null;
  const unitDirectory = new UnitDirectoryService({ units: unitRepo, handlers: deps.units ?? { units: async () => [] }, clock, log: log.child({ component: 'units' }) });
  const routers = [
    workOrdersRouter(deps.auth, orders, idempotency, clock),
    deskRouter(deps.auth, orders),
    unitsRouter(deps.auth, unitDirectory),
    attachmentsRouter(deps.auth, attachments, limits.maxFileBytes),
    knowledgeRouter(deps.auth, knowledge),
    reportsRouter(deps.auth, reports, clock, reportWorkbook, async () => new Map((await unitDirectory.names()).map((u) => [u.id, u.name]))),
    presetsRouter(deps.auth, regulation),
    complaintsRouter(deps.auth, complaints),
    smsRouter(deps.auth, sms),
    callersRouter(deps.auth, confidentialMarks),
  ];
  const callerHistory: WorkOrderLookup = {
    async recentByCaller(callerNumber, limit) {
      const recent = await orderRepo.recentByPhone(normalizePhone(callerNumber), limit);
      return recent.map(({ order }) => ({
        orderId: order.id,
        number: order.number,
        createdAt: order.createdAt.getTime(),
        status: order.status,
        category: order.category,
        title: order.content.slice(0, 40),
        unitIds: unitIdsOf(order),
        handlers: orderHandlers(order),
        confidential: order.caller.confidential,
      }));
    },
  };

  return {
    backfillRadar: () => backfillRadar({ store: orderRepo, regulation, log }),
    routers, events, orders, units: unitDirectory, attachments, attachmentStore, retention, knowledge, complaints, reports, regulation, sweep, survey, sms, facts: factsRepo, scheduler, callerHistory, confidentialCallers, confidentialMarks,
    async start() {
      await Promise.all([
        orderRepo.init(), complaintRepo.init(), changes.init(), factsRepo.init(), kbRepo.init(), settings.init(), jobLock.init(), idempotency.init(), attachmentStore.init(),
        smsOutbox.init(), confidentialStore.init(),
      ]);
      // The directory's copy in memory: a new call's caller is known without a read per call.
      await confidentialCallers.refresh().catch((err: unknown) => log.warn('confidential callers not read yet', { err: String(err) }));
      confidentialRefresh = background.every('callers.confidential-refresh', confidentialCallers.refreshMs, () => confidentialCallers.refresh());
      // A change announced by another instance is read at once, not at the next refresh.
      unsubscribeConfidential = deps.confidentialFeed?.subscribe(() => {
        background.run('callers.confidential-follow', async () => {
          await confidentialCallers.refresh();
          log.info('confidential caller change followed');
        });
      });
      await regulation.load();
      // Units known only from their handlers get a directory entry, in the background: start does not wait for it.
      background.run('units.seed', () => unitDirectory.seedFromHandlers());
      // Orders from before the radar fields: start does not wait for them, and a failure is logged, not thrown.
      background.run('work-orders.radar-backfill', () => backfillRadar({ store: orderRepo, regulation, log }));
      scheduler?.start();
      smsDispatcher = sms.start();
    },
    async stop() {
      confidentialRefresh?.stop();
      unsubscribeConfidential?.();
      await scheduler?.stop();
      smsDispatcher?.stop();
      unsubscribeSms?.();
      await deps.sms?.gateway.stop();
    },
  };
}
