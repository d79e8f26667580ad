/**
 * 统计报表 page benchmark (figures, no assertions), in Debian's headless Chromium:
 *
 *   npx tsx bench/reports-page.bench.ts [--orders 100000] [--units 20] [--runs 7]
 *
 * A year (2026) of work orders, BENCH_ORDERS in all, 70 % of them dispatched to one large unit
 * (unit-big) and the rest spread over BENCH_UNITS − 1 others, is loaded into the KPI sums by the
 * product's own rebuild (WorkOrderFacts.rebuild on the lab database). The rows are generated
 * directly as fact rows (counters and open due instants with a plausible mix of outcomes): what
 * the page reads is the sums per period, whose size depends on units, days and categories, not on
 * the number of orders, so the orders themselves are not written.
 * The app (work-order module, login and the built pages on one origin, clock at 2027-01-05) is then
 * opened by a supervisor and timed:
 *  1. first render: the 登录 click → the yearly report's table shows unit-big's dispatches and both
 *     charts are drawn (login, page chunk, report and trend requests, render);
 *  2. switching 季报 → 年报 on the page (BENCH_RUNS times): the click → the year's figures and its
 *     weekly trend on screen, split (the page's resource timings) into the click → both answers in
 *     and the answers → on screen (render and charts);
 *  3. server time of the year's report (computeMs) and of the trend request.
 * Target (reported, not asserted): report page render ≤ 1.5 s.
 * Writes the figures to bench/results/<date>-reports-page.txt.
 */
import os from 'node:os';
import type { Page } from 'playwright-core';
import { MongoWorkOrderRollupStore } from '../src/adapters/db/repositories/work-order-facts.repository';
import type { OpenDueField, PackedFactRow } from '../src/domain/kpi/work-order-facts';
import { periodKeys } from '../src/domain/calendar/periods';
import { WorkOrderFacts, type OrderFacts } from '../src/app/work-orders/reporting/work-order-facts.service';
import { silentLogger } from '../src/shared/logger';
import { ADMIN } from '../test/support/api-harness';
import { launchChromium, openPage, signIn } from '../test/support/browser';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri } from '../test/support/work-order-harness';
import { recordRun } from './support/results';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  return v ? Number(v) : def;
};
const ORDERS = arg('orders', 100_000);
const UNITS = arg('units', 20);
const RUNS = arg('runs', 7);
const YEAR_START = new Date('2026-01-01T00:00:00+08:00').getTime();
const YEAR_MS = 365 * 86_400_000;
const NOW = new Date('2027-01-05T10:00:00+08:00').getTime();
const H = 3_600_000;
const CATEGORIES = ['投诉', '求助', '咨询', '建议', '举报', '表扬'];
const AREAS = ['110101', '110102', '110105', '110106', '110107', '110108', '110109', '110111'];

let seed = 42;
const rnd = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

/** One order's fact row: dispatched over the year; mostly closed on time and satisfied, some late, some still open. */
function factRow(i: number): PackedFactRow {
  const unit = rnd() < 0.7 ? 'unit-big' : `unit-${String(1 + (i % Math.max(1, UNITS - 1))).padStart(2, '0')}`;
  const dispatchedAt = YEAR_START + Math.floor((i / ORDERS) * YEAR_MS);
  const open = rnd() < 0.03;
  const late = rnd() < 0.08;
  const reached = !open && rnd() < 0.85;
  const satisfied = reached && rnd() < 0.9;
  const n: Record<string, number> = { dispatched: 1, active: 1, signCounted: 1, signOnTime: rnd() < 0.97 ? 1 : 0 };
  const o: Partial<Record<OpenDueField, number>> = {};
  if (open) {
    o.otcOpenDueAt = dispatchedAt + 7 * 24 * H;
    o.unfinishedDueAt = dispatchedAt + 7 * 24 * H;
    o.feedbackOpenDueAt = dispatchedAt + 7 * 24 * H;
  } else {
    Object.assign(n, { reviewPassed: 1, otcPassed: 1, otcOnTime: late ? 0 : 1, completedLate: late ? 1 : 0, callbackRequired: 1, redoBase: 1 });
    if (reached) Object.assign(n, { reached: 1, callbackReached: 1, contacted: 1, feedbackConfirmed: rnd() < 0.95 ? 1 : 0, satisfied: satisfied ? 1 : 0, resolved: satisfied ? 1 : 0 });
  }
  for (const k of Object.keys(n)) if (n[k] === 0) delete n[k];
  const keys = periodKeys(new Date(dispatchedAt));
  return { u: unit, c: pick(CATEGORIES), a: pick(AREAS), p: keys, t: keys, n, o };
}

async function* batches(): AsyncGenerator<OrderFacts[]> {
  for (let i = 0; i < ORDERS; i += 5_000) {
    const batch: OrderFacts[] = [];
    for (let k = i; k < Math.min(ORDERS, i + 5_000); k += 1) batch.push({ orderId: `bench-${k}`, rev: 1, rows: [factRow(k)] });
    yield batch;
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
const stats = (xs: number[]) => `n=${xs.length} p50 ${pct(xs, 50).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

/** Waits until the page shows the year's (or month's) figures for unit-big and both charts are drawn. */
async function shown(page: Page, title: string, dispatched: string): Promise<void> {
  await page.waitForFunction(
    ([t, d]) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null; querySelector(s: string): unknown } | null } }).document;
      return doc.querySelector('[data-testid="report-title"]')?.textContent === t
        && doc.querySelector('[data-testid="r-unit-big-dispatched"]')?.textContent === d
        && !!doc.querySelector('[data-testid="trend-chart"]')?.querySelector('canvas')
        && !!doc.querySelector('[data-testid="category-chart"]')?.querySelector('canvas');
    },
    [title, dispatched] as const,
    { timeout: 60_000, polling: 'raf' },
  );
}

async function main(): Promise<void> {
  recordRun('reports-page');
  const clock = new TestClock(NOW);
  const app = await startWorkOrderApp(await workOrderDbUri(`${__filename}-${Date.now()}`), clock, {}, { web: true });
  try {
    const facts = new WorkOrderFacts({ store: new MongoWorkOrderRollupStore(app.db.connection), log: silentLogger });
    await facts.init();
    const r0 = Date.now();
    const rebuilt = await facts.rebuild(batches());
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    console.log(`reports page benchmark: ${ORDERS.toLocaleString('en')} orders in 2026 (70 % to unit-big), ${UNITS} units; KPI sums rebuilt in ${((Date.now() - r0) / 1000).toFixed(1)} s (${rebuilt.documents} documents)`);

    const sup = await login(app, 'supervisor');
    const year = await call<{ units: { unitId: string; dispatched: number }[]; computeMs: number }>(app, 'GET', '/api/reports/work-orders?period=year&key=2026&topN=20', sup);
    const big = String(year.body.units.find((u) => u.unitId === 'unit-big')?.dispatched ?? '?');
    const q1 = await call<{ units: { unitId: string; dispatched: number }[] }>(app, 'GET', '/api/reports/work-orders?period=quarter&key=2026-Q1&topN=20', sup);
    const bigQ1 = String(q1.body.units.find((u) => u.unitId === 'unit-big')?.dispatched ?? '?');
    const serverYear: number[] = [];
    const trendDay: number[] = [];
    const trendWeek: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      serverYear.push((await call<{ computeMs: number }>(app, 'GET', '/api/reports/work-orders?period=year&key=2026&topN=20', sup)).body.computeMs);
      let t = Date.now();
      await call(app, 'GET', '/api/reports/work-orders/trend?period=year&key=2026&granularity=day', sup);
      trendDay.push(Date.now() - t);
      t = Date.now();
      await call(app, 'GET', '/api/reports/work-orders/trend?period=year&key=2026&granularity=week&unitId=unit-big', sup);
      trendWeek.push(Date.now() - t);
    }
    console.log(`  unit-big: ${big} dispatches in 2026, ${bigQ1} in the first quarter`);
    console.log(`  server, yearly report (all units, hot topics): computeMs ${stats(serverYear)}`);
    console.log(`  server, yearly trend by day (365 points, all units): ${stats(trendDay)}; by week for unit-big: ${stats(trendWeek)}`);

    await app.users.create(ADMIN, { username: 'bench-manager', password: 'bench-manager-password', role: 'supervisor', displayName: '报表' });
    const chrome = await launchChromium();
    try {
      const { page } = await openPage(chrome.browser, `${app.baseUrl}/#/reports?period=year&key=2026`);
      await page.getByRole('button', { name: '登录' }).waitFor();
      const f0 = Date.now();
      await signIn(page, 'bench-manager', 'bench-manager-password');
      await shown(page, '2026年年报', big);
      const first = Date.now() - f0;
      console.log(`  page, first render (登录 click → yearly table and both charts on screen): ${first} ms  [target ≤ 1500 ms]`);
      const toYear: number[] = [];
      const requestsDone: number[] = [];
      const afterRequests: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        await page.getByText('季报', { exact: true }).click();
        await shown(page, '2026年第1季度季报', bigQ1);
        const t0 = await page.evaluate(() => {
          const perf = (globalThis as unknown as { performance: { clearResourceTimings(): void; now(): number } }).performance;
          perf.clearResourceTimings();
          return perf.now();
        });
        const t = Date.now();
        await page.getByText('年报', { exact: true }).click();
        await shown(page, '2026年年报', big);
        toYear.push(Date.now() - t);
        // Where the time goes: the page's report requests (sent, answered) and what follows them (render, charts).
        const [lastResponse, end] = await page.evaluate(() => {
          const perf = (globalThis as unknown as { performance: { now(): number; getEntriesByType(t: string): { name: string; responseEnd: number }[] } }).performance;
          const reports = perf.getEntriesByType('resource').filter((e) => e.name.includes('/api/reports/'));
          return [Math.max(...reports.map((e) => e.responseEnd)), perf.now()];
        });
        requestsDone.push(lastResponse - t0);
        afterRequests.push(end - lastResponse);
      }
      console.log(`  page, 季报 → 年报 (click → the year's table and its weekly trend on screen): ${stats(toYear)}  [target ≤ 1500 ms]`);
      console.log(`    of which: click → both answers in: ${stats(requestsDone)}; answers → on screen (render, charts): ${stats(afterRequests)}`);
    } finally {
      await chrome.close();
    }
  } finally {
    await app.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
