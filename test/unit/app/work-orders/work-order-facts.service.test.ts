/**
 * KPI rollups (WorkOrderFacts over an in-memory store): reports from the sums equal reports from
 * every order's current rows (FakeFacts: the from-scratch aggregation) before and after folding,
 * at any asOf; folding is exact with changes listed out of order or twice, crashes at every step,
 * a second folder, a fold during a read, closing hours, small batches and a rebuild while writes go
 * on; a write whose change was never listed is missed until a rebuild.
 */
import type { FactChange, WorkOrderFactsRepository } from '../../../../src/app/work-orders/work-orders.ports';
import { parsePeriod, periodOf, type Period } from '../../../../src/domain/calendar/periods';
import { WorkOrderFacts, HOUR_MS, hourOf, type OrderFacts } from '../../../../src/app/work-orders/reporting/work-order-facts.service';
import { factRowsOf } from '../../../../src/domain/kpi/work-order-facts';
import { packRows, rollupsOf } from '../../../../src/domain/kpi/work-order-rollups';
import { WorkOrderReportService, type WorkOrderReport } from '../../../../src/app/work-orders/reporting/work-order-report.service';
import { BEIJING_2023, type Actor, type WorkOrder, type WorkOrderAction } from '../../../../src/domain/work-order';
import type { Actor as AccessActor } from '../../../../src/domain/access';
import { silentLogger } from '../../../../src/shared/logger';
import { AGENT, at, newOrder, run, SUP } from '../../work-order/work-order.fixtures';
import { FakeRollupStore } from './fake-rollup-store';
import { FakeFacts } from './fakes';

const CATS = ['投诉', '求助', '咨询', '建议'] as const;
const AREAS = ['110105', '110108', '110101'];
const MARCH = parsePeriod('month', '2026-03') as Period;

/** Every revision of order i (rev 1 = created), a varied lifecycle across three units and March. */
function revisions(i: number): WorkOrder[] {
  const unit = `unit-${(i % 3) + 1}`;
  const other = `unit-${((i + 1) % 3) + 1}`;
  const h: Actor = { id: `h-${unit}`, role: 'unitHandler', unitId: unit };
  const h2: Actor = { id: `h-${other}`, role: 'unitHandler', unitId: other };
  const base = at('2026-03-02 08:00').getTime() + (i % 20) * 26 * HOUR_MS + i * 7 * 60_000;
  const steps: [WorkOrderAction, Actor, number][] = [[{ type: 'accept' }, AGENT, 0], [{ type: 'dispatch', leadUnitId: unit }, SUP, HOUR_MS]];
  const kind = i % 6;
  if (kind === 1) steps.push([{ type: 'sign' }, h, 2 * HOUR_MS]);
  if (kind === 2) {
    steps.push([{ type: 'sign' }, h, 30 * HOUR_MS], [{ type: 'complete', summary: '已处理' }, h, 50 * HOUR_MS]);
  }
  if (kind === 3 || kind === 4) {
    const late = kind === 4 ? 20 * 24 * HOUR_MS : 0;
    steps.push(
      [{ type: 'sign' }, h, 2 * HOUR_MS],
      [{ type: 'recordContactAttempt', channel: 'phone', reached: true }, h, 3 * HOUR_MS],
      [{ type: 'complete', summary: '已处理' }, h, 48 * HOUR_MS + late],
      [{ type: 'passReview' }, SUP, 50 * HOUR_MS + late],
      [{ type: 'recordFeedback', channel: 'phone' }, h, 52 * HOUR_MS + late],
      [{
        type: 'recordCallback', result: i % 4 === 0 ? 'unsatisfied' : 'satisfied', contacted: true, feedbackReceived: true,
        resolution: i % 4 === 0 ? 'unresolved' : 'resolved',
      }, AGENT, 70 * HOUR_MS + late],
    );
  }
  if (kind === 5) {
    steps.push(
      [{ type: 'requestReturn', reason: 'notOurDuty', explanation: '非本单位职责', evidence: [{ id: 'e' }] }, h, 2 * HOUR_MS],
      [{ type: 'approveReturn', redispatchTo: { leadUnitId: other } }, SUP, 4 * HOUR_MS],
      [{ type: 'sign' }, h2, 5 * HOUR_MS],
    );
  }
  let o = newOrder({ id: `o-${i}`, createdAt: new Date(base), category: CATS[i % CATS.length] as string, areaCode: AREAS[i % AREAS.length] as string });
  const revs = [o];
  for (const [a, actor, off] of steps) {
    o = run(o, 'beijing-2023', [[a, actor, new Date(base + off)]], { callbackSampled: true });
    revs.push(o);
  }
  return revs;
}

class LogClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
}

const ORDERS = Array.from({ length: 36 }, (_, i) => revisions(i));
const LATEST = ORDERS.map((r) => r[r.length - 1] as WorkOrder);

function setup(opts: ConstructorParameters<typeof WorkOrderFacts>[1] = {}) {
  const store = new FakeRollupStore();
  const clock = new LogClock(Date.UTC(2026, 3, 1, 10, 0));
  const facts = new WorkOrderFacts({ store, log: silentLogger, logClock: clock.now }, opts);
  const truth = new FakeFacts();
  /** Revisions put so far, per order. */
  const done = ORDERS.map(() => 0);
  /** The write of revision `rev` (1-based) of order i, as WorkOrderService puts it. */
  const write = async (i: number, rev: number): Promise<void> => {
    const revs = ORDERS[i] as WorkOrder[];
    const o = revs[rev - 1] as WorkOrder;
    const rows = factRowsOf(o);
    await facts.put(o.id, rev, rows, rev > 1 ? factRowsOf(revs[rev - 2] as WorkOrder) : []);
    await truth.put(o.id, rev, rows);
  };
  /** Every order's next revisions, up to `upTo` in all. */
  const putUpTo = async (upTo = Infinity): Promise<void> => {
    for (let i = 0; i < ORDERS.length; i++) {
      const n = Math.min((ORDERS[i] as WorkOrder[]).length, upTo);
      for (let r = done[i] as number; r < n; r++) await write(i, r + 1);
      done[i] = Math.max(done[i] as number, n);
    }
  };
  return { store, clock, facts, truth, write, putUpTo };
}

const NO_COMPLAINTS = { countUpheld: async (): Promise<Map<string, number>> => new Map() };

async function report(facts: WorkOrderFactsRepository, period: Period, asOf: Date, unitId?: string): Promise<Omit<WorkOrderReport, 'computeMs'>> {
  const { computeMs: _ms, ...r } = await new WorkOrderReportService({ facts, complaints: NO_COMPLAINTS, scoring: () => BEIJING_2023.scoring, clock: () => asOf.getTime() }).compute(period, {
    asOf, ...(unitId !== undefined ? { unitId } : {}),
  });
  return r;
}

const ASOFS = [at('2026-03-05 12:00'), at('2026-03-12 09:30'), at('2026-03-20 18:00'), MARCH.to];

async function expectSameReports(a: WorkOrderFactsRepository, b: WorkOrderFactsRepository): Promise<void> {
  for (const asOf of ASOFS) {
    expect(await report(a, MARCH, asOf)).toEqual(await report(b, MARCH, asOf));
  }
  expect(await report(a, MARCH, MARCH.to, 'unit-2')).toEqual(await report(b, MARCH, MARCH.to, 'unit-2'));
}

/** The rollup documents of these orders summed from scratch. */
const fromScratch = (orders: readonly WorkOrder[]) => rollupsOf(orders.map((o) => packRows(factRowsOf(o))));

const scanned = (upTo: number): OrderFacts[] => ORDERS.map((revs) => {
  const rev = Math.min(upTo, revs.length);
  return { orderId: revs[0]?.id as string, rev, rows: packRows(factRowsOf(revs[rev - 1] as WorkOrder)) };
});

describe('WorkOrderFacts (KPI rollups)', () => {
  it('the test data exercise every kind of sum', async () => {
    const { truth, putUpTo } = setup();
    await putUpTo();
    const r = await report(truth, MARCH, at('2026-03-20 18:00'));
    expect(r.units.map((u) => u.unitId)).toEqual(['unit-1', 'unit-2', 'unit-3']);
    const sum = (f: (u: (typeof r.units)[number]) => number): number => r.units.reduce((s, u) => s + f(u), 0);
    expect(sum((u) => u.kpis.timelySign.denominator)).toBeGreaterThan(sum((u) => u.kpis.timelySign.numerator));
    expect(sum((u) => u.kpis.onTimeCompletion.denominator)).toBeGreaterThan(sum((u) => u.kpis.onTimeCompletion.numerator));
    expect(sum((u) => u.kpis.satisfaction.denominator)).toBeGreaterThan(0);
    expect(sum((u) => u.kpis.returns.numerator)).toBeGreaterThan(0);
    expect(r.hotTopics.categories.length).toBeGreaterThan(1);
  });

  it('a report counts every put at once, before and after a fold; a second fold changes nothing', async () => {
    const { store, facts, truth, putUpTo } = setup();
    await putUpTo();
    await expectSameReports(facts, truth);
    const first = await facts.fold();
    expect(first).toMatchObject({ busy: false, batches: 1, changes: ORDERS.reduce((n, r) => n + r.length, 0) });
    expect(store.sums(0)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
    const before = structuredClone(store.rollups);
    expect(await facts.fold()).toMatchObject({ batches: 0, changes: 0 });
    expect(store.rollups).toEqual(before);
  });

  it('folds changes put after the last fold on top of the sums', async () => {
    const { store, facts, truth, putUpTo } = setup();
    await putUpTo(3);
    await facts.fold();
    await expectSameReports(facts, truth);
    await putUpTo();
    await expectSameReports(facts, truth);
    await facts.fold();
    expect(store.sums(0)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
  });

  it('changes listed out of order, across folds, still add up to the latest revision', async () => {
    const { store, facts, truth, write } = setup();
    const order = ORDERS.flatMap((revs, i) => revs.map((_, r) => [i, r + 1] as const));
    const shuffled = [...order.filter((_, k) => k % 2 === 1).reverse(), ...order.filter((_, k) => k % 2 === 0)];
    for (const [k, [i, rev]] of shuffled.entries()) {
      await write(i, rev);
      if (k % 40 === 39) await facts.fold();
    }
    await expectSameReports(facts, truth);
    await facts.fold();
    expect(store.sums(0)).toEqual(fromScratch(LATEST));
  });

  it('a change listed twice in its hour (an append retried after it had landed) counts once, folded or not', async () => {
    const { store, clock, facts, truth, putUpTo } = setup();
    await putUpTo(3);
    const hour = hourOf(clock.ms);
    const list = store.lists.get(hour) ?? [];
    await store.appendChange(hour, list[5] as FactChange); // a repeat of a change folded below
    await facts.fold();
    await store.appendChange(hour, list[5] as FactChange); // again, after the fold
    await store.appendChange(hour, list[7] as FactChange);
    await expectSameReports(facts, truth);
    await facts.fold();
    expect(store.sums(0)).toEqual(fromScratch(ORDERS.map((r) => r[Math.min(3, r.length) - 1] as WorkOrder)));
  });

  it('a write whose change was never listed is missed (also after later writes) until a rebuild', async () => {
    const { store, facts, truth, write } = setup();
    for (let i = 0; i < ORDERS.length; i++) {
      for (let r = 1; r <= (ORDERS[i] as WorkOrder[]).length; r++) {
        if (i === 4 && r === 4) await truth.put(LATEST[4]?.id as string, 4, factRowsOf((ORDERS[4] as WorkOrder[])[3] as WorkOrder)); // the app died before put
        else await write(i, r);
      }
    }
    await facts.fold();
    expect(store.sums(0)).not.toEqual(fromScratch(LATEST));
    const all = async function* () {
      yield scanned(Infinity);
    };
    await facts.rebuild(all());
    expect(store.sums(1)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
  });

  const CRASH_POINTS = [
    ['readChanges', 1, false], ['insertBatch', 1, false], ['readRollups', 1, false], ['writeRollups', 1, false],
    ['writeRollups', 1, true], ['writeState', 1, false], ['dropChanges', 1, false], ['deleteBatch', 1, false],
  ] as const;

  it.each(CRASH_POINTS)('a folder that dies at %s #%i (half-written: %s): reads stay exact; the next fold completes its batch once stale', async (method, n, partial) => {
    const { store, clock, facts, truth, putUpTo } = setup({ staleBatchMs: 60_000, graceMs: 0 });
    await putUpTo(4);
    clock.ms += HOUR_MS; // the first hour can be closed (and dropped) by this fold
    store.crashAt(method, n, partial);
    await expect(facts.fold()).rejects.toThrow(`crash in ${method}`);
    await expectSameReports(facts, truth);
    const open = store.batches.has((store.state?.seq ?? 0) + 1);
    if (open) expect(await facts.fold()).toMatchObject({ busy: true, batches: 0 });
    await putUpTo(); // writers go on meanwhile
    await expectSameReports(facts, truth);
    clock.ms += 60_000;
    const r = await facts.fold();
    expect(r.busy).toBe(false);
    expect(r.recovered).toBe(open ? 1 : 0);
    expect(store.batches.size).toBe(0);
    expect(store.sums(0)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
    expect(await facts.fold()).toMatchObject({ batches: 0 });
  });

  it('two folders at once: one takes each batch, the other stops; the sums stay exact', async () => {
    const { store, clock, facts, truth, putUpTo } = setup({ maxChangesPerBatch: 25 });
    const second = new WorkOrderFacts({ store, log: silentLogger, logClock: clock.now }, { maxChangesPerBatch: 25 });
    await putUpTo();
    const [a, b] = await Promise.all([facts.fold(), second.fold()]);
    expect([a.busy, b.busy]).toContain(true);
    await facts.fold();
    expect(store.sums(0)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
  });

  it('a fold step that runs in the middle of a read makes the read start again, never count twice', async () => {
    const { store, facts, truth, putUpTo } = setup();
    await putUpTo(3);
    await facts.fold();
    await putUpTo();
    let folded = false;
    store.hookAt('readRollups', 1, async () => {
      await facts.fold();
      folded = true;
    });
    expect(await report(facts, MARCH, MARCH.to)).toEqual(await report(truth, MARCH, MARCH.to));
    expect(folded).toBe(true);
    expect(store.sums(0)).toEqual(fromScratch(LATEST));
  });

  it('a fold that closes and deletes an hour while a read is listing it makes the read start again', async () => {
    const { store, clock, facts, truth, putUpTo } = setup({ graceMs: 0 });
    await putUpTo();
    clock.ms += HOUR_MS;
    let folded = false;
    store.hookAt('readChanges', 1, async () => {
      expect(await facts.fold()).toMatchObject({ closedHours: 1 });
      folded = true;
    });
    expect(await report(facts, MARCH, MARCH.to)).toEqual(await report(truth, MARCH, MARCH.to));
    expect(folded).toBe(true);
    expect(store.lists.size).toBe(0);
  });

  it('small batches: several per fold, each resuming where the last stopped within an hour', async () => {
    const { store, facts, truth, putUpTo } = setup({ maxChangesPerBatch: 7 });
    await putUpTo();
    const r = await facts.fold();
    expect(r.batches).toBeGreaterThan(10);
    expect(store.sums(0)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
  });

  it('closes an hour once folded and past the grace period, deletes its list, and reads later hours', async () => {
    const { store, clock, facts, truth, putUpTo } = setup({ graceMs: 10 * 60_000 });
    const h0 = hourOf(clock.ms);
    await putUpTo(2);
    clock.ms += HOUR_MS; // next hour, within the grace of h0
    await putUpTo(4);
    expect([...store.lists.keys()]).toEqual([h0, h0 + 1]);
    await facts.fold();
    expect(store.state?.cursor.from).toBe(h0);
    clock.ms += 11 * 60_000;
    await putUpTo();
    await facts.fold();
    expect([...store.lists.keys()]).toEqual([h0 + 1]);
    expect(store.state?.cursor.from).toBe(h0 + 1);
    expect(store.sums(0)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
  });

  it('rebuild: sums from the orders into a new generation while writes and folds go on, then switch', async () => {
    const { store, clock, facts, truth, putUpTo } = setup({ graceMs: 0 });
    await putUpTo(2);
    await facts.fold();
    await putUpTo(3);
    // Damage the sums (as a lost change would): the rebuild must not depend on them.
    for (const [k, r] of store.rollups) store.rollups.set(k, { ...r, bag: new Map([...r.bag].map(([x, v]) => [x, v + 1])) });
    const source = async function* () {
      // The scan reads every order at revision 3; revisions 4 and 5 are written during the scan,
      // and a fold runs after their hour has ended (it must keep the hour's list for the switch).
      yield scanned(3).slice(0, 18);
      await putUpTo(5);
      clock.ms += HOUR_MS;
      await facts.fold();
      yield scanned(3).slice(18);
    };
    const res = await facts.rebuild(source());
    expect(res).toMatchObject({ gen: 1, orders: 36 });
    expect(store.state?.gen).toBe(1);
    expect(store.sums(0).size).toBe(0);
    await expectSameReports(facts, truth);
    await putUpTo();
    await expectSameReports(facts, truth);
    await facts.fold();
    expect(store.sums(1)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
  });

  it('a rebuild that died blocks the next one until taken over; the take-over gives exact sums', async () => {
    const { store, facts, truth, putUpTo } = setup();
    await putUpTo();
    const dying = async function* () {
      yield [];
      throw new Error('scan failed');
    };
    await expect(facts.rebuild(dying())).rejects.toThrow('scan failed');
    const all = async function* () {
      yield scanned(Infinity);
    };
    await expect(facts.rebuild(all())).rejects.toThrow('a rebuild of generation 1 is running');
    expect(await facts.rebuild(all(), { takeOver: true })).toMatchObject({ gen: 2, orders: 36 });
    expect(store.state?.hold).toBeUndefined();
    expect(store.sums(2)).toEqual(fromScratch(LATEST));
    await expectSameReports(facts, truth);
  });
});

/** The ISO week label of a `2026-03-05` day. */
const parsePeriodWeek = (day: string): string => periodOf('week', (parsePeriod('day', day) as Period).from).label;
const SUPERVISOR: AccessActor = { userId: 'sup-1', role: 'supervisor', agentId: null, unitId: null, groupId: null };
const HANDLER_2: AccessActor = { userId: 'h-2', role: 'unit_handler', agentId: null, unitId: 'unit-2', groupId: null };

describe('trend lines (day sums)', () => {
  const trendOf = async (facts: WorkOrderFactsRepository, granularity: 'day' | 'week', unitId?: string) =>
    new WorkOrderReportService({ facts, complaints: NO_COMPLAINTS, scoring: () => BEIJING_2023.scoring, clock: () => MARCH.to.getTime() })
      .trend(SUPERVISOR, MARCH, { granularity, ...(unitId !== undefined ? { unitId } : {}) });
  const total = (points: readonly { dispatched: number; onTimeCompletion: { numerator: number; denominator: number } }[]) => ({
    dispatched: points.reduce((s, p) => s + p.dispatched, 0),
    otcOnTime: points.reduce((s, p) => s + p.onTimeCompletion.numerator, 0),
    otcBase: points.reduce((s, p) => s + p.onTimeCompletion.denominator, 0),
  });

  it('days and ISO weeks of March add up to the month, through the rollups as from scratch; a unit handler gets their unit only', async () => {
    const { facts, truth, putUpTo } = setup();
    await putUpTo();
    await facts.fold();
    const days = await trendOf(facts, 'day');
    expect(days.points.map((p) => p.key)).toEqual(Array.from({ length: 31 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`));
    expect(days).toEqual(await trendOf(truth, 'day'));
    const weeks = await trendOf(facts, 'week');
    expect(weeks.points.map((p) => p.key)).toEqual(['2026-W09', '2026-W10', '2026-W11', '2026-W12', '2026-W13', '2026-W14']);
    // Whole weeks are read from the week sums, the edge weeks (1 March, 30–31 March) from their days:
    // each week equals its days added up.
    const isoWeek = (day: string): string => parsePeriodWeek(day);
    for (const w of weeks.points) {
      const inWeek = days.points.filter((d) => isoWeek(d.key) === w.key);
      expect([w.key, total([w])]).toEqual([w.key, total(inWeek)]);
      const sat = { numerator: inWeek.reduce((s, d) => s + d.satisfaction.numerator, 0), denominator: inWeek.reduce((s, d) => s + d.satisfaction.denominator, 0) };
      expect([w.key, w.satisfaction]).toEqual([w.key, { ...sat, value: sat.denominator === 0 ? null : sat.numerator / sat.denominator }]);
    }
    const month = await report(facts, MARCH, MARCH.to);
    const sum = (pick: (u: WorkOrderReport['units'][number]) => number) => month.units.reduce((s, u) => s + pick(u), 0);
    const expected = {
      dispatched: sum((u) => u.dispatched),
      otcOnTime: sum((u) => u.kpis.onTimeCompletion.numerator),
      otcBase: sum((u) => u.kpis.onTimeCompletion.denominator),
    };
    expect(expected.dispatched).toBeGreaterThan(0);
    expect(total(days.points)).toEqual(expected);
    expect(total(weeks.points)).toEqual(expected);

    const unit2 = month.units.find((u) => u.unitId === 'unit-2');
    const own = await new WorkOrderReportService({ facts, complaints: NO_COMPLAINTS, scoring: () => BEIJING_2023.scoring, clock: () => MARCH.to.getTime() })
      .trend(HANDLER_2, MARCH, { granularity: 'week' });
    expect(own.unitId).toBe('unit-2');
    expect(total(own.points).dispatched).toBe(unit2?.dispatched);
    await expect(new WorkOrderReportService({ facts, complaints: NO_COMPLAINTS, scoring: () => BEIJING_2023.scoring, clock: () => MARCH.to.getTime() })
      .trend(HANDLER_2, MARCH, { unitId: 'unit-1' })).rejects.toMatchObject({ code: 'AUTH.FORBIDDEN' });
  });
});
