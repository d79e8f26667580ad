/**
 * Work-order benchmark against a real database server (FerretDB in the lab, MongoDB in production).
 *
 *   npx tsx bench/work-orders.bench.ts
 *
 * Generates BENCH_ORDERS orders (default 1,000,000; 12 months, 50 units, every category, a
 * realistic mix: ~90 % closed with callbacks, returns, extensions and redos, BENCH_OPEN open ones)
 * with bulk insertMany in batches, then times:
 *  - the supervision sweep over the open orders: once with BENCH_DUE orders due (a busy minute),
 *    once more right after (nothing due: the cost of the indexed selection alone);
 *  - the monthly KPI report (all units, hot topics) over the month with the most orders.
 * Targets: sweep ≤ 1 s, report ≤ 2 s. If inserting would take longer than BENCH_MAX_INSERT_MIN
 * minutes, generation stops early and the figures say at what size they were measured.
 * Env: BENCH_MONGODB_URL (default mongodb://127.0.0.1:27117), BENCH_KEEP=1 keeps the database.
 */
import { randomUUID } from 'node:crypto';
import { DbConnection } from '../src/adapters/db/connection';
import { MongoWorkOrderRepository, toDoc } from '../src/adapters/db/repositories/work-order.repository';
import { MongoWorkOrderFactsRepository } from '../src/adapters/db/repositories/work-order-facts.repository';
import { MongoWorkOrderSettingsStore } from '../src/adapters/db/repositories/work-order-settings.repository';
import { workOrderFactModel, workOrderModel } from '../src/adapters/db/models/work-order.model';
import { RegulationService } from '../src/app/work-orders/regulation.service';
import { SupervisionSweep } from '../src/app/work-orders/supervision-sweep';
import { createWorkOrderEmitter } from '../src/app/work-orders/work-order.events';
import { factRowsOf } from '../src/app/work-orders/work-order.facts';
import { indexFieldsOf } from '../src/app/work-orders/work-order.index';
import { WorkOrderReportService } from '../src/app/work-orders/work-order-report.service';
import { parsePeriod } from '../src/app/work-orders/periods';
import { DEFAULT_WORK_CALENDAR } from '../src/domain/calendar';
import {
  BEIJING_2023, createWorkOrder, formatWorkOrderNumber, transition,
  type Actor, type WorkOrder, type WorkOrderAction,
} from '../src/domain/work-order';
import { silentLogger } from '../src/shared/logger';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const TOTAL = env('BENCH_ORDERS', 1_000_000);
const OPEN = Math.min(env('BENCH_OPEN', 100_000), TOTAL);
const DUE = env('BENCH_DUE', 500);
const BATCH = env('BENCH_BATCH', 5_000);
const MAX_INSERT_MIN = env('BENCH_MAX_INSERT_MIN', 45);
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

const fmt = (n: number): string => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const dbName = `bench_work_orders_${Date.now().toString(36)}`;
  const db = new DbConnection(`${URL}/${dbName}`, silentLogger);
  await db.start();
  const orders = new MongoWorkOrderRepository(db.connection);
  const facts = new MongoWorkOrderFactsRepository(db.connection);
  await Promise.all([orders.init(), facts.init()]);
  const orderColl = workOrderModel(db.connection).collection;
  const factColl = workOrderFactModel(db.connection).collection;
  const regulation = new RegulationService({ store: new MongoWorkOrderSettingsStore(db.connection), clock: () => NOW.getTime(), log: silentLogger });

  console.log(`work-order benchmark: target ${fmt(TOTAL)} orders (${fmt(OPEN)} open), ${URL}/${dbName}`);
  const t0 = Date.now();
  let inserted = 0;
  let openInserted = 0;
  let dueMarked = 0;
  let stoppedEarly = '';
  let genMs = 0;
  let insertMs = 0;
  const closedTotal = TOTAL - OPEN;
  while (inserted < TOTAL) {
    const n = Math.min(BATCH, TOTAL - inserted);
    const g0 = Date.now();
    const docs: Record<string, unknown>[] = [];
    const rows: Record<string, unknown>[] = [];
    for (let k = 0; k < n; k += 1) {
      const i = inserted + k;
      // Open orders are interleaved evenly, created in the last 7 days (still within their limits).
      const open = Math.floor(((i + 1) * OPEN) / TOTAL) > Math.floor((i * OPEN) / TOTAL);
      const createdAt = open ? NOW.getTime() - Math.floor(rnd() * 7 * DAY) - 2 * H : START + Math.floor(((i - openInserted) / Math.max(1, closedTotal)) * (365 - 8) * DAY);
      const order = makeOrder(i, createdAt, open);
      let index = indexFieldsOf({ order, events: [], now: NOW, preset: BEIJING_2023, calendar: DEFAULT_WORK_CALENDAR });
      if (open) {
        openInserted += 1;
        // The first DUE open orders are due at NOW (a busy minute); the rest later.
        if (dueMarked < DUE && index.wakeAt) {
          index = { ...index, wakeAt: new Date(NOW.getTime() - 1000) };
          dueMarked += 1;
        }
      }
      docs.push(toDoc(order, 1, index) as unknown as Record<string, unknown>);
      for (const row of factRowsOf(order)) rows.push(MongoWorkOrderFactsRepository.toDoc(row, 1) as unknown as Record<string, unknown>);
    }
    const i0 = Date.now();
    genMs += i0 - g0;
    await orderColl.insertMany(docs as never[], { ordered: false });
    await factColl.insertMany(rows as never[], { ordered: false });
    insertMs += Date.now() - i0;
    inserted += n;
    const elapsed = (Date.now() - t0) / 1000;
    if (inserted % (BATCH * 10) === 0 || inserted === TOTAL) {
      console.log(`  inserted ${fmt(inserted)} orders in ${elapsed.toFixed(0)} s (${fmt(Math.round(inserted / elapsed))}/s; generating ${(genMs / 1000).toFixed(0)} s, inserting ${(insertMs / 1000).toFixed(0)} s)`);
    }
    const projectedMin = ((TOTAL / inserted) * elapsed) / 60;
    if (projectedMin > MAX_INSERT_MIN && elapsed > 60 && inserted >= OPEN && openInserted >= Math.min(OPEN, 10_000)) {
      stoppedEarly = `generation stopped at ${fmt(inserted)} orders: at ${fmt(Math.round(inserted / elapsed))} orders/s the full ${fmt(TOTAL)} would take ~${projectedMin.toFixed(0)} min (> ${MAX_INSERT_MIN})`;
      break;
    }
  }
  const genSec = (Date.now() - t0) / 1000;
  const counts = { orders: await orderColl.estimatedDocumentCount(), facts: await factColl.estimatedDocumentCount() };
  const openNow = await orderColl.countDocuments({ status: { $in: ['PENDING_SIGN', 'IN_PROGRESS', 'PENDING_REVIEW', 'EXTENSION_REQUESTED', 'RETURN_REQUESTED', 'PENDING_DISPATCH'] } });

  const events = createWorkOrderEmitter();
  let notices = 0;
  events.on('workOrder:reminder', () => (notices += 1));
  events.on('workOrder:supervision', () => (notices += 1));
  const sweep = new SupervisionSweep({ orders, regulation, events, clock: () => NOW.getTime(), log: silentLogger }, { batchSize: 500, concurrency: 16 });
  const busy = await sweep.run();
  const idle = await sweep.run();

  const reports = new WorkOrderReportService({ facts, clock: () => NOW.getTime() });
  const month = parsePeriod('month', '2026-05');
  if (!month) throw new Error('period');
  const monthRows = await factColl.countDocuments({ periods: month.key });
  const r1 = await reports.compute(month);
  const r2 = await reports.compute(month);
  const year = parsePeriod('year', '2026');
  const ry = year ? await reports.compute(year) : null;

  console.log('\nresults');
  console.log(`  data: ${fmt(counts.orders)} orders (${fmt(openNow)} open), ${fmt(counts.facts)} fact rows; generated and inserted in ${genSec.toFixed(0)} s`);
  if (stoppedEarly) console.log(`  NOTE: ${stoppedEarly}`);
  console.log(`  sweep, busy minute (${fmt(busy.examined)} due of ${fmt(openNow)} open): ${busy.ms} ms, ${fmt(busy.updated)} written, ${fmt(notices)} notices  [target ≤ 1000 ms]`);
  console.log(`  sweep, nothing due (indexed selection only): ${idle.ms} ms, examined ${idle.examined}  [target ≤ 1000 ms]`);
  console.log(`  monthly report 2026-05 (${fmt(monthRows)} fact rows, ${r1.units.length} units): ${r1.computeMs} ms first, ${r2.computeMs} ms again  [target ≤ 2000 ms]`);
  if (ry) console.log(`  yearly report 2026 (${ry.units.length} units): ${ry.computeMs} ms`);
  console.log(`  top categories 2026-05: ${r1.hotTopics.categories.slice(0, 3).map((c) => `${c.key} ${c.count}`).join(', ')}`);
  if (process.env['BENCH_KEEP'] !== '1') await db.connection.dropDatabase();
  await db.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
