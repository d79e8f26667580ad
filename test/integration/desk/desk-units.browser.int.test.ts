/**
 * The unit directory, 催办/督办 from the deadline radar and a return with its evidence, in real
 * headless Chromium against the real backend (the API and consoles as main.ts serves them, sockets
 * included) and its real database, under the 青浦 2020 preset (a return needs evidence with a site photo):
 *  - the administrator names a unit, adds one and stops dispatch to another on 系统管理 → 承办单位;
 *    the API and the stored directory hold it; only administrators may change it;
 *  - the dispatcher sees unit names in the dispatch picker (not the stopped unit), the order, and
 *    the radar; sends 督办 on an overdue row and 催办 on one still in time, each after a
 *    confirmation, with the result shown; the orders record them; the server refuses the other
 *    kind and other roles;
 *  - the unit's workbench names its unit; its 退单 dialog uploads a document and a site photo,
 *    shows them, shows the preset's guard until the photo is there, and sends the return; the
 *    stored order's return names exactly the files uploaded, with their kinds judged by content;
 *    a 催办 sent from the radar then shows in the workbench's live notices;
 *  - axe-core: no serious or critical violation on each page; screenshots at 1920×1080 and 1366×768.
 */
import type { Page } from 'playwright-core';
import { QINGPU_2020, createWorkOrder, transition, type Actor as OrderActor, type WorkOrder, type WorkOrderAction } from '../../../src/domain/work-order';
import { toDoc } from '../../../src/adapters/db/repositories/work-order.repository';
import { indexFieldsOf } from '../../../src/app/work-orders/lifecycle/work-order.index';
import type { WorkOrderModule } from '../../../src/composition/work-orders.module';
import { ADMIN, mongoBaseUrl, startApp, uniqueDbName, type TestApp } from '../../support/api-harness';
import { launchChromium, openPage, screenshots, seriousAxeViolations, signIn, type ConsolePage, type RunningBrowser } from '../../support/browser';
import { eventually } from '../../support/eventually';
import { jpegWithGps, pdf } from '../../support/evidence-files';

const PASSWORD = 'units-password-1';
type Json = Record<string, unknown>;

async function waitText(page: Page, testId: string, pred: (t: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => {
    const t = await page.getByTestId(testId).first().innerText().catch(() => '');
    return pred(t) ? t : null;
  }, timeoutMs, 100);
}

async function expectAccessible(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

describe('unit directory, 催办/督办 on the radar and a return with evidence, in Chromium', () => {
  let app: TestApp;
  let m: WorkOrderModule;
  let chrome: RunningBrowser;
  let admin: ConsolePage;
  let dispatcher: ConsolePage;
  let unit: ConsolePage;
  const tokens: Record<string, string> = {};
  let fresh: { id: string; number: string };
  let overdue: WorkOrder;

  async function token(username: string): Promise<string> {
    const known = tokens[username];
    if (known) return known;
    const res = await fetch(`${app.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
    const t = ((await res.json()) as { accessToken: string }).accessToken;
    tokens[username] = t;
    return t;
  }

  async function http<T = Json>(who: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method, headers: { authorization: `Bearer ${await token(who)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  }

  /** An order of `unitId` dispatched `hoursAgo` hours ago, stored as the service stores it. */
  async function seedDispatched(n: number, unitId: string, hoursAgo: number): Promise<WorkOrder> {
    const at = new Date(Date.now() - hoursAgo * 3_600_000);
    const sup: OrderActor = { id: 'seed', role: 'supervisor' };
    const calendar = m.regulation.workCalendar();
    let o = createWorkOrder({
      id: `units-seed-${n}`, number: `WO20260101-8${String(n).padStart(5, '0')}`, presetId: QINGPU_2020.id, createdAt: at, createdBy: { id: 'seed', role: 'supervisor' },
      caller: { name: '周先生', phone: `1391111${String(n).padStart(4, '0')}`, confidential: false, callbackConsent: 'unknown' },
      category: '投诉', urgency: '一般', content: '雨水井盖破损', areaCode: '310118',
    });
    for (const a of [{ type: 'accept' }, { type: 'dispatch', leadUnitId: unitId }] as WorkOrderAction[]) {
      const r = transition(o, a, { now: at, actor: sup, preset: QINGPU_2020, calendar });
      if (!r.ok) throw new Error(r.reason);
      o = r.order;
    }
    await app.db.connection.collection('work_orders').insertOne(toDoc(o, 1, indexFieldsOf({ order: o, events: [], now: new Date(), preset: QINGPU_2020, calendar })) as never);
    return o;
  }

  beforeAll(async () => {
    app = await startApp({
      dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}`, withWorkOrderModule: true, withWebConsole: true,
      loginRateLimit: { windowMs: 60_000, maxFailuresPerAccount: 1000, maxFailuresPerAddress: 1000 },
    });
    m = app.workOrderModule!;
    // Work-order events reach the sockets' rooms, as main.ts wires them.
    app.projector.attachWorkOrders(m.events);
    await m.regulation.setActivePreset(ADMIN, QINGPU_2020.id);
    await app.users.create(ADMIN, { username: 'admin1', password: PASSWORD, role: 'admin', displayName: '管理员陈静' });
    await app.users.create(ADMIN, { username: 'dispatcher', password: PASSWORD, role: 'supervisor', displayName: '派单员王芳' });
    await app.users.create(ADMIN, { username: 'water', password: PASSWORD, role: 'unit_handler', displayName: '水务局刘洋', unitId: 'water' });
    await app.users.create(ADMIN, { username: 'parks', password: PASSWORD, role: 'unit_handler', displayName: '绿化局周敏', unitId: 'parks' });
    // Water's order dispatched 30 days ago: overdue on the radar.
    overdue = await seedDispatched(1, 'water', 24 * 30);
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await chrome?.close();
    await app?.stop();
  });

  it('系统管理 → 承办单位: the administrator names a unit, adds one and stops dispatch to another', async () => {
    // Before: the units with handlers, listed by their ids (no directory entry names them yet).
    const before = await http<{ items: Json[] }>('dispatcher', 'GET', '/api/units');
    expect(before.status).toBe(200);
    expect(before.body.items.map((u) => [u['id'], u['name'], u['handlers']])).toEqual([['parks', 'parks', ['绿化局周敏']], ['water', 'water', ['水务局刘洋']]]);

    admin = await openPage(chrome.browser, app.baseUrl);
    await signIn(admin.page, 'admin1', PASSWORD);
    await admin.page.getByRole('link', { name: '系统管理' }).click();
    await admin.page.getByRole('tab', { name: '承办单位' }).click();
    const table = admin.page.getByTestId('units-admin');
    await table.getByTestId('unit-water').waitFor();

    await table.getByRole('button', { name: '编辑 water' }).click();
    await admin.page.getByLabel('单位名称', { exact: true }).fill('青浦区水务局');
    await admin.page.getByLabel('简称', { exact: true }).fill('水务局');
    await admin.page.getByLabel('联系方式', { exact: true }).fill('王科长 021-59730000');
    await admin.page.getByRole('button', { name: '保存' }).click();
    await waitText(admin.page, 'unit-saved', (t) => t.includes('已保存承办单位 青浦区水务局'));

    await admin.page.getByLabel('单位编号', { exact: true }).fill('roads');
    await admin.page.getByLabel('单位名称', { exact: true }).fill('青浦区路政管理所');
    await admin.page.getByRole('button', { name: '新建' }).click();
    await waitText(admin.page, 'unit-saved', (t) => t.includes('已新建承办单位 青浦区路政管理所'));

    await table.getByRole('button', { name: '编辑 parks' }).click();
    await admin.page.getByLabel('单位名称', { exact: true }).fill('青浦区绿化市容局');
    await admin.page.getByRole('checkbox', { name: '接收派单' }).uncheck();
    await admin.page.getByRole('button', { name: '保存' }).click();
    await waitText(admin.page, 'unit-saved', (t) => t.includes('青浦区绿化市容局'));
    await waitText(admin.page, 'unit-parks', (t) => t.includes('停用'));
    expect(await table.getByTestId('unit-water').innerText()).toContain('水务局刘洋');
    await expectAccessible(admin.page);
    await screenshots(admin.page, 'admin-units');

    // Stored and served as the page said.
    const stored = await app.db.connection.collection('units').find({}).sort({ _id: 1 }).toArray();
    expect(stored.map((d) => [d['_id'], d['name'], d['shortName'], d['contact'], d['enabled']])).toEqual([
      ['parks', '青浦区绿化市容局', null, null, false],
      ['roads', '青浦区路政管理所', null, null, true],
      ['water', '青浦区水务局', '水务局', '王科长 021-59730000', true],
    ]);
    const after = await http<{ items: Json[] }>('water', 'GET', '/api/units');
    expect(after.body.items.map((u) => [u['id'], u['name'], u['enabled']])).toEqual([['parks', '青浦区绿化市容局', false], ['roads', '青浦区路政管理所', true], ['water', '青浦区水务局', true]]);
    // Only administrators change it; a taken id and a blank name are refused.
    expect((await http('dispatcher', 'POST', '/api/units', { id: 'police', name: '公安分局' })).status).toBe(403);
    expect((await http('water', 'PUT', '/api/units/water', { name: '水务' })).status).toBe(403);
    const taken = await http('admin1', 'POST', '/api/units', { id: 'roads', name: '另一个' });
    expect([taken.status, taken.body['reasonCode']]).toEqual([409, 'UNIT.EXISTS']);
    expect((await http('admin1', 'POST', '/api/units', { id: 'police', name: '  ' })).status).toBe(400);
    expect((await http('admin1', 'PUT', '/api/units/nowhere', { name: '不存在' })).status).toBe(404);
    expect(admin.problems).toEqual([]);
  });

  it('the dispatcher picks units by name (not a stopped one), and the order and the radar name them', async () => {
    const created = await http<{ id: string; number: string }>('dispatcher', 'POST', '/api/work-orders', {
      caller: { name: '吴女士', phone: '13922223333' }, category: '投诉', urgency: '一般', content: '小区雨水管堵塞，路面积水', areaCode: '310118',
    });
    expect(created.status).toBe(201);
    fresh = created.body;
    dispatcher = await openPage(chrome.browser, app.baseUrl);
    await signIn(dispatcher.page, 'dispatcher', PASSWORD);
    await dispatcher.page.getByRole('link', { name: '工单中心' }).click();
    await dispatcher.page.getByTestId(`row-${fresh.number}`).getByRole('button', { name: fresh.number }).click();
    const panel = dispatcher.page.getByTestId('dispatch-panel');
    await panel.getByText('青浦区水务局（水务局刘洋）', { exact: true }).waitFor();
    const lead = await panel.locator('[aria-labelledby="lead-label"]').innerText();
    expect(lead).toContain('青浦区路政管理所');
    expect(lead).not.toContain('青浦区绿化市容局');
    expect(lead).not.toMatch(/\bwater\b/);
    await panel.getByText('青浦区水务局（水务局刘洋）', { exact: true }).click();
    // Co-units by name too (none is chosen: under 青浦 a lead named beside co-units may not return the order).
    expect(await panel.locator('[aria-labelledby="co-label"]').innerText()).toContain('青浦区路政管理所');
    await dispatcher.page.getByTestId('dispatch-deadlines').waitFor();
    await dispatcher.page.getByRole('button', { name: '确认派单' }).click();
    await waitText(dispatcher.page, 'order-status', (t) => t === '待签收');
    expect(await waitText(dispatcher.page, 'order-units', (t) => t.includes('青浦区水务局'))).toBe('青浦区水务局');
    expect((await http<Json>('dispatcher', 'GET', `/api/work-orders/${fresh.id}`)).body).toMatchObject({ leadUnitId: 'water', coUnitIds: [] });
    // The server, too, refuses a dispatch to the stopped unit, as lead or as co-unit.
    const other = await http<{ id: string }>('dispatcher', 'POST', '/api/work-orders', {
      caller: { name: '钱女士', phone: '13944445555' }, category: '求助', urgency: '一般', content: '绿化带树木倒伏', areaCode: '310118',
    });
    for (const target of [{ leadUnitId: 'parks' }, { leadUnitId: 'roads', coUnitIds: ['parks'] }]) {
      const refused = await http<Json>('dispatcher', 'POST', `/api/work-orders/${other.body.id}/actions`, { type: 'dispatch', ...target });
      expect([refused.status, refused.body['reasonCode'], refused.body['unitIds']]).toEqual([409, 'WORK_ORDER.UNIT_STOPPED', ['parks']]);
    }
    expect((await http<Json>('dispatcher', 'GET', `/api/work-orders/${other.body.id}`)).body).toMatchObject({ status: 'PENDING_DISPATCH' });
    await dispatcher.page.locator('.ant-drawer-open .ant-drawer-close').click();
    await dispatcher.page.locator('.ant-drawer-open').waitFor({ state: 'detached' });

    await dispatcher.page.getByRole('tab', { name: '时限雷达' }).click();
    const radar = dispatcher.page.getByTestId('radar');
    await radar.getByTestId(`row-${overdue.number}`).waitFor();
    expect(await radar.getByTestId(`row-${overdue.number}`).innerText()).toContain('青浦区水务局');
    // The unit filter offers names too.
    expect(await dispatcher.page.getByLabel('承办单位').locator('option').allInnerTexts()).toEqual(['全部单位', '青浦区绿化市容局', '青浦区路政管理所', '青浦区水务局']);
  });

  it('督办 on an overdue row and 催办 on one in time, each confirmed first; the orders record them', async () => {
    const radar = dispatcher.page.getByTestId('radar');
    const overdueRow = radar.getByTestId(`row-${overdue.number}`);
    expect(await overdueRow.getAttribute('data-level')).toBe('overdue');
    await overdueRow.getByRole('button', { name: '督办' }).click();
    // Nothing is sent before the confirmation.
    await dispatcher.page.getByRole('button', { name: '确认督办' }).waitFor();
    expect(((await http<Json>('dispatcher', 'GET', `/api/work-orders/${overdue.id}`)).body['sentNoticeKeys'] as string[]).filter((k) => k.includes(':manual-'))).toEqual([]);
    await expectAccessible(dispatcher.page);
    await screenshots(dispatcher.page, 'desk-radar-supervise');
    await dispatcher.page.getByRole('button', { name: '确认督办' }).click();
    const done = await waitText(dispatcher.page, 'supervise-result', (t) => t.includes('已督办'));
    expect(done).toContain(`工单 ${overdue.number} 办结环节`);
    expect(done).toContain('已通知青浦区水务局');
    const o1 = (await http<Json & { history: Json[]; sentNoticeKeys: string[] }>('dispatcher', 'GET', `/api/work-orders/${overdue.id}`)).body;
    const manual1 = o1.sentNoticeKeys.filter((k) => k.includes(':manual-'));
    expect(manual1).toHaveLength(1);
    expect(manual1[0]).toMatch(new RegExp(`^${overdue.id}:complete:manual-supervision@\\d+:${overdue.deadlines.complete!.dueAt.toISOString()}$`));
    expect(o1.history.at(-1)).toMatchObject({ action: 'recordNotice', role: 'supervisor' });

    const freshRow = radar.getByTestId(`row-${fresh.number}`);
    expect(await freshRow.getAttribute('data-level')).toBe('normal');
    expect(await freshRow.getByRole('button', { name: '督办' }).count()).toBe(0);
    await freshRow.getByRole('button', { name: '催办' }).click();
    await dispatcher.page.getByRole('button', { name: '确认催办' }).click();
    expect(await waitText(dispatcher.page, 'supervise-result', (t) => t.includes('已催办'))).toContain(`工单 ${fresh.number} 办结环节，已通知青浦区水务局`);
    const o2 = (await http<Json & { sentNoticeKeys: string[] }>('dispatcher', 'GET', `/api/work-orders/${fresh.id}`)).body;
    expect(o2.sentNoticeKeys.filter((k) => k.includes(':manual-reminder@'))).toHaveLength(1);

    // The order's 催办/督办 record shows the one sent by hand.
    await radar.getByRole('button', { name: overdue.number }).click();
    expect(await waitText(dispatcher.page, 'order-notices', (t) => t.includes('督办（人工）'))).toContain('办结环节 督办（人工）');
    await dispatcher.page.locator('.ant-drawer-open .ant-drawer-close').click();

    // The server refuses the other kind, and anyone but supervisors and administrators.
    const early = await http<Json>('dispatcher', 'POST', `/api/work-orders/${fresh.id}/supervise`, { kind: 'supervision' });
    expect([early.status, early.body['reasonCode']]).toEqual([409, 'WORK_ORDER.NOT_OVERDUE']);
    const late = await http<Json>('dispatcher', 'POST', `/api/work-orders/${overdue.id}/supervise`, { kind: 'reminder' });
    expect([late.status, late.body['reasonCode']]).toEqual([409, 'WORK_ORDER.ALREADY_OVERDUE']);
    expect((await http('water', 'POST', `/api/work-orders/${overdue.id}/supervise`, { kind: 'supervision' })).status).toBe(403);
    expect(dispatcher.problems).toEqual([]);
  });

  it('the unit workbench names its unit; 退单 uploads a document and a site photo, shows them and sends the return', async () => {
    unit = await openPage(chrome.browser, app.baseUrl);
    await signIn(unit.page, 'water', PASSWORD);
    expect(await waitText(unit.page, 'inbox-unit', (t) => t.includes('青浦区水务局'))).toBe('（青浦区水务局）');
    await unit.page.getByTestId('inbox').getByRole('button', { name: fresh.number }).click();
    await unit.page.getByRole('button', { name: '申请退单' }).click();
    const card = unit.page.getByTestId('return-card');
    // No evidence yet: the preset's guard says what is missing before anything is sent.
    await waitText(unit.page, 'return-guard', (t) => t.includes('附依据'));
    await unit.page.getByLabel('退单说明', { exact: true }).fill('经现场查看，该雨水管属小区物业管理范围，非本单位职责');
    // The guard as the server answers it for the evidence now attached (the page asks again whenever it changes).
    const guardFor = (files: number) => unit.page.waitForResponse((r) => r.url().endsWith('/preview') && (JSON.parse(r.request().postData() ?? '{}') as { evidence?: unknown[] }).evidence?.length === files);
    const oneFile = guardFor(1);
    await card.locator('input[type=file]').setInputFiles({ name: '管理范围说明.pdf', mimeType: 'application/pdf', buffer: pdf() });
    // A document alone is not enough under 青浦: a site photo is required, and the page says so.
    expect(await (await oneFile).json()).toMatchObject({ allowed: false, code: 'WORK_ORDER.RETURN_EVIDENCE_MISSING' });
    expect(await card.getByTestId('evidence-name').allInnerTexts()).toEqual(['管理范围说明.pdf']);
    expect(await waitText(unit.page, 'return-guard', (t) => t.includes('现场照片'))).toContain('退单须写明理由并附依据');
    const twoFiles = guardFor(2);
    await card.locator('input[type=file]').setInputFiles({ name: '现场照片.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps() });
    expect(await (await twoFiles).json()).toMatchObject({ allowed: true, status: 'RETURN_REQUESTED' });
    await eventually(async () => ((await unit.page.getByTestId('return-guard').count()) === 0 ? true : null), 20_000);
    const listed = await unit.page.getByTestId('return-evidence').innerText();
    expect(listed).toContain('文件');
    expect(listed).toContain('照片');
    expect(await card.getByTestId('evidence-name').allInnerTexts()).toEqual(['管理范围说明.pdf', '现场照片.jpg']);
    await expectAccessible(unit.page);
    await screenshots(unit.page, 'unit-return-evidence');

    await unit.page.getByRole('button', { name: '提交退单申请' }).click();
    await waitText(unit.page, 'order-status', (t) => t === '退单审核');

    const files = (await http<Array<{ id: string; name: string; kind: string; step: string }>>('dispatcher', 'GET', `/api/work-orders/${fresh.id}/attachments`)).body;
    expect(files.map((f) => [f.name, f.kind, f.step])).toEqual([['管理范围说明.pdf', 'document', 'return'], ['现场照片.jpg', 'photo', 'return']]);
    const stored = (await http<Json & { returns: Array<{ reason: string; explanation: string; evidence: Array<{ id: string; kind: string }> }> }>('dispatcher', 'GET', `/api/work-orders/${fresh.id}`)).body;
    expect(stored['status']).toBe('RETURN_REQUESTED');
    expect(stored.returns).toHaveLength(1);
    expect(stored.returns[0]).toMatchObject({ reason: 'notOurDuty', explanation: '经现场查看，该雨水管属小区物业管理范围，非本单位职责' });
    expect(stored.returns[0]!.evidence.map((e) => [e.id, e.kind])).toEqual(files.map((f) => [f.id, f.kind]));

    // A 催办 sent from the radar reaches the unit's open workbench live (its room).
    // The dispatcher's radar followed the return live.
    const row = dispatcher.page.getByTestId('radar').getByTestId(`row-${fresh.number}`);
    await eventually(async () => ((await row.innerText()).includes('退单审核') ? true : null), 20_000);
    await row.getByRole('button', { name: '催办' }).click();
    await dispatcher.page.getByRole('button', { name: '确认催办' }).click();
    expect(await waitText(unit.page, 'unit-notices', (t) => t.includes(`工单 ${fresh.number} 办结环节催办`))).toContain(`工单 ${fresh.number} 办结环节催办`);
    expect(unit.problems).toEqual([]);
  });
});
