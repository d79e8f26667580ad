/**
 * Callback requests and calls' recordings: storage, the callback service (placing through a dialer
 * when one is given), listening with its audit, the recordings' retention job (on the work-order
 * module's scheduler: one instance at a time), and the REST router. main.ts builds it once.
 */
import type { Connection } from 'mongoose';
import type { AuthService } from '../app/auth/auth.service';
import { CallbackService } from '../app/callbacks/callbacks.service';
import { RecordingService } from '../app/callbacks/recordings.service';
import { RecordingRetention } from '../app/callbacks/recording-retention';
import type { CallbackAgents, CallbackDialer, RecordingStore } from '../app/callbacks/callbacks.ports';
import type { ConfidentialCallerReads } from '../app/records/call-records.service';
import type { ScheduledJob } from '../app/work-orders/work-orders.ports';
import { MongoCallbackRequests } from '../adapters/db/repositories/callback.repository';
import { MongoRecordingAudit, MongoRecordingCatalogue } from '../adapters/db/repositories/recording.repository';
import { callbacksRouter } from '../adapters/http/routers/callbacks.router';
import type { DocumentedRouter } from '../adapters/http/route-table';
import type { Background } from '../shared/background';
import type { Logger } from '../shared/logger';

export const RECORDING_RETENTION_JOB = 'recordings.retention';

export interface CallbacksModuleDeps {
  readonly conn: Connection;
  readonly auth: AuthService;
  readonly recordings: RecordingStore;
  /** Null: requests can be listed, assigned and closed, not placed (503). */
  readonly dialer: CallbackDialer | null;
  readonly agents: CallbackAgents;
  /** The confidential-caller directory; none: the inbound calls' own marks only. */
  readonly confidentialCallers?: ConfidentialCallerReads;
  readonly recordCalls: boolean;
  /** Days a recording is kept after its call (0 = for good). */
  readonly retentionDays: number;
  readonly retentionCron: string;
  /** Where the retention job is scheduled (the work-order module's scheduler); null: not scheduled. */
  readonly scheduler: { add(job: ScheduledJob): unknown } | null;
  readonly background: Background;
  readonly clock: () => number;
  readonly log: Logger;
}

export interface CallbacksModule {
  readonly router: DocumentedRouter;
  readonly callbacks: CallbackService;
  readonly recordings: RecordingService;
  readonly retention: RecordingRetention;
  /** Creates the indexes. Call after the database connects. */
  start(): Promise<void>;
  /** Hangs up the callbacks this instance is placing and records their ends. */
  stop(): Promise<void>;
}

export function buildCallbacksModule(deps: CallbacksModuleDeps): CallbacksModule {
  const requests = new MongoCallbackRequests(deps.conn);
  const catalogue = new MongoRecordingCatalogue(deps.conn);
  const audit = new MongoRecordingAudit(deps.conn);
  const callbacks = new CallbackService({
    repo: requests, cases: requests, dialer: deps.dialer, agents: deps.agents, recordCalls: deps.recordCalls,
    ...(deps.confidentialCallers ? { callers: deps.confidentialCallers } : {}),
    background: deps.background, clock: deps.clock, log: deps.log,
  });
  const recordings = new RecordingService({ catalogue, store: deps.recordings, audit, clock: deps.clock });
  const retention = new RecordingRetention({ catalogue, store: deps.recordings, audit, retentionDays: deps.retentionDays, clock: deps.clock, log: deps.log });
  if (deps.scheduler && deps.retentionDays > 0) {
    deps.scheduler.add({ name: RECORDING_RETENTION_JOB, cron: deps.retentionCron, leaseMs: 3_600_000, run: async () => { await retention.run(); } });
  }
  return {
    router: callbacksRouter(deps.auth, callbacks, recordings),
    callbacks,
    recordings,
    retention,
    async start() {
      await Promise.all([requests.init(), audit.init()]);
    },
    async stop() {
      await callbacks.stop();
    },
  };
}
