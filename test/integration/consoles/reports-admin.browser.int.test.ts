/**
 * 统计报表 and 系统管理 in real headless Chromium against the real backend and database.
 *
 * Reports: a month (May 2026) is seeded through the REST API with a settable clock, ten orders
 * whose outcomes are chosen so every figure can be worked out by hand (the numbers below are
 * computed by hand from the formulas of 密云 2014 附件2 and 延市政办发〔2019〕66号, not by the code
 * under test). The page must show them; the .xlsx it exports, read back with exceljs, must hold the
 * same; the CSV starts with a UTF-8 BOM and Chinese headers; the printed 通报 is one A4 page; a
 * unit handler sees only their unit; axe-core finds no serious or critical violation; screenshots
 * at 1920×1080 and 1366×768.
 *
 * Administration (the whole product as main.ts wires it): the administrator edits a preset (a bad
 * value is refused in Chinese; a valid edit becomes a new version with its effective date) and adds
 * a calendar year; the pages of users, agents and queues list what the API holds; an agent is
 * created and edited with one click per queue box (the saved queues read back from the API), a
 * user's role is changed and their password reset, and a disabled user's open page is signed out
 * at once and the account cannot sign in until it is enabled again.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page, WebSocket } from 'playwright-core';
import { ADMIN } from '../../support/api-harness';
import { launchChromium, openPage, screenshots, seriousAxeViolations, signIn, SCREENSHOT_DIR, type ConsolePage, type RunningBrowser } from '../../support/browser';
import { eventually } from '../../support/eventually';
import { startSystem, type RunningSystem } from '../../support/system-harness';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

const at = (local: string): Date => new Date(`${local}:00+08:00`);
const plusDays = (day: string, n: number): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

async function expectAccessible(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

const cell = (page: Page, testId: string) => page.getByTestId(testId).first().innerText();

describe('统计报表 in Chromium: a seeded month with hand-computed figures', () => {
  const clock = new TestClock(at('2026-05-04T09:00').getTime());
  let app: WorkOrderApp;
  let agent: Login;
  let sup: Login;
  /** Judges complaints: not the supervisor who recorded them (no self-review). */
  let judge: Login;
  let unitA: Login;
  let unitB: Login;
  let chrome: RunningBrowser;
  let manager: ConsolePage;

  async function act(who: Login, id: string, when: string, action: Record<string, unknown>): Promise<void> {
    clock.set(at(when));
    const res = await call(app, 'POST', `/api/work-orders/${id}/actions`, who, action);
    expect([action['type'], res.status, res.status === 200 ? '' : res.text]).toEqual([action['type'], 200, '']);
  }

  /** Created at 09:30 and dispatched at 10:00 on `day` (一般: feedback due at the end of day + 7), signed at 12:00 unless `unsigned`. */
  async function dispatched(day: string, unit: string, handler: Login, category: string, n: number, unsigned = false): Promise<string> {
    clock.set(at(`${day}T09:30`));
    const c = await call<{ id: string }>(app, 'POST', '/api/work-orders', agent, {
      caller: { phone: `1390000${String(n).padStart(4, '0')}`, callbackConsent: 'granted' }, category, urgency: '一般', content: `诉求${n}`, areaCode: n % 2 ? '110105' : '110108',
    });
    expect(c.status).toBe(201);
    await act(sup, c.body.id, `${day}T10:00`, { type: 'dispatch', leadUnitId: unit });
    if (!unsigned) await act(handler, c.body.id, `${day}T12:00`, { type: 'sign' });
    return c.body.id;
  }

  /** Completed `after` days after dispatch, review passed, reply recorded; then the callback a day later. */
  async function handled(id: string, day: string, handler: Login, after: number, callback: { result: 'satisfied' | 'unsatisfied'; feedbackReceived: boolean } | null): Promise<void> {
    const done = plusDays(day, after);
    await act(handler, id, `${done}T10:00`, { type: 'complete', summary: '已处理' });
    await act(sup, id, `${done}T11:00`, { type: 'passReview' });
    await act(handler, id, `${done}T12:00`, { type: 'recordFeedback', channel: 'phone' });
    if (callback) {
      await act(agent, id, `${plusDays(day, after + 1)}T10:00`, {
        type: 'recordCallback', result: callback.result, contacted: true, feedbackReceived: callback.feedbackReceived,
        resolution: callback.result === 'satisfied' ? 'resolved' : 'unresolved',
      });
    }
  }

  beforeAll(async () => {
    app = await startWorkOrderApp(await workOrderDbUri(__filename), clock, {}, { web: true });
    [agent, sup, judge, unitA, unitB] = await Promise.all([
      login(app, 'agent'), login(app, 'supervisor'), login(app, 'supervisor'), login(app, 'unit_handler', 'unit-a'), login(app, 'unit_handler', 'unit-b'),
    ]);
    await app.users.create(ADMIN, { username: 'manager', password: 'manager-password', role: 'supervisor', displayName: '刘主任' });
    await app.users.create(ADMIN, { username: 'unit-b-staff', password: 'unit-b-password', role: 'unit_handler', displayName: '乙单位', unitId: 'unit-b' });
    // unit-a is in the unit directory by name (the exports' 单位名称); unit-b is not, and keeps its id there.
    expect((await call(app, 'POST', '/api/units', await login(app, 'admin'), { id: 'unit-a', name: '甲区水务局' })).status).toBe(201);

    // unit-a, eight orders:
    //  A1, A2  on time, satisfied, feedback confirmed
    //  A3      on time, satisfied, feedback not confirmed
    //  A4      on time, then 不满意 at the callback: 重办 (reopened, new limit passed by 06-01, unfinished)
    //  A5      completed late (day 14), satisfied, feedback confirmed; its reply is late
    //  A6      signed, never completed (overdue)
    //  A7      never signed (sign limit 24 h passed; overdue)
    //  A8      completed on time, reply still pending review (left out of 按期办结率; reply not given: late)
    const a1 = await dispatched('2026-05-04', 'unit-a', unitA, '投诉', 1);
    await handled(a1, '2026-05-04', unitA, 2, { result: 'satisfied', feedbackReceived: true });
    const a2 = await dispatched('2026-05-05', 'unit-a', unitA, '投诉', 2);
    await handled(a2, '2026-05-05', unitA, 2, { result: 'satisfied', feedbackReceived: true });
    const a3 = await dispatched('2026-05-06', 'unit-a', unitA, '投诉', 3);
    await handled(a3, '2026-05-06', unitA, 2, { result: 'satisfied', feedbackReceived: false });
    const a4 = await dispatched('2026-05-07', 'unit-a', unitA, '投诉', 4);
    await handled(a4, '2026-05-07', unitA, 2, { result: 'unsatisfied', feedbackReceived: true });
    const a5 = await dispatched('2026-05-08', 'unit-a', unitA, '求助', 5);
    await handled(a5, '2026-05-08', unitA, 14, { result: 'satisfied', feedbackReceived: true });
    await dispatched('2026-05-11', 'unit-a', unitA, '求助', 6);
    await dispatched('2026-05-12', 'unit-a', unitA, '求助', 7, true);
    const a8 = await dispatched('2026-05-13', 'unit-a', unitA, '求助', 8);
    await act(unitA, a8, '2026-05-15T10:00', { type: 'complete', summary: '已处理' });
    // unit-b: two orders handled on time, satisfied, feedback confirmed.
    const b1 = await dispatched('2026-05-06', 'unit-b', unitB, '咨询', 9);
    await handled(b1, '2026-05-06', unitB, 1, { result: 'satisfied', feedbackReceived: true });
    const b2 = await dispatched('2026-05-12', 'unit-b', unitB, '咨询', 10);
    await handled(b2, '2026-05-12', unitB, 1, { result: 'satisfied', feedbackReceived: true });
    // One complaint against unit-a, judged upheld (经查属实): −0.01 of the Beijing score's 0.4.
    clock.set(at('2026-05-20T09:00'));
    const complaint = await call<{ id: string }>(app, 'POST', '/api/complaints', sup, { unitId: 'unit-a', ground: 'unanswered', description: '工作时间无人接听' });
    expect(complaint.status).toBe(201);
    expect((await call(app, 'POST', `/api/complaints/${complaint.body.id}/judgement`, judge, { decision: 'upheld', finding: '经查属实' })).status).toBe(200);

    clock.set(at('2026-06-02T09:00'));
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await chrome?.close();
    await app?.stop();
  });

  it('the trend API: dispatches per day and per ISO week of May, as seeded', async () => {
    const days = await call<{ points: { key: string; dispatched: number }[] }>(app, 'GET', '/api/reports/work-orders/trend?period=month&key=2026-05&granularity=day', sup);
    expect(days.status).toBe(200);
    expect(days.body.points).toHaveLength(31);
    expect(Object.fromEntries(days.body.points.filter((p) => p.dispatched > 0).map((p) => [p.key, p.dispatched]))).toEqual({
      '2026-05-04': 1, '2026-05-05': 1, '2026-05-06': 2, '2026-05-07': 1, '2026-05-08': 1, '2026-05-11': 1, '2026-05-12': 2, '2026-05-13': 1,
    });
    const weeks = await call<{ points: { key: string; dispatched: number; onTimeCompletion: { numerator: number; denominator: number } }[] }>(
      app, 'GET', '/api/reports/work-orders/trend?period=month&key=2026-05&granularity=week&unitId=unit-a', sup,
    );
    // unit-a: week 19 (05-04…05-10) A1–A5: on time A1–A3 of A1–A5 (A4 reopened and overdue); week 20 A6–A8: A6, A7 overdue, A8 pending review.
    expect(weeks.body.points.map((p) => [p.key, p.dispatched, p.onTimeCompletion.numerator, p.onTimeCompletion.denominator])).toEqual([
      ['2026-W18', 0, 0, 0], ['2026-W19', 5, 3, 5], ['2026-W20', 3, 0, 2], ['2026-W21', 0, 0, 0], ['2026-W22', 0, 0, 0],
    ]);
    expect((await call(app, 'GET', '/api/reports/work-orders/trend?period=month&key=2026-05&unitId=unit-a', unitB)).status).toBe(403);
    expect((await call(app, 'GET', '/api/reports/work-orders/trend?period=month&key=2026-05&granularity=hour', sup)).body).toMatchObject({ field: 'query.granularity' });
  });

  it('the monthly report page shows the hand-computed rates and scores with their parts', async () => {
    manager = await openPage(chrome.browser, `${app.baseUrl}/#/reports?period=month&key=2026-05`);
    await signIn(manager.page, 'manager', 'manager-password');
    await eventually(async () => ((await cell(manager.page, 'r-unit-a-dispatched').catch(() => '')) === '8' ? true : null), 30_000, 100);
    expect(await manager.page.getByTestId('report-title').innerText()).toBe('2026年5月月报');

    // unit-a by hand (asOf 2026-06-01 00:00):
    //  按期办结率 = on time (A1, A2, A3) / (passed review A1, A2, A3, A5 + overdue open A4, A6, A7) = 3/7 = 42.86 %
    //  反馈率 = feedback confirmed (A1, A2, A4, A5) / reached (A1–A5) = 4/5 = 80.00 %
    //  满意率 = satisfied (A1, A2, A3, A5) / reached = 4/5 = 80.00 %;  回访率 = reached / due for callback (A1–A5) = 5/5
    //  北京: 1 × 3/7 = 0.429; 0.8 × 0.8 = 0.640; 满意率 80 % ≥ 75 % → 0.800; 0.4 − 0.01 × 1 upheld = 0.390; total 2.259
    //  延吉: 签收 3 − 0.5 × 1 (A7) = 2.50; 退单 3; 办结 29 − 1 × 1 late (A5) − 2 × 3 overdue unfinished (A4, A6, A7) = 22.00;
    //        延期 3; 答复 3 − 0.5 × 5 late replies (A5 late; A4, A6, A7, A8 none by their limit) = 0.50;
    //        满意 satisfied 4 of 8 = 50 %: 10 − 0.11 × (95 − 50) = 5.05; 无重办 3 − 0.5 × 1 (A4) = 2.50; 无重复 3
    //        承办处理 = 41.55; 催办督办 15; total 56.55
    const expectedA: Record<string, string> = {
      rank: '2', dispatched: '8',
      onTimeCompletion: '42.86%', 'onTimeCompletion-parts': '（3/7）',
      feedback: '80.00%', 'feedback-parts': '（4/5）',
      satisfaction: '80.00%', 'satisfaction-parts': '（4/5）',
      callback: '100.00%', 'callback-parts': '（5/5）',
      beijing: '2.259', 'bj-completion': '0.429', 'bj-feedback': '0.640', 'bj-satisfaction': '0.800', 'bj-complaints': '0.390（1件）',
      yanji: '56.55', 'yj-sign': '2.50', 'yj-return': '3.00', 'yj-completion': '22.00', 'yj-extension': '3.00', 'yj-reply': '0.50',
      'yj-satisfaction': '5.05', 'yj-noRedo': '2.50', 'yj-noRepeat': '3.00', 'yj-handling': '41.55', 'yj-supervision': '15.00',
    };
    // unit-b: both orders on time, confirmed, satisfied: 100 % each; 北京 1 + 0.8 + 0.8 + 0.4 = 3.000; 延吉 full 72.00.
    const expectedB: Record<string, string> = {
      rank: '1', dispatched: '2', onTimeCompletion: '100.00%', 'onTimeCompletion-parts': '（2/2）', feedback: '100.00%', satisfaction: '100.00%',
      callback: '100.00%', beijing: '3.000', 'bj-complaints': '0.400（0件）', yanji: '72.00', 'yj-handling': '57.00',
    };
    for (const [unit, expected] of [['unit-a', expectedA], ['unit-b', expectedB]] as const) {
      const shown: Record<string, string> = {};
      for (const k of Object.keys(expected)) shown[k] = await cell(manager.page, `r-${unit}-${k}`);
      expect([unit, shown]).toEqual([unit, expected]);
    }
    await manager.page.getByTestId('trend-chart').locator('canvas').first().waitFor();
    await manager.page.getByTestId('category-chart').locator('canvas').first().waitFor();
    await expectAccessible(manager.page);
    await screenshots(manager.page, 'reports-month');
    expect(manager.problems).toEqual([]);
  });

  it('the .xlsx export, read back with exceljs, holds the same numbers; the CSV has a BOM and Chinese headers', async () => {
    const [xlsx] = await Promise.all([manager.page.waitForEvent('download'), manager.page.getByRole('button', { name: '导出Excel' }).click()]);
    expect(xlsx.suggestedFilename()).toBe('工单统计-2026-05.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(fs.readFileSync(await xlsx.path()) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('报表');
    expect(sheet).toBeDefined();
    const header = (sheet?.getRow(1).values as unknown[]).slice(1);
    const rows = new Map<string, Record<string, unknown>>();
    sheet?.eachRow((row, n) => {
      if (n === 1) return;
      const values = (row.values as unknown[]).slice(1);
      rows.set(String(values[1]), Object.fromEntries(header.map((h, i) => [String(h), values[i]])));
    });
    expect(rows.get('unit-a')).toMatchObject({
      统计周期: '2026-05', 单位名称: '甲区水务局', 排名: 2, 派单量: 8, '按期办结率(%)': 42.86, '反馈率(%)': 80, '满意率(%)': 80, '回访率(%)': 100, '属实投诉(件)': 1,
      '北京-按期办结(1分)': 0.429, '北京-反馈(0.8分)': 0.64, '北京-满意(0.8分)': 0.8, '北京-投诉(0.4分)': 0.39, '北京三项得分(3分)': 2.259,
      '延吉-签收': 2.5, '延吉-办结': 22, '延吉-答复': 0.5, '延吉-满意': 5.05, '延吉-无重办': 2.5, '延吉-承办处理(57分)': 41.55, '延吉得分(72分)': 56.55,
    });
    expect(rows.get('unit-b')).toMatchObject({ 单位名称: 'unit-b', 排名: 1, 派单量: 2, '按期办结率(%)': 100, '北京三项得分(3分)': 3, '延吉得分(72分)': 72 });
    const topics = wb.getWorksheet('热点');
    expect((topics?.getRow(1).values as unknown[]).slice(1)).toEqual(['热点', '名称', '本期件数', '上期件数', '增减', '增减率(%)']);
    const categories = new Map<string, unknown>();
    topics?.eachRow((row, n) => {
      const v = (row.values as unknown[]).slice(1);
      if (n > 1 && v[0] === '诉求类型') categories.set(String(v[1]), v[2]);
    });
    expect(Object.fromEntries(categories)).toEqual({ 投诉: 4, 求助: 4, 咨询: 2 });

    const [csv] = await Promise.all([manager.page.waitForEvent('download'), manager.page.getByRole('button', { name: '导出CSV' }).click()]);
    const bytes = fs.readFileSync(await csv.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]?.split(',').slice(0, 9)).toEqual(['统计周期', '承办单位', '单位名称', '排名', '派单量', '按期办结率(%)', '反馈率(%)', '满意率(%)', '回访率(%)']);
    expect(lines.find((l) => l.includes(',unit-a,'))?.split(',').slice(0, 9)).toEqual(['2026-05', 'unit-a', '甲区水务局', '2', '8', '42.86', '80', '80', '100']);
  });

  it('the monthly 通报 prints on one A4 page', async () => {
    await manager.page.getByRole('button', { name: '打印通报' }).click();
    await manager.page.getByTestId('bulletin').waitFor();
    await expectAccessible(manager.page);
    await manager.page.emulateMedia({ media: 'print' });
    // An A4 sheet is 794 px wide at 96 dpi: the screenshot shows the page as printed.
    await manager.page.setViewportSize({ width: 794, height: 1123 });
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await manager.page.waitForTimeout(300); // the charts redraw at the new width on the next frame
    await manager.page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reports-bulletin-print.png'), fullPage: true });
    const pdf = await manager.page.pdf({ preferCSSPageSize: true, printBackground: true });
    fs.writeFileSync(path.join(SCREENSHOT_DIR, 'reports-bulletin.pdf'), pdf);
    const text = pdf.toString('latin1');
    const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    // A4 = 210 × 297 mm = 595.3 × 841.9 pt; one page.
    expect(boxes).toHaveLength(1);
    expect(Math.abs((boxes[0]?.[0] ?? 0) - 595.3)).toBeLessThan(1.5);
    expect(Math.abs((boxes[0]?.[1] ?? 0) - 841.9)).toBeLessThan(1.5);
    // The printed page carries no screen controls.
    expect(await manager.page.getByRole('button', { name: '打印' }).isVisible()).toBe(false);
    await manager.page.emulateMedia({ media: 'screen' });
    await manager.page.setViewportSize({ width: 1920, height: 1080 });
    await manager.page.getByRole('button', { name: '返回报表' }).click();
    await manager.page.getByTestId('kpi-table').waitFor();
  });

  it('a unit handler sees only their unit, in the page and from the API it calls', async () => {
    const staff = await openPage(chrome.browser, `${app.baseUrl}/#/reports?period=month&key=2026-05`);
    await signIn(staff.page, 'unit-b-staff', 'unit-b-password');
    await eventually(async () => ((await cell(staff.page, 'r-unit-b-dispatched').catch(() => '')) === '2' ? true : null), 30_000, 100);
    expect(await staff.page.getByTestId('r-unit-a-dispatched').count()).toBe(0);
    const own = await call<{ units: { unitId: string }[] }>(app, 'GET', '/api/reports/work-orders?period=month&key=2026-05', unitB);
    expect(own.body.units.map((u) => u.unitId)).toEqual(['unit-b']);
    expect((await call(app, 'GET', '/api/reports/work-orders?period=month&key=2026-05&unitId=unit-a&format=xlsx', unitB)).status).toBe(403);
    // No 系统管理 for a unit handler.
    expect(await staff.page.getByRole('link', { name: '系统管理' }).count()).toBe(0);
    await staff.context.close();
  });
});

describe('系统管理 in Chromium (the whole product)', () => {
  let sut: RunningSystem;
  let chrome: RunningBrowser;
  let admin: ConsolePage;
  const adminToken = async (): Promise<string> => ((await (await fetch(`${sut.baseUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'chief', password: 'admin-password-1' }),
  })).json()) as { accessToken: string }).accessToken;
  const signInStatus = async (username: string, password: string): Promise<number> => (await fetch(`${sut.baseUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  })).status;
  const tomorrow = (): string => new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    sut = await startSystem('reports_admin_ui');
    await sut.users.create(ADMIN as never, { username: 'chief', password: 'admin-password-1', role: 'admin', displayName: '张管理员' });
    await sut.users.create(ADMIN as never, { username: 'duty', password: 'supervisor-password', role: 'supervisor', displayName: '王班长' });
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await chrome?.close();
    await sut?.stop(1000);
  });

  it('users, agents and queues are listed; an agent is added with its 工号 and queue; a supervisor is offered no 系统管理', async () => {
    const token = await adminToken();
    const queue = await fetch(`${sut.baseUrl}/api/queues`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ queueId: 'water', name: '水务专线' }),
    });
    expect(queue.status).toBe(201);
    admin = await openPage(chrome.browser, `${sut.baseUrl}/#/admin`);
    await signIn(admin.page, 'chief', 'admin-password-1');
    await admin.page.getByTestId('users').getByText('王班长').waitFor();
    await expectAccessible(admin.page);
    await screenshots(admin.page, 'admin-users');
    await admin.page.getByRole('tab', { name: '队列' }).click();
    await admin.page.getByTestId('queues-admin').getByText('水务专线').waitFor();
    await admin.page.getByRole('tab', { name: '坐席' }).click();
    await admin.page.getByTestId('agents').waitFor();
    await admin.page.getByLabel('工号').fill('2001');
    await admin.page.getByLabel('姓名').fill('李娜');
    await admin.page.getByLabel('分机').fill('8001');
    // One click: the box is ticked by it, whenever the agent and queue lists arrive.
    await admin.page.getByRole('checkbox', { name: '水务专线' }).check();
    await admin.page.getByRole('button', { name: '创建' }).click();
    await admin.page.getByText(/工号 2001 的话机账号 .+，密码（仅显示这一次）/).waitFor();
    const row = admin.page.getByTestId('agents').getByRole('row').filter({ hasText: '2001' });
    expect(await row.innerText()).toMatch(/2001\s+李娜\s+8001[\s\S]*水务专线[\s\S]*启用/);
    const saved = await (await fetch(`${sut.baseUrl}/api/directory/agents/agent-2001`, { headers: { authorization: `Bearer ${token}` } })).json() as { queues: string[] };
    expect(saved.queues).toEqual(['water']);
    await expectAccessible(admin.page);

    const duty = await openPage(chrome.browser, `${sut.baseUrl}/#/admin`);
    await signIn(duty.page, 'duty', 'supervisor-password');
    await duty.page.getByRole('link', { name: '统计报表' }).first().waitFor();
    expect(await duty.page.getByRole('link', { name: '系统管理' }).count()).toBe(0);
    await duty.context.close();
  });

  it('an agent\'s name and queues are edited and the agent disabled; a user\'s role is changed and their password reset', async () => {
    const token = await adminToken();
    const heating = await fetch(`${sut.baseUrl}/api/queues`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ queueId: 'heating', name: '供暖专线' }),
    });
    expect(heating.status).toBe(201);
    await sut.users.create(ADMIN as never, { username: 'clerk', password: 'clerk-password-1', role: 'supervisor', displayName: '赵文员' });

    // The agents tab is opened afresh, so the new queue is offered.
    await admin.page.getByRole('tab', { name: '队列' }).click();
    await admin.page.getByTestId('queues-admin').getByText('供暖专线').waitFor();
    await admin.page.getByRole('tab', { name: '坐席' }).click();
    await admin.page.getByRole('button', { name: '编辑 2001' }).click();
    const dialog = admin.page.getByRole('dialog', { name: '编辑坐席：工号 2001' });
    await dialog.waitFor();
    expect(await dialog.getByRole('checkbox', { name: '水务专线' }).isChecked()).toBe(true);
    await dialog.getByLabel('姓名').fill('李娜娜');
    await dialog.getByRole('checkbox', { name: '供暖专线' }).check();
    await dialog.getByRole('checkbox', { name: '水务专线' }).uncheck();
    await expectAccessible(admin.page);
    await screenshots(admin.page, 'admin-agent-edit');
    await dialog.getByRole('button', { name: '保存' }).click();
    await admin.page.getByTestId('agents-result').getByText('已保存坐席 2001').waitFor();
    const row = admin.page.getByTestId('agents').getByRole('row').filter({ hasText: '李娜娜' });
    expect(await row.innerText()).toMatch(/2001\s+李娜娜\s+8001\s+供暖专线\s+启用/);
    const agent = async () => (await (await fetch(`${sut.baseUrl}/api/directory/agents/agent-2001`, { headers: { authorization: `Bearer ${token}` } })).json()) as { name: string; queues: string[]; enabled: boolean };
    expect(await agent()).toMatchObject({ name: '李娜娜', queues: ['heating'], enabled: true });

    // Disabling asks first; 取消 leaves the agent enabled.
    await admin.page.getByRole('button', { name: '停用 2001' }).click();
    const confirm = admin.page.getByRole('dialog', { name: '停用坐席 2001 李娜娜？' });
    await confirm.getByRole('button', { name: '取消' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await agent()).enabled).toBe(true);
    await admin.page.getByRole('button', { name: '停用 2001' }).click();
    await confirm.getByRole('button', { name: '停用' }).click();
    await admin.page.getByTestId('agents-result').getByText('已停用坐席 2001').waitFor();
    await admin.page.getByRole('button', { name: '启用 2001' }).waitFor();
    expect(await row.innerText()).toMatch(/供暖专线\s+停用/);
    expect((await agent()).enabled).toBe(false);

    // A user's role: 班长 → 承办单位 of unit-a.
    await admin.page.getByRole('tab', { name: '用户与角色' }).click();
    await admin.page.getByRole('button', { name: '编辑 clerk' }).click();
    const edit = admin.page.getByRole('dialog', { name: '编辑用户：clerk' });
    await edit.getByRole('radio', { name: '承办单位' }).check();
    await edit.getByRole('textbox', { name: '承办单位' }).fill('unit-a');
    await expectAccessible(admin.page);
    await edit.getByRole('button', { name: '保存' }).click();
    await admin.page.getByTestId('users-result').getByText('已保存用户 clerk').waitFor();
    const clerkRow = admin.page.getByTestId('users').getByRole('row').filter({ hasText: 'clerk' });
    await clerkRow.getByText('unit-a').waitFor();
    expect(await clerkRow.innerText()).toMatch(/clerk\s+赵文员\s+承办单位\s+—\s+unit-a\s+启用/);
    const users = async () => ((await (await fetch(`${sut.baseUrl}/api/users?pageSize=200`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { username: string; role: string; unitId: string | null; active: boolean }[] }).items;
    expect((await users()).find((u) => u.username === 'clerk')).toMatchObject({ role: 'unit_handler', unitId: 'unit-a', active: true });

    // A new password: the old one no longer signs in, the new one does.
    await admin.page.getByRole('button', { name: '重置密码 clerk' }).click();
    const reset = admin.page.getByRole('dialog', { name: '重置密码：clerk' });
    await reset.getByLabel('新密码', { exact: true }).fill('clerk-password-2');
    await reset.getByLabel('确认新密码').fill('clerk-password-3');
    await reset.getByRole('button', { name: '重置' }).click();
    await reset.getByText('两次填写的密码不一致').waitFor();
    await reset.getByLabel('确认新密码').fill('clerk-password-2');
    await reset.getByRole('button', { name: '重置' }).click();
    await admin.page.getByTestId('users-result').getByText('已重置用户 clerk 的密码，其登录已全部结束').waitFor();
    expect([(await signInStatus('clerk', 'clerk-password-1')), (await signInStatus('clerk', 'clerk-password-2'))]).toEqual([401, 200]);
    // An administrator cannot disable their own account.
    expect(await admin.page.getByRole('button', { name: '停用 chief' }).isDisabled()).toBe(true);
  });

  it('a disabled user is signed out at once (page and live connection) and cannot sign in; enabled, they can', async () => {
    const duty = await openPage(chrome.browser, `${sut.baseUrl}/#/wallboard`);
    const sockets: WebSocket[] = [];
    duty.page.on('websocket', (ws) => sockets.push(ws));
    await signIn(duty.page, 'duty', 'supervisor-password');
    await duty.page.getByRole('link', { name: '班长监控' }).first().waitFor();
    const live = await eventually(() => sockets.find((ws) => !ws.isClosed()) ?? null, 30_000, 100);
    const socketClosed = live.waitForEvent('close');

    await admin.page.getByRole('button', { name: '停用 duty' }).click();
    const confirm = admin.page.getByRole('dialog', { name: '停用用户 王班长（duty）？' });
    await confirm.getByText('停用后该用户立即退出登录').waitFor();
    await expectAccessible(admin.page);
    await confirm.getByRole('button', { name: '停用' }).click();
    await admin.page.getByTestId('users-result').getByText('已停用用户 duty').waitFor();
    await admin.page.getByRole('button', { name: '启用 duty' }).waitFor();
    const dutyRow = admin.page.getByTestId('users').getByRole('row').filter({ hasText: 'duty' });
    expect(await dutyRow.innerText()).toMatch(/王班长\s+班长\s+—\s+—\s+停用/);

    // The open page is signed out: its live connection is cut by the server and the refresh refused.
    await socketClosed;
    await duty.page.getByRole('button', { name: '登录' }).waitFor();
    // Signing in again is refused (the same answer as a wrong password: nothing tells a disabled account apart).
    await signIn(duty.page, 'duty', 'supervisor-password');
    await duty.page.getByRole('alert').getByText('用户名或密码错误').waitFor();
    expect(await signInStatus('duty', 'supervisor-password')).toBe(401);

    await admin.page.getByRole('button', { name: '启用 duty' }).click();
    await admin.page.getByRole('dialog', { name: '启用用户 王班长（duty）？' }).getByRole('button', { name: '启用' }).click();
    await admin.page.getByTestId('users-result').getByText('已启用用户 duty').waitFor();
    expect(await signInStatus('duty', 'supervisor-password')).toBe(200);
    await signIn(duty.page, 'duty', 'supervisor-password');
    await duty.page.getByRole('link', { name: '班长监控' }).first().waitFor();
    expect(duty.problems).toEqual([]);
    await duty.context.close();
  });

  it('a preset edit: a bad value is refused in Chinese; a valid edit is a new version with its effective date', async () => {
    await admin.page.getByRole('tab', { name: '规则预设' }).click();
    await admin.page.getByRole('button', { name: /编辑 北京/ }).click();
    const editor = admin.page.getByTestId('preset-editor');
    await editor.waitFor();
    const limit = editor.getByLabel('时限-sign-general');
    await limit.fill('0');
    await editor.getByRole('button', { name: '保存为新版本' }).click();
    await editor.getByText('时限须为大于0的数').waitFor();
    await limit.fill('2.5');
    await editor.getByText('时限须为大于0的数').waitFor({ state: 'detached' });
    await limit.fill('12');
    const date = tomorrow();
    await editor.getByLabel('生效日期').fill(date);
    await editor.getByRole('button', { name: '保存为新版本' }).click();
    const row = editor.getByTestId('preset-versions').getByRole('row').filter({ hasText: '待生效' });
    await row.waitFor();
    expect(await row.innerText()).toContain(date.replace(/-/g, '/'));
    await expectAccessible(admin.page);
    await screenshots(admin.page, 'admin-presets');

    // The server holds both versions; the new one is not in effect before its date.
    const token = await adminToken();
    const versions = await (await fetch(`${sut.baseUrl}/api/presets/beijing-2023/versions`, { headers: { authorization: `Bearer ${token}` } })).json() as {
      items: { version: number; builtIn: boolean; effectiveFrom: string | null; inEffect: boolean }[];
    };
    expect(versions.items.map((v) => [v.builtIn, v.inEffect])).toEqual([[false, false], [true, true]]);
    expect(versions.items[0]?.effectiveFrom).toBe(new Date(`${date}T00:00:00+08:00`).toISOString());
    const stored = await (await fetch(`${sut.baseUrl}/api/presets/beijing-2023`, { headers: { authorization: `Bearer ${token}` } })).json() as { version: number };
    expect(stored.version).toBe(versions.items[1]?.version);
    // A bad value sent past the form is refused by the server, naming the field.
    const bad = await fetch(`${sut.baseUrl}/api/presets/beijing-2023`, {
      method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...stored, version: (versions.items[0]?.version ?? 0) + 1, effectiveFrom: '2020-01-01' }),
    });
    expect([bad.status, ((await bad.json()) as { field?: string }).field]).toEqual([400, 'body.effectiveFrom']);
  });

  it('adds a calendar year from the State Council notice', async () => {
    await admin.page.getByRole('tab', { name: '工作日历' }).click();
    const years = admin.page.getByTestId('calendar-years');
    await years.getByRole('cell', { name: '2026', exact: true }).waitFor();
    expect(await years.getByRole('cell', { name: '2027', exact: true }).count()).toBe(0);
    await admin.page.getByLabel('年份').fill('2027');
    await admin.page.getByLabel('通知标题').fill('国务院办公厅关于2027年部分节假日安排的通知');
    await admin.page.getByLabel('发布日期').fill('2026-11-12');
    await admin.page.getByLabel('节日1名称').fill('元旦');
    await admin.page.getByLabel('节日1放假开始').fill('2027-01-01');
    await admin.page.getByLabel('节日1放假结束').fill('2026-12-31');
    await admin.page.getByRole('button', { name: '保存日历' }).click();
    await admin.page.getByText('结束日期不得早于开始日期').waitFor();
    await admin.page.getByLabel('节日1放假结束').fill('2027-01-03');
    await admin.page.getByRole('button', { name: '保存日历' }).click();
    const result = await eventually(async () => (await admin.page.getByTestId('calendar-result').innerText().catch(() => '')) || null, 30_000, 100);
    expect(result).toContain('已录入 2027 年日历（版本 1，节假日 1 段，调休上班 0 天）');
    await years.getByRole('cell', { name: '2027', exact: true }).waitFor();
    await expectAccessible(admin.page);
    await screenshots(admin.page, 'admin-calendar');
    expect(admin.problems).toEqual([]);
  });
});
