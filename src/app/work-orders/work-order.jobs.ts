/**
 * The scheduled work of the work-order area: the supervision sweep (every minute by default), the
 * fold of new order revisions into the KPI sums (every 30 s; reporting/work-order-facts.service.ts) and
 * report snapshots of every finished week, month, quarter and year (daily; a stored snapshot is
 * not computed again). The jobs adapter runs each on one instance at a time.
 */
import type { Logger } from '../../shared/logger';
import type { Clock, ReportSnapshotStore, ScheduledJob } from './work-orders.ports';
import { REPORT_PERIOD_KINDS, periodOf, previousPeriod } from '../../domain/calendar/periods';
import type { RegulationService } from './lifecycle/regulation.service';
import type { SupervisionSweep } from './lifecycle/supervision-sweep';
import type { WorkOrderReportService } from './reporting/work-order-report.service';
import type { FoldResult } from './reporting/work-order-facts.service';

export interface WorkOrderJobDeps {
  readonly sweep: SupervisionSweep;
  readonly regulation: RegulationService;
  readonly reports: WorkOrderReportService;
  readonly snapshots: ReportSnapshotStore;
  /** The KPI sums (WorkOrderFacts); without it no fold job is scheduled. */
  readonly facts?: { fold(): Promise<FoldResult> };
  readonly clock: Clock;
  readonly log: Logger;
}

export interface WorkOrderJobOptions {
  readonly sweepCron?: string;
  readonly reportCron?: string;
  readonly foldCron?: string;
}

export const SWEEP_JOB = 'work-orders.supervision-sweep';
export const REPORT_JOB = 'work-orders.report-snapshots';
export const FOLD_JOB = 'work-orders.facts-fold';

export function workOrderJobs(deps: WorkOrderJobDeps, opts: WorkOrderJobOptions = {}): ScheduledJob[] {
  const { facts } = deps;
  const fold: ScheduledJob[] = facts
    ? [{
      name: FOLD_JOB,
      cron: opts.foldCron ?? '*/30 * * * * *',
      leaseMs: 30_000,
      run: async () => {
        const r = await facts.fold();
        if (r.busy || r.recovered > 0) deps.log.warn('KPI fold', { ...r });
        else if (r.batches > 0) deps.log.debug('KPI fold', { ...r });
      },
    }]
    : [];
  return [
    ...fold,
    {
      name: SWEEP_JOB,
      cron: opts.sweepCron ?? '*/1 * * * *',
      leaseMs: 60_000,
      run: async () => {
        await deps.regulation.load();
        await deps.sweep.run();
      },
    },
    {
      name: REPORT_JOB,
      cron: opts.reportCron ?? '10 1 * * *',
      leaseMs: 24 * 3_600_000,
      run: async () => {
        await snapshotFinishedPeriods(deps);
      },
    },
  ];
}

export async function snapshotFinishedPeriods(deps: Pick<WorkOrderJobDeps, 'reports' | 'snapshots' | 'clock' | 'log'>): Promise<string[]> {
  const now = new Date(deps.clock());
  const written: string[] = [];
  for (const kind of REPORT_PERIOD_KINDS) {
    const period = previousPeriod(periodOf(kind, now));
    const id = `work-orders:${period.key}`;
    if ((await deps.snapshots.get(id)) !== null) continue;
    const report = await deps.reports.compute(period, { asOf: period.to });
    await deps.snapshots.save(id, report, now);
    written.push(id);
    deps.log.info('work order report snapshot stored', { report: id, units: report.units.length, computeMs: report.computeMs });
  }
  return written;
}
