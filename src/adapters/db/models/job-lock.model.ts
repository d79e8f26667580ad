/**
 * job_locks: one document per job and time slot (`<job>@<slot>`). The unique `_id` is the arbiter:
 * of several instances inserting the same slot only one succeeds (a slot per run is also the jobs'
 * history). Old slots are deleted by the winners.
 */
import { Schema, type Connection, type Model } from 'mongoose';

export interface JobLockDoc {
  _id: string;
  job: string;
  owner: string;
  slot: number;
  acquiredAt: Date;
  until: Date;
}

const schema = new Schema<JobLockDoc>(
  {
    _id: { type: String, required: true },
    job: { type: String, required: true },
    owner: { type: String, required: true },
    slot: { type: Number, required: true },
    acquiredAt: { type: Date, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'job_locks', versionKey: false, autoIndex: false },
);
schema.index({ job: 1, until: 1 });

export function jobLockModel(conn: Connection): Model<JobLockDoc> {
  return (conn.models['JobLock'] as Model<JobLockDoc> | undefined) ?? conn.model<JobLockDoc>('JobLock', schema);
}
