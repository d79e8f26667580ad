/**
 * Web consoles benchmark (figures, no assertions), in Debian's headless Chromium:
 *
 *   npx tsx bench/consoles.bench.ts [--agents 300] [--queues 20]
 *
 *  1. Bundle: gzip size of what each page loads before it shows anything (the entry chunk and its
 *     static imports, plus the page's own chunk and its static imports), from web/dist's Vite manifest.
 *  2. Wallboard with BENCH_AGENTS agents and BENCH_QUEUES queues (each with waiting callers): time
 *     from the 登录 click to the wallboard showing its snapshot (first render).
 *  3. Per-update render time on that wallboard: an agent's state change fed to the live dashboard →
 *     its row's state tag changed in the DOM (a MutationObserver in the page), BENCH_UPDATES changes,
 *     one at a time, and the same with BENCH_UPDATE_RATE changes/s of other agents going on.
 * ARI event → console DOM at 10 calls/s with real calls: bench/live-latency.bench.ts --browser both.
 * Server and browser run on this machine and share its clock (epoch ms from performance.timeOrigin +
 * performance.now() on both sides). The app is the REST + Socket.IO part of the product on the lab
 * database (test/support/api-harness.ts) with live inputs fed directly: no ARI or Asterisk here;
 * ARI event → server emit is what bench/live-latency.bench.ts measures (add its figures for ARI →
 * DOM). Targets (reported, not asserted): p99 ≤ 150 ms to the DOM, first render ≤ 1 s, initial
 * bundle ≤ 400 KB gzip per page.
 * Writes the figures to bench/results/<date>-consoles.txt.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { feedBoard } from './consoles/board';
import { account, mongoBaseUrl, startApp, uniqueDbName } from '../test/support/api-harness';
import { launchChromium, openPage, signIn } from '../test/support/browser';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  return v ? Number(v) : def;
};
const AGENTS = arg('agents', 300);
const QUEUES = arg('queues', 20);
const UPDATES = arg('updates', 200);
const UPDATE_RATE = arg('update-rate', 50);
const DIST = path.resolve(__dirname, '../web/dist');
const out: string[] = [];
const say = (line: string) => {
  console.log(line);
  out.push(line);
};
const nowMs = () => performance.timeOrigin + performance.now();

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
const stats = (xs: number[]) => `n=${xs.length} p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  src?: string;
}

function bundleSizes(): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(DIST, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const gz = (file: string) => zlib.gzipSync(fs.readFileSync(path.join(DIST, file)), { level: 9 }).length;
  const closure = (key: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(key)) return seen;
    seen.add(key);
    for (const i of manifest[key]?.imports ?? []) closure(i, seen);
    return seen;
  };
  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const byName = (name: string) => Object.keys(manifest).find((k) => k.endsWith(name))!;
  const size = (keys: Set<string>) => [...keys].reduce((n, k) => n + gz(manifest[k]!.file), 0);
  const entrySet = closure(entry);
  say(`bundle (gzip -9, JS loaded before the page shows): 登录 ${(size(entrySet) / 1024).toFixed(1)} KB`);
  let wallboard = new Set<string>();
  for (const [label, name] of [['坐席工作台', 'pages/AgentConsole.tsx'], ['班长监控', 'pages/Wallboard.tsx']] as const) {
    const set = closure(byName(name), new Set(entrySet));
    if (name.includes('Wallboard')) wallboard = set;
    say(`bundle: ${label} ${(size(set) / 1024).toFixed(1)} KB`);
  }
  const charts = new Set([...closure(byName('pages/Charts.tsx'))].filter((k) => !wallboard.has(k)));
  say(`bundle: charts chunk of 班长监控 (loaded after the wallboard shows; never by the agent console) ${(size(charts) / 1024).toFixed(1)} KB`);
}

async function main(): Promise<void> {
  say(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other labs share it)`);
  bundleSizes();
  const app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName('consoles-bench')}`, withWebConsole: true });
  const chrome = await launchChromium();
  try {
    feedBoard(app, AGENTS, QUEUES);
    const snap = app.dashboard!.snapshot();
    say(`wallboard data: ${snap.agents.length} agents, ${snap.queues.length} queues, ${snap.queues.reduce((n, q) => n + q.waiting.length, 0)} waiting callers`);

    const boss = await account(app, 'supervisor');
    const wall = await openPage(chrome.browser, app.baseUrl);
    // When the first agent row enters the DOM, taken in the page at the mutation itself: read after the
    // fact, the time would also hold whatever the page runs next (the charts' chunk and set-up).
    await wall.context.addInitScript(`new MutationObserver((_, o) => {
      if (document.querySelector('[data-testid="agent-state-agent-0"]')) { performance.mark('bench:shown'); o.disconnect(); }
    }).observe(document, { subtree: true, childList: true });`);
    const firstRenders: number[] = [];
    const afterLogin: number[] = [];
    const passwordChecks: number[] = [];
    const steps = { chunk: [] as number[], connected: [] as number[], snapshot: [] as number[], shown: [] as number[] };
    for (let run = 0; run < 5; run += 1) {
      await wall.page.goto(app.baseUrl);
      await wall.page.getByRole('button', { name: '登录' }).waitFor();
      const clicked = nowMs();
      let answered = Number.NaN;
      const onResponse = (r: { url(): string }) => {
        if (r.url().endsWith('/api/auth/login')) answered = nowMs();
      };
      wall.page.on('response', onResponse);
      await signIn(wall.page, boss.username, boss.password);
      await wall.page.getByTestId('agent-state-agent-0').waitFor({ timeout: 30_000 });
      const shown = (await wall.page.evaluate(`performance.timeOrigin + performance.getEntriesByName('bench:shown')[0].startTime`)) as number;
      wall.page.off('response', onResponse);
      firstRenders.push(shown - clicked);
      passwordChecks.push(answered - clicked);
      afterLogin.push(shown - answered);
      // Source text: tsx would wrap a compiled function's inner functions in a helper the page lacks.
      const marks = (await wall.page.evaluate(`(() => {
        const at = (name) => { const e = performance.getEntriesByName(name); return e.length ? performance.timeOrigin + e[e.length - 1].startTime : NaN; };
        const chunk = performance.getEntriesByType('resource').filter((r) => /\\/assets\\/Wallboard-/.test(r.name));
        return { connected: at('wallboard:connected'), snapshot: at('wallboard:snapshot'), chunk: chunk.length ? performance.timeOrigin + chunk[0].responseEnd : NaN };
      })()`)) as { connected: number; snapshot: number; chunk: number };
      steps.chunk.push(marks.chunk - clicked);
      steps.connected.push(marks.connected - answered);
      steps.snapshot.push(marks.snapshot - marks.connected);
      steps.shown.push(shown - marks.snapshot);
    }
    say(`wallboard first render (登录 click → ${AGENTS} agents / ${QUEUES} queues on screen, incl. login, chunk load, socket, snapshot): ${stats(firstRenders)}`);
    say(`  of which 登录 click → the login's answer (the server checks the password, bcrypt): ${stats(passwordChecks)}`);
    say(`  of which the login's answer → on screen (chunks started with the login, socket, snapshot, render): ${stats(afterLogin)}`);
    say(`    登录 click → the wallboard's chunk loaded: ${stats(steps.chunk)}`);
    say(`    the login's answer → socket connected (page code run, websocket, token checked): ${stats(steps.connected)}`);
    say(`    socket connected → snapshot received: ${stats(steps.snapshot)}`);
    say(`    snapshot received → agents on screen (render): ${stats(steps.shown)}`);

    // ---- the agent console: 登录 click → the agent's state (pushed by the server) on screen
    const agentUser = await account(app, 'agent', { agentId: 'agent-0' });
    const deskRenders: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      // A new browser context each time (a first visit: nothing cached), as the agent's state is not
      // offline and its page would ask before it is left.
      const desk = await openPage(chrome.browser, 'about:blank');
      await desk.context.addInitScript(`new MutationObserver((_, o) => {
        if (document.querySelector('[data-testid="agent-state"]')?.textContent?.includes('就绪')) { performance.mark('bench:shown'); o.disconnect(); }
      }).observe(document, { subtree: true, childList: true, characterData: true });`);
      await desk.page.goto(app.baseUrl);
      await desk.page.getByRole('button', { name: '登录' }).waitFor();
      const clicked = nowMs();
      await signIn(desk.page, agentUser.username, agentUser.password);
      await desk.page.getByTestId('agent-state').filter({ hasText: '就绪' }).waitFor({ timeout: 30_000 });
      const shown = (await desk.page.evaluate(`performance.timeOrigin + performance.getEntriesByName('bench:shown')[0].startTime`)) as number;
      deskRenders.push(shown - clicked);
      await desk.context.close();
    }
    say(`agent console first render (登录 click → the agent's state on screen, incl. login, chunk load, socket; a first visit each time): ${stats(deskRenders)}`);

    // ---- per update: the first row's state, changed one at a time (each waited for in the DOM)
    await wall.page.evaluate(() => {
      const g = globalThis as unknown as { __changes: number[]; document: { querySelector(s: string): { textContent: string | null } | null; body: unknown }; MutationObserver: new (cb: () => void) => { observe(n: unknown, o: unknown): void } };
      g.__changes = [];
      let last = g.document.querySelector('[data-testid="agent-state-agent-0"]')?.textContent ?? '';
      new g.MutationObserver(() => {
        const t = g.document.querySelector('[data-testid="agent-state-agent-0"]')?.textContent ?? '';
        if (t === last) return;
        last = t;
        g.__changes.push(performance.timeOrigin + performance.now());
      }).observe(g.document.body, { subtree: true, childList: true, characterData: true });
    });
    const changesSoFar = () => wall.page.evaluate(() => (globalThis as unknown as { __changes: number[] }).__changes);
    const measure = async (n: number, background: boolean): Promise<number[]> => {
      const out: number[] = [];
      let other = 1;
      const noise = background
        ? setInterval(() => {
            // Other agents (not on the first page) change state meanwhile.
            other = (other % (AGENTS - 10)) + 10;
            app.feed({ kind: 'agent', agentId: `agent-${other}`, state: other % 2 ? 'ready' : 'not_ready', reason: other % 2 ? null : '休息', at: Date.now(), displayName: `话务员${other}` });
          }, 1000 / UPDATE_RATE)
        : null;
      try {
        for (let i = 0; i < n; i += 1) {
          const before = (await changesSoFar()).length;
          // agent-0 starts Ready: each change flips it.
          const ready = i % 2 === 0 ? 'not_ready' : 'ready';
          const fed = nowMs();
          app.feed({ kind: 'agent', agentId: 'agent-0', state: ready, reason: ready === 'ready' ? null : '休息', at: Date.now(), displayName: '话务员0' });
          const changes = await (async () => {
            for (let k = 0; k < 500; k += 1) {
              const c = await changesSoFar();
              if (c.length > before) return c;
              await new Promise((r) => setTimeout(r, 10));
            }
            throw new Error('the row did not change within 5 s');
          })();
          out.push((changes[before] as number) - fed);
        }
      } finally {
        if (noise) clearInterval(noise);
      }
      return out;
    };
    say(`wallboard per update (an agent's state fed to the live dashboard → its row changed in the DOM, ${AGENTS} agents on the board), one at a time: ${stats(await measure(UPDATES, false))}`);
    say(`wallboard per update, with ${UPDATE_RATE} other agents' changes/s going on: ${stats(await measure(UPDATES, true))}`);
  } finally {
    await chrome.close();
    await app.stop();
  }
  const file = path.resolve(__dirname, 'results', `${new Date().toISOString().slice(0, 10)}-consoles.txt`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `# bench/consoles.bench.ts ${new Date().toISOString()}\n${out.join('\n')}\n`, { flag: 'a' });
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
