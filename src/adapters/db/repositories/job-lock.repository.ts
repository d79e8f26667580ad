/**
 * JobLock over job_locks. Time is cut into slots of `leaseMs` (offset by half a slot, so cron
 * firings at the top of a minute fall in the middle of one); the first instance to insert
 * `<job>@<slot>` holds the job for that slot. Renewing during a long run inserts the next slots
 * for the same owner. A crashed holder only blocks its own slot. Atomic on FerretDB too (unique
 * insert, not a conditional update).
 */
import type { Collection, Connection } from 'mongoose';
import type { JobLock } from '../../../app/work-orders/work-orders.ports';
import { jobLockModel, type JobLockDoc } from '../models/job-lock.model';
import { ensureIndexes } from '../indexes';

const DUPLICATE_KEY = 11000;
/** Slots kept for inspection before the winners delete them. */
const KEEP_SLOTS = 10;

export class MongoJobLock implements JobLock {
  private readonly locks: Collection<JobLockDoc>;

  constructor(private readonly conn: Connection) {
    this.locks = jobLockModel(conn).collection as unknown as Collection<JobLockDoc>;
  }

  async init(): Promise<void> {
    await ensureIndexes(jobLockModel(this.conn));
  }

  async acquire(job: string, owner: string, leaseMs: number, now: Date): Promise<boolean> {
    const slot = Math.floor((now.getTime() + leaseMs / 2) / leaseMs);
    const id = `${job}@${slot}`;
    try {
      await this.locks.insertOne({ _id: id, job, owner, slot, acquiredAt: now, until: new Date((slot + 1) * leaseMs - leaseMs / 2) });
    } catch (err) {
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      const held = await this.locks.findOne({ _id: id });
      return held?.owner === owner;
    }
    await this.locks.deleteMany({ job, until: { $lt: new Date(now.getTime() - KEEP_SLOTS * leaseMs) } });
    return true;
  }

  /** Frees the slots this owner holds from now on (shutdown: another instance may take over at once). */
  async release(job: string, owner: string): Promise<void> {
    await this.locks.deleteMany({ job, owner, until: { $gt: new Date() } });
  }
}
