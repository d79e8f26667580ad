/** The desk's reads of WorkOrderService: the deadline radar (levels, order, unit scoping) and the dry run of an action. */
import { silentLogger } from '../../../../src/shared/logger';
import { RegulationService } from '../../../../src/app/work-orders/lifecycle/regulation.service';
import { createWorkOrderEmitter } from '../../../../src/app/work-orders/lifecycle/work-order.events';
import { WorkOrderService } from '../../../../src/app/work-orders/lifecycle/work-order.service';
import { RADAR_NO_DEADLINE } from '../../../../src/app/work-orders/work-orders.ports';
import { QINGPU_2020, radarDeadline, radarLevel } from '../../../../src/domain/work-order';
import { ConflictError, ForbiddenError } from '../../../../src/shared/errors';
import type { WorkOrderNotice } from '../../../../src/app/work-orders/lifecycle/work-order.events';
import { actor, FakeFacts, FakeKnowledge, FakeNoticeLog, FakeOrders, FakeSettings } from './fakes';

// Monday 2026-03-02 09:00 Beijing: 疑难 under 青浦 2020 = 10 working days to 办结, 1 to 先行联系.
const T0 = new Date('2026-03-02T09:00:00+08:00').getTime();
const H = 3_600_000;

async function setup() {
  let now = T0;
  let n = 0;
  const orders = new FakeOrders(undefined, () => now);
  const clock = () => now;
  const regulation = new RegulationService({ store: new FakeSettings(), clock, log: silentLogger, defaultPresetId: QINGPU_2020.id });
  const events = createWorkOrderEmitter();
  const sut = new WorkOrderService({
    orders, notices: new FakeNoticeLog(), facts: new FakeFacts(), knowledge: new FakeKnowledge(), regulation, events, clock,
    newId: () => `o-${++n}`, log: silentLogger,
  });
  return { sut, orders, events, set: (ms: number) => (now = ms) };
}

const sup = actor('supervisor');
const water = actor('unit_handler', { userId: 'h1', unitId: 'water' });
const parks = actor('unit_handler', { userId: 'h2', unitId: 'parks' });
const complaint = (urgency: '一般' | '疑难') => ({ caller: { name: '张三', phone: `1380013${Math.floor(Math.random() * 9000 + 1000)}` }, category: '投诉', urgency, content: '噪音', areaCode: '110105' });

describe('the deadline radar', () => {
  it('lists open orders soonest due first with their current stage; levels follow the engine', async () => {
    const { sut, set } = await setup();
    const a = await sut.create(sup, complaint('疑难'));
    const b = await sut.create(sup, complaint('一般'));
    await sut.act(sup, a.id, { type: 'dispatch', leadUnitId: 'water', coUnitIds: ['roads'] });
    await sut.act(sup, b.id, { type: 'dispatch', leadUnitId: 'parks' });
    const page = await sut.radar(sup, {}, 1, 20);
    // 一般: 办结 in 3 working days comes before 疑难's 10.
    expect(page.items.map((r) => r.id)).toEqual([b.id, a.id]);
    const [rb, ra] = page.items;
    const stored = await sut.get(sup, a.id);
    expect(ra).toMatchObject({ stage: 'complete', dueAt: stored.deadlines.complete?.dueAt, level: 'normal', chainRootId: a.id });
    expect(radarDeadline(stored, QINGPU_2020)?.dueAt).toEqual(ra?.dueAt);
    expect(rb?.remindAt).toBeInstanceOf(Date);

    // Past the 催办 instant: yellow; past the due instant: red (the server's now).
    set(rb!.remindAt!.getTime() + 1);
    expect((await sut.radar(sup, { level: 'warning' }, 1, 20)).items.map((r) => r.id)).toEqual([b.id]);
    set(rb!.dueAt!.getTime() + H);
    const late = await sut.radar(sup, {}, 1, 20);
    expect(late.items[0]).toMatchObject({ id: b.id, level: 'overdue' });
    expect((await sut.radar(sup, { level: 'overdue' }, 1, 20)).items.map((r) => r.id)).toEqual([b.id]);
    expect(radarLevel(late.items[0] as never, new Date(T0))).toBe('normal');
  });

  it('a unit handler sees only its unit\'s orders (lead or co-unit), whatever unit it asks for', async () => {
    const { sut } = await setup();
    const a = await sut.create(sup, complaint('疑难'));
    const b = await sut.create(sup, complaint('一般'));
    await sut.act(sup, a.id, { type: 'dispatch', leadUnitId: 'water' });
    await sut.act(sup, b.id, { type: 'dispatch', leadUnitId: 'parks', coUnitIds: ['roads'] });
    expect((await sut.radar(water, {}, 1, 20)).items.map((r) => r.id)).toEqual([a.id]);
    expect((await sut.radar(water, { unitId: 'parks' }, 1, 20))).toMatchObject({ items: [], total: 0 });
    expect((await sut.radar(parks, {}, 1, 20)).items.map((r) => r.id)).toEqual([b.id]);
    expect((await sut.radar(actor('unit_handler', { userId: 'h3', unitId: 'roads' }), {}, 1, 20)).items.map((r) => r.id)).toEqual([b.id]);
    await expect(sut.radar(actor('unit_handler', { userId: 'h4', unitId: null }), {}, 1, 20)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('an open order without a running stage clock sorts last with no due instant', async () => {
    const { sut, orders } = await setup();
    const a = await sut.create(sup, complaint('一般')); // 待派单: 青浦 2020 sets no dispatch limit
    expect(orders.rows.get(a.id)?.index.radarDueAt).toEqual(RADAR_NO_DEADLINE);
    expect((await sut.radar(sup, {}, 1, 20)).items[0]).toMatchObject({ id: a.id, stage: null, dueAt: null, level: null });
  });
});

describe('the dry run of an action', () => {
  it('shows the deadlines a dispatch gives and the guard an extension meets, writing nothing', async () => {
    const { sut, orders } = await setup();
    const a = await sut.create(sup, complaint('疑难'));
    const p = await sut.preview(sup, a.id, { type: 'dispatch', leadUnitId: 'water' });
    expect(p).toMatchObject({ allowed: true, status: 'PENDING_SIGN' });
    const dispatched = await sut.act(sup, a.id, { type: 'dispatch', leadUnitId: 'water' });
    expect(p.allowed && p.deadlines.complete?.dueAt).toEqual(dispatched.deadlines.complete?.dueAt);
    await sut.act(water, a.id, { type: 'sign' });
    const rev = orders.rows.get(a.id)?.rev;
    const refused = await sut.preview(water, a.id, { type: 'requestExtension', step: 10, reason: '协调施工' });
    expect(refused).toMatchObject({ allowed: false, code: 'WORK_ORDER.EXTENSION_STEP_NOT_ALLOWED', limits: { extension: { allowedSteps: [15, 30, 60, 90], notWithinWorkingDaysOfDeadline: 5, maxCount: 1 } } });
    expect(await sut.preview(water, a.id, { type: 'requestExtension', step: 15, reason: '协调施工' })).toMatchObject({ allowed: true, status: 'EXTENSION_REQUESTED' });
    expect(orders.rows.get(a.id)?.rev).toBe(rev);
    // Another unit cannot even look.
    await expect(sut.preview(parks, a.id, { type: 'requestExtension', step: 15, reason: 'x' })).rejects.toThrow();
    await expect(sut.preview(water, a.id, { type: 'approveExtension' })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('催办/督办 sent by hand', () => {
  const reason = async (p: Promise<unknown>): Promise<unknown> => p.then(() => 'sent', (e: unknown) => (e instanceof ConflictError ? e.details['reasonCode'] : e));

  it('催办 before the current stage\'s deadline, 督办 after it; each recorded and announced to the units', async () => {
    const { sut, events, set } = await setup();
    const heard: WorkOrderNotice[] = [];
    events.on('workOrder:reminder', (n) => heard.push(n));
    events.on('workOrder:supervision', (n) => heard.push(n));
    const a = await sut.create(sup, complaint('一般'));
    await sut.act(sup, a.id, { type: 'dispatch', leadUnitId: 'water', coUnitIds: ['roads'] });
    const due = (await sut.radar(sup, {}, 1, 20)).items[0]!.dueAt!;

    expect(await reason(sut.supervise(sup, a.id, 'supervision'))).toBe('WORK_ORDER.NOT_OVERDUE');
    const r = await sut.supervise(sup, a.id, 'reminder');
    expect(r.notice).toMatchObject({ kind: 'reminder', level: 'reminder', stage: 'complete', dueAt: due, unitIds: ['water', 'roads'] });
    expect(r.sentNoticeKeys).toEqual([`${a.id}:complete:manual-reminder@${T0}:${due.toISOString()}`]);
    expect(r.history.at(-1)).toMatchObject({ action: 'recordNotice', role: 'supervisor' });

    set(due.getTime() + H);
    expect(await reason(sut.supervise(sup, a.id, 'reminder'))).toBe('WORK_ORDER.ALREADY_OVERDUE');
    const s = await sut.supervise(actor('admin'), a.id, 'supervision');
    expect(s.notice).toMatchObject({ kind: 'supervision', level: 'yellow', stage: 'complete' });
    expect(s.sentNoticeKeys).toHaveLength(2);
    expect(heard.map((n) => [n.kind, n.key])).toEqual([['reminder', r.notice.key], ['supervision', s.notice.key]]);
  });

  it('only supervisors and administrators; an order without a running stage clock has nothing to urge', async () => {
    const { sut } = await setup();
    const a = await sut.create(sup, complaint('一般'));
    expect(await reason(sut.supervise(sup, a.id, 'reminder'))).toBe('WORK_ORDER.NO_RUNNING_DEADLINE');
    await sut.act(sup, a.id, { type: 'dispatch', leadUnitId: 'water' });
    await expect(sut.supervise(water, a.id, 'reminder')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.supervise(actor('agent'), a.id, 'reminder')).rejects.toBeInstanceOf(ForbiddenError);
  });
});
