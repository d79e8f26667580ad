/**
 * Where a console's first render spends the page's main thread (figures, no assertions), in Debian's
 * headless Chromium: the V8 CPU profile from the 登录 click until the page shows its data, summed by
 * function (self time) and by source (the page's chunks by name; node_modules packages when the
 * build has source maps), with the page's own performance marks.
 *
 *   npx tsx bench/consoles.profile.ts [--page wallboard|agent] [--agents 300] [--queues 20] [--runs 3]
 *
 * The app is the REST + Socket.IO part of the product (test/support/api-harness.ts) with live inputs
 * fed directly. Build the pages first (npm run build:web). Writes the figures to
 * bench/results/<date>-consoles-profile.txt.
 */
import os from 'node:os';
import { feedBoard } from './consoles/board';
import { account, mongoBaseUrl, startApp, uniqueDbName } from '../test/support/api-harness';
import { launchChromium, openPage, signIn } from '../test/support/browser';
import { recordRun } from './support/results';
import { summarise, top, type Profile } from './support/cpu-profile';

const argOf = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
};
const PAGE = argOf('page', 'wallboard');
const AGENTS = Number(argOf('agents', '300'));
const QUEUES = Number(argOf('queues', '20'));
const RUNS = Number(argOf('runs', '3'));

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** Self time of the renderer main thread's complete events ('X'), by name (a child's time is its own, not its parent's). */
function mainThreadTime(events: TraceEvent[]): Map<string, number> {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const xs = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const out = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  for (const e of xs) {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) out.set(parent.name, (out.get(parent.name) ?? 0) - (e.dur ?? 0) / 1000);
    out.set(e.name, (out.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
    stack.push({ end: e.ts + (e.dur ?? 0), name: e.name });
  }
  return out;
}


async function main(): Promise<void> {
  recordRun('consoles-profile');
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other labs share it)`);
  const app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName('consoles-profile')}`, withWebConsole: true });
  const chrome = await launchChromium();
  try {
    feedBoard(app, AGENTS, QUEUES);
    const user = PAGE === 'agent' ? await account(app, 'agent', { agentId: 'agent-0' }) : await account(app, 'supervisor');
    const shownTestId = PAGE === 'agent' ? 'agent-state' : 'agent-state-agent-0';
    console.log(`page: ${PAGE === 'agent' ? '坐席工作台' : '班长监控'} (${AGENTS} agents, ${QUEUES} queues on the dashboard), ${RUNS} runs`);
    const tab = await openPage(chrome.browser, app.baseUrl);
    const cdp = await tab.context.newCDPSession(tab.page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    const sums = { byFn: new Map<string, number>(), bySource: new Map<string, number>(), total: 0 };
    const byEvent = new Map<string, number>();
    for (let run = 0; run < RUNS; run += 1) {
      if (run > 0) await tab.page.goto(app.baseUrl);
      await tab.page.getByRole('button', { name: '登录' }).waitFor();
      await chrome.browser.startTracing(tab.page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      await cdp.send('Profiler.start');
      const clicked = Date.now();
      await signIn(tab.page, user.username, user.password);
      await tab.page.getByTestId(shownTestId).waitFor({ timeout: 30_000 });
      const shown = Date.now();
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
      const trace = JSON.parse((await chrome.browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
      for (const [k, v] of mainThreadTime(trace.traceEvents)) byEvent.set(k, (byEvent.get(k) ?? 0) + v);
      const s = summarise(profile);
      for (const [k, v] of s.byFn) sums.byFn.set(k, (sums.byFn.get(k) ?? 0) + v);
      for (const [k, v] of s.bySource) sums.bySource.set(k, (sums.bySource.get(k) ?? 0) + v);
      sums.total += s.total;
      const marks = (await tab.page.evaluate(`performance.getEntriesByType('mark').map((m) => m.name + ' ' + Math.round(m.startTime))`)) as string[];
      console.log(`run ${run + 1}: 登录 click → shown ${shown - clicked} ms, main thread busy ${s.total.toFixed(0)} ms; marks (ms since navigation): ${marks.join(', ')}`);
    }
    console.log(`main thread busy per run (mean): ${(sums.total / RUNS).toFixed(0)} ms; by source:`);
    for (const [k, v] of top(sums.bySource, 12)) console.log(`  ${(v / RUNS).toFixed(1).padStart(8)} ms  ${k}`);
    console.log('main thread by Chromium trace event (self time, mean per run):');
    for (const [k, v] of top(byEvent, 14)) console.log(`  ${(v / RUNS).toFixed(1).padStart(8)} ms  ${k}`);
    console.log('by function (self time, mean per run):');
    for (const [k, v] of top(sums.byFn, 25)) console.log(`  ${(v / RUNS).toFixed(1).padStart(8)} ms  ${k}`);
  } finally {
    await chrome.close();
    await app.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
