/**
 * SupervisionSweep across runs and instances: it reads the orders of the coming minutes ahead of
 * time and uses them when they wake, unless the change log shows a write since the read ("Reading
 * ahead"); another instance taking the sweep over continues from the progress the first one saved.
 * Times: T0 Monday 2026-03-02 09:00 (Asia/Shanghai); a dispatched order's sign limit is 24 h, its
 * 催办 at 75 % (18 h), its 督办 yellow at 24 h.
 */
import { silentLogger } from '../../../../src/shared/logger';
import { RegulationService } from '../../../../src/app/work-orders/lifecycle/regulation.service';
import { SupervisionSweep, type SweepOptions } from '../../../../src/app/work-orders/lifecycle/supervision-sweep';
import { createWorkOrderEmitter, type WorkOrderNotice } from '../../../../src/app/work-orders/lifecycle/work-order.events';
import { WorkOrderService, type CreateWorkOrderInput } from '../../../../src/app/work-orders/lifecycle/work-order.service';
import { actor, FakeChangeLog, FakeFacts, FakeKnowledge, FakeNoticeLog, FakeOrders, FakeSettings } from './fakes';

const T0 = new Date('2026-03-02T09:00:00+08:00').getTime();
const H = 3_600_000;
const M = 60_000;
const REMIND = T0 + 18 * H; // the 催办 of an order dispatched at T0

function setup(opts: Partial<SweepOptions> = {}, withChangeLog = true) {
  let now = T0;
  let n = 0;
  const clock = () => now;
  const orders = new FakeOrders(undefined, clock);
  const changes = new FakeChangeLog();
  orders.changes = changes;
  const events = createWorkOrderEmitter();
  const regulation = new RegulationService({ store: new FakeSettings(), clock, log: silentLogger });
  const noticeLog = new FakeNoticeLog();
  const sut = new WorkOrderService({
    orders, notices: noticeLog, facts: new FakeFacts(), knowledge: new FakeKnowledge(), regulation, events, clock, newId: () => `o-${++n}`, log: silentLogger,
  });
  const sweep = new SupervisionSweep(
    { orders, wakes: orders.wakes, notices: noticeLog, ...(withChangeLog ? { changes } : {}), regulation, events, clock, log: silentLogger }, opts,
  );
  const notices: WorkOrderNotice[] = [];
  events.on('workOrder:reminder', (x) => notices.push(x));
  events.on('workOrder:supervision', (x) => notices.push(x));
  /** Ids read by `get` while `fn` runs. */
  const readsDuring = async <T>(fn: () => Promise<T>): Promise<[T, string[]]> => {
    const before = orders.gets.length;
    const r = await fn();
    return [r, orders.gets.slice(before)];
  };
  /** Another instance's sweep over the same database (no memory of this one's runs). */
  const another = () => new SupervisionSweep({ orders, wakes: orders.wakes, notices: noticeLog, changes, regulation, events, clock, log: silentLogger }, opts);
  return { sut, sweep, another, orders, changes, noticeLog, notices, readsDuring, set: (ms: number) => (now = ms) };
}

const input = (over: Partial<CreateWorkOrderInput> = {}): CreateWorkOrderInput => ({
  caller: { name: '张三', phone: '13800138000', callbackConsent: 'granted' }, category: '投诉', urgency: '一般', content: '噪音', areaCode: '110105', ...over,
});
const agent = actor('agent');
const sup = actor('supervisor');
const unit1 = actor('unit_handler', { userId: 'h1', unitId: 'unit-1' });

async function dispatched(sut: WorkOrderService, content = '噪音') {
  const o = await sut.create(agent, input({ content }));
  await sut.act(sup, o.id, { type: 'dispatch', leadUnitId: 'unit-1' });
  return o;
}

describe('SupervisionSweep reading ahead', () => {
  it('reads the orders of the coming minutes and, when they wake, sends their notices without reading them again', async () => {
    const { sut, sweep, notices, readsDuring, set } = setup();
    const a = await dispatched(sut, 'a');
    const b = await dispatched(sut, 'b');
    set(REMIND - 40 * M); // further ahead than 30 minutes: nothing read
    expect(await sweep.run()).toMatchObject({ examined: 0, readAhead: 0 });
    set(REMIND - 10 * M);
    const [ahead, aheadReads] = await readsDuring(() => sweep.run());
    expect(ahead).toMatchObject({ examined: 0, readAhead: 2, reminders: 0 });
    expect(aheadReads.sort()).toEqual([a.id, b.id]);
    set(REMIND - 5 * M); // already read: not read again
    expect((await readsDuring(() => sweep.run()))[1]).toEqual([]);
    set(REMIND + 30_000);
    const [due, dueReads] = await readsDuring(() => sweep.run());
    expect(due).toMatchObject({ examined: 2, reminders: 2, fromAhead: 2 });
    expect(dueReads).toEqual([]);
    expect(notices.map((x) => [x.orderId, x.level])).toEqual([[a.id, 'reminder'], [b.id, 'reminder']]);
  });

  it('an order written after it was read ahead is read again when it wakes: signed, it gets no 催办', async () => {
    const { sut, sweep, notices, readsDuring, set } = setup();
    const a = await dispatched(sut, 'a');
    const b = await dispatched(sut, 'b');
    set(REMIND - 10 * M);
    expect(await sweep.run()).toMatchObject({ readAhead: 2 });
    set(REMIND - 5 * M);
    await sut.act(unit1, a.id, { type: 'sign' }); // the kept copy of `a` is now stale
    set(REMIND + 30_000);
    const [due, reads] = await readsDuring(() => sweep.run());
    expect(reads).toEqual([a.id]);
    expect(due).toMatchObject({ reminders: 1, fromAhead: 1 });
    expect(notices.map((x) => [x.orderId, x.stage, x.level])).toEqual([[b.id, 'sign', 'reminder']]);
  });

  it('an order written after it was read ahead is read ahead again once a read is sure to see the write (settleMinutes + 2 later), if its minute has not come', async () => {
    const { sut, sweep, notices, readsDuring, set } = setup({ settleMinutes: 3 });
    const a = await dispatched(sut, 'a');
    set(REMIND - 20 * M);
    expect(await sweep.run()).toMatchObject({ readAhead: 1 });
    set(REMIND - 10 * M);
    await sut.act(unit1, a.id, { type: 'sign' });
    set(REMIND - 9 * M); // the write may still land (a writer's clock up to 3 minutes behind, a minute from mark to write)
    expect(await readsDuring(() => sweep.run())).toEqual([expect.objectContaining({ readAhead: 0 }), []]);
    set(REMIND - 5 * M);
    const [again, reads] = await readsDuring(() => sweep.run());
    expect(again).toMatchObject({ readAhead: 1 });
    expect(reads).toEqual([a.id]);
    set(REMIND + 30_000);
    expect((await readsDuring(() => sweep.run()))[1]).toEqual([]); // the signed copy read ahead: nothing due, no read
    expect(notices).toEqual([]);
  });

  it('a mark up to settleMinutes + 1 minutes before the read counts (a writer whose clock lags, a write a minute after its mark); an older one does not', async () => {
    const { sut, sweep, changes, readsDuring, set } = setup({ settleMinutes: 3 });
    const a = await dispatched(sut, 'a');
    const b = await dispatched(sut, 'b');
    set(REMIND - 10 * M);
    await sweep.run();
    const readMinute = Math.floor((REMIND - 10 * M) / M);
    await changes.mark(a.id, new Date((readMinute - 4) * M)); // lagging writer: may have landed after the read
    await changes.mark(b.id, new Date((readMinute - 5) * M)); // landed before the read began
    set(REMIND + 30_000);
    const [due, reads] = await readsDuring(() => sweep.run());
    expect(reads).toEqual([a.id]);
    expect(due).toMatchObject({ examined: 2, reminders: 2, fromAhead: 1 });
  });

  it('when the change log cannot be read, every kept order is read again', async () => {
    const { sut, sweep, changes, notices, readsDuring, set } = setup();
    const a = await dispatched(sut, 'a');
    set(REMIND - 10 * M);
    await sweep.run();
    changes.failNext = true;
    set(REMIND + 30_000);
    const [due, reads] = await readsDuring(() => sweep.run());
    expect(reads).toEqual([a.id]);
    expect(due).toMatchObject({ reminders: 1, fromAhead: 0 });
    expect(notices).toHaveLength(1);
  });

  it('a notice found recorded when the order was read ahead is not inserted again at its wake', async () => {
    const { sut, sweep, noticeLog, notices, set } = setup();
    await dispatched(sut);
    set(T0 + 24 * H + 30_000);
    expect(await sweep.run()).toMatchObject({ supervisions: 1 }); // yellow; recorded, not folded into the order
    const batches: string[][] = [];
    noticeLog.beforeRecord = (batch) => batches.push(batch.map((n) => n.key.split(':')[2] as string));
    set(T0 + 48 * H - 10 * M); // red: one working day after the sign limit (Tue 09:00 → Wed 09:00)
    expect(await sweep.run()).toMatchObject({ readAhead: 1 });
    set(T0 + 48 * H + 30_000);
    expect(await sweep.run()).toMatchObject({ examined: 1, supervisions: 1, fromAhead: 1, conflicts: 0 });
    expect(batches).toEqual([['red']]); // without the lookup: ['yellow', 'red'], the yellow a duplicate
    expect(notices.map((x) => x.level)).toEqual(['yellow', 'red']);
  });

  it('keeps at most lookAheadOrders; lookAheadMs 0 or no change log: nothing is read ahead', async () => {
    const capped = setup({ lookAheadOrders: 1 });
    await dispatched(capped.sut, 'a');
    await dispatched(capped.sut, 'b');
    capped.set(REMIND - 10 * M);
    expect(await capped.sweep.run()).toMatchObject({ readAhead: 1 });
    capped.set(REMIND - 9 * M);
    expect(await capped.sweep.run()).toMatchObject({ readAhead: 0 });
    capped.set(REMIND + 30_000);
    expect(await capped.sweep.run()).toMatchObject({ examined: 2, reminders: 2, fromAhead: 1 });

    const timed = setup({ lookAheadMs: 0 });
    await dispatched(timed.sut);
    timed.set(REMIND - 10 * M);
    expect(await timed.sweep.run()).toMatchObject({ readAhead: 0 });

    const plain = setup({}, false);
    await dispatched(plain.sut);
    plain.set(REMIND - 10 * M);
    expect(await plain.sweep.run()).toMatchObject({ readAhead: 0 });
    plain.set(REMIND + 30_000);
    expect(await plain.sweep.run()).toMatchObject({ reminders: 1, fromAhead: 0 });
  });

  it('an order kept longer than twice lookAheadMinutes is read again; marks no reader needs are pruned', async () => {
    const { sut, sweep, changes, readsDuring, set } = setup({ lookAheadMinutes: 15, settleMinutes: 3 });
    const a = await dispatched(sut, 'a');
    set(REMIND - 10 * M);
    await sweep.run();
    await changes.mark('other', new Date(REMIND - 60 * M));
    // The sweep pauses for 40 minutes: the copy read at -10 min is 40 min old at +30 min.
    set(REMIND + 30 * M);
    const [due, reads] = await readsDuring(() => sweep.run());
    expect(reads).toEqual([a.id]);
    expect(due).toMatchObject({ examined: 1, fromAhead: 0 });
    // Marks before (now − 30 min) − 2 × 3 min − 2 min are gone (an instance whose clock is 3 minutes
    // behind may still need the later ones); the writes above (dispatch at T0) too.
    const cut = Math.floor((REMIND + 30 * M - 30 * M) / M) - 8;
    expect(changes.marks.filter((m) => m.minute < cut)).toEqual([]);
    expect(changes.marks.map((m) => m.orderId)).toEqual([]); // 'other' (−60 min) is before the cut too
    await changes.mark('recent', new Date((cut + 1) * M));
    set(REMIND + 31 * M);
    await sweep.run();
    expect(changes.marks.map((m) => m.orderId)).toEqual(['recent']);
  });
});

describe('SupervisionSweep taken over by another instance', () => {
  it('continues from the saved progress: looks at nothing the first one did, and at an order due later in the minute once it is', async () => {
    const { sut, sweep, another, orders, notices, set } = setup({ lookAheadMinutes: 0 });
    const a = await dispatched(sut, 'a');
    const b = await dispatched(sut, 'b');
    set(T0 + 30_000);
    const late = await dispatched(sut, 'late'); // 催办 at 18 h 30 s: the same minute, later
    const minute = Math.floor(REMIND / M);
    set(REMIND + 10_000);
    expect(await sweep.run()).toMatchObject({ examined: 2, reminders: 2 });
    expect(orders.wakes.saved.get(minute)).toEqual({ upTo: 3, again: [[late.id, REMIND + 30_000]] });
    set(REMIND + 40_000);
    const other = another();
    const readsBefore = orders.wakes.reads.length;
    expect(await other.run()).toMatchObject({ examined: 1, reminders: 1, conflicts: 0 });
    expect(orders.wakes.reads.slice(readsBefore).filter((r) => r.minute === minute)).toEqual([{ minute, from: 3 }]);
    expect(notices.map((x) => x.orderId)).toEqual([a.id, b.id, late.id]);
    set(REMIND + 4 * M); // settled and done: dropped with its progress
    await other.run();
    expect(orders.wakes.saved.has(minute)).toBe(false);
    expect(orders.wakes.byMinute.has(minute)).toBe(false);
  });

  it('progress that cannot be read: the minute is looked at from the start, and nothing is sent twice', async () => {
    const { sut, sweep, another, orders, notices, set } = setup({ lookAheadMinutes: 0 });
    await dispatched(sut, 'a');
    await dispatched(sut, 'b');
    set(REMIND + 10_000);
    await sweep.run();
    orders.wakes.progress = async () => {
      throw new Error('database unavailable');
    };
    set(REMIND + 40_000);
    expect(await another().run()).toMatchObject({ examined: 2, reminders: 0, conflicts: 2 });
    expect(notices).toHaveLength(2);
  });
});
