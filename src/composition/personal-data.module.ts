/**
 * Retention of citizens' personal data in call data (docs/adr/0025): the job, on the work-order
 * module's scheduler (one instance at a time, through the job lease), over the call collections.
 * main.ts builds it once.
 */
import type { Connection } from 'mongoose';
import { PersonalDataRetention } from '../app/retention/personal-data-retention';
import type { ScheduledJob } from '../app/work-orders/work-orders.ports';
import { MongoPersonalDataAudit, MongoPersonalDataStore } from '../adapters/db/repositories/personal-data.repository';
import type { Logger } from '../shared/logger';

export const PERSONAL_DATA_RETENTION_JOB = 'personal-data.retention';

export interface PersonalDataModuleDeps {
  readonly conn: Connection;
  /** Days after a call until its citizen's data goes (0 = kept for good: not scheduled). */
  readonly retentionDays: number;
  readonly retentionCron: string;
  /** Where the job is scheduled (the work-order module's scheduler); null: not scheduled. */
  readonly scheduler: { add(job: ScheduledJob): unknown } | null;
  readonly clock: () => number;
  readonly log: Logger;
}

export interface PersonalDataModule {
  readonly retention: PersonalDataRetention;
}

export function buildPersonalDataModule(deps: PersonalDataModuleDeps): PersonalDataModule {
  const retention = new PersonalDataRetention({
    store: new MongoPersonalDataStore(deps.conn), audit: new MongoPersonalDataAudit(deps.conn),
    retentionDays: deps.retentionDays, clock: deps.clock, log: deps.log,
  });
  if (deps.scheduler && deps.retentionDays > 0) {
    deps.scheduler.add({ name: PERSONAL_DATA_RETENTION_JOB, cron: deps.retentionCron, leaseMs: 3_600_000, run: async () => { await retention.run(); } });
  }
  return { retention };
}
