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
 * is read once, not four times). That progress is also saved with the minute (WakeSchedule
 * `saveProgress`), so another instance taking the sweep over continues from there instead of
 * looking at the minute's orders again; a run uses whichever of its own and the saved progress has
 * read further (a lost or stale save only means orders looked at twice, which sends nothing twice).
 * The same holds for the schedule's hour lists: an hour that has settled gets no new minutes, so
 * this instance reads its list once and remembers the minutes in it until each is forgotten; a run
 * reads the lists of the last hour or two, and only the first run of each hour reads the whole
 * lookback again.
 *
 * Reading ahead (with an OrderChangeLog): reading the due orders is nearly all of a busy run's work
 * (a read by `_id` per order), and the busiest minutes are known in advance (at 24:00 every
 * working-day limit of the day ends at once). So a run that has time left reads the orders listed in
 * the coming minutes, at most `lookAheadMs` of its time, and keeps them in memory; when their minute
 * comes, a kept order is used instead of a read unless the change log shows a write of it since it
 * was read (allowing `settleMinutes` of clock lag between instances and a minute from a writer's
 * mark to its write; see OrderChangeLog). Along with an order it keeps which of the notices due at
 * its wake time are recorded already, so they are not inserted again. A run that cannot read the
 * change log reads every order. Nothing is sent ahead of time: what is due is worked out at the wake
 * time, from the kept order.
 */
import { noticesAt, type WorkOrder } from '../../../domain/work-order';
import type { Logger } from '../../../shared/logger';
import { mapInWindows } from '../../../shared/windows';
import type { Clock, NoticeLog, OrderChangeLog, SentNoticeRecord, StoredWorkOrder, SweepProgress, WakeSchedule, WorkOrderRepository } from '../work-orders.ports';
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
  /** How many minutes ahead orders are read before they wake (0: never; needs a change log). */
  readonly lookAheadMinutes: number;
  /** Reading ahead stops once a run has taken this long (wall-clock ms). */
  readonly lookAheadMs: number;
  /** Orders kept in memory at most. */
  readonly lookAheadOrders: number;
}

export const DEFAULT_SWEEP_OPTIONS: SweepOptions = {
  concurrency: 64, maxOrders: 20_000, lookbackHours: 7 * 24, settleMinutes: 3, lookAheadMinutes: 30, lookAheadMs: 400, lookAheadOrders: 10_000,
};

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
  /** Due orders taken from those read ahead (no read at their wake time). */
  readonly fromAhead: number;
  /** Orders this run read ahead for coming minutes. */
  readonly readAhead: number;
  readonly ms: number;
}

export interface SweepDeps {
  readonly orders: WorkOrderRepository;
  readonly wakes: WakeSchedule;
  readonly notices: NoticeLog;
  /** Without one, nothing is read ahead. */
  readonly changes?: OrderChangeLog;
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
  /** Those due now left out because they were found recorded when the order was read ahead. */
  readonly known: number;
  /** Read ahead, its due notices checked against the log then: those left are most likely new. */
  readonly checked: boolean;
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
/**
 * An order read ahead of its wake time, when (sweep clock, epoch ms) that read began, and which of
 * the notices due at its wake time the notice log already had then (recorded for good: the log only
 * grows), so they are not inserted again (a bulk insert that meets a duplicate key is slow:
 * docs/database.md, "Designs from the FerretDB v1 days that stay").
 */
interface ReadAhead {
  readonly stored: StoredWorkOrder;
  readonly readAt: number;
  readonly recorded: ReadonlySet<string>;
  /** The minute it was listed in when read. */
  readonly minute: number;
}

/** An order to read ahead: the minute it is listed in, and the first minute a read of it can be trusted. */
interface AheadItem {
  readonly id: string;
  readonly minute: number;
  readonly notBefore: number;
}

const MINUTE = 60_000;
/** Minutes read, and dropped, in parallel. */
const READ_WINDOW = 16;
const DROP_WINDOW = 16;
/** Orders worked out, listed and recorded together when their reads are saved (bulk calls stay small). */
const MAX_CHUNK = 1_000;
/** Of this instance's and the saved progress of a minute, the one that has read further. */
const furthest = (mine: MinuteProgress | undefined, saved: MinuteProgress | undefined): MinuteProgress | undefined =>
  saved && (!mine || saved.upTo > mine.upTo) ? saved : mine;
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
  /** Orders read ahead, by id. */
  private readonly ahead = new Map<string, ReadAhead>();
  /** Coming minutes → how far their entries have been read ahead. */
  private readonly aheadUpTo = new Map<number, number>();
  /** Orders listed in coming minutes, not read ahead yet (a run's time ran out, or written since). */
  private aheadQueue: AheadItem[] = [];

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
    await this.dropChanged(now.getTime());
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
    const totals = { minutes: 0, examined: 0, updated: 0, conflicts: 0, reminders: 0, supervisions: 0, contactRetries: 0, callbacks: 0, fromAhead: 0, readAhead: 0 };
    const kept = new Set<number>(); // hours with a minute not forgotten
    const done: number[] = []; // minutes to forget: dropped together once the notices are out
    const toSave: [number, SweepProgress][] = []; // progress in minutes kept, for another instance
    // What each minute adds to look at: entries listed since the last read, and orders due again.
    const taken: { minute: number; readUpTo: number; visit: string[]; again: Map<string, number> }[] = [];
    let budget = this.opts.maxOrders;
    for (let i = 0; i < minutes.length && budget > 0; i += READ_WINDOW) {
      const window = minutes.slice(i, i + READ_WINDOW);
      const saved = await this.savedProgress(window);
      const seens = window.map((m) => furthest(this.progress.get(m), saved.get(m)));
      const read = await Promise.all(window.map((m, k) => this.deps.wakes.entries(m, seens[k]?.upTo ?? 0)));
      for (const [k, minute] of window.entries()) {
        if (budget <= 0) break;
        const seen = seens[k] ?? { upTo: 0, again: new Map<string, number>() };
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
    for (const chunk of this.chunks(visit)) {
      const results = await this.visitChunk(chunk, now);
      for (const [k, o] of results.entries()) {
        const id = chunk[k] as string;
        outcomes.set(id, o);
        if (o === null) this.ahead.delete(id); // gone, or nothing to wake for
        if (o === null || 'wakesAt' in o) continue;
        totals.examined += 1;
        if (this.ahead.delete(id)) totals.fromAhead += 1;
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
        toSave.push([minute, { upTo: readUpTo, again: [...again] }]);
      }
    }
    await mapInWindows(done, DROP_WINDOW, (m) => this.deps.wakes.drop(m));
    await this.saveProgress(toSave);
    const oldest = (nowHour - this.opts.lookbackHours) * 60;
    for (const m of this.progress.keys()) if (m < oldest) this.progress.delete(m);
    // An hour is forgotten once it has settled and none of its minutes is kept.
    const hours = new Set(minutes.map((m) => Math.floor(m / 60)));
    for (const h of hours) if (!kept.has(h) && (h + 1) * 60 - 1 <= settled) await this.deps.wakes.dropHour(h);
    totals.readAhead = await this.readAhead(nowMinute, t0, read);
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
      const kept = this.ahead.get(id);
      if (kept) return kept.stored;
      try {
        return await this.deps.orders.get(id);
      } catch (err) {
        this.deps.log.error('supervision sweep could not read an order', { orderId: id, err: String(err) });
        return 'failed';
      }
    }));
    const prepared = loaded.map((s, k): Prepared | NotDue | null | 'failed' => {
      if (s === 'failed') return s;
      if (!s?.wakeAt) return null;
      if (s.wakeAt.getTime() > now.getTime()) return { wakesAt: s.wakeAt.getTime() };
      try {
        const p = this.prepare(s, now, this.ahead.get(ids[k] as string)?.recorded);
        if (p.due.length > 0 || p.known > 0) return p;
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
      // Notices checked against the log when read ahead are new: inserted apart from those that may be
      // recorded already, so one duplicate does not slow the whole insert down (see ReadAhead).
      const parts = [due.filter((p) => p.checked), due.filter((p) => !p.checked)].map((ps) => ps.flatMap((p) => p.due)).filter((ns) => ns.length > 0);
      const results = [];
      for (const part of parts) results.push(await this.deps.notices.record(part));
      recorded = new Set(results.flatMap((r) => [...r.recorded]));
      failed = new Set(results.flatMap((r) => [...r.failed]));
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

  /** The progress saved for `minutes` (none if it cannot be read: the minutes are read from the start). */
  private async savedProgress(minutes: readonly number[]): Promise<Map<number, MinuteProgress>> {
    const out = new Map<number, MinuteProgress>();
    try {
      for (const [m, p] of await this.deps.wakes.progress(minutes)) out.set(m, { upTo: p.upTo, again: new Map(p.again) });
    } catch (err) {
      this.deps.log.warn('supervision sweep could not read its saved progress', { err: String(err) });
    }
    return out;
  }

  /** Saves the progress of the minutes kept; a failure is logged (another instance would only look again). */
  private async saveProgress(items: readonly [number, SweepProgress][]): Promise<void> {
    await mapInWindows(items, DROP_WINDOW, async ([m, p]) => {
      try {
        await this.deps.wakes.saveProgress(m, p);
      } catch (err) {
        this.deps.log.warn('supervision sweep could not save its progress', { minute: m, err: String(err) });
      }
    });
  }

  /**
   * The orders to visit in chunks of at most `concurrency` reads (orders read ahead need none) and
   * MAX_CHUNK orders.
   */
  private *chunks(ids: readonly string[]): Generator<string[]> {
    let chunk: string[] = [];
    let reads = 0;
    for (const id of ids) {
      chunk.push(id);
      if (!this.ahead.has(id)) reads += 1;
      if (reads >= this.opts.concurrency || chunk.length >= MAX_CHUNK) {
        yield chunk;
        chunk = [];
        reads = 0;
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  /**
   * Forgets the orders read ahead that were written since (a mark in the change log from the minute
   * of the read minus `settleMinutes` + 1 on) and queues them to be read ahead again, forgets those
   * read too long ago, and prunes the marks no reader needs any more. If the change log cannot be
   * read, forgets them all: they are read when due.
   */
  private async dropChanged(now: number): Promise<void> {
    const changes = this.deps.changes;
    if (!changes) return;
    const maxAge = 2 * this.opts.lookAheadMinutes * MINUTE;
    const lag = this.opts.settleMinutes;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [id, a] of this.ahead) {
      // Read too long ago, or "in the future" (this clock was set back).
      if (a.readAt < now - maxAge || a.readAt > now) this.ahead.delete(id);
      else oldest = Math.min(oldest, a.readAt);
    }
    // A write lands at most a minute after its mark (see MongoWorkOrderRepository), on a clock up to
    // `lag` minutes behind this one: a read from the minute `mark + lag + 2` on has seen it.
    try {
      if (this.ahead.size > 0) {
        const changed = await changes.changedSince(Math.floor(oldest / MINUTE) - lag - 1);
        for (const [id, minute] of changed) {
          const a = this.ahead.get(id);
          if (!a || minute < Math.floor(a.readAt / MINUTE) - lag - 1) continue;
          this.ahead.delete(id);
          // Read ahead again once a read is sure to see that write, if that is before it wakes.
          this.aheadQueue.push({ id, minute: a.minute, notBefore: minute + lag + 2 });
        }
      }
      // Marks a reader of orders kept up to maxAge may need, on a clock up to `lag` behind this one.
      await changes.prune(Math.floor((now - maxAge) / MINUTE) - 2 * lag - 2);
    } catch (err) {
      this.deps.log.warn('supervision sweep could not read the change log; orders read ahead are read again', { err: String(err) });
      this.ahead.clear();
    }
  }

  /**
   * Reads the orders listed in the next `lookAheadMinutes` minutes while the run (started at
   * `startedMs`, wall clock) has taken less than `lookAheadMs`, up to `lookAheadOrders` kept.
   * `readToNow`: the minutes the run read from the hour lists up to the current hour (only later
   * hours' lists are read here). Returns how many it read. A failed read only means that order is
   * read when it is due.
   */
  private async readAhead(nowMinute: number, startedMs: number, readToNow: readonly number[]): Promise<number> {
    if (!this.deps.changes || this.opts.lookAheadMinutes <= 0) return 0;
    const deadline = startedMs + this.opts.lookAheadMs;
    for (const m of this.aheadUpTo.keys()) if (m <= nowMinute) this.aheadUpTo.delete(m);
    this.aheadQueue = this.aheadQueue.filter((q) => q.minute > nowMinute && q.notBefore < q.minute && !this.ahead.has(q.id));
    if (Date.now() >= deadline || this.ahead.size >= this.opts.lookAheadOrders) return 0;
    const last = nowMinute + this.opts.lookAheadMinutes;
    let read = 0;
    try {
      const nowHour = Math.floor(nowMinute / 60);
      const later = Math.floor(last / 60) > nowHour ? await this.deps.wakes.minutes(nowHour + 1, Math.floor(last / 60), []) : [];
      const minutes = [...readToNow, ...later].filter((m) => m > nowMinute && m <= last);
      const queued = new Set(this.aheadQueue.map((q) => q.id));
      for (const m of minutes) {
        if (Date.now() >= deadline) break;
        const { ids, next } = await this.deps.wakes.entries(m, this.aheadUpTo.get(m) ?? 0);
        this.aheadUpTo.set(m, next);
        for (const id of ids) {
          if (this.ahead.has(id) || queued.has(id)) continue;
          queued.add(id);
          this.aheadQueue.push({ id, minute: m, notBefore: nowMinute });
        }
      }
      // Soonest first: a busy minute further ahead is read over the runs before it.
      this.aheadQueue.sort((a, b) => a.minute - b.minute);
      const ready = this.aheadQueue.filter((q) => q.notBefore <= nowMinute);
      const waiting = this.aheadQueue.filter((q) => q.notBefore > nowMinute);
      this.aheadQueue = waiting;
      while (ready.length > 0 && Date.now() < deadline && this.ahead.size < this.opts.lookAheadOrders) {
        const room = Math.min(this.opts.concurrency, this.opts.lookAheadOrders - this.ahead.size);
        const chunk = ready.splice(0, room);
        const readAt = this.deps.clock();
        const loaded = await Promise.all(chunk.map((q) => this.deps.orders.get(q.id).catch(() => null)));
        // The keys due at the end of the minute each order is listed in, and which are recorded already.
        const dueKeys = loaded.map((s, k) => {
          if (!s?.wakeAt) return [];
          try {
            return this.prepare(s, new Date(((chunk[k] as AheadItem).minute + 1) * MINUTE - 1)).due.map((n) => n.key);
          } catch {
            return [];
          }
        });
        const recorded = new Set((await this.deps.notices.find(dueKeys.flat())).map((n) => n.key));
        loaded.forEach((s, k) => {
          if (!s?.wakeAt) return;
          const { minute } = chunk[k] as AheadItem;
          this.ahead.set(s.order.id, { stored: s, readAt, minute, recorded: new Set((dueKeys[k] ?? []).filter((key) => recorded.has(key))) });
          read += 1;
        });
      }
      this.aheadQueue.push(...ready);
    } catch (err) {
      this.deps.log.warn('supervision sweep could not read ahead', { err: String(err) });
    }
    return read;
  }

  /** What is due on the order now, and when it must be looked at next (no I/O). */
  private prepare(stored: StoredWorkOrder, now: Date, recorded?: ReadonlySet<string>): Prepared {
    const regulation = this.deps.regulation;
    const preset = regulation.preset(stored.order.presetId) ?? regulation.activePreset();
    const calendar = regulation.workCalendar();
    const order = stored.order;
    const notices = noticesAt(order, now, preset, calendar);
    const announcements = announcementsAt(stored, now);
    const all: SentNoticeRecord[] = [
      ...notices.due.map((n) => ({ key: n.key, orderId: order.id, kind: n.kind, stage: n.stage, level: n.level, dueAt: n.dueAt, at: now })),
      ...announcements.due,
    ];
    const due = recorded ? all.filter((n) => !recorded.has(n.key)) : all;
    const later = [...(notices.next ? [notices.next] : []), ...announcements.later].map((d) => d.getTime());
    return { order, due, known: all.length - due.length, checked: recorded !== undefined, ...(later.length > 0 ? { nextWake: new Date(Math.min(...later)) } : {}) };
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
