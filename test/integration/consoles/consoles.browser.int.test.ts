/**
 * The web consoles in real headless Chromium (Debian's package) against the whole product with
 * real calls: sipp through the lab's Asterisk, the app as main.ts wires it, its real database.
 *  - 登录 for an agent and a supervisor; the served pages satisfy their CSP (no violation reported);
 *  - the wallboard's waiting count rises while a call waits and falls when it is answered;
 *  - the call pops in the console of the agent whose phone rings, with the caller's history; the
 *    sipp phone answers, 新建工单 is filled in the browser, and the order exists linked to the call;
 *  - a phone that does not answer: the 10-second alert on the wallboard and the 未接 reason on the
 *    agent's console;
 *  - the app killed and started again on the same port: both pages reconnect and resync, no reload,
 *    and show the agent's state as the restarted app restored it;
 *  - a confidential caller: masked on the wallboard's 放弃来电 list once the order says so, and its
 *    order shown as 保密 in the screen pop of an agent who does not handle it; the caller's next call
 *    masked from its first event in the wallboard's queue and on the ringing bar;
 *  - axe-core: no serious or critical WCAG 2.1 A/AA violation on any page; screenshots of every page
 *    at 1920×1080 and 1366×768 (SCREENSHOT_DIR).
 */
import net from 'node:net';
import type { Page } from 'playwright-core';
import type { Actor } from '../../../src/domain/access';
import { asAgentId, asQueueId, asUserId } from '../../../src/shared/ids';
import { agentPortFor, placeCall, startAgentPhone, startCall, stopAllSipp } from '../../support/sipp';
import { startSystem, type RunningSystem } from '../../support/system-harness';
import { eventually } from '../../support/eventually';
import { testMongoUri } from '../../support/db';
import { launchChromium, openPage, screenshots, seriousAxeViolations, signIn, type ConsolePage, type RunningBrowser } from '../../support/browser';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CALLER = '13922223333';
const ENV = { WRAPUP_MS: '2000', RING_TIMEOUT_MS: '10000' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

async function waitText(page: Page, testId: string, pred: (t: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => {
    const t = await text(page, testId).catch(() => '');
    return pred(t) ? t : null;
  }, timeoutMs, 100);
}

async function expectAccessible(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function chooseBreak(page: Page, reason: string): Promise<void> {
  await page.getByRole('button', { name: '小休 ▾' }).click();
  await page.getByRole('menuitem', { name: reason }).click();
}

describe('web consoles in Chromium with real calls', () => {
  let sut: RunningSystem;
  let port: number;
  let env: Record<string, string>;
  let chrome: RunningBrowser;
  let agent: ConsolePage;
  let boss: ConsolePage;

  beforeAll(async () => {
    port = await freePort();
    // The same port and database after a restart, as a restarted production app.
    env = { ...ENV, HTTP_PORT: String(port), MONGODB_URI: testMongoUri('consoles_ui') };
    sut = await startSystem('consoles_ui', env);
    const profile = { agentId: asAgentId('agent-1001'), agentNumber: '1001', name: '话务员1001', endpoint: 'PJSIP/agent1001', queues: [asQueueId('general')] };
    await sut.agents.save(profile);
    sut.callPath.agents.register(profile);
    await sut.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '李娜', agentId: 'agent-1001' });
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '王班长' });
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await chrome?.close();
    await stopAllSipp();
    await sut?.stop(1000);
  });

  it('serves the login page with its CSP; an agent and a supervisor sign in; login page accessible', async () => {
    const res = await fetch(`${sut.baseUrl}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    agent = await openPage(chrome.browser, sut.baseUrl);
    await agent.page.getByRole('button', { name: '登录' }).waitFor();
    await expectAccessible(agent.page);
    await screenshots(agent.page, 'login');

    // A wrong password is refused with a Chinese message.
    await signIn(agent.page, 'agent1001', 'wrong-password');
    await agent.page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor();

    await signIn(agent.page, 'agent1001', 'agent-password-1');
    await waitText(agent.page, 'connection', (t) => t.includes('已连接'));
    await waitText(agent.page, 'agent-state', (t) => t.includes('未签入'));

    boss = await openPage(chrome.browser, sut.baseUrl);
    await signIn(boss.page, 'boss', 'supervisor-password');
    await waitText(boss.page, 'connection', (t) => t.includes('已连接'));
    await boss.page.getByTestId('queues').waitFor();
    expect(agent.problems).toEqual([]);
    expect(boss.problems).toEqual([]);
  });

  it('a waiting call raises the wallboard count; on 就绪 it rings this agent, pops with history, and 新建工单 creates the order linked to the call', async () => {
    // The caller's history: an earlier call from the same number (hung up during the greeting, no
    // agent's: an agent sees only its own calls, SECURITY.md §4) and an earlier work order (agents see
    // the caller's orders).
    const first = await placeCall({ callerNumber: CALLER, hangupAfterMs: 2000, timeoutMs: 30_000 });
    expect(first.success).toBe(true);
    await eventually(async () => (await sut.callStore.records.findOne({ callerNumber: CALLER, outcome: 'abandoned' }).lean()) ?? null, 15_000);
    const earlier = await fetch(`${sut.baseUrl}/api/work-orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token('agent1001', 'agent-password-1')}` },
      body: JSON.stringify({ caller: { name: '张先生', phone: CALLER, confidential: false }, category: '求助', urgency: '一般', content: '楼道灯不亮', areaCode: '110105' }),
    });
    expect(earlier.status).toBe(201);
    const earlierNumber = ((await earlier.json()) as { number: string }).number;

    // 签入, then 小休 (休息): the next call waits in the queue.
    await agent.page.getByRole('button', { name: '签入' }).click();
    await waitText(agent.page, 'agent-state', (t) => !t.includes('未签入'));
    await chooseBreak(agent.page, '休息');
    await waitText(agent.page, 'agent-state', (t) => t.includes('小休') && t.includes('休息'));
    await waitText(boss.page, 'agent-state-agent-1001', (t) => t.includes('小休'));

    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 1500, hangupAfterMs: 12_000 });
    const call = await startCall({ callerNumber: CALLER, timeoutMs: 90_000 });
    await waitText(boss.page, 'waiting-total', (t) => t.trim() === '1', 40_000);
    expect(await text(boss.page, 'queue-waiting-general')).toBe('1');
    await screenshots(boss.page, 'wallboard-waiting');

    await agent.page.getByRole('button', { name: '就绪' }).click();
    const bar = await waitText(agent.page, 'ringing-bar', (t) => t.includes(CALLER), 20_000);
    expect(bar).toContain('general');
    await waitText(agent.page, 'pop-number', (t) => t === CALLER, 20_000);
    await waitText(boss.page, 'waiting-total', (t) => t.trim() === '0', 20_000);
    await waitText(agent.page, 'history-orders', (t) => t.includes(earlierNumber) && t.includes('求助'), 10_000);
    expect(await text(agent.page, 'history-calls')).toContain('无历史来电');
    await screenshots(agent.page, 'agent-console-call');
    await expectAccessible(agent.page);

    const callId = await agent.page.getByLabel('通话编号', { exact: true }).inputValue();
    expect(callId).not.toBe('');
    expect(await agent.page.getByLabel('来电号码', { exact: true }).inputValue()).toBe(CALLER);
    await agent.page.getByLabel('来电人', { exact: true }).fill('张先生');
    await agent.page.getByLabel('区域代码', { exact: true }).fill('110105');
    await agent.page.getByLabel('地址', { exact: true }).fill('朝阳区建国路88号');
    await agent.page.getByLabel('诉求内容', { exact: true }).fill('小区路灯损坏已一周，夜间出行不便，请尽快维修。');
    await agent.page.getByRole('button', { name: '提交工单' }).click();
    const created = await waitText(agent.page, 'order-created', (t) => t.includes('已创建工单'));
    const number = /工单 (\S+)（/.exec(created)?.[1];
    expect(number).toBeDefined();

    const auth = { authorization: `Bearer ${await token('boss', 'supervisor-password')}` };
    const list = (await (await fetch(`${sut.baseUrl}/api/work-orders?number=${encodeURIComponent(number!)}`, { headers: auth })).json()) as { items: Array<{ id: string }> };
    expect(list.items).toHaveLength(1);
    const stored = (await (await fetch(`${sut.baseUrl}/api/work-orders/${list.items[0]!.id}`, { headers: auth })).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ number, callId, category: '咨询', urgency: '一般', content: '小区路灯损坏已一周，夜间出行不便，请尽快维修。', caller: { name: '张先生', phone: CALLER, address: '朝阳区建国路88号' } });
    // The order's call is the call that popped: it was this caller's, answered by agent 1001.
    const record = await eventually(async () => {
      const r = await sut.callStore.records.findOne({ callId }).lean();
      return r && r.endedAt ? r : null;
    }, 30_000);
    expect(record).toMatchObject({ callerNumber: CALLER, outcome: 'answered', agentId: 'agent-1001' });

    await call.result;
    await phone.stop();

    // Today's figures on the wallboard: one source, so the totals and the queue's row agree, and
    // the answered call gives a 10-second answer rate (rung 1.5 s).
    await waitText(boss.page, 'answered', (t) => Number(t) >= 1, 30_000);
    await waitText(boss.page, 'queue-offered-general', (t) => t === '2', 30_000);
    expect(await text(boss.page, 'offered')).toBe('2');
    expect(await text(boss.page, 'sl10')).toBe('100.0%');
  });

  it('a phone that does not answer: 10-second alert on the wallboard, 未接 reason on the console', async () => {
    // After the wrap-up the agent is ready again.
    await waitText(agent.page, 'agent-state', (t) => t.includes('就绪'), 30_000);
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 'never' });
    const call = await startCall({ callerNumber: '13933334444', hangupAfterMs: 30_000, timeoutMs: 90_000 });
    await waitText(agent.page, 'ringing-bar', (t) => t.includes('13933334444'), 30_000);
    const reason = await waitText(agent.page, 'missed-reason', (t) => t.includes('未接'), 20_000);
    expect(reason).toContain('10 秒未应答');
    // Put in not-ready by the 10-second rule: 示忙 with the reason 未接 (not a 小休 of the agent's).
    expect(await text(agent.page, 'agent-state')).toContain('示忙（未接）');
    await boss.page.locator('[data-testid="alerts"] [data-alert-type="ring_no_answer"]').first().waitFor({ timeout: 10_000 });
    const alerts = await text(boss.page, 'alerts');
    expect(alerts).toContain('坐席未接');
    expect(alerts).toContain('话务员1001'); // the agent's directory name
    await waitText(boss.page, 'agent-state-agent-1001', (t) => t.includes('示忙'));
    await screenshots(agent.page, 'agent-console-missed');
    await screenshots(boss.page, 'wallboard-alert');
    await expectAccessible(boss.page);
    await call.stop();
    await phone.stop();
  });

  it('the app killed and started again: both pages reconnect and resync without a reload', async () => {
    await agent.page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });
    await boss.page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });
    const before = await text(boss.page, 'updated-at');
    await sut.stop(1000);
    await waitText(agent.page, 'connection', (t) => t.includes('连接中断'));
    await waitText(boss.page, 'connection', (t) => t.includes('连接中断'));
    await waitText(boss.page, 'updated-at', (t) => t.includes('已过期'));

    sut = await startSystem('consoles_ui', env);
    await waitText(agent.page, 'connection', (t) => t.includes('已连接'), 30_000);
    await waitText(boss.page, 'connection', (t) => t.includes('已连接'), 30_000);
    // The restarted app restores the agent's state from before (agent_states): still 示忙 after the
    // missed ring, on the console and on the wallboard, as the server now says.
    await waitText(agent.page, 'agent-state', (t) => t.includes('示忙（未接）'));
    await waitText(boss.page, 'agent-state-agent-1001', (t) => t.includes('示忙'));
    await waitText(boss.page, 'updated-at', (t) => !t.includes('已过期') && t !== before);
    // The day's figures come from the records: the restart loses none, the queue keeps its row, and
    // the row agrees with the totals.
    await waitText(boss.page, 'queue-offered-general', (t) => t === '3');
    expect(await text(boss.page, 'offered')).toBe('3');
    // And the live link works again: 就绪 on the console reaches the wallboard.
    await agent.page.getByRole('button', { name: '就绪' }).click();
    await waitText(boss.page, 'agent-state-agent-1001', (t) => t.includes('就绪'));
    expect(await agent.page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
    expect(await boss.page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
  });

  it('大屏 mode and the idle console: accessible, screenshots at both sizes', async () => {
    await screenshots(agent.page, 'agent-console');
    await screenshots(boss.page, 'wallboard');
    await boss.page.getByRole('button', { name: '大屏模式' }).click();
    await boss.page.getByRole('heading', { name: /班长监控大屏/ }).waitFor();
    await expectAccessible(boss.page);
    await screenshots(boss.page, 'wallboard-big');
    await expectAccessible(agent.page);
    expect(agent.problems).toEqual([]);
    expect(boss.problems).toEqual([]);
  });

  it('a confidential caller is masked on the wallboard (放弃来电) and in the screen pop of an agent who does not handle the case', async () => {
    const caller = '13944445555';
    const masked = '139****5555';
    await boss.page.getByRole('button', { name: '退出大屏' }).click();
    await boss.page.getByTestId('abandoned-calls').waitFor();
    // 小休: the call waits after the greeting, and the caller hangs up.
    await chooseBreak(agent.page, '休息');
    await waitText(agent.page, 'agent-state', (t) => t.includes('小休'));
    expect((await placeCall({ callerNumber: caller, hangupAfterMs: 14_000, timeoutMs: 40_000 })).success).toBe(true);
    const abandoned = await eventually(async () => (await sut.callStore.records.findOne({ callerNumber: caller, outcome: 'abandoned', endedAt: { $ne: null } }).lean()) ?? null, 15_000);
    await waitText(boss.page, 'abandoned-calls', (t) => t.includes(caller));

    // The supervisor calls back and records the case from that call; the caller asks for 保密.
    const bossAuth = { authorization: `Bearer ${await token('boss', 'supervisor-password')}`, 'content-type': 'application/json' };
    const res = await fetch(`${sut.baseUrl}/api/work-orders`, {
      method: 'POST',
      headers: bossAuth,
      body: JSON.stringify({ callId: abandoned.callId, caller: { name: '赵女士', phone: caller, confidential: true }, category: '投诉', urgency: '一般', content: '反映邻居噪音扰民', areaCode: '110105' }),
    });
    expect(res.status).toBe(201);
    const orderNumber = ((await res.json()) as { number: string }).number;
    // Masked live on the open wallboard, no reload; the full number is nowhere on the page.
    await waitText(boss.page, 'abandoned-calls', (t) => t.includes(masked) && t.includes('保密') && !t.includes(caller));
    expect(await boss.page.content()).not.toContain(caller);
    await screenshots(boss.page, 'wallboard-masked');
    await expectAccessible(boss.page);

    // The caller calls again, now known to be confidential (docs/adr/0021): masked on the wallboard's
    // queue and on the ringing agent's bar from the call's first event; the full number never enters
    // either page (a MutationObserver in each page watches every change from now on).
    const watch = `window.__sawCaller = false; new MutationObserver(() => {
      if (document.body.textContent.includes('${caller}')) window.__sawCaller = true;
    }).observe(document.body, { subtree: true, childList: true, characterData: true });`;
    await boss.page.evaluate(watch);
    await agent.page.evaluate(watch);
    const sawCaller = (page: Page) => page.evaluate(() => (globalThis as unknown as { __sawCaller: boolean }).__sawCaller);
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 3000, hangupAfterMs: 4000 });
    const call = await startCall({ callerNumber: caller, timeoutMs: 90_000 });
    await waitText(boss.page, 'queue-callers-general', (t) => t.includes(masked), 30_000);
    await screenshots(boss.page, 'wallboard-confidential-waiting');
    // Agent 1001 (who does not handle the case) gets the ring masked and sees the order as 保密.
    await agent.page.getByRole('button', { name: '就绪' }).click();
    const bar = await waitText(agent.page, 'ringing-bar', (t) => t.includes(masked), 30_000);
    expect(bar).toContain('保密');
    expect(await sawCaller(agent.page)).toBe(false);
    const orders = await waitText(agent.page, 'history-orders', (t) => t.includes(orderNumber), 60_000);
    expect(orders).toContain('保密');
    expect(await sawCaller(boss.page)).toBe(false);
    // Until the agent answers: then the agent handles the call and the screen pop shows the number.
    await waitText(agent.page, 'pop-number', (t) => t.length > 0, 30_000);
    expect(await sawCaller(boss.page)).toBe(false);
    await call.result;
    await phone.stop();
    expect(agent.problems).toEqual([]);
    expect(boss.problems).toEqual([]);
  });

  async function token(username: string, password: string): Promise<string> {
    const res = await fetch(`${sut.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return ((await res.json()) as { accessToken: string }).accessToken;
  }
});
