/**
 * The full work-order lifecycle through the REST API against the real database: a complaint with
 * a rejected return, an extension, a completion, an unsatisfied callback, a redo and a satisfied
 * callback; invalid transitions and inputs change nothing; access by role and unit; masking.
 */
import { jpegWithGps } from '../../support/evidence-files';
import { upload } from '../../support/upload';
import { call, login, startWorkOrderApp, TestClock, workOrderDbUri, type Login, type WorkOrderApp } from '../../support/work-order-harness';

type Order = {
  id: string; number: string; status: string; rev: number; urgency: string; leadUnitId?: string; forcedDispatch: boolean;
  reopenCount: number; repeatOf?: string; repeatNumber: number; escalated: boolean; kbArticleId?: string; callerMasked: boolean;
  caller: { name?: string; phone?: string; address?: string; confidential: boolean };
  deadlines: Record<string, { dueAt: string; metAt?: string; extendedBy: number }>;
  history: { seq: number; action: string; actor: string; role: string; fromStatus: string; toStatus: string; comment?: string }[];
  closure?: { kind: string; result?: string };
};

const T0 = new Date('2026-03-02T09:00:00+08:00'); // Monday
const H = 3_600_000;

describe('work orders over REST (real database)', () => {
  const clock = new TestClock(T0.getTime());
  let app: WorkOrderApp;
  let dbUri: string;
  let agent: Login;
  let agent2: Login;
  let sup: Login;
  let admin: Login;
  let water: Login;
  let roads: Login;
  let parks: Login;

  beforeAll(async () => {
    dbUri = await workOrderDbUri(__filename);
    app = await startWorkOrderApp(dbUri, clock);
    [agent, agent2, sup, admin, water, roads, parks] = await Promise.all([
      login(app, 'agent'), login(app, 'agent'), login(app, 'supervisor'), login(app, 'admin'),
      login(app, 'unit_handler', 'unit-water'), login(app, 'unit_handler', 'unit-roads'), login(app, 'unit_handler', 'unit-parks'),
    ]);
  });
  afterAll(async () => {
    await app.stop();
  });

  const complaint = (over: Record<string, unknown> = {}) => ({
    caller: { name: '李四', phone: '13912345678', address: '朝阳区某小区3号楼', callbackConsent: 'granted' },
    category: '投诉', urgency: '一般', content: '小区自来水浑浊已经三天', areaCode: '110105', ...over,
  });

  async function create(over: Record<string, unknown> = {}, who: Login = agent): Promise<Order> {
    const res = await call<Order>(app, 'POST', '/api/work-orders', who, complaint(over));
    expect(res.status).toBe(201);
    return res.body;
  }

  async function act(id: string, who: Login, body: Record<string, unknown>, status = 200): Promise<Order> {
    const res = await call<Order>(app, 'POST', `/api/work-orders/${id}/actions`, who, body);
    if (res.status !== status) throw new Error(`${String(body['type'])}: expected ${status}, got ${res.status} ${res.text}`);
    return res.body;
  }

  const read = async (id: string, who: Login = sup): Promise<Order> => (await call<Order>(app, 'GET', `/api/work-orders/${id}`, who)).body;

  it('complaint: rejected return, extension, completion, unsatisfied callback, redo, closed', async () => {
    clock.set(T0);
    let o = await create();
    expect(o.status).toBe('PENDING_DISPATCH');
    expect(o.number).toMatch(/^WO20260302-\d{6}$/);
    expect(o.rev).toBe(1);

    o = await act(o.id, sup, { type: 'dispatch', leadUnitId: 'unit-water' });
    expect(o.status).toBe('PENDING_SIGN');
    expect(o.deadlines['feedback']?.dueAt).toBe('2026-03-09T15:59:59.999Z'); // 7 natural days from 03-03, end of day Beijing

    clock.advance(1 * H);
    const photo = await upload(app, water, o.id, 'return', '现场.jpg', await jpegWithGps());
    o = await act(o.id, water, {
      type: 'requestReturn', reason: 'notOurDuty', explanation: '属于物业管理范围', evidence: [{ id: photo.body.id }],
    });
    expect(o.status).toBe('RETURN_REQUESTED');
    o = await act(o.id, sup, { type: 'rejectReturn', reason: '供水水质属于本单位职责' });
    expect(o.status).toBe('IN_PROGRESS');
    expect(o.forcedDispatch).toBe(true);

    clock.advance(1 * H);
    o = await act(o.id, water, { type: 'recordContactAttempt', channel: 'phone', reached: true, note: '已与市民联系' });
    o = await act(o.id, water, { type: 'requestExtension', step: 5, reason: '需更换管道' });
    expect(o.status).toBe('EXTENSION_REQUESTED');
    o = await act(o.id, sup, { type: 'approveExtension' });
    expect(o.status).toBe('IN_PROGRESS');
    expect(o.deadlines['feedback']).toMatchObject({ dueAt: '2026-03-14T15:59:59.999Z', extendedBy: 5 });

    clock.advance(48 * H);
    o = await act(o.id, water, { type: 'complete', summary: '已更换入户管道，水质恢复' });
    expect(o.status).toBe('PENDING_REVIEW');
    o = await act(o.id, sup, { type: 'passReview' });
    o = await act(o.id, water, { type: 'recordFeedback', channel: 'phone' });
    expect(o.status).toBe('PENDING_CALLBACK');
    o = await act(o.id, agent, { type: 'recordCallback', result: 'unsatisfied', contacted: true, feedbackReceived: true, resolution: 'unresolved' });
    expect(o.status).toBe('IN_PROGRESS'); // 重办
    expect(o.reopenCount).toBe(1);

    clock.advance(24 * H);
    o = await act(o.id, water, { type: 'complete', summary: '重新检测并冲洗管网' });
    o = await act(o.id, sup, { type: 'passReview' });
    o = await act(o.id, water, { type: 'recordFeedback', channel: 'phone' });
    o = await act(o.id, agent, { type: 'recordCallback', result: 'satisfied', contacted: true, feedbackReceived: true, resolution: 'resolved' });
    expect(o.status).toBe('CLOSED');
    expect(o.closure).toEqual({ kind: 'callback', result: 'satisfied' });

    const stored = await read(o.id);
    expect(stored.rev).toBe(15); // created and accepted in one write, then 14 actions
    expect(stored.history.map((h) => h.action)).toEqual([
      'create', 'accept', 'dispatch', 'requestReturn', 'rejectReturn', 'recordContactAttempt', 'requestExtension', 'approveExtension',
      'complete', 'passReview', 'recordFeedback', 'recordCallback', 'complete', 'passReview', 'recordFeedback', 'recordCallback',
    ]);
    expect(stored.history[3]).toMatchObject({ actor: water.id, role: 'unitHandler', fromStatus: 'PENDING_SIGN', toStatus: 'RETURN_REQUESTED', comment: 'notOurDuty | 属于物业管理范围' });
    expect(stored.history[4]).toMatchObject({ actor: sup.id, role: 'supervisor', comment: '供水水质属于本单位职责' });
  });

  it('invalid transitions and inputs → 409/400 with the reason, and the order is unchanged', async () => {
    clock.set(T0);
    const o = await create();
    const before = await read(o.id);

    const early = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, water, { type: 'sign' });
    expect(early.status).toBe(404); // not dispatched to this unit yet: not visible

    const wrongState = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, sup, { type: 'passReview' });
    expect(wrongState.status).toBe(409);
    expect(wrongState.body).toMatchObject({ code: 'CONFLICT.STATE', reasonCode: 'WORK_ORDER.INVALID_TRANSITION', detail: 'passReview is not allowed in PENDING_DISPATCH' });

    const missing = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, sup, { type: 'dispatch' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'VALIDATION.FIELD', field: 'body.leadUnitId' });

    const unknownField = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, sup, { type: 'dispatch', leadUnitId: 'unit-water', priority: 1 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toMatchObject({ field: 'body.priority' });

    const unknownType = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, sup, { type: 'teleport' });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body).toMatchObject({ field: 'body.type' });

    const noticeByHand = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, sup, { type: 'recordNotice', key: 'x' });
    expect(noticeByHand.status).toBe(400);

    const stale = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, sup, { type: 'dispatch', leadUnitId: 'unit-water', rev: 7 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reasonCode: 'WORK_ORDER.STALE_REVISION' });

    expect(await read(o.id)).toEqual(before);

    // A guard of the preset: one extension of at most 15 natural days in total.
    await act(o.id, sup, { type: 'dispatch', leadUnitId: 'unit-water', rev: 1 });
    await act(o.id, water, { type: 'sign' });
    const signed = await read(o.id);
    const tooLong = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, water, { type: 'requestExtension', step: 20, reason: '工程量大' });
    expect(tooLong.status).toBe(409);
    expect(tooLong.body).toMatchObject({ reasonCode: 'WORK_ORDER.EXTENSION_TOTAL_EXCEEDED' });
    const basis = await upload(app, water, o.id, 'return', '依据.jpg', await jpegWithGps());
    const afterSign = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, water, {
      type: 'requestReturn', reason: 'notOurDuty', explanation: '不属于本单位', evidence: [{ id: basis.body.id }],
    });
    expect(afterSign.status).toBe(409);
    expect(afterSign.body).toMatchObject({ reasonCode: 'WORK_ORDER.RETURN_NOT_ALLOWED' });
    expect(await read(o.id)).toEqual(signed);
  });

  it('roles and units: 401 without token, 403 for a role that may not act, 404 for another unit', async () => {
    clock.set(T0);
    const o = await create();
    expect((await call(app, 'GET', `/api/work-orders/${o.id}`, null)).status).toBe(401);
    expect((await call(app, 'POST', '/api/work-orders', water, complaint())).status).toBe(403);
    expect((await call(app, 'POST', `/api/work-orders/${o.id}/actions`, water, { type: 'dispatch', leadUnitId: 'unit-water' })).status).toBe(403);
    expect((await call(app, 'POST', `/api/work-orders/${o.id}/actions`, agent, { type: 'approveExtension' })).status).toBe(403);
    await act(o.id, sup, { type: 'dispatch', leadUnitId: 'unit-water', coUnitIds: ['unit-roads'] });

    expect((await call(app, 'GET', `/api/work-orders/${o.id}`, parks)).status).toBe(404);
    expect((await call(app, 'POST', `/api/work-orders/${o.id}/actions`, parks, { type: 'sign' })).status).toBe(404);
    expect((await call(app, 'GET', `/api/work-orders/${o.id}`, roads)).status).toBe(200);
    const coSign = await call(app, 'POST', `/api/work-orders/${o.id}/actions`, roads, { type: 'sign' });
    expect(coSign.status).toBe(403); // only the lead unit signs
    expect((await call(app, 'GET', '/api/work-orders/does-not-exist', sup)).status).toBe(404);

    const parksList = await call<{ items: { id: string }[] }>(app, 'GET', '/api/work-orders?pageSize=200', parks);
    expect(parksList.body.items.map((i) => i.id)).not.toContain(o.id);
    const roadsList = await call<{ items: { id: string }[] }>(app, 'GET', '/api/work-orders?pageSize=200', roads);
    expect(roadsList.body.items.map((i) => i.id)).toContain(o.id);
    const otherUnit = await call<{ items: unknown[] }>(app, 'GET', '/api/work-orders?unitId=unit-water', parks);
    expect(otherUnit.body.items).toHaveLength(0);
    expect((await call(app, 'GET', '/api/work-orders?status=NOPE', sup)).body).toMatchObject({ field: 'query.status.0' });
  });

  it('a confidential caller is masked outside the handling unit and the agent who took the call', async () => {
    clock.set(T0);
    const o = await create({ caller: { name: '王小明', phone: '13700001111', address: '某街道', confidential: true } });
    await act(o.id, sup, { type: 'dispatch', leadUnitId: 'unit-water', coUnitIds: ['unit-roads'] });
    const lead = await read(o.id, water);
    expect(lead.caller).toMatchObject({ name: '王小明', phone: '13700001111', address: '某街道' });
    expect(lead.callerMasked).toBe(false);
    expect((await read(o.id, agent)).caller.phone).toBe('13700001111');
    for (const who of [roads, sup, agent2, admin]) {
      const v = await read(o.id, who);
      expect(v.callerMasked).toBe(true);
      expect(v.caller.phone).toBe('137****1111');
      expect(v.caller.name).toBe('王**');
      expect(v.caller.address).toBeUndefined();
    }
    const list = await call<{ items: { id: string; callerPhone: string; callerMasked: boolean }[] }>(app, 'GET', '/api/work-orders?pageSize=200', roads);
    expect(list.body.items.find((i) => i.id === o.id)).toMatchObject({ callerPhone: '137****1111', callerMasked: true });
  });

  it('repeat complaints are linked to the first order; the 5th repeat becomes 疑难 and is escalated', async () => {
    clock.set(new Date('2026-04-01T10:00:00+08:00'));
    const escalated: string[] = [];
    const off = app.module.events.on('workOrder:escalated', (e) => escalated.push(e.orderId));
    const same = { caller: { phone: '+86-135-0000-2222' }, category: '投诉', areaCode: '110108' };
    const first = await create(same);
    const repeats: Order[] = [];
    for (let i = 1; i <= 5; i += 1) {
      clock.advance(H);
      repeats.push(await create({ ...same, caller: { phone: '13500002222' } }));
    }
    clock.advance(H);
    const otherArea = await create({ ...same, areaCode: '110101' });
    off();
    expect(first.repeatNumber).toBe(0);
    expect(repeats.map((r) => [r.repeatOf, r.repeatNumber, r.urgency, r.escalated])).toEqual([
      [first.id, 1, '一般', false], [first.id, 2, '一般', false], [first.id, 3, '一般', false], [first.id, 4, '一般', false], [first.id, 5, '疑难', true],
    ]);
    expect(otherArea.repeatOf).toBeUndefined();
    expect(escalated).toEqual([repeats[4]?.id]);
  });

  it('presets and calendar: read by supervisors, changed by administrators, validated, stored', async () => {
    const list = await call<{ items: { id: string; active: boolean }[] }>(app, 'GET', '/api/presets', sup);
    expect(list.status).toBe(200);
    expect(list.body.items.find((p) => p.active)?.id).toBe('beijing-2023');
    expect((await call(app, 'GET', '/api/presets', water)).status).toBe(403);
    expect((await call(app, 'PUT', '/api/presets/active', sup, { presetId: 'qingpu-2020' })).status).toBe(403);
    expect((await call(app, 'PUT', '/api/presets/active', admin, { presetId: 'nowhere' })).body).toMatchObject({ field: 'body.presetId' });

    const qingpu = (await call<Record<string, unknown>>(app, 'GET', '/api/presets/qingpu-2020', sup)).body;
    const bad = await call(app, 'PUT', '/api/presets/qingpu-2020', admin, { ...qingpu, version: 2, extension: { ...(qingpu['extension'] as object), maxCount: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'body.extension.maxCount' });
    const extra = await call(app, 'PUT', '/api/presets/qingpu-2020', admin, { ...qingpu, version: 2, colour: 'red' });
    expect(extra.body).toMatchObject({ field: 'body.colour' });
    const same = await call(app, 'PUT', '/api/presets/qingpu-2020', admin, qingpu);
    expect(same.status).toBe(409);
    const edited = await call(app, 'PUT', '/api/presets/qingpu-2020', admin, { ...qingpu, version: 2, name: '青浦 1310 (本区修订)' });
    expect(edited.status).toBe(200);
    expect((await call(app, 'PUT', '/api/presets/active', admin, { presetId: 'qingpu-2020' })).status).toBe(200);

    const year = {
      year: 2027, version: 1, source: { title: '国务院办公厅关于2027年部分节假日安排的通知', publishedOn: '2026-11-10' },
      holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }], makeUpWorkdays: [],
    };
    expect((await call(app, 'PUT', '/api/calendar/years/2027', sup, year)).status).toBe(403);
    expect((await call(app, 'PUT', '/api/calendar/years/2027', admin, { ...year, makeUpWorkdays: ['2027-01-06'] })).body).toMatchObject({ field: 'body.makeUpWorkdays.0' });
    expect((await call(app, 'PUT', '/api/calendar/years/2027', admin, year)).status).toBe(200);
    expect((await call(app, 'PUT', '/api/calendar/years/2027', admin, year)).status).toBe(409);

    // Another instance on the same database loads what was stored.
    const other = await startWorkOrderApp(dbUri, clock);
    try {
      expect(other.module.regulation.activePreset()).toMatchObject({ id: 'qingpu-2020', version: 2, name: '青浦 1310 (本区修订)' });
      expect(other.module.regulation.workCalendar().years.has(2027)).toBe(true);
    } finally {
      await other.stop({ drop: false });
    }
    clock.set(T0);
    const o = await create();
    expect((o as unknown as { presetId: string }).presetId).toBe('qingpu-2020');
    expect((await call(app, 'PUT', '/api/presets/active', admin, { presetId: 'beijing-2023' })).status).toBe(200);
  });
});
