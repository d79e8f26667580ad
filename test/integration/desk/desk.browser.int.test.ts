/**
 * The work-order desk in real headless Chromium against the whole product (real Asterisk, sipp, the
 * app as main.ts wires it, its real database), one complaint walked through every role under the
 * 青浦 2020 preset (1 extension of 15/30/60/90 working days, none within 5 working days of the due day):
 *  - an agent takes a real sipp call and creates the complaint (投诉, 疑难) in the agent console;
 *  - the dispatcher (工单中心) sees it waiting, sees the preset's deadlines before sending, and
 *    dispatches it to a lead unit (water) and a co-unit (roads);
 *  - the lead unit (承办单位工作台) signs, logs the first contact, asks a 10-day extension (the guard
 *    says why not before submitting; submitted anyway, the server refuses with the same Chinese text),
 *    then a 15-day one; the reviewer (审核与回访) approves it; the unit then sees 已延期过一次, replies
 *    with the 10-item report; the reviewer passes it; the unit reports back to the caller; the
 *    callback is recorded 基本满意 and the order is archived (CLOSED);
 *  - every deadline shown on the way (the dispatch preview, the inbox, the approval preview, the
 *    order's deadline table) equals the API's value and the engine's (the pure domain functions);
 *  - unit water's inbox never shows unit parks' orders: in the browser, in the radar response the
 *    page received, and through the API with water's token;
 *  - the radar: an overdue order red, one in the 催办 window yellow, filters answered by the server;
 *  - axe-core: no serious or critical violation on each page; screenshots at 1920×1080 and 1366×768.
 */
import type { Page, Response } from 'playwright-core';
import type { Actor } from '../../../src/domain/access';
import { asAgentId, asQueueId, asUserId } from '../../../src/shared/ids';
import {
  QINGPU_2020, computeDeadlines, createWorkOrder, extendDeadline, radarDeadline, radarLevel, transition,
  type Actor as OrderActor, type WorkOrder, type WorkOrderAction,
} from '../../../src/domain/work-order';
import { toDoc } from '../../../src/adapters/db/repositories/work-order.repository';
import { indexFieldsOf } from '../../../src/app/work-orders/lifecycle/work-order.index';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp } from '../../support/sipp';
import { startSystem, type RunningSystem } from '../../support/system-harness';
import { eventually } from '../../support/eventually';
import { launchChromium, openPage, screenshots, seriousAxeViolations, signIn, type ConsolePage, type RunningBrowser } from '../../support/browser';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CALLER = '13955556666';
const PASSWORD = 'desk-password-1';
const dateTimeFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
/** How the desk prints a due instant (web/src/time.ts dateTime). */
const shown = (iso: string): string => dateTimeFmt.format(Date.parse(iso));

type Json = Record<string, unknown>;
interface ApiOrder extends Json {
  id: string;
  number: string;
  status: string;
  rev: number;
  dispatchedAt: string;
  deadlines: Record<string, { dueAt: string; metAt?: string } | undefined>;
}

async function waitText(page: Page, testId: string, pred: (t: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => {
    const t = await page.getByTestId(testId).first().innerText().catch(() => '');
    return pred(t) ? t : null;
  }, timeoutMs, 100);
}

/** Closes the open drawer (its close button) and waits until it is gone. */
async function closeDrawer(page: Page): Promise<void> {
  await page.locator('.ant-drawer-open .ant-drawer-close').click();
  await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });
}

async function expectAccessible(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** A due instant as the page shows it: the `<time>` element's exact instant and its text. */
async function dueOn(page: Page, testId: string): Promise<{ iso: string; text: string }> {
  const el = page.getByTestId(testId).first();
  await el.waitFor();
  return { iso: (await el.getAttribute('datetime')) ?? '', text: await el.innerText() };
}

function expectDue(onPage: { iso: string; text: string }, engineIso: string, apiIso?: string): void {
  expect(new Date(onPage.iso).toISOString()).toBe(engineIso);
  expect(onPage.text).toBe(shown(engineIso));
  if (apiIso !== undefined) expect(apiIso).toBe(engineIso);
}

describe('the work-order desk in Chromium: one complaint through every role', () => {
  let sut: RunningSystem;
  let chrome: RunningBrowser;
  let agent: ConsolePage;
  let dispatcher: ConsolePage;
  let unit: ConsolePage;
  let reviewer: ConsolePage;
  const tokens: Record<string, string> = {};
  let order: ApiOrder;
  let articleId: string;
  const seededParks: string[] = [];

  const calendar = () => sut.workOrders.regulation.workCalendar();

  async function token(username: string): Promise<string> {
    const res = await fetch(`${sut.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  async function apiGet<T>(who: string, path: string): Promise<{ status: number; body: T }> {
    tokens[who] ??= await token(who);
    const res = await fetch(`${sut.baseUrl}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
    return { status: res.status, body: (await res.json()) as T };
  }

  const apiOrder = async (): Promise<ApiOrder> => (await apiGet<ApiOrder>('dispatcher', `/api/work-orders/${order.id}`)).body;

  async function waitStatus(page: Page, text: string): Promise<void> {
    await waitText(page, 'order-status', (t) => t === text);
  }

  /** An order of unit `unitId` dispatched `hoursAgo` hours ago (written as the service writes it). */
  async function seedOrder(n: number, unitId: string, hoursAgo: number, urgency: '一般' | '疑难'): Promise<WorkOrder> {
    const at = new Date(Date.now() - hoursAgo * 3_600_000);
    const sup: OrderActor = { id: 'seed', role: 'supervisor' };
    let o = createWorkOrder({
      id: `seed-${n}`, number: `WO20260101-9${String(n).padStart(5, '0')}`, presetId: QINGPU_2020.id, createdAt: at, createdBy: { id: 'seed', role: 'supervisor' },
      caller: { name: '陈女士', phone: `1390000${String(n).padStart(4, '0')}`, confidential: false, callbackConsent: 'unknown' },
      category: '投诉', urgency, content: '小区门口占道经营', areaCode: '110105',
    });
    for (const a of [{ type: 'accept' }, { type: 'dispatch', leadUnitId: unitId }] as WorkOrderAction[]) {
      const r = transition(o, a, { now: at, actor: sup, preset: QINGPU_2020, calendar: calendar() });
      if (!r.ok) throw new Error(r.reason);
      o = r.order;
    }
    const now = new Date();
    await sut.db.connection.collection('work_orders').insertOne(toDoc(o, 1, indexFieldsOf({ order: o, events: [], now, preset: QINGPU_2020, calendar: calendar() })) as never);
    return o;
  }

  beforeAll(async () => {
    sut = await startSystem('desk_ui', { RING_TIMEOUT_MS: '15000' });
    await sut.workOrders.regulation.setActivePreset(ADMIN, QINGPU_2020.id);
    const profile = { agentId: asAgentId('agent-1001'), agentNumber: '1001', name: '话务员1001', endpoint: 'PJSIP/agent1001', queues: [asQueueId('general')] };
    await sut.agents.save(profile);
    sut.callPath.agents.register(profile);
    await sut.users.create(ADMIN, { username: 'agent1001', password: PASSWORD, role: 'agent', displayName: '李娜', agentId: 'agent-1001' });
    await sut.users.create(ADMIN, { username: 'dispatcher', password: PASSWORD, role: 'supervisor', displayName: '派单员王芳' });
    await sut.users.create(ADMIN, { username: 'reviewer', password: PASSWORD, role: 'supervisor', displayName: '审核员赵强' });
    await sut.users.create(ADMIN, { username: 'water', password: PASSWORD, role: 'unit_handler', displayName: '水务局刘洋', unitId: 'water' });
    await sut.users.create(ADMIN, { username: 'roads', password: PASSWORD, role: 'unit_handler', displayName: '路政局孙伟', unitId: 'roads' });
    await sut.users.create(ADMIN, { username: 'parks', password: PASSWORD, role: 'unit_handler', displayName: '园林局周敏', unitId: 'parks' });
    // Unit parks' orders: one overdue (dispatched 30 days ago), and one in the 催办 window: the
    // first dispatch time the engine puts between its 催办 instant and its due instant.
    seededParks.push((await seedOrder(1, 'parks', 24 * 30, '一般')).number);
    const now = new Date();
    for (let h = 1; h < 24 * 20; h += 1) {
      const probe = await seedProbe(h);
      if (probe) {
        seededParks.push((await seedOrder(2, 'parks', h, '一般')).number);
        break;
      }
    }
    expect(seededParks).toHaveLength(2);
    async function seedProbe(h: number): Promise<boolean> {
      const at = new Date(now.getTime() - h * 3_600_000);
      const d = computeDeadlines(['complete'], at, { urgency: '一般', category: '投诉' }, QINGPU_2020, calendar()).complete;
      if (!d) return false;
      const r = radarDeadline({ ...createWorkOrder({ id: 'p', number: 'p', presetId: 'qingpu-2020', createdAt: at, createdBy: { id: 's', role: 'supervisor' }, caller: { confidential: false, callbackConsent: 'unknown' }, category: '投诉', urgency: '一般', content: 'x', areaCode: 'x' }), status: 'PENDING_SIGN', deadlines: { complete: d } }, QINGPU_2020);
      return r !== undefined && radarLevel(r, now) === 'warning';
    }
    articleId = (await sut.workOrders.knowledge.create(ADMIN, { title: '住房公积金提取所需材料', body: '提取住房公积金需携带身份证、银行卡及相关证明材料，到任一服务网点办理。', category: '咨询', keywords: ['公积金', '提取'], ownerUnitId: null })).id;
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await chrome?.close();
    await stopAllSipp();
    await sut?.stop(1000);
  });

  it('an agent creates the complaint from a real sipp call in the agent console', async () => {
    agent = await openPage(chrome.browser, sut.baseUrl);
    await signIn(agent.page, 'agent1001', PASSWORD);
    await waitText(agent.page, 'connection', (t) => t.includes('已连接'));
    await agent.page.getByRole('button', { name: '签入' }).click();
    await waitText(agent.page, 'agent-state', (t) => !t.includes('未签入'));
    // 签入 may leave the agent 示忙（签入未就绪）: then 就绪.
    const ready = agent.page.getByRole('button', { name: '就绪' });
    if (await ready.isEnabled()) await ready.click();
    await waitText(agent.page, 'agent-state', (t) => t.includes('就绪'));

    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 1500, hangupAfterMs: 60_000 });
    const call = await startCall({ callerNumber: CALLER, timeoutMs: 120_000 });
    await waitText(agent.page, 'pop-number', (t) => t === CALLER, 40_000);
    const form = agent.page.getByTestId('order-form');
    await form.getByText('投诉', { exact: true }).click();
    await form.getByText('疑难', { exact: true }).click();
    await agent.page.getByLabel('来电人', { exact: true }).fill('钱先生');
    await agent.page.getByLabel('区域代码', { exact: true }).fill('110105');
    await agent.page.getByLabel('地址', { exact: true }).fill('朝阳区望京西路12号');
    await agent.page.getByLabel('诉求内容', { exact: true }).fill('小区供水管道多次爆裂，物业推诿，要求彻底维修。');
    await agent.page.getByRole('button', { name: '提交工单' }).click();
    const created = await waitText(agent.page, 'order-created', (t) => t.includes('已创建工单'));
    const number = /工单 (\S+)（/.exec(created)?.[1] ?? '';
    const callId = await agent.page.getByLabel('通话编号', { exact: true }).inputValue();
    const list = await apiGet<{ items: Array<{ id: string }> }>('dispatcher', `/api/work-orders?number=${encodeURIComponent(number)}`);
    expect(list.body.items).toHaveLength(1);
    order = (await apiGet<ApiOrder>('dispatcher', `/api/work-orders/${list.body.items[0]!.id}`)).body;
    expect(order).toMatchObject({ number, callId, status: 'PENDING_DISPATCH', category: '投诉', urgency: '疑难', presetId: 'qingpu-2020' });
    await call.stop();
    await phone.stop();
    expect(agent.problems).toEqual([]);
  });

  it('the dispatcher sees the preset\'s deadlines before sending and dispatches to a lead unit and a co-unit', async () => {
    dispatcher = await openPage(chrome.browser, sut.baseUrl);
    await signIn(dispatcher.page, 'dispatcher', PASSWORD);
    await dispatcher.page.getByRole('link', { name: '工单中心' }).click();
    await dispatcher.page.getByTestId(`row-${order.number}`).waitFor();
    await expectAccessible(dispatcher.page);
    await screenshots(dispatcher.page, 'desk-incoming');
    await dispatcher.page.getByTestId(`row-${order.number}`).getByRole('button', { name: order.number }).click();
    const panel = dispatcher.page.getByTestId('dispatch-panel');
    await panel.getByText('water（水务局刘洋）').click();
    await panel.getByText('roads', { exact: true }).click();
    // Before sending: the deadlines the preset gives, computed by the engine from now.
    const before = await dueOn(dispatcher.page, 'dispatch-deadlines-complete');
    const firstContactBefore = await dueOn(dispatcher.page, 'dispatch-deadlines-firstContact');
    await expectAccessible(dispatcher.page);
    await screenshots(dispatcher.page, 'desk-dispatch');
    await dispatcher.page.getByRole('button', { name: '确认派单' }).click();
    await waitStatus(dispatcher.page, '待签收');

    order = await apiOrder();
    expect(order).toMatchObject({ status: 'PENDING_SIGN', leadUnitId: 'water', coUnitIds: ['roads'] });
    // The engine's value: the preset's rules counted from the dispatch instant on the calendar.
    const engine = computeDeadlines(['firstContact', 'complete'], new Date(order.dispatchedAt), { urgency: '疑难', category: '投诉' }, QINGPU_2020, calendar());
    expectDue(before, engine.complete!.dueAt.toISOString(), order.deadlines.complete?.dueAt);
    expectDue(firstContactBefore, engine.firstContact!.dueAt.toISOString(), order.deadlines.firstContact?.dueAt);
    // And the order's own deadline table after the dispatch.
    expectDue(await dueOn(dispatcher.page, 'order-deadlines-complete'), engine.complete!.dueAt.toISOString());
  });

  it('the radar: open orders soonest due first, overdue red, in the 催办 window yellow, filtered by the server', async () => {
    await closeDrawer(dispatcher.page);
    await dispatcher.page.getByRole('tab', { name: '时限雷达' }).click();
    const radar = dispatcher.page.getByTestId('radar');
    await radar.getByTestId(`row-${seededParks[0]}`).waitFor();
    expect(await radar.getByTestId(`row-${seededParks[0]}`).getAttribute('data-level')).toBe('overdue');
    expect(await radar.getByTestId(`row-${seededParks[1]}`).getAttribute('data-level')).toBe('warning');
    expect(await radar.getByTestId(`row-${order.number}`).getAttribute('data-level')).toBe('normal');
    // Soonest first: the overdue order leads.
    const numbers = await radar.locator('tbody tr[data-testid^="row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    expect(numbers[0]).toBe(`row-${seededParks[0]}`);
    await expectAccessible(dispatcher.page);
    await screenshots(dispatcher.page, 'desk-radar');

    // A filter change is a new server query: only water's order is left.
    const filtered = dispatcher.page.waitForResponse((r) => r.url().includes('/api/work-order-radar') && r.url().includes('unitId=water'));
    await dispatcher.page.getByLabel('承办单位').selectOption('water');
    const body = (await (await filtered).json()) as { items: Array<{ number: string; dueAt: string }>; total: number };
    expect(body.items.map((i) => i.number)).toEqual([order.number]);
    await eventually(async () => ((await radar.locator('tbody tr[data-testid^="row-"]').count()) === 1 ? true : null), 10_000);
    expectDue(await dueOn(dispatcher.page, `due-${order.number}`), radarDeadline(await domainOrder(), QINGPU_2020)!.dueAt.toISOString(), body.items[0]!.dueAt);
    const overdue = dispatcher.page.waitForResponse((r) => r.url().includes('level=overdue'));
    await dispatcher.page.getByLabel('承办单位').selectOption('');
    await dispatcher.page.getByTestId('radar-filters').getByText('超期', { exact: true }).click();
    expect(((await (await overdue).json()) as { items: Array<{ number: string }> }).items.map((i) => i.number)).toEqual([seededParks[0]]);
  });

  it('待派单 shows a repeat-complaint chain as one group; 即办 closes an order with a knowledge article', async () => {
    tokens['dispatcher'] ??= await token('dispatcher');
    const post = async (body: Json): Promise<ApiOrder & { repeatOf?: string }> =>
      (await (await fetch(`${sut.baseUrl}/api/work-orders`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens['dispatcher']}` }, body: JSON.stringify(body) })).json()) as ApiOrder & { repeatOf?: string };
    const complaint = { caller: { name: '孙女士', phone: '13977778888' }, category: '咨询', urgency: '一般', content: '公积金提取需要哪些材料', areaCode: '110106' };
    const first = await post(complaint);
    const second = await post({ ...complaint, content: '再次咨询公积金提取材料' });
    expect(second.repeatOf).toBe(first.id);
    await dispatcher.page.getByRole('tab', { name: /待派单/ }).click();
    // One group: the repeat nests under the chain's first order.
    const incoming = dispatcher.page.getByTestId('incoming');
    await incoming.getByTestId(`row-${second.number}`).waitFor();
    expect(await incoming.getByTestId(`row-${first.number}`).getAttribute('class')).toContain('ant-table-row-level-0');
    expect(await incoming.getByTestId(`row-${second.number}`).getAttribute('class')).toContain('ant-table-row-level-1');
    expect(await incoming.getByTestId(`row-${second.number}`).innerText()).toContain('第1次重复');
    await incoming.getByRole('button', { name: first.number }).click();
    await dispatcher.page.getByLabel('即办知识检索').fill('公积金 提取');
    await dispatcher.page.getByLabel('即办知识检索').press('Enter');
    await dispatcher.page.getByText('住房公积金提取所需材料').waitFor();
    await dispatcher.page.getByRole('button', { name: '即办', exact: true }).first().click();
    await waitStatus(dispatcher.page, '已办结');
    const closed = (await apiGet<Json>('dispatcher', `/api/work-orders/${first.id}`)).body;
    expect(closed).toMatchObject({ status: 'CLOSED', kbArticleId: articleId, closure: { kind: 'directAnswer', kbArticleId: articleId } });
    await closeDrawer(dispatcher.page);
  });

  /** The order as stored, as the domain value (dates revived), for the engine's functions. */
  async function domainOrder(): Promise<WorkOrder> {
    const o = await apiOrder();
    const revive = (v: unknown): unknown =>
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T.*Z$/.test(v) ? new Date(v) : Array.isArray(v) ? v.map(revive) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)])) : v;
    return revive(o) as WorkOrder;
  }

  it('unit A\'s inbox never shows unit B\'s orders: in the browser, in the response it got, through the API', async () => {
    unit = await openPage(chrome.browser, sut.baseUrl);
    const responses: Response[] = [];
    unit.page.on('response', (r) => {
      if (r.url().includes('/api/work-order-radar')) responses.push(r);
    });
    const mine = await apiGet<{ items: Array<{ number: string; dueAt: string; leadUnitId: string; coUnitIds: string[] }> }>('water', '/api/work-order-radar?pageSize=200');
    expect(mine.body.items.map((i) => i.number)).toEqual([order.number]);
    await signIn(unit.page, 'water', PASSWORD);
    await unit.page.getByTestId('inbox').getByTestId(`row-${order.number}`).waitFor({ timeout: 15_000 }).catch(async (err: unknown) => {
      await screenshots(unit.page, 'debug-inbox');
      console.log('inbox page text:', await unit.page.locator('body').innerText());
      throw err;
    });
    const inboxText = await unit.page.getByTestId('inbox').innerText();
    for (const n of seededParks) expect(inboxText).not.toContain(n);
    expect(responses.length).toBeGreaterThan(0);
    for (const r of responses) {
      const body = (await r.json()) as { items: Array<{ leadUnitId: string | null; coUnitIds: string[] }> };
      for (const i of body.items) expect([i.leadUnitId, ...i.coUnitIds]).toContain('water');
    }
    expect((await apiGet<{ items: unknown[]; total: number }>('water', '/api/work-order-radar?unitId=parks')).body).toMatchObject({ items: [], total: 0 });
    expect((await apiGet<Json>('water', '/api/work-orders/seed-1')).status).toBe(404);
    // The co-unit sees it too, as 协办 (no actions).
    const co = await apiGet<{ items: Array<{ number: string }> }>('roads', '/api/work-order-radar');
    expect(co.body.items.map((i) => i.number)).toEqual([order.number]);
    // The inbox's deadline is the engine's.
    expectDue(await dueOn(unit.page, `due-${order.number}`), radarDeadline(await domainOrder(), QINGPU_2020)!.dueAt.toISOString(), mine.body.items[0]?.dueAt);
    await expectAccessible(unit.page);
    await screenshots(unit.page, 'unit-inbox');
  });

  it('the unit signs, logs first contact, is refused one extension (message before and after submitting) and asks one the preset allows', async () => {
    await unit.page.getByTestId('inbox').getByRole('button', { name: order.number }).click();
    await unit.page.getByRole('button', { name: '签收', exact: true }).click();
    await waitStatus(unit.page, '办理中');
    await unit.page.getByLabel('联系情况', { exact: true }).fill('已电话联系钱先生，约定明日上门查看');
    await unit.page.getByRole('button', { name: '记录联系' }).click();
    await waitText(unit.page, 'contact-log', (t) => t.includes('已联系上') && t.includes('约定明日上门查看'));
    expect((await apiOrder()).deadlines.firstContact?.metAt).toBeDefined();

    // 10 working days: not a step the preset allows. Shown before submitting …
    await unit.page.getByLabel('延期时长', { exact: true }).fill('10');
    await unit.page.getByLabel('延期理由', { exact: true }).fill('需协调管网改造施工');
    const guard = await waitText(unit.page, 'extension-guard', (t) => t.includes('15/30/60/90'));
    expect(guard).toContain('延期时长只能为15/30/60/90个工作日');
    await expectAccessible(unit.page);
    await screenshots(unit.page, 'unit-extension-guard');
    // … and submitted anyway, the server refuses it in the same words.
    await unit.page.getByRole('button', { name: '提交延期申请' }).click();
    const refusal = await waitText(unit.page, 'server-refusal', (t) => t.includes('延期时长只能为15/30/60/90个工作日'));
    expect(refusal).toContain('未通过');
    expect((await apiOrder()).status).toBe('IN_PROGRESS');

    await unit.page.getByLabel('延期时长', { exact: true }).fill('15');
    await unit.page.getByTestId('extension-ok').waitFor();
    await unit.page.getByRole('button', { name: '提交延期申请' }).click();
    await waitStatus(unit.page, '延期审核');
  });

  it('the reviewer sees the extended deadline before approving and approves; the unit is then told 已延期过一次', async () => {
    const before = await domainOrder();
    reviewer = await openPage(chrome.browser, sut.baseUrl);
    await signIn(reviewer.page, 'reviewer', PASSWORD);
    await reviewer.page.getByRole('link', { name: '审核与回访' }).click();
    await reviewer.page.getByTestId('review-list').getByRole('button', { name: order.number }).click();
    const engine = extendDeadline(before.deadlines.complete!, 15, 'workingDays', calendar()).dueAt.toISOString();
    expectDue(await dueOn(reviewer.page, 'approve-deadlines-complete'), engine);
    await expectAccessible(reviewer.page);
    await screenshots(reviewer.page, 'review-extension');
    await reviewer.page.getByRole('button', { name: '批准延期' }).click();
    await waitStatus(reviewer.page, '办理中');
    expect((await apiOrder()).deadlines.complete?.dueAt).toBe(engine);
    expectDue(await dueOn(reviewer.page, 'order-deadlines-complete'), engine);

    // The unit's open order follows live (the unit's room), and a second extension is refused before asking.
    await waitStatus(unit.page, '办理中');
    await unit.page.getByLabel('延期时长', { exact: true }).fill('15');
    await waitText(unit.page, 'extension-guard', (t) => t.includes('已延期过一次'));
    expectDue(await dueOn(unit.page, 'order-deadlines-complete'), engine);
  });

  it('the unit replies with the report; the reviewer passes it; the unit reports back to the caller', async () => {
    await unit.page.getByLabel('办理结果摘要', { exact: true }).fill('已更换破损供水管道，恢复正常供水');
    const fields = ['先行联系情况', '现场查看情况', '事实认定情况', '诉求认定情况', '办理情况及政策依据', '办理结果', '答复市民情况', '市民满意度情况', '需要说明的其他情况', '经办人、负责人信息'];
    for (const f of fields) await unit.page.getByLabel(f, { exact: true }).fill(`${f}：已按规定办理`);
    await unit.page.getByRole('button', { name: '提交办结' }).click();
    await waitStatus(unit.page, '待审核');

    await closeDrawer(reviewer.page);
    await reviewer.page.getByTestId('review-list').getByRole('button', { name: order.number }).click();
    await reviewer.page.getByTestId('review-reply').waitFor();
    await reviewer.page.getByRole('button', { name: '审核通过' }).click();
    await waitStatus(reviewer.page, '待反馈');

    await waitStatus(unit.page, '待反馈');
    await unit.page.getByRole('button', { name: '已电话反馈来电人' }).click();
    await waitStatus(unit.page, '待回访');
  });

  it('the callback is recorded 基本满意 on the five-level scale and the order is archived', async () => {
    await closeDrawer(reviewer.page);
    await reviewer.page.getByRole('tab', { name: /待回访/ }).click();
    await reviewer.page.getByTestId('callback-list').getByRole('button', { name: order.number }).click();
    await reviewer.page.getByText('基本满意', { exact: true }).click();
    await waitText(reviewer.page, 'callback-outcome', (t) => t.includes('办结归档'));
    // The button was disabled until a level was chosen: axe reads it once its colour reached the enabled primary's.
    const record = reviewer.page.getByRole('button', { name: '记录回访结果' });
    await eventually(async () => ((await record.evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor)) === 'rgb(21, 88, 176)' ? true : null), 10_000, 50);
    await expectAccessible(reviewer.page);
    await screenshots(reviewer.page, 'review-callback');
    await reviewer.page.getByRole('button', { name: '记录回访结果' }).click();
    await waitStatus(reviewer.page, '已办结');
    const closed = await apiOrder();
    expect(closed).toMatchObject({ status: 'CLOSED', closure: { kind: 'callback', result: 'satisfied' } });
    expect((closed['callbacks'] as Json[]).at(-1)).toMatchObject({ result: 'satisfied', level: '基本满意' });
    // Archived: off the radar.
    const radar = await apiGet<{ items: Array<{ number: string }> }>('dispatcher', '/api/work-order-radar?pageSize=200');
    expect(radar.body.items.map((i) => i.number)).not.toContain(order.number);
    for (const p of [agent, dispatcher, unit, reviewer]) expect(p.problems).toEqual([]);
  });
});
