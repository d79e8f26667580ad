/**
 * Headless Chromium from Debian's `chromium` package driven by playwright-core (no browser is
 * downloaded), with axe-core evaluated in the page (CDP evaluation, so the page's own CSP is left
 * in force and tested), and screenshots into SCREENSHOT_DIR (default .lab/screenshots).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { eventually } from './eventually';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(process.env['SCREENSHOT_DIR'] ?? '.lab/screenshots');

export interface RunningBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<RunningBrowser> {
  // playwright-core gives every launch a fresh --user-data-dir of its own (and refuses one in args).
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Console messages that report a Content-Security-Policy violation, and uncaught page errors. */
  problems: string[];
}

export async function openPage(browser: Browser, url: string, size = { width: 1920, height: 1080 }): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  if (process.env['BROWSER_LOG']) page.on('console', (m) => console.log('[browser]', m.type(), m.text()));
  if (process.env['BROWSER_LOG']) page.on('websocket', (ws) => console.log('[browser] websocket', ws.url()));
  await page.goto(url);
  return { context, page, problems };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.1 A/AA violations of impact serious or critical on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Judge the page at rest: a toast fading in or a button's colour transition, caught half-way,
  // reads as low contrast. Infinite animations (spinners) never finish and are left out.
  await page.waitForFunction(
    () => {
      type Running = { playState: string; effect: { getComputedTiming(): { iterations?: number } } | null };
      const doc = (globalThis as unknown as { document: { getAnimations(): Running[] } }).document;
      return doc.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity);
    },
    undefined,
    { timeout: 10_000 },
  );
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> }; document: unknown };
    const r = await g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Screenshots of the page at 1920×1080 and 1366×768 (then back to 1920×1080). */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const out: string[] = [];
  for (const [w, h] of [[1920, 1080], [1366, 768]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(300); // charts resize on the next frame
    const file = path.join(SCREENSHOT_DIR, `${name}-${w}x${h}.png`);
    await page.screenshot({ path: file });
    out.push(file);
  }
  await page.setViewportSize({ width: 1920, height: 1080 });
  return out;
}

/** The text of the element with this test id, once it satisfies `pred`. */
export async function waitText(page: Page, testId: string, pred: (t: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => {
    const t = await page.getByTestId(testId).innerText().catch(() => '');
    return pred(t) ? t : null;
  }, timeoutMs, 100);
}

/** Signs an agent in on the console, waits for the live connection, then 签入 (就绪: the agent takes calls). */
export async function signInReady(page: Page, username: string, password: string): Promise<void> {
  await signIn(page, username, password);
  await waitText(page, 'connection', (t) => t.includes('已连接'));
  await page.getByRole('button', { name: '签入' }).click();
  await waitText(page, 'agent-state', (t) => t.includes('就绪'));
}
