/**
 * Work-order benchmark against a real database server (FerretDB in the lab, MongoDB in production).
 *
 *   npx tsx bench/work-orders.bench.ts
 *
 * Generates BENCH_ORDERS orders (default 1,000,000; 12 months, 50 units, every category, a
 * realistic mix: ~90 % closed with callbacks, returns, extensions and redos, BENCH_OPEN open ones)
 * with bulk insertMany in batches, then times:
 *  - the supervision sweep over the open orders, which are generated as a sweep running every minute
 *    would have left them (every notice due before NOW sent, in the notice log): once a minute for
 *    BENCH_STEADY_MINUTES; once at the moment by which BENCH_DUE of them have a notice due (their
 *    real next notice) by a new sweep instance, once more right after (nothing due: the cost of
 *    reading the wake schedule alone); and, unless BENCH_WORST=0, the busiest minute of the next
 *    24 h: a sweep does everything due until lookAheadMinutes + 1 minutes before it (untimed), then
 *    runs once a minute up to the end of that minute as the cron job runs it, reading ahead (timed,
 *    each run), while
 *    BENCH_WRITES_PER_MIN (20) orders of that minute are written elsewhere each minute (marked in
 *    the change log, so the sweep must read them again);
 *    the open orders are listed in the wake schedule by the product's MongoWakeSchedule.addMany;
 *  - the monthly KPI report (all units, hot topics) over the month with the most orders, from the
 *    KPI sums built while generating by the product's rebuild (WorkOrderFacts.rebuild, the fold's
 *    code); then again with BENCH_PENDING (default 100) order writes listed but not folded yet,
 *    and the fold of them.
 * Targets: sweep ≤ 1 s, report ≤ 2 s. If inserting would take longer than BENCH_MAX_INSERT_MIN
 * minutes, generation stops early and the figures say at what size they were measured.
 * Env: BENCH_MONGODB_URL (default mongodb://127.0.0.1:27117), BENCH_KEEP=1 keeps the database.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { DbConnection } from '../src/adapters/db/connection';
import { MongoUnitComplaintRepository } from '../src/adapters/db/repositories/unit-complaint.repository';
import { MongoWorkOrderRepository, toDoc } from '../src/adapters/db/repositories/work-order.repository';
import { MongoWorkOrderRollupStore } from '../src/adapters/db/repositories/work-order-facts.repository';
import { MongoNoticeLog } from '../src/adapters/db/repositories/notice-log.repository';
import { MongoWakeSchedule } from '../src/adapters/db/repositories/wake-schedule.repository';
import { MongoOrderChangeLog } from '../src/adapters/db/repositories/order-change-log.repository';
import { MongoWorkOrderSettingsStore } from '../src/adapters/db/repositories/work-order-settings.repository';
import { workOrderModel } from '../src/adapters/db/models/work-order.model';
import type { SentNoticeRecord, WorkOrderIndexFields } from '../src/app/work-orders/work-orders.ports';
import { RegulationService } from '../src/app/work-orders/lifecycle/regulation.service';
import { DEFAULT_SWEEP_OPTIONS, SupervisionSweep } from '../src/app/work-orders/lifecycle/supervision-sweep';
import { createWorkOrderEmitter } from '../src/app/work-orders/lifecycle/work-order.events';
import { factRowsOf } from '../src/domain/kpi/work-order-facts';
import { WorkOrderFacts, type OrderFacts } from '../src/app/work-orders/reporting/work-order-facts.service';
import { packRows } from '../src/domain/kpi/work-order-rollups';
import { indexFieldsOf } from '../src/app/work-orders/lifecycle/work-order.index';
import { WorkOrderReportService } from '../src/app/work-orders/reporting/work-order-report.service';
import { parsePeriod } from '../src/domain/calendar/periods';
import { DEFAULT_WORK_CALENDAR } from '../src/domain/calendar';
import {
  BEIJING_2023, createWorkOrder, dueNotices, foldSentNotices, formatWorkOrderNumber, transition,
  type Actor, type WorkOrder, type WorkOrderAction,
} from '../src/domain/work-order';
import { silentLogger } from '../src/shared/logger';
import { CLK_TCK, databasePids, machineTicks, procTicks } from './support/proc-stat';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const TOTAL = env('BENCH_ORDERS', 1_000_000);
const OPEN = Math.min(env('BENCH_OPEN', 100_000), TOTAL);
const DUE = env('BENCH_DUE', 500);
const BATCH = env('BENCH_BATCH', 5_000);
const MAX_INSERT_MIN = env('BENCH_MAX_INSERT_MIN', 45);
/** Order writes put after the sums were built and not yet folded when the report runs again. */
const PENDING = env('BENCH_PENDING', 100);
/** Minutes of a running sweep timed (one run per minute after NOW). */
const STEADY = env('BENCH_STEADY_MINUTES', 10);
/** Also time the busiest minute of the next 24 h (BENCH_WORST=0: skip). */
const WORST = env('BENCH_WORST', 1) === 1;
/** BENCH_CPU_PROFILE=<file>: a CPU profile of this process during the busiest minute's run (.cpuprofile). */
const CPU_PROFILE = process.env['BENCH_CPU_PROFILE'] ?? '';
const cpuProfile = {
  session: null as Session | null,
  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.start');
  },
  async stop(file: string): Promise<void> {
    if (!this.session) return;
    const { profile } = await this.session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    this.session.disconnect();
  },
};
/** Orders due in the busiest minute that are written elsewhere in each minute before it (read again). */
const WRITES_PER_MIN = env('BENCH_WRITES_PER_MIN', 20);
const URL = process.env['BENCH_MONGODB_URL'] ?? 'mongodb://127.0.0.1:27117';

const H = 3_600_000;
const DAY = 24 * H;
/** "Now" of the benchmark: the end of the 12 generated months. */
const NOW = new Date('2026-06-01T10:00:00+08:00');
const START = NOW.getTime() - 365 * DAY;
const CATEGORIES = ['投诉', '求助', '咨询', '举报', '建议', '投诉', '求助', '投诉', '表扬', '其他'];
const AREAS = Array.from({ length: 16 }, (_, i) => `1101${String(i + 1).padStart(2, '0')}`);
const UNITS = Array.from({ length: 50 }, (_, i) => `unit-${String(i + 1).padStart(2, '0')}`);

const AGENT: Actor = { id: 'agent-1', role: 'agent' };
const SUP: Actor = { id: 'sup-1', role: 'supervisor' };
const SWEEPER: Actor = { id: 'supervision-sweep', role: 'system' };

let seed = 42;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

function run(order: WorkOrder, steps: [WorkOrderAction, Actor, number][], base: number): WorkOrder {
  let o = order;
  for (const [a, actor, offset] of steps) {
    const r = transition(o, a, { now: new Date(base + offset), actor, preset: BEIJING_2023, calendar: DEFAULT_WORK_CALENDAR, callbackSampled: true });
    if (!r.ok) throw new Error(`${a.type}: ${r.code} ${r.reason}`);
    o = r.order;
  }
  return o;
}

/** One order of a profile, made with the real state machine. */
function makeOrder(i: number, createdAt: number, open: boolean): WorkOrder {
  const unit = pick(UNITS);
  const unitActor: Actor = { id: `h-${unit}`, role: 'unitHandler', unitId: unit };
  const category = pick(CATEGORIES);
  const o = createWorkOrder({
    id: randomUUID(), number: formatWorkOrderNumber(new Date(createdAt), (i % 999_999) + 1, 'BM'), presetId: BEIJING_2023.id,
    createdAt: new Date(createdAt), createdBy: { id: AGENT.id, role: 'agent' },
    caller: { name: '市民', phone: `13${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`, confidential: rnd() < 0.05, callbackConsent: rnd() < 0.9 ? 'granted' : 'declined' },
    category, urgency: rnd() < 0.05 ? '民生' : '一般', content: '诉求内容', areaCode: pick(AREAS),
  });
  if (category === '咨询' && rnd() < 0.6) return run(o, [[{ type: 'accept' }, AGENT, 0], [{ type: 'answerDirect', kbArticleId: 'kb-1', answer: '已答复' }, AGENT, 5 * 60_000]], createdAt);
  const steps: [WorkOrderAction, Actor, number][] = [[{ type: 'accept' }, AGENT, 0], [{ type: 'dispatch', leadUnitId: unit }, SUP, H]];
  const r = rnd();
  if (open) {
    if (r < 0.25) return run(o, steps, createdAt); // 待签收
    steps.push([{ type: 'sign' }, unitActor, 3 * H]);
    if (r < 0.85) return run(o, steps, createdAt); // 办理中
    steps.push([{ type: 'complete', summary: '已处理' }, unitActor, 30 * H]);
    return run(o, steps, createdAt); // 待审核
  }
  if (r < 0.04) {
    steps.push([{ type: 'requestReturn', reason: 'notOurDuty', explanation: '非本单位职责', evidence: [{ id: 'e' }] }, unitActor, 2 * H]);
    steps.push([{ type: 'approveReturn', redispatchTo: { leadUnitId: pick(UNITS) } }, SUP, 4 * H]);
    return run(o, steps, createdAt); // returned and re-dispatched, still open at the new unit: counts as closed profile's variety
  }
  steps.push([{ type: 'sign' }, unitActor, (rnd() < 0.9 ? 3 : 30) * H]);
  if (r < 0.12) {
    steps.push([{ type: 'requestExtension', step: 5, reason: '需协调' }, unitActor, 10 * H]);
    steps.push([{ type: 'approveExtension' }, SUP, 11 * H]);
  }
  const late = rnd() < 0.08 ? 10 * DAY : 0;
  steps.push([{ type: 'recordContactAttempt', channel: 'phone', reached: true }, unitActor, 5 * H]);
  steps.push([{ type: 'complete', summary: '已处理' }, unitActor, 3 * DAY + late]);
  steps.push([{ type: 'passReview' }, SUP, 3 * DAY + late + 2 * H]);
  steps.push([{ type: 'recordFeedback', channel: 'phone' }, unitActor, 3 * DAY + late + 4 * H]);
  if (o.caller.callbackConsent === 'declined') return run(o, steps, createdAt);
  const unhappy = rnd() < 0.1;
  steps.push([{ type: 'recordCallback', result: unhappy ? 'unsatisfied' : 'satisfied', contacted: true, feedbackReceived: rnd() < 0.95, resolution: unhappy ? 'unresolved' : 'resolved' }, AGENT, 4 * DAY + late]);
  if (unhappy) {
    steps.push([{ type: 'complete', summary: '重办完成' }, unitActor, 6 * DAY + late]);
    steps.push([{ type: 'passReview' }, SUP, 6 * DAY + late + H]);
    steps.push([{ type: 'recordFeedback', channel: 'phone' }, unitActor, 6 * DAY + late + 2 * H]);
    steps.push([{ type: 'recordCallback', result: rnd() < 0.5 ? 'satisfied' : 'unsatisfied', contacted: true, feedbackReceived: true, resolution: 'partlyResolved' }, AGENT, 7 * DAY + late]);
  }
  return run(o, steps, createdAt);
}

/**
 * An open order as the sweep would have left it had it run every minute until just before NOW:
 * every notice due by then sent (so its wake time is its next notice, as in a running system, not a
 * backlog of every deadline that passed while generating). The sweep keeps what it sent in the
 * notice log and does not rewrite the order, so the stored order is unchanged (its stored wake time
 * the one written with it, passed) and the schedule lists the next wake; nobody has read the order
 * since (the notices are not folded into it): the costlier case for the sweep, which records them
 * again on every visit (a duplicate key each).
 */
function caughtUp(order: WorkOrder): { stored: WorkOrderIndexFields; next: WorkOrderIndexFields; sent: SentNoticeRecord[] } {
  const due = dueNotices(order, new Date(NOW.getTime() - 60_000), BEIJING_2023, DEFAULT_WORK_CALENDAR);
  const index = (o: WorkOrder): WorkOrderIndexFields => indexFieldsOf({ order: o, events: [], now: NOW, preset: BEIJING_2023, calendar: DEFAULT_WORK_CALENDAR });
  const sent = due.map((n): SentNoticeRecord => ({ key: n.key, orderId: order.id, kind: n.kind, stage: n.stage, level: n.level, dueAt: n.dueAt, at: n.notifyAt }));
  // Its next wake: as the order would be with them folded in (what a reader, and the sweep, work out).
  const folded = foldSentNotices(order, due.map((n) => ({ key: n.key, kind: n.kind, stage: n.stage, level: n.level, at: n.notifyAt })), BEIJING_2023, DEFAULT_WORK_CALENDAR, SWEEPER);
  return { stored: index(order), next: index(folded), sent };
}

const OPEN_STATUSES: ReadonlySet<string> = new Set(['PENDING_SIGN', 'IN_PROGRESS', 'PENDING_REVIEW', 'EXTENSION_REQUESTED', 'RETURN_REQUESTED', 'PENDING_DISPATCH']);

const fmt = (n: number): string => n.toLocaleString('en-US');

/** An async iterable fed by pushes (a push resolves once the consumer took the item). */
function feedOf<T>(): { push(item: T): Promise<void>; end(): void; items: AsyncGenerator<T> } {
  const queue: { item: T; taken: () => void }[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  return {
    push: (item) => new Promise<void>((taken) => {
      queue.push({ item, taken });
      wake?.();
    }),
    end: () => {
      ended = true;
      wake?.();
    },
    items: (async function* () {
      for (;;) {
        const next = queue.shift();
        if (next) {
          next.taken();
          yield next.item;
        } else if (ended) {
          return;
        } else {
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      }
    })(),
  };
}

async function main(): Promise<void> {
  const dbName = `bench_work_orders_${Date.now().toString(36)}`;
  const profile = process.env['BENCH_PROFILE'] === '1';
  const db = new DbConnection(`${URL}/${dbName}${profile ? '?monitorCommands=true' : ''}`, silentLogger);
  await db.start();
  /** With BENCH_PROFILE=1: database commands during the busy sweep, by collection and command. */
  const commands = new Map<string, { n: number; ms: number }>();
  let profiling = false;
  if (profile) {
    const names = new Map<number, string>();
    const client = db.connection.getClient();
    client.on('commandStarted', (e) => {
      if (!profiling) return;
      const c = e.command as Record<string, unknown>;
      names.set(e.requestId, `${e.commandName} ${String(c[e.commandName] ?? '')}`);
    });
    client.on('commandSucceeded', (e) => {
      const k = names.get(e.requestId);
      if (!k) return;
      names.delete(e.requestId);
      const s = commands.get(k) ?? { n: 0, ms: 0 };
      commands.set(k, { n: s.n + 1, ms: s.ms + e.duration });
    });
  }
  const wakes = new MongoWakeSchedule(db.connection);
  const changes = new MongoOrderChangeLog(db.connection);
  await changes.init();
  const orders = new MongoWorkOrderRepository(db.connection, { wakes, changes, clock: () => NOW.getTime() });
  const noticeLog = new MongoNoticeLog(db.connection);
  const facts = new WorkOrderFacts({ store: new MongoWorkOrderRollupStore(db.connection), log: silentLogger });
  await Promise.all([orders.init(), facts.init()]);
  const orderColl = workOrderModel(db.connection).collection;
  // The KPI sums are built as the product's rebuild builds them (the same fold code), fed with the
  // generated orders batch by batch: folded rows inserted per batch, sums written at the end.
  const feed = feedOf<OrderFacts[]>();
  const rebuilding = facts.rebuild(feed.items);
  let lastOrders: WorkOrder[] = [];
  const regulation = new RegulationService({ store: new MongoWorkOrderSettingsStore(db.connection), clock: () => NOW.getTime(), log: silentLogger });

  console.log(`work-order benchmark: target ${fmt(TOTAL)} orders (${fmt(OPEN)} open), ${URL}/${dbName}`);
  const t0 = Date.now();
  let inserted = 0;
  let openInserted = 0;
  let stoppedEarly = '';
  let genMs = 0;
  let insertMs = 0;
  const closedTotal = TOTAL - OPEN;
  /** Open orders and their wake times, listed in the wake schedule as the repository would. */
  const wakeList: [string, Date][] = [];
  let inserting: Promise<void> = Promise.resolve();
  /** Orders generated in an open state (counted here: a status query is a full scan on FerretDB). */
  let openByStatus = 0;
  while (inserted < TOTAL) {
    const n = Math.min(BATCH, TOTAL - inserted);
    const g0 = Date.now();
    const docs: Record<string, unknown>[] = [];
    const changes: OrderFacts[] = [];
    const batchOrders: WorkOrder[] = [];
    const sentBatch: SentNoticeRecord[] = [];
    for (let k = 0; k < n; k += 1) {
      const i = inserted + k;
      // Open orders are interleaved evenly, created in the last 7 days (still within their limits).
      const open = Math.floor(((i + 1) * OPEN) / TOTAL) > Math.floor((i * OPEN) / TOTAL);
      const createdAt = open ? NOW.getTime() - Math.floor(rnd() * 7 * DAY) - 2 * H : START + Math.floor(((i - openInserted) / Math.max(1, closedTotal)) * (365 - 8) * DAY);
      const order = makeOrder(i, createdAt, open);
      const swept = open ? caughtUp(order) : null;
      const index = swept?.stored ?? indexFieldsOf({ order, events: [], now: NOW, preset: BEIJING_2023, calendar: DEFAULT_WORK_CALENDAR });
      if (swept) sentBatch.push(...swept.sent);
      if (open) openInserted += 1;
      if (OPEN_STATUSES.has(order.status)) openByStatus += 1;
      if (swept?.next.wakeAt) wakeList.push([order.id, swept.next.wakeAt]);
      docs.push(toDoc(order, 1, index) as unknown as Record<string, unknown>);
      changes.push({ orderId: order.id, rev: 1, rows: packRows(factRowsOf(order)) });
      batchOrders.push(order);
    }
    const i0 = Date.now();
    genMs += i0 - g0;
    // The next batch is generated while this one is inserted (the database and node each have a core).
    await inserting;
    inserting = (async () => {
      await orderColl.insertMany(docs as never[], { ordered: false });
      if (sentBatch.length > 0) await noticeLog.record(sentBatch);
      await Promise.race([feed.push(changes), rebuilding]);
    })();
    lastOrders = batchOrders;
    insertMs += Date.now() - i0;
    inserted += n;
    const elapsed = (Date.now() - t0) / 1000;
    if (inserted % (BATCH * 10) === 0 || inserted === TOTAL) {
      console.log(`  inserted ${fmt(inserted)} orders in ${elapsed.toFixed(0)} s (${fmt(Math.round(inserted / elapsed))}/s; generating ${(genMs / 1000).toFixed(0)} s, waiting for inserts ${(insertMs / 1000).toFixed(0)} s)`);
    }
    const projectedMin = ((TOTAL / inserted) * elapsed) / 60;
    if (projectedMin > MAX_INSERT_MIN && elapsed > 60 && inserted >= OPEN && openInserted >= Math.min(OPEN, 10_000)) {
      stoppedEarly = `generation stopped at ${fmt(inserted)} orders: at ${fmt(Math.round(inserted / elapsed))} orders/s the full ${fmt(TOTAL)} would take ~${projectedMin.toFixed(0)} min (> ${MAX_INSERT_MIN})`;
      break;
    }
  }
  await inserting;
  feed.end();
  const rebuilt = await rebuilding;
  const genSec = (Date.now() - t0) / 1000;
  // The wake schedule of the open orders, written in bulk by the product's MongoWakeSchedule.addMany.
  const w0 = Date.now();
  for (let i = 0; i < wakeList.length; i += 5_000) await wakes.addMany(wakeList.slice(i, i + 5_000), NOW);
  const wakeSec = (Date.now() - w0) / 1000;
  // Counted here, not asked of the database: FerretDB answers `count` (estimatedDocumentCount
  // included) by reading every document, which takes many minutes at a million orders.
  const counts = { orders: inserted };
  const openNow = openByStatus;

  const events = createWorkOrderEmitter();
  let notices = 0;
  events.on('workOrder:reminder', () => (notices += 1));
  events.on('workOrder:supervision', () => (notices += 1));
  // The busy sweep's "now": when the DUE-th next wake after the steady minutes (which the runs once a
  // minute below handle themselves) has come; orders sharing its minute join.
  const wakeTimes = wakeList.map(([, at]) => at.getTime()).sort((a, b) => a - b);
  const steadyEnd = NOW.getTime() + STEADY * 60_000;
  const afterSteady = wakeTimes.filter((t) => t > steadyEnd);
  const sweepAt = Math.max(steadyEnd, (afterSteady[Math.min(DUE, afterSteady.length) - 1] ?? steadyEnd) + 1_000);
  const timed: Record<string, number> = { minutes: 0, entries: 0, addMany: 0, drop: 0, dropHour: 0, record: 0 };
  /** `target` with the named methods timed into `timed` (summed; calls made in parallel overlap). */
  const timedOf = <T extends object>(target: T, names: readonly string[]): T => {
    const out = Object.create(target) as T;
    for (const name of names) {
      const fn = (target as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
      if (!fn) throw new Error(`no method ${name}`);
      (out as Record<string, unknown>)[name] = async (...a: unknown[]) => {
        const t = Date.now();
        try { return await fn.apply(target, a); } finally { timed[name] = (timed[name] ?? 0) + Date.now() - t; }
      };
    }
    return out;
  };
  const timedWakes = timedOf(wakes, ['minutes', 'entries', 'addMany', 'drop', 'dropHour']);
  const timedNotices = timedOf(noticeLog, ['record']);
  // Orders waking per minute over the next 24 h (how busy the minutes a running sweep sees are).
  const perMinute = new Map<number, number>();
  for (const t of wakeTimes) if (t >= NOW.getTime() && t < NOW.getTime() + DAY) perMinute.set(Math.floor(t / 60_000), (perMinute.get(Math.floor(t / 60_000)) ?? 0) + 1);
  const minuteCounts = [...Array(1440).keys()].map((k) => perMinute.get(Math.floor(NOW.getTime() / 60_000) + k) ?? 0).sort((a, b) => a - b);
  // A running sweep: once a minute (the cron schedule) over the first STEADY minutes after NOW.
  let clockAt = NOW.getTime();
  const steadySweep = new SupervisionSweep({ orders, wakes, notices: noticeLog, changes, regulation, events, clock: () => clockAt, log: silentLogger });
  const steady: { examined: number; ms: number; fromAhead: number; readAhead: number }[] = [];
  for (let k = 1; k <= STEADY; k++) {
    clockAt = NOW.getTime() + k * 60_000;
    const r = await steadySweep.run();
    steady.push({ examined: r.examined, ms: r.ms, fromAhead: r.fromAhead, readAhead: r.readAhead });
  }
  const steadyNotices = notices;
  notices = 0;
  const sweep = new SupervisionSweep({ orders, wakes: timedWakes, notices: timedNotices, changes, regulation, events, clock: () => sweepAt, log: silentLogger });
  profiling = true;
  const dbPid = databasePids(URL);
  /**
   * CPU from now on, as a share of one core over a run of `ms` (is it the database, this process, or
   * waiting?), and the machine's share of all its cores.
   */
  const cpuFromNow = () => {
    const c0 = { node: process.cpuUsage(), db: procTicks(dbPid), machine: machineTicks() };
    return (ms: number) => {
      const c1 = { node: process.cpuUsage(c0.node), db: procTicks(dbPid), machine: machineTicks() };
      return {
        node: (100 * (c1.node.user + c1.node.system)) / 1000 / Math.max(1, ms),
        db: c0.db !== null && c1.db !== null ? (100 * ((c1.db - c0.db) / CLK_TCK) * 1000) / Math.max(1, ms) : null,
        machine: (100 * (c1.machine.busy - c0.machine.busy)) / Math.max(1, c1.machine.total - c0.machine.total),
      };
    };
  };
  /** Database commands (BENCH_PROFILE=1), slowest total first, in one column. */
  const commandLines = (list: [string, { n: number; ms: number }][], indent: string): string[] =>
    [...list].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => `${indent}${k.padEnd(52 - indent.length)} ${String(v.n).padStart(6)} × ${(v.ms / v.n).toFixed(2)} ms`);
  const busyCpuOf = cpuFromNow();
  const busy = await sweep.run();
  const busyNotices = notices;
  const busyCpu = busyCpuOf(busy.ms);
  profiling = false;
  const busySchedule = { ...timed };
  const busyCommands = [...commands];
  for (const k of Object.keys(timed)) timed[k] = 0;
  const idle = await sweep.run();
  // The busiest minute of the next 24 h (working-day deadlines all end at 24:00): a sweep that has
  // done every minute until LEAD minutes before it (untimed), then runs at the end of each minute up
  // to the end of that one, reading ahead as it goes; meanwhile WRITES_PER_MIN of that minute's
  // orders are written elsewhere each minute (their marks make the sweep read them again).
  const LEAD = DEFAULT_SWEEP_OPTIONS.lookAheadMinutes + 1;
  const [worstMinute, worstListed] = [...perMinute.entries()].reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0]);
  let worst: {
    ms: number; examined: number; notices: number; fromAhead: number; catchUp: number; catchUpMs: number;
    before: { ms: number; examined: number; readAhead: number }[]; written: number; heapMb: number; heapAfterMb: number;
    parts: Record<string, number>; cpu: { node: number; db: number | null }; commands: string[];
  } | null = null;
  if (WORST && worstListed > 0 && (worstMinute - LEAD) * 60_000 > sweepAt) {
    let worstClock = (worstMinute - LEAD) * 60_000 - 1;
    const timedOrders = timedOf(orders, ['get']);
    const worstSweep = new SupervisionSweep({
      orders: timedOrders, wakes: timedWakes, notices: timedNotices, changes: timedOf(changes, ['changedSince', 'prune']), regulation, events, clock: () => worstClock, log: silentLogger,
    });
    const c0 = Date.now();
    let catchUp = 0;
    for (;;) {
      const r = await worstSweep.run();
      catchUp += r.examined;
      if (r.examined === 0) break;
    }
    const catchUpMs = Date.now() - c0;
    const worstIds = wakeList.filter(([, at]) => Math.floor(at.getTime() / 60_000) === worstMinute).map(([id]) => id);
    const before: { ms: number; examined: number; readAhead: number }[] = [];
    let written = 0;
    let heapWithKept = 0;
    const heapMb = (): number => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage().heapUsed / 2 ** 20;
    };
    for (let m = worstMinute - LEAD + 1; m <= worstMinute; m++) {
      worstClock = m * 60_000 + 59_999;
      let worstCpuOf: ReturnType<typeof cpuFromNow> | null = null;
      if (m === worstMinute) {
        notices = 0;
        for (const k of Object.keys(timed)) timed[k] = 0;
        commands.clear();
        profiling = true;
        worstCpuOf = cpuFromNow();
        if (CPU_PROFILE) await cpuProfile.start();
      }
      const r = await worstSweep.run();
      if (m === worstMinute && CPU_PROFILE) await cpuProfile.stop(CPU_PROFILE);
      // The heap with the orders kept for that minute (the run before it) and after it has used them; with
      // NODE_OPTIONS=--expose-gc each after a collection.
      if (m === worstMinute - 1) heapWithKept = heapMb();
      if (!worstCpuOf) before.push({ ms: r.ms, examined: r.examined, readAhead: r.readAhead });
      else {
        profiling = false;
        const cpu = worstCpuOf(r.ms);
        worst = {
          ms: r.ms, examined: r.examined, notices, fromAhead: r.fromAhead, catchUp, catchUpMs, before, written, heapMb: heapWithKept, heapAfterMb: heapMb(),
          parts: { ...timed }, cpu, commands: commandLines([...commands], '      ').slice(0, 8),
        };
      }
      for (let k = 0; k < WRITES_PER_MIN && m < worstMinute; k++) {
        await changes.mark(worstIds[Math.floor(rnd() * worstIds.length)] as string, new Date(m * 60_000 + 59_999));
        written += 1;
      }
    }
  }

  const complaintRepo = new MongoUnitComplaintRepository(db.connection);
  await complaintRepo.init();
  const reports = new WorkOrderReportService({ facts, complaints: complaintRepo, scoring: () => regulation.activePreset().scoring, clock: () => NOW.getTime() });
  const month = parsePeriod('month', '2026-05');
  if (!month) throw new Error('period');
  const r1 = await reports.compute(month);
  const r2 = await reports.compute(month);
  const monthRows = r1.units.reduce((n, u) => n + u.dispatched, 0);
  // Writes since the last fold (each order's next revision): the report folds them in memory.
  const pending = lastOrders.slice(0, PENDING);
  const putMs: number[] = [];
  for (const o of pending) {
    const p0 = Date.now();
    await facts.put(o.id, 2, factRowsOf(o), factRowsOf(o));
    putMs.push(Date.now() - p0);
  }
  putMs.sort((a, b) => a - b);
  const r3 = await reports.compute(month);
  const f0 = Date.now();
  const fold = await facts.fold();
  const foldMs = Date.now() - f0;
  const r4 = await reports.compute(month);
  const year = parsePeriod('year', '2026');
  const ry = year ? await reports.compute(year) : null;

  // Printed and written to bench/results/<date>-work-orders.txt (one file per run and day).
  const lines: string[] = [];
  const print = (line: string): void => {
    lines.push(line);
    console.log(line);
  };
  const info = (await db.connection.db?.admin().command({ buildInfo: 1 })) as { version?: string; ferretdb?: { version?: string } } | undefined;
  print('\nresults');
  print(`  database: ${info?.ferretdb ? `FerretDB ${info.ferretdb.version} (MongoDB ${info.version})` : `MongoDB ${info?.version ?? '?'}`} at ${URL}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
  print(`  data: ${fmt(counts.orders)} orders (${fmt(openNow)} open); generated and inserted in ${genSec.toFixed(0)} s`);
  if (stoppedEarly) print(`  NOTE: ${stoppedEarly}`);
  print(`  wake schedule: ${fmt(wakeList.length)} open orders listed in ${wakeSec.toFixed(0)} s (${fmt(Math.round(wakeList.length / Math.max(wakeSec, 0.001)))}/s)`);
  const q = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;
  print(`  orders waking per minute over the next 24 h: p50 ${q(minuteCounts, 50)}, p99 ${q(minuteCounts, 99)}, max ${minuteCounts[minuteCounts.length - 1] ?? 0}`);
  const steadyMs = steady.map((r) => r.ms).sort((a, b) => a - b);
  print(`  sweep once a minute, ${steady.length} minutes after NOW (${fmt(openNow)} open): due per run ${steady.map((r) => r.examined).join(' ')} (${fmt(steadyNotices)} notices; of them read ahead ${steady.map((r) => r.fromAhead).join(' ')}); ms per run ${steady.map((r) => r.ms).join(' ')} (max ${steadyMs[steadyMs.length - 1] ?? 0} ms)  [target ≤ 1000 ms]; orders read ahead per run ${steady.map((r) => r.readAhead).join(' ')}`);
  print(`  sweep, busy minute (${fmt(busy.examined)} due of ${fmt(openNow)} open, ${busy.minutes} minutes read): ${busy.ms} ms, ${fmt(busy.updated)} with a notice recorded, ${fmt(busyNotices)} notices; ${(busy.ms / Math.max(1, busy.examined)).toFixed(1)} ms per due order  [target ≤ 1000 ms]`);
  print(`    at ${new Date(sweepAt).toISOString()} (${((sweepAt - NOW.getTime()) / 60_000).toFixed(0)} min after the generated NOW); schedule: reading minutes ${busySchedule['minutes']} ms, entries ${busySchedule['entries']} ms, listing next wakes ${busySchedule['addMany']} ms, dropping done minutes ${(busySchedule['drop'] ?? 0) + (busySchedule['dropHour'] ?? 0)} ms; recording notices ${busySchedule['record']} ms`);
  print(`    CPU (% of one core): node ${busyCpu.node.toFixed(0)}, database ${busyCpu.db === null ? '? (not the lab database)' : busyCpu.db.toFixed(0)}; machine ${busyCpu.machine.toFixed(0)} % of ${os.cpus().length} cores`);
  for (const line of commandLines(busyCommands, '    ')) print(line);
  print(`  sweep, nothing due (reading the schedule only): ${idle.ms} ms (minutes ${timed['minutes']} ms, entries ${timed['entries']} ms, ${idle.minutes} minutes read), examined ${idle.examined}  [target ≤ 1000 ms]`);
  if (worst) {
    const b = worst.before;
    print(`  sweep, the busiest minute of the next 24 h (${fmt(worstListed)} listed, at ${new Date(worstMinute * 60_000).toISOString()}; the ${fmt(worst.catchUp)} due until ${LEAD} minutes before it done first in ${(worst.catchUpMs / 1000).toFixed(1)} s):`);
    print(`    the ${b.length} runs before it (once a minute, reading ahead): ms ${b.map((r) => r.ms).join(' ')} (max ${Math.max(0, ...b.map((r) => r.ms))}); due ${b.map((r) => r.examined).join(' ')}; read ahead ${b.map((r) => r.readAhead).join(' ')}; ${fmt(worst.written)} of the minute's orders written meanwhile  [target ≤ 1000 ms]`);
    print(`    the run at the end of that minute: ${worst.ms} ms, ${fmt(worst.examined)} due (${fmt(worst.fromAhead)} of them read ahead), ${fmt(worst.notices)} notices  [target ≤ 1000 ms]`);
    print(`    heap of this process with the orders kept for that minute ${worst.heapMb.toFixed(0)} MB, after the run used them ${worst.heapAfterMb.toFixed(0)} MB${(globalThis as { gc?: unknown }).gc ? ' (after a collection each)' : ' (without --expose-gc: garbage included)'}`);
    const wp = worst.parts;
    print(`    its parts (summed; parallel calls overlap): order reads ${wp['get'] ?? 0} ms, change log ${(wp['changedSince'] ?? 0) + (wp['prune'] ?? 0)} ms, reading minutes ${wp['minutes'] ?? 0} ms, entries ${wp['entries'] ?? 0} ms, listing next wakes ${wp['addMany'] ?? 0} ms, dropping ${(wp['drop'] ?? 0) + (wp['dropHour'] ?? 0)} ms, recording notices ${wp['record'] ?? 0} ms; CPU (% of one core) node ${worst.cpu.node.toFixed(0)}, database ${worst.cpu.db === null ? '?' : worst.cpu.db.toFixed(0)}`);
    for (const line of worst.commands) print(line);
  }
  print(`  KPI sums: ${fmt(rebuilt.orders)} orders folded into ${fmt(rebuilt.documents)} rollup documents (generation ${rebuilt.gen}), during generation`);
  print(`  monthly report 2026-05 (${fmt(monthRows)} dispatches, ${r1.units.length} units): ${r1.computeMs} ms first, ${r2.computeMs} ms again  [target ≤ 2000 ms]`);
  print(`  same, with ${fmt(pending.length)} order writes not yet folded: ${r3.computeMs} ms; the fold of them: ${fold.batches} batches in ${foldMs} ms; report after it: ${r4.computeMs} ms`);
  print(`  facts.put (change log append) per order write: p50 ${putMs[Math.floor(putMs.length / 2)] ?? 0} ms, p99 ${putMs[Math.floor(putMs.length * 0.99)] ?? 0} ms`);
  if (ry) print(`  yearly report 2026 (${ry.units.length} units): ${ry.computeMs} ms`);
  print(`  top categories 2026-05: ${r1.hotTopics.categories.slice(0, 3).map((c) => `${c.key} ${c.count}`).join(', ')}`);
  const resultsFile = join(__dirname, 'results', `${new Date().toISOString().slice(0, 10)}-work-orders.txt`);
  await mkdir(dirname(resultsFile), { recursive: true });
  await appendFile(resultsFile, `# ${new Date().toISOString()} BENCH_ORDERS=${TOTAL}\n${lines.join('\n')}\n\n`);
  console.log(`\n(written to ${resultsFile})`);
  if (process.env['BENCH_KEEP'] !== '1') await db.connection.dropDatabase();
  await db.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
