/**
 * The 催办/督办 sweep. It selects orders by the indexed `wakeAt ≤ now` (in batches, never a full
 * scan), records every due notice with the `recordNotice` action and writes the order back only if
 * its revision is unchanged and none of the notice keys is in `sentNoticeKeys` yet. Events are
 * emitted after a successful write only, so running twice, or on two instances at once, sends
 * each notice exactly once. Due first-contact retries and callbacks are announced the same way.
 */
import { dueNotices, transition, type Actor as OrderActor, type WorkOrder, type WorkOrderEvent } from '../../domain/work-order';
import type { Logger } from '../../shared/logger';
import type { Clock, StoredWorkOrder, WorkOrderRepository } from './ports';
import type { RegulationService } from './regulation.service';
import type { WorkOrderEmitter, WorkOrderNotice } from './work-order.events';
import { indexFieldsOf, needsCallback, needsContactRetry } from './work-order.index';
import { unitIdsOf } from './work-order.policy';

export interface SweepOptions {
  /** Orders read per query. */
  readonly batchSize: number;
  /** Orders looked at per run at most (the next run continues). */
  readonly maxOrders: number;
  /** Orders written in parallel. */
  readonly concurrency: number;
}

export const DEFAULT_SWEEP_OPTIONS: SweepOptions = { batchSize: 500, maxOrders: 20_000, concurrency: 16 };

export interface SweepResult {
  readonly examined: number;
  readonly updated: number;
  /** Writes that lost to another writer (another sweep or a user); the winner did the work. */
  readonly conflicts: number;
  readonly reminders: number;
  readonly supervisions: number;
  readonly contactRetries: number;
  readonly callbacks: number;
  readonly ms: number;
}

export interface SweepDeps {
  readonly orders: WorkOrderRepository;
  readonly regulation: RegulationService;
  readonly events: WorkOrderEmitter;
  readonly clock: Clock;
  readonly log: Logger;
}

const SWEEPER: OrderActor = { id: 'supervision-sweep', role: 'system' };

type Outcome = { updated: boolean; conflict: boolean; notices: WorkOrderNotice[]; retry: boolean; callback: boolean };

export class SupervisionSweep {
  private readonly opts: SweepOptions;

  constructor(
    private readonly deps: SweepDeps,
    opts: Partial<SweepOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SWEEP_OPTIONS, ...opts };
  }

  async run(): Promise<SweepResult> {
    const t0 = Date.now();
    const now = new Date(this.deps.clock());
    const totals = { examined: 0, updated: 0, conflicts: 0, reminders: 0, supervisions: 0, contactRetries: 0, callbacks: 0 };
    let cursor: { wakeAt: Date; id: string } | undefined;
    while (totals.examined < this.opts.maxOrders) {
      const batch = await this.deps.orders.findDue(now, Math.min(this.opts.batchSize, this.opts.maxOrders - totals.examined), cursor);
      if (batch.length === 0) break;
      totals.examined += batch.length;
      const last = batch[batch.length - 1];
      if (last?.wakeAt) cursor = { wakeAt: last.wakeAt, id: last.order.id };
      for (let i = 0; i < batch.length; i += this.opts.concurrency) {
        const outcomes = await Promise.all(batch.slice(i, i + this.opts.concurrency).map((s) => this.processWithRetry(s, now)));
        for (const o of outcomes) {
          if (o.updated) totals.updated += 1;
          if (o.conflict) totals.conflicts += 1;
          for (const n of o.notices) {
            if (n.kind === 'reminder') totals.reminders += 1;
            else totals.supervisions += 1;
          }
          if (o.retry) totals.contactRetries += 1;
          if (o.callback) totals.callbacks += 1;
        }
      }
      if (batch.length < this.opts.batchSize || !cursor) break;
    }
    const result = { ...totals, ms: Date.now() - t0 };
    if (totals.examined > 0) this.deps.log.info('supervision sweep done', { ...result });
    return result;
  }

  /** One retry from a fresh read after a lost race: whatever the winner left undone is done now. */
  private async processWithRetry(stored: StoredWorkOrder, now: Date): Promise<Outcome> {
    try {
      const first = await this.process(stored, now);
      if (!first.conflict) return first;
      const fresh = await this.deps.orders.get(stored.order.id);
      if (!fresh || !fresh.wakeAt || fresh.wakeAt.getTime() > now.getTime()) return first;
      const second = await this.process(fresh, now);
      return { ...second, conflict: true };
    } catch (err) {
      this.deps.log.error('supervision sweep failed on an order', { orderId: stored.order.id, err: String(err) });
      return { updated: false, conflict: false, notices: [], retry: false, callback: false };
    }
  }

  private async process(stored: StoredWorkOrder, now: Date): Promise<Outcome> {
    const regulation = this.deps.regulation;
    const preset = regulation.preset(stored.order.presetId) ?? regulation.activePreset();
    const calendar = regulation.workCalendar();
    let order: WorkOrder = stored.order;
    const events: WorkOrderEvent[] = [];
    const due = dueNotices(order, now, preset, calendar);
    const recorded: typeof due = [];
    for (const n of due) {
      const r = transition(order, { type: 'recordNotice', key: n.key, kind: n.kind, stage: n.stage, level: n.level }, { now, actor: SWEEPER, preset, calendar });
      if (!r.ok) continue; // e.g. NOTICE_ALREADY_SENT: nothing to send
      order = r.order;
      events.push(...r.events);
      recorded.push(n);
    }
    const retryDue = stored.contactRetryAt !== undefined && stored.contactRetryAt.getTime() <= now.getTime();
    const callbackDue = stored.callbackDueAt !== undefined && stored.callbackDueAt.getTime() <= now.getTime();
    const index = indexFieldsOf({ order, previous: stored, events, now, preset, calendar, clearContactRetry: retryDue, clearCallback: callbackDue });
    const rev = await this.deps.orders.replace(order, stored.rev, index, recorded.map((n) => n.key));
    if (rev === null) return { updated: false, conflict: true, notices: [], retry: false, callback: false };
    const unitIds = unitIdsOf(order);
    const notices: WorkOrderNotice[] = recorded.map((n) => ({
      orderId: order.id, number: order.number, key: n.key, stage: n.stage, kind: n.kind, level: n.level, dueAt: n.dueAt, unitIds, at: now,
    }));
    for (const n of notices) {
      this.deps.events.emit(n.kind === 'reminder' ? 'workOrder:reminder' : 'workOrder:supervision', n);
      this.deps.log.info(n.kind === 'reminder' ? 'work order reminder sent' : 'work order supervision raised', { orderId: order.id, stage: n.stage, level: n.level, key: n.key });
    }
    const retry = retryDue && needsContactRetry(order) && stored.contactRetryAt !== undefined;
    if (retry && stored.contactRetryAt) {
      this.deps.events.emit('workOrder:contactRetryDue', { orderId: order.id, number: order.number, unitIds, dueAt: stored.contactRetryAt });
    }
    const callback = callbackDue && needsCallback(order) && stored.callbackDueAt !== undefined;
    if (callback && stored.callbackDueAt) {
      this.deps.events.emit('workOrder:callbackDue', { orderId: order.id, number: order.number, unitIds, dueAt: stored.callbackDueAt });
    }
    return { updated: true, conflict: false, notices, retry, callback };
  }
}
