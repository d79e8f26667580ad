/**
 * The live-latency bench's real pages: the agent console and the supervisor wallboard in Debian's
 * headless Chromium (test/support/browser.ts), signed in through the login page. A MutationObserver
 * in each page notes every change of the watched elements' text with the page's clock (epoch ms:
 * performance.timeOrigin + performance.now(), the same wall-clock base as the bench process's).
 */
import type { CDPSession, Page } from 'playwright-core';
import { summarise, top, type Profile } from '../support/cpu-profile';
import { launchChromium, openPage, signIn, type RunningBrowser } from '../../test/support/browser';

/** A watched element's text changed: its data-testid, the new text, when (epoch ms). */
export interface DomMark {
  id: string;
  text: string;
  at: number;
}

export interface BenchPages {
  /** The marks of each page since it was opened. */
  collect(): Promise<{ console: DomMark[]; wallboard: DomMark[] }>;
  /** Each page's long tasks (ms) since it was opened. */
  longTasks(): Promise<{ console: number[]; wallboard: number[] }>;
  /** With `profile`: where each page's main thread went during the run (CPU profile, self time). */
  profiles(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Watches `selector` (elements with a data-testid): every change of their text is a mark. Plain
 * source text: tsx would wrap a compiled function's inner functions in a helper the page lacks.
 */
const WATCH = `(selector) => {
  window.__marks = [];
  // The page's own long tasks (≥ 50 ms on its main thread): where a late change was the page's work.
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ entryTypes: ['longtask'] });
  const last = new Map();
  const scan = () => {
    const at = performance.timeOrigin + performance.now();
    for (const el of document.querySelectorAll(selector)) {
      const id = el.getAttribute('data-testid') || '';
      const text = el.textContent || '';
      if (last.get(id) === text) continue;
      last.set(id, text);
      window.__marks.push([id, text, at]);
    }
  };
  new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true });
  scan();
}`;

const watch = (page: Page, selector: string): Promise<unknown> => page.evaluate(`(${WATCH})(${JSON.stringify(selector)})`);

async function marksOf(page: Page | null): Promise<DomMark[]> {
  if (!page) return [];
  const raw = await page.evaluate(() => (globalThis as unknown as { __marks: Array<[string, string, number]> }).__marks);
  return raw.map(([id, text, at]) => ({ id, text, at }));
}

async function longOf(page: Page | null): Promise<number[]> {
  return page ? page.evaluate(() => (globalThis as unknown as { __long: number[] }).__long) : [];
}

export async function openBenchPages(
  baseUrl: string,
  who: { agent: string | null; supervisor: string | null; password: string },
  profile = false,
): Promise<BenchPages> {
  const chrome: RunningBrowser = await launchChromium();
  const sessions: Array<[string, CDPSession]> = [];
  const startProfile = async (name: string, page: Page) => {
    if (!profile) return;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
    sessions.push([name, cdp]);
  };
  let agentPage: Page | null = null;
  let wallPage: Page | null = null;
  if (who.agent) {
    const p = await openPage(chrome.browser, baseUrl);
    await signIn(p.page, who.agent, who.password);
    await p.page.getByTestId('agent-state').waitFor({ timeout: 60_000 });
    // The screen pop's number (call:answered) and the ringing bar (call:ringing).
    await watch(p.page, '[data-testid="pop-number"], [data-testid="ringing-bar"]');
    agentPage = p.page;
    await startProfile('console', p.page);
  }
  if (who.supervisor) {
    const p = await openPage(chrome.browser, baseUrl);
    await signIn(p.page, who.supervisor, who.password);
    await p.page.getByTestId('queues').waitFor({ timeout: 60_000 });
    // Each agent row's state tag (the first page of the agents table: ten agents).
    await watch(p.page, '[data-testid^="agent-state-"]');
    wallPage = p.page;
    await startProfile('wallboard', p.page);
  }
  return {
    collect: async () => ({ console: await marksOf(agentPage), wallboard: await marksOf(wallPage) }),
    longTasks: async () => ({ console: await longOf(agentPage), wallboard: await longOf(wallPage) }),
    profiles: async () => {
      const out: string[] = [];
      for (const [name, cdp] of sessions) {
        const { profile: p } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
        const s = summarise(p);
        out.push(`  ${name} page's main thread (CPU profile, self time, whole run): busy ${s.total.toFixed(0)} ms; by source ${top(s.bySource, 6).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
        for (const [k, v] of top(s.byFn, 12)) out.push(`    ${v.toFixed(0).padStart(6)} ms  ${k}`);
      }
      return out;
    },
    close: () => chrome.close(),
  };
}
