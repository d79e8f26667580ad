/**
 * The deadline radar (工单中心 时限雷达) against a real database server (FerretDB v2 in the lab,
 * MongoDB in production):
 *
 *   npx tsx bench/desk.bench.ts
 *
 * Generates BENCH_OPEN open orders (default 100,000; 50 units, every category and urgency, dispatched
 * over the last 30 days under 青浦 2020, in every open status) and BENCH_CLOSED closed ones (default
 * 50,000), written as the service writes them (toDoc + indexFieldsOf, so with the radar's fields),
 * with the product's indexes. Then times the radar as the route calls it (WorkOrderService.radar:
 * the database query, the count and the rows' mapping; not HTTP), BENCH_REPS times each:
 *  - the first page (no filter, 20 rows), as a supervisor opens 时限雷达;
 *  - a filter change: by unit (a different unit each time), category, urgency, 超期, 临期, and unit +
 *    category; and a unit handler's inbox (narrowed to its unit by the service);
 *  - page 50, for comparison (skip-based paging).
 * Prints p50/p99 per case; target p99 ≤ 300 ms per page. Checks that the windowed reads (the
 * repository's answer to DocumentDB's in-memory sort) return the same pages as the plain sorted
 * query, and prints the query plan's index for the first page and for a unit filter.
 * Env: BENCH_MONGODB_URL (default mongodb://127.0.0.1:$TEST_FERRETDB_PORT or 27117), BENCH_KEEP=1 keeps the database.
 */
import os from 'node:os';
import { DbConnection } from '../src/adapters/db/connection';
import { MongoWorkOrderRepository, toDoc } from '../src/adapters/db/repositories/work-order.repository';
import { workOrderModel } from '../src/adapters/db/models/work-order.model';
import { indexFieldsOf } from '../src/app/work-orders/lifecycle/work-order.index';
import { WorkOrderService, type WorkOrderServiceDeps } from '../src/app/work-orders/lifecycle/work-order.service';
import type { RadarFilter } from '../src/app/work-orders/work-orders.ports';
import { DEFAULT_WORK_CALENDAR } from '../src/domain/calendar';
import { QINGPU_2020, createWorkOrder, formatWorkOrderNumber, transition, type Actor, type WorkOrder, type WorkOrderAction } from '../src/domain/work-order';
import type { Actor as Person } from '../src/domain/access';
import { silentLogger } from '../src/shared/logger';
import { recordRun } from './support/results';

recordRun('desk');

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const OPEN = env('BENCH_OPEN', 100_000);
const CLOSED = env('BENCH_CLOSED', 50_000);
const REPS = env('BENCH_REPS', 40);
const BATCH = 2_000;
const URL = process.env['BENCH_MONGODB_URL'] ?? `mongodb://127.0.0.1:${process.env['TEST_FERRETDB_PORT'] ?? '27117'}`;
const H = 3_600_000;
const NOW = Date.now();
const CATEGORIES = ['投诉', '求助', '咨询', '举报', '建议', '投诉', '求助', '投诉', '表扬', '其他'];
const URGENCIES = ['一般', '一般', '一般', '紧急', '民生', '疑难'] as const;
const UNITS = Array.from({ length: 50 }, (_, i) => `unit-${String(i + 1).padStart(2, '0')}`);
const SUP: Actor = { id: 'sup-1', role: 'supervisor' };

let seed = 7;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

function step(o: WorkOrder, a: WorkOrderAction, actor: Actor, at: number): WorkOrder {
  const r = transition(o, a, { now: new Date(at), actor, preset: QINGPU_2020, calendar: DEFAULT_WORK_CALENDAR, callbackSampled: true });
  if (!r.ok) throw new Error(`${a.type}: ${r.code} ${r.reason}`);
  return r.order;
}

/** Open: dispatched within the last 30 days and left in a status of the lifecycle; closed: done. */
function makeOrder(n: number, open: boolean): WorkOrder {
  const at = NOW - Math.floor(rnd() * 30 * 24 * H);
  const unit = pick(UNITS);
  const handler: Actor = { id: `h-${unit}`, role: 'unitHandler', unitId: unit };
  let o = createWorkOrder({
    id: `o-${n}`, number: formatWorkOrderNumber(new Date(at), n, 'WO'), presetId: QINGPU_2020.id, createdAt: new Date(at), createdBy: { id: 'agent-1', role: 'agent' },
    caller: { name: '张先生', phone: `139${String(n).padStart(8, '0')}`, confidential: false, callbackConsent: 'unknown' },
    category: pick(CATEGORIES), urgency: pick(URGENCIES), content: '诉求内容', areaCode: '110105',
  });
  o = step(o, { type: 'accept' }, SUP, at);
  const r = rnd();
  if (open && r < 0.05) return o; // 待派单
  o = step(o, { type: 'dispatch', leadUnitId: unit, ...(rnd() < 0.2 ? { coUnitIds: [pick(UNITS)] } : {}) }, SUP, at + 600_000);
  if (open && r < 0.25) return o; // 待签收
  o = step(o, { type: 'sign' }, handler, at + H);
  if (open && r < 0.45) return o;
  o = step(o, { type: 'recordContactAttempt', channel: 'phone', reached: true }, handler, at + 2 * H);
  if (open && r < 0.8) return o; // 办理中
  const report = Object.fromEntries(['firstContact', 'siteVisit', 'facts', 'requestAssessment', 'actionsAndBasis', 'result', 'replyToCaller', 'callerSatisfaction', 'otherNotes', 'handlerAndResponsible'].map((k) => [k, '已办理'])) as never;
  o = step(o, { type: 'complete', summary: '已办理', report }, handler, at + 3 * H);
  if (open && r < 0.9) return o; // 待审核
  o = step(o, { type: 'passReview' }, SUP, at + 4 * H);
  if (open) return o; // 待反馈
  o = step(o, { type: 'recordFeedback', channel: 'phone' }, handler, at + 5 * H);
  return step(o, { type: 'recordCallback', level: '满意' }, SUP, at + 6 * H);
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

async function main(): Promise<void> {
  const dbName = `bench_desk_${Date.now()}`;
  const conn = new DbConnection(`${URL}/${dbName}`, silentLogger);
  await conn.start();
  const repo = new MongoWorkOrderRepository(conn.connection);
  await repo.init();
  const coll = workOrderModel(conn.connection).collection;
  console.log(`desk bench: ${OPEN} open + ${CLOSED} closed orders into ${URL}/${dbName}; ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const t0 = Date.now();
  const now = new Date(NOW);
  for (let start = 0; start < OPEN + CLOSED; start += BATCH) {
    const docs = [];
    for (let n = start; n < Math.min(OPEN + CLOSED, start + BATCH); n += 1) {
      const o = makeOrder(n + 1, n < OPEN);
      docs.push(toDoc(o, 1, indexFieldsOf({ order: o, events: [], now, preset: QINGPU_2020, calendar: DEFAULT_WORK_CALENDAR })));
    }
    await coll.insertMany(docs as never[], { ordered: false });
  }
  console.log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s; open on the radar: ${await coll.countDocuments({ radarDueAt: { $gte: new Date(0) } })}`);

  const service = new WorkOrderService({ orders: repo, clock: Date.now, log: silentLogger } as unknown as WorkOrderServiceDeps);
  const staff: Person = { userId: 'sup-1', role: 'supervisor', agentId: null, unitId: null, groupId: null } as unknown as Person;
  const handlerOf = (unitId: string): Person => ({ userId: `h-${unitId}`, role: 'unit_handler', agentId: null, unitId, groupId: null }) as unknown as Person;

  const time = async (name: string, run: (i: number) => Promise<{ readonly items: readonly unknown[]; readonly total: number }>): Promise<void> => {
    const ms: number[] = [];
    let rows = 0;
    let total = 0;
    for (let i = 0; i < REPS; i += 1) {
      const s = performance.now();
      const r = await run(i);
      ms.push(performance.now() - s);
      rows = r.items.length;
      total = r.total;
    }
    const p99 = pct(ms, 99);
    console.log(`${name.padEnd(34)} p50 ${pct(ms, 50).toFixed(1).padStart(7)} ms  p99 ${p99.toFixed(1).padStart(7)} ms  (${rows} rows of ${total})${p99 > 300 ? '  ABOVE TARGET 300 ms' : ''}`);
  };
  const radar = (f: Omit<RadarFilter, 'now'>, page = 1, who: Person = staff) => service.radar(who, f, page, 20);

  await time('first page', () => radar({}));
  await time('filter: unit (another each time)', (i) => radar({ unitId: UNITS[i % UNITS.length]! }));
  await time('filter: category', (i) => radar({ category: CATEGORIES[i % CATEGORIES.length]! }));
  await time('filter: urgency', (i) => radar({ urgency: URGENCIES[i % URGENCIES.length]! }));
  await time('filter: 超期 (overdue)', () => radar({ level: 'overdue' }));
  await time('filter: 临期 (in the 催办 window)', () => radar({ level: 'warning' }));
  await time('filter: unit + category', (i) => radar({ unitId: UNITS[i % UNITS.length]!, category: '投诉' }));
  await time('filter: status 待派单', () => radar({ status: ['PENDING_DISPATCH'] }));
  await time('unit inbox (unit handler)', (i) => radar({}, 1, handlerOf(UNITS[i % UNITS.length]!)));
  await time('page 50 (no filter)', () => radar({}, 50));

  // The windowed reads must answer what the plain sorted query answers.
  const plain = new MongoWorkOrderRepository(conn.connection, { radarWindowAbove: Number.MAX_SAFE_INTEGER });
  let differ = 0;
  for (const f of [{}, { level: 'overdue' as const }, { category: '投诉' }, { urgency: '一般' as const }, { unitId: 'unit-07' }]) {
    for (const p of [1, 3]) {
      const at = new Date();
      const [a, b] = await Promise.all([repo.radar({ ...f, now: at }, p, 20), plain.radar({ ...f, now: at }, p, 20)]);
      if (a.total !== b.total || a.items.map((x) => x.order.id).join() !== b.items.map((x) => x.order.id).join()) differ += 1;
    }
  }
  console.log(`windowed pages equal to the plain sorted query's: ${differ === 0 ? 'all 10' : `${differ} of 10 DIFFER`}`);

  for (const [what, q] of [['first page', { radarDueAt: { $gte: new Date(0) } }], ['unit filter', { unitIds: 'unit-07', radarDueAt: { $gte: new Date(0) } }]] as const) {
    try {
      const plan = (await coll.find(q as never).sort({ radarDueAt: 1, _id: 1 }).limit(20).explain()) as Record<string, unknown>;
      const text = JSON.stringify(plan);
      const index = /"indexName":"([^"]+)"/.exec(text)?.[1] ?? /"index_name":"([^"]+)"/i.exec(text)?.[1] ?? /Index (?:Only )?Scan[^"]* on [^"\s]+ ([^"\s]+)/.exec(text)?.[1] ?? /using ([A-Za-z0-9_]+)/.exec(text)?.[1];
      console.log(`plan (${what}): ${index ? `index ${index}` : `no index named: ${text.slice(0, 300)}`}`);
    } catch (err) {
      console.log(`plan (${what}): explain failed: ${String(err)}`);
    }
  }
  if (process.env['BENCH_KEEP'] !== '1') await conn.connection.dropDatabase();
  await conn.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
