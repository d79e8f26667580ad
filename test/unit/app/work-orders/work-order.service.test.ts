import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../../src/shared/errors';
import { silentLogger } from '../../../../src/shared/logger';
import { RegulationService } from '../../../../src/app/work-orders/lifecycle/regulation.service';
import { SupervisionSweep } from '../../../../src/app/work-orders/lifecycle/supervision-sweep';
import { createWorkOrderEmitter, type WorkOrderNotice } from '../../../../src/app/work-orders/lifecycle/work-order.events';
import { WorkOrderService, type CreateWorkOrderInput } from '../../../../src/app/work-orders/lifecycle/work-order.service';
import { actor, FakeFacts, FakeKnowledge, FakeNoticeLog, FakeOrders, FakeSettings } from './fakes';

const T0 = new Date('2026-03-02T09:00:00+08:00').getTime();
const H = 3_600_000;

function setup() {
  let now = T0;
  let n = 0;
  const orders = new FakeOrders(undefined, () => now);
  const facts = new FakeFacts();
  const knowledge = new FakeKnowledge();
  const events = createWorkOrderEmitter();
  const clock = () => now;
  const regulation = new RegulationService({ store: new FakeSettings(), clock, log: silentLogger });
  const noticeLog = new FakeNoticeLog();
  const sut = new WorkOrderService({ orders, notices: noticeLog, facts, knowledge, regulation, events, clock, newId: () => `o-${++n}`, log: silentLogger });
  const sweep = new SupervisionSweep({ orders, wakes: orders.wakes, notices: noticeLog, regulation, events, clock, log: silentLogger });
  const notices: WorkOrderNotice[] = [];
  events.on('workOrder:reminder', (x) => notices.push(x));
  events.on('workOrder:supervision', (x) => notices.push(x));
  return { sut, sweep, orders, noticeLog, facts, knowledge, events, notices, regulation, clock, set: (ms: number) => (now = ms) };
}

const input = (over: Partial<CreateWorkOrderInput> = {}): CreateWorkOrderInput => ({
  caller: { name: '张三', phone: '13800138000', callbackConsent: 'granted' }, category: '投诉', urgency: '一般', content: '噪音', areaCode: '110105', ...over,
});

const agent = actor('agent');
const sup = actor('supervisor');
const unit1 = actor('unit_handler', { userId: 'h1', unitId: 'unit-1' });
const unit2 = actor('unit_handler', { userId: 'h2', unitId: 'unit-2' });

describe('WorkOrderService', () => {
  it('create by an agent → accepted (PENDING_DISPATCH), numbered per day, facts and events written', async () => {
    const { sut, facts, events } = setup();
    const created: string[] = [];
    events.on('workOrder:created', (e) => created.push(e.number));
    const a = await sut.create(agent, input());
    const b = await sut.create(agent, input({ submit: false, caller: { phone: '13900000000' } }));
    expect([a.status, a.number, a.rev]).toEqual(['PENDING_DISPATCH', 'WO20260302-000001', 1]);
    expect([b.status, b.number]).toEqual(['DRAFT', 'WO20260302-000002']);
    expect(created).toEqual(['WO20260302-000001', 'WO20260302-000002']);
    expect([...facts.rows.values()].map((r) => [r.orderId, r.unitId, r.topicPeriods])).toEqual([
      ['o-1', null, ['d:2026-03-02', 'w:2026-W10', 'm:2026-03', 'q:2026-Q1', 'y:2026']],
      ['o-2', null, ['d:2026-03-02', 'w:2026-W10', 'm:2026-03', 'q:2026-Q1', 'y:2026']],
    ]);
  });

  it('create by a unit handler → 403', async () => {
    await expect(setup().sut.create(unit1, input())).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('act: role check before state (unit handler dispatching → 403), other unit → 404, wrong state → 409, bad input → 400', async () => {
    const { sut } = setup();
    const o = await sut.create(agent, input());
    await expect(sut.act(unit1, o.id, { type: 'dispatch', leadUnitId: 'unit-1' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sut.act(sup, o.id, { type: 'sign' })).rejects.toBeInstanceOf(ForbiddenError);
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    await expect(sut.act(unit2, o.id, { type: 'sign' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(sut.act(sup, o.id, { type: 'passReview' })).rejects.toMatchObject({ httpStatus: 409, details: { reasonCode: 'WORK_ORDER.INVALID_TRANSITION' } });
    await expect(sut.act(sup, o.id, { type: 'rejectReturn', reason: ' ' })).rejects.toBeInstanceOf(ConflictError); // not in RETURN_REQUESTED
    await sut.act(unit1, o.id, { type: 'sign' });
    await expect(sut.act(unit1, o.id, { type: 'recordHandling', note: ' ' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('act with a stale rev → 409 and nothing written', async () => {
    const { sut, orders } = setup();
    const o = await sut.create(agent, input());
    const writes = orders.writes;
    await expect(sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' }, 9)).rejects.toMatchObject({ details: { reasonCode: 'WORK_ORDER.STALE_REVISION' } });
    expect(orders.writes).toBe(writes);
  });

  it('act after a lost race re-reads and re-decides: the second dispatch becomes an invalid transition', async () => {
    const { sut, orders } = setup();
    const o = await sut.create(agent, input());
    let raced = false;
    orders.beforeReplace = () => {
      if (raced) return;
      raced = true;
      const cur = orders.rows.get(o.id);
      if (cur) orders.rows.set(o.id, { ...cur, order: { ...cur.order, status: 'PENDING_SIGN', leadUnitId: 'unit-2' }, rev: cur.rev + 1 });
    };
    await expect(sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' })).rejects.toMatchObject({ details: { reasonCode: 'WORK_ORDER.INVALID_TRANSITION' } });
    expect(orders.rows.get(o.id)?.order.leadUnitId).toBe('unit-2');
  });

  it('confidential caller: lead unit and the creating agent see it, co-unit and supervisor see it masked', async () => {
    const { sut } = setup();
    const o = await sut.create(agent, input({ caller: { name: '王小明', phone: '13700001111', address: '某路1号', confidential: true } }));
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1', coUnitIds: ['unit-2'] });
    expect((await sut.get(unit1, o.id)).caller.phone).toBe('13700001111');
    expect((await sut.get(agent, o.id)).caller.phone).toBe('13700001111');
    expect((await sut.get(actor('agent', { userId: 'other-agent' }), o.id)).caller).toEqual({ confidential: true, callbackConsent: 'unknown', name: '王**', phone: '137****1111' });
    expect((await sut.get(unit2, o.id)).callerMasked).toBe(true);
    expect((await sut.get(sup, o.id)).callerMasked).toBe(true);
    const list = await sut.list(unit2, {}, 1, 50);
    expect(list.items.map((i) => i.callerPhone)).toEqual(['137****1111']);
    expect((await sut.list(actor('unit_handler', { unitId: 'unit-9' }), {}, 1, 50)).items).toEqual([]);
  });

  it('repeat complaints: #1…#4 linked, #5 becomes 疑难 and escalated; another category is not linked', async () => {
    const { sut, set, events } = setup();
    const escalated: string[] = [];
    events.on('workOrder:escalated', (e) => escalated.push(e.orderId));
    const first = await sut.create(agent, input());
    const out = [];
    for (let i = 1; i <= 5; i += 1) {
      set(T0 + i * H);
      out.push(await sut.create(agent, input({ caller: { phone: '+86 138 0013 8000' } })));
    }
    const other = await sut.create(agent, input({ category: '求助' }));
    expect(out.map((o) => [o.repeatOf, o.repeatNumber, o.urgency])).toEqual([
      [first.id, 1, '一般'], [first.id, 2, '一般'], [first.id, 3, '一般'], [first.id, 4, '一般'], [first.id, 5, '疑难'],
    ]);
    expect(other.repeatOf).toBeUndefined();
    expect(escalated).toEqual([out[4]?.id]);
  });

  it('answerDirect needs a valid knowledge article and counts its use', async () => {
    const { sut, knowledge } = setup();
    await knowledge.insert({
      id: 'kb-1', title: 't', body: 'b', category: '咨询', keywords: [], ownerUnitId: null, validFrom: new Date(T0 - H), validTo: null,
      createdAt: new Date(T0), updatedAt: new Date(T0), updatedBy: 'x', rev: 1, useCount: 0,
    }, []);
    const o = await sut.create(agent, input({ category: '咨询' }));
    await expect(sut.act(agent, o.id, { type: 'answerDirect', kbArticleId: 'kb-x', answer: 'a' })).rejects.toMatchObject({ details: { field: 'body.kbArticleId' } });
    const done = await sut.act(agent, o.id, { type: 'answerDirect', kbArticleId: 'kb-1', answer: '按文章答复' });
    expect([done.status, done.kbArticleId]).toEqual(['CLOSED', 'kb-1']);
    expect(knowledge.rows.get('kb-1')?.article.useCount).toBe(1);
  });
});

describe('SupervisionSweep', () => {
  it('sign deadline 24 h: reminder at 18 h once, 督办 yellow at 24 h once, red after 1 working day once', async () => {
    const { sut, sweep, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    set(T0 + 17 * H);
    expect((await sweep.run()).examined).toBe(0);
    set(T0 + 18.5 * H);
    await sweep.run();
    await sweep.run();
    set(T0 + 24.5 * H);
    await sweep.run();
    await sweep.run();
    set(T0 + 49 * H); // Wed 10:00: one working day after Tue 09:00
    await sweep.run();
    await sweep.run();
    expect(notices.map((n) => [n.stage, n.level])).toEqual([['sign', 'reminder'], ['sign', 'yellow'], ['sign', 'red']]);
  });

  it('a sweep that finds the notice recorded by another sweep sends nothing; the other one sent it', async () => {
    const { sut, sweep, noticeLog, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    set(T0 + 19 * H);
    noticeLog.beforeRecord = (batch) => {
      noticeLog.beforeRecord = null;
      for (const n of batch) noticeLog.rows.set(n.key, { ...n, at: new Date(T0 + 19 * H - 1) });
    };
    const r = await sweep.run();
    expect(r).toMatchObject({ examined: 1, updated: 0, conflicts: 1, reminders: 0 });
    expect(notices).toEqual([]);
    expect(await sweep.run()).toMatchObject({ examined: 0, reminders: 0 });
  });

  it('the order shows what the sweep sent once it is read, and keeps it with its next write', async () => {
    const { sut, sweep, orders, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    const signDue = orders.rows.get(o.id)?.order.deadlines.sign?.dueAt.toISOString();
    set(T0 + 18 * H + 30_000);
    await sweep.run();
    set(T0 + 24 * H + 30_000);
    await sweep.run();
    expect(notices.map((n) => n.level)).toEqual(['reminder', 'yellow']);
    expect(orders.rows.get(o.id)?.order.sentNoticeKeys).toEqual([]); // not written by the sweep
    set(T0 + 25 * H); // read after the deadline: the 催办 sent before it is shown too
    const seen = await sut.get(sup, o.id);
    expect(seen.sentNoticeKeys).toEqual([`${o.id}:sign:reminder@0.75:${signDue}`, `${o.id}:sign:yellow:${signDue}`]);
    const entries = seen.history.filter((h) => h.action === 'recordNotice');
    expect(entries.map((h) => [h.actor, h.role, h.at.getTime()])).toEqual([
      ['supervision-sweep', 'system', T0 + 18 * H + 30_000], ['supervision-sweep', 'system', T0 + 24 * H + 30_000],
    ]);
    expect(seen.rev).toBe(2); // nothing written by reading
    const signed = await sut.act(unit1, o.id, { type: 'sign' });
    const stored = orders.rows.get(o.id)?.order;
    expect(stored?.sentNoticeKeys).toHaveLength(2);
    expect(stored?.history.map((h) => h.action).slice(-3)).toEqual(['recordNotice', 'recordNotice', 'sign']);
    expect(signed.history.map((h) => h.seq)).toEqual(stored?.history.map((h) => h.seq));
  });

  const M = 60_000;
  const minuteOf = (ms: number): number => Math.floor(ms / M);

  it('lists the order at the minute of its next wake; forgets that minute once it has settled and is done', async () => {
    const { sut, sweep, orders, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    const m18 = minuteOf(T0 + 18 * H); // 催办 at 75 % of 24 h
    expect(orders.wakes.byMinute.get(m18)).toEqual([o.id]);
    set(T0 + 18 * H + M); // due; the minute has not settled yet (3 minutes)
    const bulkBefore = orders.wakes.addManyCalls;
    expect(await sweep.run()).toMatchObject({ examined: 1, reminders: 1 });
    expect(orders.wakes.addManyCalls).toBe(bulkBefore + 1); // the next wake listed by the sweep in bulk
    expect(orders.wakes.byMinute.has(m18)).toBe(true);
    expect(orders.wakes.byMinute.get(minuteOf(T0 + 24 * H))).toEqual([o.id]); // the next wake: 督办
    set(T0 + 18 * H + 4 * M);
    expect(await sweep.run()).toMatchObject({ examined: 0, reminders: 0 }); // read again, nothing due
    expect(orders.wakes.byMinute.has(m18)).toBe(false);
    expect(notices).toHaveLength(1);
  });

  it('a passed minute that has not settled is read again only from where the last run stopped', async () => {
    const { sut, sweep, orders, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    set(T0 + H);
    const late = await sut.create(agent, input({ content: '另一件' }));
    await sut.act(sup, late.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    const m18 = minuteOf(T0 + 18 * H);
    set(T0 + 18 * H + M);
    expect(await sweep.run()).toMatchObject({ examined: 1, reminders: 1 });
    // A writer whose clock lags lists `late` (due at 19 h) under the passed minute.
    await orders.wakes.add(late.id, new Date(T0 + 18 * H), new Date(T0 + 18 * H));
    set(T0 + 18 * H + 2 * M);
    expect(await sweep.run()).toMatchObject({ examined: 0, reminders: 0 });
    set(T0 + 18 * H + 2 * M + 30_000);
    await sweep.run();
    expect(orders.wakes.reads.filter((r) => r.minute === m18).map((r) => r.from)).toEqual([0, 1, 2]);
    set(T0 + 18 * H + 4 * M); // settled: read from where it stopped, then dropped
    await sweep.run();
    expect(orders.wakes.byMinute.has(m18)).toBe(false);
    expect(notices.map((n) => n.orderId)).toEqual([o.id]);
  });

  it('the current minute: orders done are not loaded again; one waking later in that minute is loaded again once its time has come', async () => {
    const { sut, sweep, orders, notices, set } = setup();
    const a = await sut.create(agent, input());
    await sut.act(sup, a.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    set(T0 + 30_000);
    const b = await sut.create(agent, input({ content: '另一件' }));
    await sut.act(sup, b.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    const m18 = minuteOf(T0 + 18 * H);
    expect(orders.wakes.byMinute.get(m18)).toEqual([a.id, b.id]); // 催办 at 18:00:00 and 18:00:30
    set(T0 + 18 * H + 10_000);
    expect(await sweep.run()).toMatchObject({ examined: 1, reminders: 1 });
    orders.gets.length = 0;
    set(T0 + 18 * H + 20_000);
    expect(await sweep.run()).toMatchObject({ examined: 0 });
    expect(orders.gets).toEqual([]); // a is done; b is known to wake at 18:00:30
    orders.gets.length = 0;
    set(T0 + 18 * H + 40_000);
    expect(await sweep.run()).toMatchObject({ examined: 1, reminders: 1 });
    expect(orders.gets).toEqual([b.id]);
    orders.gets.length = 0;
    set(T0 + 18 * H + 50_000);
    expect(await sweep.run()).toMatchObject({ examined: 0 });
    expect(orders.gets).toEqual([]);
    expect(orders.wakes.reads.filter((r) => r.minute === m18).map((r) => r.from)).toEqual([0, 2, 2, 2]);
    expect(notices.map((n) => n.orderId)).toEqual([a.id, b.id]);
    set(T0 + 18 * H + 4 * M); // settled and done: forgotten
    await sweep.run();
    expect(orders.wakes.byMinute.has(m18)).toBe(false);
  });

  it('a stale entry (the order wakes in a later minute, listed there) is not loaded again', async () => {
    const { sut, sweep, orders, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    const m10 = minuteOf(T0 + 10 * H);
    await orders.wakes.add(o.id, new Date(T0 + 10 * H), new Date(T0 + 10 * H)); // an entry left by an earlier wake time
    set(T0 + 10 * H + 1_000);
    orders.gets.length = 0;
    expect(await sweep.run()).toMatchObject({ examined: 0 });
    expect(await sweep.run()).toMatchObject({ examined: 0 });
    expect(orders.gets).toEqual([o.id]);
    expect(notices).toEqual([]);
    set(T0 + 10 * H + 4 * M);
    await sweep.run();
    expect(orders.wakes.byMinute.has(m10)).toBe(false);
  });

  it('an order whose notice cannot be recorded keeps its minute; the next run sends the notice, once', async () => {
    const { sut, sweep, orders, noticeLog, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    set(T0 + 19 * H);
    noticeLog.beforeRecord = () => {
      throw new Error('database unavailable');
    };
    expect(await sweep.run()).toMatchObject({ examined: 1, updated: 0, reminders: 0 });
    expect(notices).toEqual([]);
    expect(orders.wakes.byMinute.has(minuteOf(T0 + 18 * H))).toBe(true);
    noticeLog.beforeRecord = null;
    expect(await sweep.run()).toMatchObject({ examined: 1, reminders: 1 });
    expect(await sweep.run()).toMatchObject({ examined: 0, reminders: 0 });
    expect(orders.wakes.byMinute.has(minuteOf(T0 + 18 * H))).toBe(false);
    expect(notices).toHaveLength(1);
  });

  it("the hour lists of the lookback are read once; later runs read only the hours that had not settled, and still visit a settled hour's minute left undone", async () => {
    const { sut, sweep, orders, noticeLog, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    const m18 = minuteOf(T0 + 18 * H);
    const h = (ms: number): number => Math.floor(ms / H);
    set(T0 + 19 * H + 10 * M); // the 催办 minute's hour has settled
    noticeLog.failNext.add(`${o.id}:sign:reminder@0.75:${orders.rows.get(o.id)?.order.deadlines.sign?.dueAt.toISOString()}`); // this key only
    expect(await sweep.run()).toMatchObject({ examined: 1, reminders: 0 });
    expect(orders.wakes.hourReads.at(-1)).toEqual([h(T0 + 19 * H) - 7 * 24, h(T0 + 19 * H)]);
    set(T0 + 19 * H + 11 * M);
    expect(await sweep.run()).toMatchObject({ examined: 1, reminders: 1 });
    // Only the current hour's list was read; the undone minute came from the list read before.
    expect(orders.wakes.hourReads.at(-1)).toEqual([h(T0 + 19 * H), h(T0 + 19 * H)]);
    expect(orders.wakes.byMinute.has(m18)).toBe(false);
    expect(orders.wakes.byHour.has(h(T0 + 18 * H))).toBe(false);
    set(T0 + 19 * H + 12 * M);
    expect(await sweep.run()).toMatchObject({ examined: 0, reminders: 0 });
    expect(notices).toHaveLength(1);
  });

  it('the first run of each hour, and a run after the clock was set back, read the whole lookback again', async () => {
    const { sweep, orders, set } = setup();
    const h = (ms: number): number => Math.floor(ms / H);
    const reads = async (at: number): Promise<[number, number] | undefined> => {
      set(at);
      await sweep.run();
      return orders.wakes.hourReads.at(-1);
    };
    expect(await reads(T0 + 19 * H + 10 * M)).toEqual([h(T0 + 19 * H) - 168, h(T0 + 19 * H)]);
    expect(await reads(T0 + 19 * H + 11 * M)).toEqual([h(T0 + 19 * H), h(T0 + 19 * H)]);
    expect(await reads(T0 + 20 * H + 1 * M)).toEqual([h(T0 + 20 * H) - 168, h(T0 + 20 * H)]);
    expect(await reads(T0 + 20 * H + 2 * M)).toEqual([h(T0 + 19 * H), h(T0 + 20 * H)]); // hour 19 had not settled at the run before
    expect(await reads(T0 + 20 * H + 30 * M)).toEqual([h(T0 + 20 * H), h(T0 + 20 * H)]);
    expect(await reads(T0 + 20 * H + 20 * M)).toEqual([h(T0 + 20 * H) - 168, h(T0 + 20 * H)]); // set back
  });

  it('maxOrders: a run stops after that many orders and the next run continues', async () => {
    const { sut, orders, noticeLog, notices, regulation, events, clock, set } = setup();
    for (let i = 0; i < 3; i++) {
      set(T0 + i * M); // each order's 催办 in its own minute
      const o = await sut.create(agent, input({ content: `噪音 ${i}` }));
      await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    }
    const small = new SupervisionSweep({ orders, wakes: orders.wakes, notices: noticeLog, regulation, events, clock, log: silentLogger }, { maxOrders: 2 });
    set(T0 + 19 * H);
    expect(await small.run()).toMatchObject({ examined: 2, reminders: 2 });
    expect(await small.run()).toMatchObject({ examined: 1, reminders: 1 });
    expect(await small.run()).toMatchObject({ examined: 0, reminders: 0 });
    expect(new Set(notices.map((n) => n.orderId)).size).toBe(3);
  });

  it('after a pause of two days the first run catches up on the minute it missed (a 催办 past its deadline is not sent)', async () => {
    const { sut, sweep, notices, set } = setup();
    const o = await sut.create(agent, input());
    await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
    set(T0 + 49 * H); // Wed 10:00: past the sign deadline and one working day after it
    expect(await sweep.run()).toMatchObject({ minutes: 1, examined: 1, reminders: 0, supervisions: 2 });
    expect(await sweep.run()).toMatchObject({ examined: 0, supervisions: 0 });
    expect(notices.map((n) => [n.kind, n.level])).toEqual([['supervision', 'yellow'], ['supervision', 'red']]);
  });
});
