/**
 * Retention of calls' recordings (inbound calls and placed callbacks): RECORDING_RETENTION_DAYS after
 * a call started (3 years by default: the regulations keep call records at least that long), its
 * recording is deleted from the telephony, with an audit entry written first (which call, which file,
 * when the call was, the period), and the call forgets the file's name. Run by the job scheduler, one
 * instance at a time (ADR 0015's retention job); a run stopped half-way is finished by the next.
 */
import type { Logger } from '../../shared/logger';
import type { RecordingAudit, RecordingCatalogue, RecordingStore } from './callbacks.ports';

export const RECORDING_RETENTION_ACTOR = 'recording-retention';
const DAY_MS = 86_400_000;
/** Recordings looked at per batch. */
const BATCH = 200;

export class RecordingRetention {
  constructor(
    private readonly deps: {
      readonly catalogue: RecordingCatalogue;
      readonly store: RecordingStore;
      readonly audit: RecordingAudit;
      /** 0 = recordings kept for good (the job is not scheduled). */
      readonly retentionDays: number;
      readonly clock: () => number;
      readonly log: Logger;
    },
  ) {}

  async run(): Promise<{ deleted: number }> {
    const { retentionDays } = this.deps;
    if (retentionDays <= 0) return { deleted: 0 };
    const now = this.deps.clock();
    const before = now - retentionDays * DAY_MS;
    let deleted = 0;
    const seen = new Set<string>();
    for (;;) {
      // A recording seen twice was not forgotten by its call: stop rather than loop (the next run retries).
      const due = (await this.deps.catalogue.olderThan(before, BATCH)).filter((r) => !seen.has(r.callId));
      for (const r of due) {
        seen.add(r.callId);
        await this.deps.audit.deleted({ callId: r.callId, recording: r.name, callStartedAt: r.startedAt, retentionDays, at: now, by: RECORDING_RETENTION_ACTOR });
        await this.deps.store.delete(r.name);
        await this.deps.catalogue.markPurged(r.callId, now);
        deleted += 1;
      }
      if (due.length < BATCH) break;
    }
    if (deleted > 0) this.deps.log.info('recordings deleted after retention', { deleted, retentionDays });
    return { deleted };
  }
}
