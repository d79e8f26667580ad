/**
 * The 催办/督办 sweep. It reads the minutes of the wake schedule that have passed (one short list
 * per minute, never a query over every open order), loads each listed order by id, and for those
 * whose stored `wakeAt` has come records every due notice with the `recordNotice` action, writing
 * the order back only if its revision is unchanged and none of the notice keys is in
 * `sentNoticeKeys` yet. Events are emitted after a successful write only, so running twice, or on
 * two instances at once, sends each notice exactly once. Due first-contact retries and callbacks
 * are announced the same way. A minute is forgotten once it has settled (no writer adds to it
 * any more) and every order in it is done; a failed order keeps its minute for the next run.
 * Until a minute is forgotten, this instance remembers how far it has read it and which of its
 * orders are still to be looked at again: those that failed, and those whose wake time lies later
 * in that same minute (an order listed here whose wake time is in another minute is listed there
 * too). So the next runs read only what was added since and load only those orders (a busy minute
 * is read once, not four times); another instance taking over starts from the beginning, which is
 * only slower. The same holds for the schedule's hour lists: an hour that has settled gets no new
 * minutes, so this instance reads its list once and remembers the minutes in it until each is
 * forgotten; a run reads the lists of the last hour or two, and only the first run of each hour
 * reads the whole lookback again.
 */
import { recordDueNotices, type Actor as OrderActor, type PlannedNotice, type WorkOrder } from '../../domain/work-order';
import type { Logger } from '../../shared/logger';
import type { Clock, StoredWorkOrder, WakeSchedule, WorkOrderIndexFields, WorkOrderRepository } from './ports';
import type { RegulationService } from './regulation.service';
import type { WorkOrderEmitter, WorkOrderNotice } from './work-order.events';
import { indexFieldsOf, needsCallback, needsContactRetry, wakeNeedsListing } from './work-order.index';
import { unitIdsOf } from './work-order.policy';

export interface SweepOptions {
  /** Orders loaded and written in parallel. */
  readonly concurrency: number;
  /** Orders looked at per run at most (the next run continues with the minutes left). */
  readonly maxOrders: number;
  /** How far back a run looks for minutes not done yet (covers a pause of the sweep this long). */
  readonly lookbackHours: number;
  /** Minutes kept after they pass, for writers whose clocks lag behind this one's. */
  readonly settleMinutes: number;
}

export const DEFAULT_SWEEP_OPTIONS: SweepOptions = { concurrency: 16, maxOrders: 20_000, lookbackHours: 7 * 24, settleMinutes: 3 };

export interface SweepResult {
  /** Minutes of the schedule read. */
  readonly minutes: number;
  /** Listed orders whose wake time had come. */
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
  readonly wakes: WakeSchedule;
  readonly regulation: RegulationService;
  readonly events: WorkOrderEmitter;
  readonly clock: Clock;
  readonly log: Logger;
}

const SWEEPER: OrderActor = { id: 'supervision-sweep', role: 'system' };

/** A due order worked out in memory, ready to be written. */
interface Prepared {
  readonly stored: StoredWorkOrder;
  readonly order: WorkOrder;
  readonly recorded: readonly PlannedNotice[];
  readonly index: WorkOrderIndexFields;
  readonly retryDue: boolean;
  readonly callbackDue: boolean;
}

type Outcome = { updated: boolean; conflict: boolean; failed: boolean; notices: WorkOrderNotice[]; retry: boolean; callback: boolean };
/** A listed order whose wake time has not come (epoch ms). */
type NotDue = { readonly wakesAt: number };
/** How far this instance has read a minute, and the orders in it to look at again (id → when). */
interface MinuteProgress {
  readonly upTo: number;
  readonly again: ReadonlyMap<string, number>;
}

const MINUTE = 60_000;
const NOTHING: Outcome = { updated: false, conflict: false, failed: false, notices: [], retry: false, callback: false };

export class SupervisionSweep {
  private readonly opts: SweepOptions;
  /** Minutes not dropped yet → how far they were read and what is left in them. */
  private readonly progress = new Map<number, MinuteProgress>();
  /** Minutes listed in hours that had settled when read (those lists no longer grow), not dropped yet. */
  private readonly settledMinutes = new Set<number>();
  /** The last hour read after it had settled (every hour before it back to the lookback too). */
  private settledUpTo = Number.NEGATIVE_INFINITY;
  /** The minute of the last run: a clock set back makes past hours open again. */
  private lastRunMinute = Number.NEGATIVE_INFINITY;
  /** The hour of the last run that read the whole lookback (the first run of every hour does). */
  private fullReadHour = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: SweepDeps,
    opts: Partial<SweepOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SWEEP_OPTIONS, ...opts };
  }

  async run(): Promise<SweepResult> {
    const t0 = Date.now();
    const now = new Date(this.deps.clock());
    const nowMinute = Math.floor(now.getTime() / MINUTE);
    const settled = nowMinute - this.opts.settleMinutes;
    const nowHour = Math.floor(nowMinute / 60);
    const recent = Array.from({ length: this.opts.settleMinutes + 1 }, (_, i) => settled + i);
    const fromHour = nowHour - this.opts.lookbackHours;
    if (nowMinute < this.lastRunMinute) {
      this.settledMinutes.clear();
      this.settledUpTo = Number.NEGATIVE_INFINITY;
    }
    this.lastRunMinute = nowMinute;
    // The last hour whose minutes have all settled.
    const lastSettledHour = Math.floor((settled + 1) / 60) - 1;
    // Once an hour the whole lookback is read again: it finds a minute listed late in a settled hour
    // by a writer whose clock lags further behind than settleMinutes.
    const fullRead = nowHour !== this.fullReadHour;
    const read = await this.deps.wakes.minutes(fullRead ? fromHour : Math.max(fromHour, this.settledUpTo + 1), nowHour, recent);
    if (fullRead) this.fullReadHour = nowHour;
    for (const m of read) if (Math.floor(m / 60) <= lastSettledHour) this.settledMinutes.add(m);
    for (const m of this.settledMinutes) if (m < fromHour * 60) this.settledMinutes.delete(m);
    this.settledUpTo = Math.max(this.settledUpTo, lastSettledHour);
    const minutes = [...new Set([...this.settledMinutes, ...read])].filter((m) => m <= nowMinute).sort((a, b) => a - b);
    const totals = { minutes: 0, examined: 0, updated: 0, conflicts: 0, reminders: 0, supervisions: 0, contactRetries: 0, callbacks: 0 };
    const kept = new Set<number>(); // hours with a minute not forgotten
    for (const minute of minutes) {
      if (totals.examined >= this.opts.maxOrders) {
        kept.add(Math.floor(minute / 60));
        continue;
      }
      totals.minutes += 1;
      const seen = this.progress.get(minute) ?? { upTo: 0, again: new Map<string, number>() };
      const listed = await this.deps.wakes.entries(minute, seen.upTo);
      const again = new Map<string, number>();
      const ids = new Set<string>();
      for (const [id, at] of seen.again) {
        if (at <= now.getTime()) ids.add(id);
        else again.set(id, at);
      }
      for (const id of listed) {
        ids.add(id);
        again.delete(id); // listed again: looked at now
      }
      const visit = [...ids];
      const minuteEnd = (minute + 1) * MINUTE;
      for (let i = 0; i < visit.length; i += this.opts.concurrency) {
        const chunk = visit.slice(i, i + this.opts.concurrency);
        const outcomes = await this.visitChunk(chunk, now);
        for (const [k, o] of outcomes.entries()) {
          const id = chunk[k] as string;
          if (o === null) continue;
          if ('wakesAt' in o) {
            // Not due yet: later in this minute it is looked at again; a later minute lists it itself.
            if (o.wakesAt < minuteEnd) again.set(id, o.wakesAt);
            continue;
          }
          totals.examined += 1;
          if (o.failed) again.set(id, 0);
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
      if (again.size === 0 && minute <= settled) {
        await this.deps.wakes.drop(minute);
        this.progress.delete(minute);
        this.settledMinutes.delete(minute);
      } else {
        kept.add(Math.floor(minute / 60));
        this.progress.set(minute, { upTo: seen.upTo + listed.length, again });
      }
    }
    const oldest = (nowHour - this.opts.lookbackHours) * 60;
    for (const m of this.progress.keys()) if (m < oldest) this.progress.delete(m);
    // An hour is forgotten once it has settled and none of its minutes is kept.
    const hours = new Set(minutes.map((m) => Math.floor(m / 60)));
    for (const h of hours) if (!kept.has(h) && (h + 1) * 60 - 1 <= settled) await this.deps.wakes.dropHour(h);
    const result = { ...totals, ms: Date.now() - t0 };
    if (totals.examined > 0) this.deps.log.info('supervision sweep done', { ...result });
    return result;
  }

  /**
   * Loads a chunk of listed orders, works out each due one's notices (pure), lists the next wake
   * times of the whole chunk in the schedule in one bulk call, then writes the orders. Listing
   * before writing keeps the rule of single writes (an entry without a changed order is skipped
   * later; an order never misses its entry), and one bulk listing instead of one append per order
   * saves most round trips of a busy minute (the orders of a minute tend to wake together again).
   * Null for a listed order that is gone or has nothing to wake for; `wakesAt` for one whose wake
   * time has not come (a stale entry, or one for later in the minute).
   */
  private async visitChunk(ids: readonly string[], now: Date): Promise<(Outcome | NotDue | null)[]> {
    const loaded = await Promise.all(ids.map(async (id): Promise<StoredWorkOrder | null | 'failed'> => {
      try {
        return await this.deps.orders.get(id);
      } catch (err) {
        this.deps.log.error('supervision sweep could not read an order', { orderId: id, err: String(err) });
        return 'failed';
      }
    }));
    const prepared = loaded.map((s): Prepared | NotDue | null | 'failed' => {
      if (s === 'failed') return s;
      if (!s?.wakeAt) return null;
      if (s.wakeAt.getTime() > now.getTime()) return { wakesAt: s.wakeAt.getTime() };
      try {
        return this.prepare(s, now);
      } catch (err) {
        this.deps.log.error('supervision sweep failed on an order', { orderId: s.order.id, err: String(err) });
        return 'failed';
      }
    });
    const wakes: [string, Date][] = [];
    for (const p of prepared) {
      if (p !== null && p !== 'failed' && !('wakesAt' in p) && wakeNeedsListing(p.index.wakeAt, p.stored.wakeAt, now.getTime())) wakes.push([p.order.id, p.index.wakeAt]);
    }
    try {
      if (wakes.length > 0) await this.deps.wakes.addMany(wakes, now);
    } catch (err) {
      this.deps.log.error('supervision sweep could not list wake times', { err: String(err), orders: wakes.length });
      return prepared.map((p) => (p === null || (p !== 'failed' && 'wakesAt' in p) ? p : { ...NOTHING, failed: true }));
    }
    return Promise.all(prepared.map((p) => {
      if (p === null) return null;
      if (p === 'failed') return { ...NOTHING, failed: true };
      if ('wakesAt' in p) return p;
      return this.commitWithRetry(p, now);
    }));
  }

  /** One retry from a fresh read after a lost race: whatever the winner left undone is done now. */
  private async commitWithRetry(p: Prepared, now: Date): Promise<Outcome> {
    try {
      const first = await this.commit(p, now, true);
      if (!first.conflict) return first;
      const fresh = await this.deps.orders.get(p.order.id);
      if (!fresh || !fresh.wakeAt || fresh.wakeAt.getTime() > now.getTime()) return first;
      const second = await this.commit(this.prepare(fresh, now), now, false);
      return { ...second, conflict: true };
    } catch (err) {
      this.deps.log.error('supervision sweep failed on an order', { orderId: p.order.id, err: String(err) });
      return { ...NOTHING, failed: true };
    }
  }

  /** The order with every notice due now recorded, and its new index fields (no I/O). */
  private prepare(stored: StoredWorkOrder, now: Date): Prepared {
    const regulation = this.deps.regulation;
    const preset = regulation.preset(stored.order.presetId) ?? regulation.activePreset();
    const calendar = regulation.workCalendar();
    const { order, events, recorded } = recordDueNotices(stored.order, now, preset, calendar, SWEEPER);
    const retryDue = stored.contactRetryAt !== undefined && stored.contactRetryAt.getTime() <= now.getTime();
    const callbackDue = stored.callbackDueAt !== undefined && stored.callbackDueAt.getTime() <= now.getTime();
    const index = indexFieldsOf({ order, previous: stored, events, now, preset, calendar, clearContactRetry: retryDue, clearCallback: callbackDue });
    return { stored, order, recorded, index, retryDue, callbackDue };
  }

  /** Writes a prepared order (if nobody else wrote it meanwhile) and announces what it recorded. */
  private async commit(p: Prepared, now: Date, wakeListed: boolean): Promise<Outcome> {
    const { stored, order, recorded, index, retryDue, callbackDue } = p;
    const rev = await this.deps.orders.replace(order, stored.rev, index, recorded.map((n) => n.key), { wakeListed });
    if (rev === null) return { ...NOTHING, conflict: true };
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
    return { ...NOTHING, updated: true, notices, retry, callback };
  }
}
