/**
 * Retention of evidence files: a configured number of days after an order closed (办结归档, 无效,
 * 转110…: its `closedAt`), its files are deleted, each with an audit entry written first (what it was,
 * whose, why), so the record of the file outlives its bytes. Open orders and orders without a close
 * time keep theirs. Run by the job scheduler (the Background helper, one instance at a time); a run
 * stopped half-way is finished by the next, since the entry is written once per file.
 */
import { TERMINAL_STATUSES } from '../../domain/work-order';
import type { Logger } from '../../shared/logger';
import type { Clock, WorkOrderRepository } from '../work-orders/work-orders.ports';
import type { AttachmentStore } from './attachment.ports';

export const RETENTION_ACTOR = 'attachment-retention';
const DAY_MS = 86_400_000;

export interface RetentionResult {
  /** Orders holding files that were looked at. */
  readonly examined: number;
  readonly ordersPurged: number;
  readonly filesDeleted: number;
  readonly bytesDeleted: number;
}

export class AttachmentRetention {
  constructor(
    private readonly deps: {
      readonly orders: Pick<WorkOrderRepository, 'get'>;
      readonly store: AttachmentStore;
      /** Days after the close; 0 = files are kept for good (the job is not scheduled). */
      readonly retentionDays: number;
      readonly clock: Clock;
      readonly log: Logger;
    },
  ) {}

  async run(): Promise<RetentionResult> {
    const { store, retentionDays } = this.deps;
    const result = { examined: 0, ordersPurged: 0, filesDeleted: 0, bytesDeleted: 0 };
    if (retentionDays <= 0) return result;
    const now = this.deps.clock();
    for (const orderId of await store.orderIdsWithFiles()) {
      result.examined++;
      const stored = await this.deps.orders.get(orderId);
      const closedAt = stored?.order.closedAt;
      // An order that cannot be found is not judged: its files wait for someone to look.
      if (!stored || !closedAt || !TERMINAL_STATUSES.has(stored.order.status)) continue;
      if (closedAt.getTime() + retentionDays * DAY_MS > now) continue;
      const files = await store.list(orderId);
      for (const f of files) {
        await store.recordDeletion({
          attachmentId: f.id, orderId, name: f.name, kind: f.kind, size: f.size, uploadedAt: f.uploadedAt, reason: 'retention',
          orderClosedAt: closedAt, retentionDays, at: new Date(now), by: RETENTION_ACTOR,
        });
        await store.remove(f.id);
        result.filesDeleted++;
        result.bytesDeleted += f.size;
      }
      if (files.length > 0) {
        result.ordersPurged++;
        this.deps.log.info('attachments deleted after retention', { orderId, files: files.length, closedAt: closedAt.toISOString(), retentionDays });
      }
    }
    return result;
  }
}
