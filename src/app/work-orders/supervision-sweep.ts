/**
 * The 催办/督办 sweep. It reads the minutes of the wake schedule that have passed (one short list
 * per minute, never a query over every open order), loads each listed order by id, and for those
 * whose wake time has come records every notice due now in the NoticeLog (one small insert per
 * notice, unique by key; the order is not rewritten, see sent-notices.ts) and lists the order's
 * next wake time. A notice is announced only by the run whose insert recorded it, so running twice,
 * or on two instances at once, sends each notice exactly once. Due first-contact retries and
 * callbacks are announced the same way. A minute is forgotten once it has settled (no writer adds to
 * it any more) and every order in it is done; a failed order keeps its minute for the next run.
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
import { noticesAt, type WorkOrder } from '../../domain/work-order';
import type { Logger } from '../../shared/logger';
import type { Clock, NoticeLog, SentNoticeRecord, StoredWorkOrder, WakeSchedule, WorkOrderRepository } from './ports';
import type { RegulationService } from './regulation.service';
import { announcementsAt, isNotice } from './sent-notices';
import type { WorkOrderEmitter, WorkOrderNotice } from './work-order.events';
import { unitIdsOf } from './work-order.policy';

export interface SweepOptions {
  /** Orders loaded and written in parallel. */
  readonly concurrency: number;
  /** Listed orders looked at per run, about (whole minutes are taken; the next run continues with the minutes left). */
  readonly maxOrders: number;
  /** How far back a run looks for minutes not done yet (covers a pause of the sweep this long). */
  readonly lookbackHours: number;
  /** Minutes kept after they pass, for writers whose clocks lag behind this one's. */
  readonly settleMinutes: number;
}

export const DEFAULT_SWEEP_OPTIONS: SweepOptions = { concurrency: 64, maxOrders: 20_000, lookbackHours: 7 * 24, settleMinutes: 3 };

export interface SweepResult {
  /** Minutes of the schedule read. */
  readonly minutes: number;
  /** Listed orders whose wake time had come. */
  readonly examined: number;
  /** Orders for which this run recorded something. */
  readonly updated: number;
  /** Orders with a due notice another run had recorded (that run announced it). */
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
  readonly notices: NoticeLog;
  readonly regulation: RegulationService;
  readonly events: WorkOrderEmitter;
  readonly clock: Clock;
  readonly log: Logger;
}

/** A listed order worked out in memory: what is due now, and when to look again. */
interface Prepared {
  readonly order: WorkOrder;
  /** Notices, retry and callback announcements due now (some may be recorded already). */
  readonly due: readonly SentNoticeRecord[];
  readonly nextWake?: Date;
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
/** Minutes read, and dropped, in parallel. */
const READ_WINDOW = 16;
const DROP_WINDOW = 16;
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
    const done: number[] = []; // minutes to forget: dropped together once the notices are out
    // What each minute adds to look at: entries listed since the last read, and orders due again.
    const taken: { minute: number; readUpTo: number; visit: string[]; again: Map<string, number> }[] = [];
    let budget = this.opts.maxOrders;
    for (let i = 0; i < minutes.length && budget > 0; i += READ_WINDOW) {
      const window = minutes.slice(i, i + READ_WINDOW);
      const read = await Promise.all(window.map((m) => this.deps.wakes.entries(m, this.progress.get(m)?.upTo ?? 0)));
      for (const [k, minute] of window.entries()) {
        if (budget <= 0) break;
        const seen = this.progress.get(minute) ?? { upTo: 0, again: new Map<string, number>() };
        const { ids: listed, next: readUpTo } = read[k] as { ids: string[]; next: number };
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
        taken.push({ minute, readUpTo, visit: [...ids], again });
        budget -= ids.size;
      }
    }
    // Minutes not taken (the budget ran out) stay as they are: the next run reads them.
    for (const m of minutes.slice(taken.length)) kept.add(Math.floor(m / 60));
    // Every order listed in the taken minutes, once (it may be listed in several), a chunk at a time.
    const visit = [...new Set(taken.flatMap((t) => t.visit))];
    const outcomes = new Map<string, Outcome | NotDue | null>();
    for (let i = 0; i < visit.length; i += this.opts.concurrency) {
      const chunk = visit.slice(i, i + this.opts.concurrency);
      const results = await this.visitChunk(chunk, now);
      for (const [k, o] of results.entries()) {
        const id = chunk[k] as string;
        outcomes.set(id, o);
        if (o === null || 'wakesAt' in o) continue;
        totals.examined += 1;
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
    for (const { minute, readUpTo, visit: ids, again } of taken) {
      totals.minutes += 1;
      const minuteEnd = (minute + 1) * MINUTE;
      for (const id of ids) {
        const o = outcomes.get(id);
        if (o === null || o === undefined) continue;
        // Not due yet: later in this minute it is looked at again; a later minute lists it itself.
        if ('wakesAt' in o) {
          if (o.wakesAt < minuteEnd) again.set(id, o.wakesAt);
        } else if (o.failed) {
          again.set(id, 0);
        }
      }
      if (again.size === 0 && minute <= settled) {
        done.push(minute);
        this.progress.delete(minute);
        this.settledMinutes.delete(minute);
      } else {
        kept.add(Math.floor(minute / 60));
        this.progress.set(minute, { upTo: readUpTo, again });
      }
    }
    for (let i = 0; i < done.length; i += DROP_WINDOW) await Promise.all(done.slice(i, i + DROP_WINDOW).map((m) => this.deps.wakes.drop(m)));
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
   * Loads a chunk of listed orders, works out each due one's notices and next wake time (pure),
   * lists the next wake times of the whole chunk in the schedule in one bulk call, then records the
   * chunk's notices in one bulk insert and announces those this run recorded. Listing before
   * recording keeps an order from being forgotten between the two; recording once per key keeps a
   * notice from being announced twice (by a second run, or another instance). The order itself is
   * not written (see sent-notices.ts).
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
        const p = this.prepare(s, now);
        if (p.due.length > 0) return p;
        return p.nextWake ? { wakesAt: p.nextWake.getTime() } : null;
      } catch (err) {
        this.deps.log.error('supervision sweep failed on an order', { orderId: s.order.id, err: String(err) });
        return 'failed';
      }
    });
    const due = prepared.filter((p): p is Prepared => p !== null && p !== 'failed' && !('wakesAt' in p));
    const wakes = due.flatMap((p): [string, Date][] => (p.nextWake ? [[p.order.id, p.nextWake]] : []));
    let recorded: ReadonlySet<string>;
    let failed: ReadonlySet<string>;
    try {
      if (wakes.length > 0) await this.deps.wakes.addMany(wakes, now);
      ({ recorded, failed } = await this.deps.notices.record(due.flatMap((p) => p.due)));
    } catch (err) {
      this.deps.log.error('supervision sweep could not record notices', { err: String(err), orders: due.length });
      return prepared.map((p) => (p === null || (p !== 'failed' && 'wakesAt' in p) ? p : { ...NOTHING, failed: true }));
    }
    return prepared.map((p) => {
      if (p === null) return null;
      if (p === 'failed') return { ...NOTHING, failed: true };
      if ('wakesAt' in p) return p;
      return this.announce(p, recorded, failed, now);
    });
  }

  /** What is due on the order now, and when it must be looked at next (no I/O). */
  private prepare(stored: StoredWorkOrder, now: Date): Prepared {
    const regulation = this.deps.regulation;
    const preset = regulation.preset(stored.order.presetId) ?? regulation.activePreset();
    const calendar = regulation.workCalendar();
    const order = stored.order;
    const notices = noticesAt(order, now, preset, calendar);
    const announcements = announcementsAt(stored, now);
    const due: SentNoticeRecord[] = [
      ...notices.due.map((n) => ({ key: n.key, orderId: order.id, kind: n.kind, stage: n.stage, level: n.level, dueAt: n.dueAt, at: now })),
      ...announcements.due,
    ];
    const later = [...(notices.next ? [notices.next] : []), ...announcements.later].map((d) => d.getTime());
    return { order, due, ...(later.length > 0 ? { nextWake: new Date(Math.min(...later)) } : {}) };
  }

  /** Announces what this run recorded for the order. */
  private announce(p: Prepared, recorded: ReadonlySet<string>, failed: ReadonlySet<string>, now: Date): Outcome {
    const { order } = p;
    const unitIds = unitIdsOf(order);
    const mine = p.due.filter((n) => recorded.has(n.key));
    const notices: WorkOrderNotice[] = [];
    let retry = false;
    let callback = false;
    for (const n of mine) {
      if (n.kind === 'contactRetry') {
        retry = true;
        this.deps.events.emit('workOrder:contactRetryDue', { orderId: order.id, number: order.number, unitIds, dueAt: n.dueAt });
      } else if (n.kind === 'callback') {
        callback = true;
        this.deps.events.emit('workOrder:callbackDue', { orderId: order.id, number: order.number, unitIds, dueAt: n.dueAt });
      } else if (isNotice(n)) {
        const notice: WorkOrderNotice = {
          orderId: order.id, number: order.number, key: n.key, stage: n.stage, kind: n.kind, level: n.level, dueAt: n.dueAt, unitIds, at: now,
        };
        notices.push(notice);
        this.deps.events.emit(n.kind === 'reminder' ? 'workOrder:reminder' : 'workOrder:supervision', notice);
        this.deps.log.info(n.kind === 'reminder' ? 'work order reminder sent' : 'work order supervision raised', { orderId: order.id, stage: n.stage, level: n.level, key: n.key });
      }
    }
    const isFailed = p.due.some((n) => failed.has(n.key));
    return { updated: mine.length > 0, conflict: mine.length < p.due.length && !isFailed, failed: isFailed, notices, retry, callback };
  }
}
