/**
 * Runs scheduled jobs with node-cron. Each firing first takes the job's lease slot in the database
 * (JobLock), so among several instances firing at the same moment only one runs the job; the
 * lease is renewed while the job runs and is not given back when it ends, so a late instance does
 * not run the same firing again (`leaseMs` = the cron interval). Within an
 * instance a job never overlaps itself. State lives in the database, so a restart resumes on the
 * next firing, and a crashed holder's lease simply runs out. Every firing runs through the
 * Background helper: a failed run (job error, or no database to take the lease) is logged and counted
 * under `job.<name>`, and the next firing is its retry.
 */
import { BackgroundTasks, type Background } from '../../shared/background';
import cron, { type ScheduledTask } from 'node-cron';
import type { JobLock, ScheduledJob } from '../../app/work-orders/work-orders.ports';
import type { Logger } from '../../shared/logger';
import { HOTLINE_ZONE } from '../../domain/calendar/local-time';

export type RunOutcome = 'ran' | 'failed' | 'skipped:running' | 'skipped:locked' | 'skipped:stopped';

export interface CronSchedulerDeps {
  readonly lock: JobLock;
  /** Unique per process, e.g. `<hostname>:<pid>:<random>`. */
  readonly owner: string;
  readonly log: Logger;
  readonly clock?: () => number;
  /** Zone of the cron expressions; default Asia/Shanghai. */
  readonly timezone?: string;
  /** Where firings and lease renewals run; default one of its own on `log`. */
  readonly background?: Background;
}

export class CronJobScheduler {
  private readonly jobs = new Map<string, ScheduledJob>();
  private readonly running = new Map<string, Promise<RunOutcome>>();
  private readonly tasks: ScheduledTask[] = [];
  private stopped = false;
  private readonly background: Background;

  constructor(private readonly deps: CronSchedulerDeps) {
    this.background = deps.background ?? new BackgroundTasks(deps.log);
  }

  add(job: ScheduledJob): this {
    if (!cron.validate(job.cron)) throw new Error(`invalid cron expression for ${job.name}: ${job.cron}`);
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} added twice`);
    this.jobs.set(job.name, job);
    return this;
  }

  start(): void {
    this.stopped = false;
    for (const job of this.jobs.values()) {
      const task = cron.schedule(job.cron, this.background.handler('job.fire', () => this.runNow(job.name), { job: job.name }), {
        name: job.name,
        timezone: this.deps.timezone ?? HOTLINE_ZONE,
      });
      this.tasks.push(task);
    }
    this.deps.log.info('job scheduler started', { jobs: [...this.jobs.keys()], owner: this.deps.owner });
  }

  /** Runs a job now (also what each cron firing does): lease, run, release. */
  runNow(name: string): Promise<RunOutcome> {
    const job = this.jobs.get(name);
    if (!job) return Promise.reject(new Error(`no job ${name}`));
    if (this.stopped) return Promise.resolve('skipped:stopped');
    if (this.running.has(name)) return Promise.resolve('skipped:running');
    const run = this.runLocked(job).finally(() => this.running.delete(name));
    this.running.set(name, run);
    return run;
  }

  private async runLocked(job: ScheduledJob): Promise<RunOutcome> {
    const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const log = this.deps.log.child({ job: job.name, runId });
    const task = `job.${job.name}`;
    const now = new Date(this.deps.clock?.() ?? Date.now());
    let locked = false;
    try {
      locked = await this.deps.lock.acquire(job.name, this.deps.owner, job.leaseMs, now);
    } catch (err) {
      // No database to take the lease: this firing fails; the next one tries again.
      this.background.failed(task, err, { job: job.name, runId, step: 'lease' });
      return 'skipped:locked';
    }
    if (!locked) {
      log.debug('job held by another instance');
      return 'skipped:locked';
    }
    const renew = this.background.every('job.lease-renew', Math.max(1000, Math.floor(job.leaseMs / 3)), async () => {
      const at = new Date(this.deps.clock?.() ?? Date.now());
      if (!(await this.deps.lock.acquire(job.name, this.deps.owner, job.leaseMs, at))) log.warn('job lease lost while running');
    }, { job: job.name, runId });
    try {
      await job.run();
      this.background.succeeded(task);
      return 'ran';
    } catch (err) {
      this.background.failed(task, err, { job: job.name, runId });
      return 'failed';
    } finally {
      renew.stop();
    }
  }

  /** Stops firing, waits for running jobs, then gives the leases back so another instance can take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.tasks.splice(0)) await t.destroy();
    await Promise.allSettled([...this.running.values()]);
    for (const name of this.jobs.keys()) {
      await this.deps.lock.release(name, this.deps.owner).catch((err: unknown) => this.deps.log.warn('job lock release failed', { job: name, err: String(err) }));
    }
  }
}
