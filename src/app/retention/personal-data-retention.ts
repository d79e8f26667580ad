/**
 * Retention of citizens' personal data in call data (docs/adr/0025): PERSONAL_DATA_RETENTION_DAYS
 * after a call started, the citizen's number and name leave the call's entries in the caller index,
 * its events, its record, and then its callback request. What the reports count stays: times,
 * outcome, queue, agents, rating, keys. Each step is idempotent and the record is marked last, so
 * a run stopped half-way is finished by the next; the scheduler runs it on one instance at a time.
 * Work orders, their text messages and files follow the archive's rules, not this job.
 */
import type { Logger } from '../../shared/logger';
import type { DueCall, PersonalDataAudit, PersonalDataStore } from './personal-data.ports';

export const PERSONAL_DATA_RETENTION_ACTOR = 'personal-data-retention';
const DAY_MS = 86_400_000;
/** Calls (and requests) looked at per batch. */
const BATCH = 200;

export interface PersonalDataRetentionResult {
  readonly calls: number;
  readonly events: number;
  readonly callerIndexEntries: number;
  readonly callbacks: number;
}

export class PersonalDataRetention {
  constructor(
    private readonly deps: {
      readonly store: PersonalDataStore;
      readonly audit: PersonalDataAudit;
      /** 0 = kept for good (the job is not scheduled). */
      readonly retentionDays: number;
      readonly clock: () => number;
      readonly log: Logger;
    },
  ) {}

  async run(): Promise<PersonalDataRetentionResult> {
    const { retentionDays, store } = this.deps;
    const result = { calls: 0, events: 0, callerIndexEntries: 0, callbacks: 0 };
    if (retentionDays <= 0) return result;
    const now = this.deps.clock();
    const before = now - retentionDays * DAY_MS;
    // A call seen twice was not marked (it changed meanwhile): stop rather than loop; the next run retries.
    const seen = new Set<string>();
    for (;;) {
      const due = (await store.callsDue(before, BATCH)).filter((c) => !seen.has(c.callId));
      for (const [number, calls] of byNumber(due)) {
        if (number !== '') result.callerIndexEntries += await store.forgetInCallerIndex(number, new Set(calls.map((c) => c.callId)), before);
      }
      for (const c of due) {
        seen.add(c.callId);
        result.events += await store.stripEvents(c.callId);
        if (await store.stripCall(c.callId, now)) result.calls += 1;
      }
      if (due.length < BATCH) break;
    }
    const seenRequests = new Set<string>();
    for (;;) {
      const due = (await store.callbacksDue(before, BATCH)).filter((id) => !seenRequests.has(id));
      for (const id of due) {
        seenRequests.add(id);
        if (await store.stripCallback(id, now, PERSONAL_DATA_RETENTION_ACTOR)) result.callbacks += 1;
      }
      if (due.length < BATCH) break;
    }
    if (result.calls + result.events + result.callerIndexEntries + result.callbacks > 0) {
      await this.deps.audit.recorded({ at: now, by: PERSONAL_DATA_RETENTION_ACTOR, retentionDays, before, ...result });
      this.deps.log.info('personal data removed after retention', { ...result, retentionDays });
    }
    return result;
  }
}

function byNumber(calls: readonly DueCall[]): Map<string, DueCall[]> {
  const out = new Map<string, DueCall[]>();
  for (const c of calls) out.set(c.callerNumber, [...(out.get(c.callerNumber) ?? []), c]);
  return out;
}
