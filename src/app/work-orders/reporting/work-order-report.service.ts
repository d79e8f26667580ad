/**
 * Weekly / monthly / quarterly / yearly work-order reports per unit (004 六(二), 000 第八条):
 * the nine KPIs of the domain (按期办结率, 反馈率, 满意率, 响应率, 解决率, 回访率, 及时签收率,
 * 退单率, 重办率), the Beijing 3-point score, the Yanji monthly score, rankings and hot topics with
 * their change against the previous period. Computed from the KPI sums per period
 * (work-order-facts.service.ts): a few documents read by `_id`, never a scan of the orders.
 */
import { requirePermission, type Actor } from '../../../domain/access';
import {
  annualRate, annualValue, beijingScore, rankBy, rate, yanjiMonthlyScore,
  type AnnualRate, type BeijingScore, type Rate, type YanjiMonthlyScore,
} from '../../../domain/kpi/work-order-kpi';
import type { AnnualAggregation, ScoringPolicy } from '../../../domain/work-order';
import type { Clock, OpenDueField, UnitComplaintRepository, WorkOrderFactsRepository, WorkOrderFactsView } from '../work-orders.ports';
import type { FactCounter } from '../../../domain/kpi/work-order-facts';
import { daysOf, parsePeriod, periodOf, previousPeriod, type Period } from '../../../domain/calendar/periods';

export interface UnitKpis {
  readonly onTimeCompletion: Rate;
  readonly feedback: Rate;
  readonly satisfaction: Rate;
  readonly response: Rate;
  readonly resolution: Rate;
  readonly callback: Rate;
  readonly timelySign: Rate;
  readonly returns: Rate;
  readonly redo: Rate;
}

/**
 * A yearly report's rates both ways (密云 2014 附件2 第三条 "年度平均办结率"): the average of the
 * months' rates and the year's pooled rate. Each month's rate is computed from the same facts at the
 * report's `asOf` as the pooled one, so the two differ only by how they aggregate.
 */
export interface AnnualRates {
  /** The scoring preset's rule, used for `beijing` and the ranking. */
  readonly aggregation: AnnualAggregation;
  readonly onTimeCompletion: AnnualRate;
  readonly feedback: AnnualRate;
  readonly satisfaction: AnnualRate;
  /** The Beijing score under each rule. */
  readonly beijing: { readonly monthlyAverage: BeijingScore; readonly pooled: BeijingScore };
}

export interface UnitReport {
  readonly unitId: string;
  readonly dispatched: number;
  readonly kpis: UnitKpis;
  /** Complaints against the unit judged upheld (经查属实), by the date the citizen complained. */
  readonly upheldComplaints: number;
  /** Yearly reports only. */
  readonly annual?: AnnualRates;
  readonly beijing: BeijingScore;
  readonly yanji: YanjiMonthlyScore;
  readonly rank: number | null;
}

export interface TopicRow {
  readonly key: string;
  readonly count: number;
  readonly previousCount: number;
  readonly change: number;
  readonly changeRate: number | null;
}

export interface WorkOrderReport {
  readonly period: { readonly kind: Period['kind']; readonly label: string; readonly from: Date; readonly to: Date };
  readonly asOf: Date;
  readonly units: readonly UnitReport[];
  readonly hotTopics: { readonly categories: readonly TopicRow[]; readonly areas: readonly TopicRow[] };
  readonly computeMs: number;
}

/** Trend lines of a period: by day, or by ISO week (the days of the week inside the period). */
export const TREND_GRANULARITIES = ['day', 'week'] as const;
export type TrendGranularity = (typeof TREND_GRANULARITIES)[number];

export interface TrendPoint {
  /** `2026-05-01` or `2026-W18`. */
  readonly key: string;
  readonly from: Date;
  readonly dispatched: number;
  readonly onTimeCompletion: Rate;
  readonly feedback: Rate;
  readonly satisfaction: Rate;
  readonly callback: Rate;
}

export interface WorkOrderTrend {
  readonly period: { readonly kind: Period['kind']; readonly label: string; readonly from: Date; readonly to: Date };
  readonly granularity: TrendGranularity;
  /** The unit the lines are for; null: every unit together. */
  readonly unitId: string | null;
  readonly asOf: Date;
  readonly points: readonly TrendPoint[];
}

export interface ReportDeps {
  readonly facts: WorkOrderFactsRepository;
  readonly complaints: Pick<UnitComplaintRepository, 'countUpheld'>;
  /** The active preset's scoring rules. */
  readonly scoring: () => ScoringPolicy;
  readonly clock: Clock;
}

const OPEN_FIELDS: readonly OpenDueField[] = ['signOpenDueAt', 'otcOpenDueAt', 'unfinishedDueAt', 'feedbackOpenDueAt'];

export class WorkOrderReportService {
  constructor(private readonly deps: ReportDeps) {}

  /** Supervisors and administrators see every unit; a unit handler only their own. */
  async report(actor: Actor, period: Period, opts: { unitId?: string; topN?: number } = {}): Promise<WorkOrderReport> {
    const unitId = scopedUnit(actor, opts.unitId);
    return this.compute(period, { ...(unitId !== undefined ? { unitId } : {}), ...(opts.topN !== undefined ? { topN: opts.topN } : {}) });
  }

  /**
   * Dispatches and rates per day or ISO week of the period, for one unit or all together, from the
   * day and week sums at the same `asOf` rule as the report. Same access rule as `report`.
   */
  async trend(actor: Actor, period: Period, opts: { unitId?: string; granularity?: TrendGranularity } = {}): Promise<WorkOrderTrend> {
    const unitId = scopedUnit(actor, opts.unitId);
    const granularity = opts.granularity ?? 'day';
    const asOf = new Date(Math.min(this.deps.clock(), period.to.getTime()));
    const days = daysOf(period).filter((d) => d.from.getTime() <= asOf.getTime());
    // A week wholly inside the period is read as its week sums, one week across the period's edge
    // as its days inside it: exact, and a year is ~60 keys instead of 365.
    const segments: { bucket: string; from: Date; key: string }[] = [];
    for (const d of days) {
      if (granularity === 'day') {
        segments.push({ bucket: d.label, from: d.from, key: d.key });
        continue;
      }
      const week = periodOf('week', d.from);
      const whole = week.from.getTime() >= period.from.getTime() && week.to.getTime() <= period.to.getTime();
      if (!whole) segments.push({ bucket: week.label, from: d.from, key: d.key });
      else if (week.from.getTime() === d.from.getTime()) segments.push({ bucket: week.label, from: d.from, key: week.key });
    }
    const view = await this.deps.facts.view(segments.map((g) => g.key), asOf, { topics: false });
    const buckets = new Map<string, { from: Date; counters: Map<FactCounter, number>; open: Map<OpenDueField, number> }>();
    for (const g of segments) {
      let b = buckets.get(g.bucket);
      if (!b) {
        b = { from: g.from, counters: new Map(), open: new Map() };
        buckets.set(g.bucket, b);
      }
      for (const { counters } of view.sumByUnit(g.key, unitId)) {
        for (const [k, v] of Object.entries(counters)) b.counters.set(k as FactCounter, (b.counters.get(k as FactCounter) ?? 0) + v);
      }
      for (const f of OPEN_FIELDS) {
        for (const v of view.countOpenBefore(g.key, f, unitId).values()) b.open.set(f, (b.open.get(f) ?? 0) + v);
      }
    }
    const points = [...buckets].map(([key, b]) => {
      const k = unitKpis((c) => b.counters.get(c) ?? 0, (f) => b.open.get(f) ?? 0);
      return { key, from: b.from, dispatched: b.counters.get('dispatched') ?? 0, onTimeCompletion: k.onTimeCompletion, feedback: k.feedback, satisfaction: k.satisfaction, callback: k.callback };
    });
    return {
      period: { kind: period.kind, label: period.label, from: period.from, to: period.to },
      granularity, unitId: unitId ?? null, asOf, points,
    };
  }

  /** The report without an actor (scheduled snapshots). `asOf` defaults to the end of the period or now, whichever is earlier. */
  async compute(period: Period, opts: { unitId?: string; topN?: number; asOf?: Date } = {}): Promise<WorkOrderReport> {
    const t0 = Date.now();
    const now = this.deps.clock();
    const asOf = opts.asOf ?? new Date(Math.min(now, period.to.getTime()));
    const prev = previousPeriod(period);
    const topN = opts.topN ?? 10;
    const months = period.kind === 'year' ? monthsOf(period, asOf) : [];
    const [view, complaints] = await Promise.all([
      this.deps.facts.view([period.key, prev.key, ...months.map((m) => m.key)], asOf),
      this.deps.complaints.countUpheld(period.from, period.to),
    ]);
    const sums = view.sumByUnit(period.key, opts.unitId);
    const opens = OPEN_FIELDS.map((f) => view.countOpenBefore(period.key, f, opts.unitId));
    const cats = view.topics(period.key, 'category', topN);
    const prevCats = view.topics(prev.key, 'category', 1000);
    const areas = view.topics(period.key, 'areaCode', topN);
    const prevAreas = view.topics(prev.key, 'areaCode', 1000);
    const monthly = months.map((m) => monthKpis(view, m.key, opts.unitId));
    const aggregation = this.deps.scoring().annualAggregation;
    const open = (f: OpenDueField, unit: string): number => opens[OPEN_FIELDS.indexOf(f)]?.get(unit) ?? 0;
    const units = sums.map(({ unitId, counters }) => {
      const c = (k: FactCounter): number => counters[k] ?? 0;
      const kpis = unitKpis(c, (f) => open(f, unitId));
      const upheldComplaints = complaints.get(unitId) ?? 0;
      const yanji = yanjiMonthlyScore({
        lateSigns: c('signLate') + open('signOpenDueAt', unitId),
        lateReturns: 0,
        lateCompletions: c('completedLate'),
        overdueUnfinished: open('unfinishedDueAt', unitId),
        extensionViolations: 0,
        lateReplies: c('feedbackLate') + open('feedbackOpenDueAt', unitId),
        satisfactionRate: rate(c('satisfied'), c('active')).value,
        redos: c('reopens'),
        repeatComplaints: c('repeat'),
        supervisionCases: 0,
      });
      // 密云 2014 附件2 第二条(四) "经查属实后,每次投诉扣0.01分,扣完0.4分为止".
      const score = (completion: number | null, feedback: number | null, satisfaction: number | null): BeijingScore =>
        beijingScore({ onTimeCompletionRate: completion, feedbackRate: feedback, satisfactionRate: satisfaction, upheldComplaints });
      if (period.kind !== 'year') {
        const beijing = score(kpis.onTimeCompletion.value, kpis.feedback.value, kpis.satisfaction.value);
        return { unitId, dispatched: c('dispatched'), kpis, upheldComplaints, beijing, yanji };
      }
      const mine = monthly.map((m) => m.get(unitId));
      const yearly = (pick: (k: UnitKpis) => Rate, pooled: Rate): AnnualRate => ({
        ...annualRate(mine.map((k) => (k ? pick(k) : rate(0, 0)))),
        pooled, // the year's own sums: equal to the months' sums, and exact when a month key is missing
      });
      const otc = yearly((k) => k.onTimeCompletion, kpis.onTimeCompletion);
      const fb = yearly((k) => k.feedback, kpis.feedback);
      const sat = yearly((k) => k.satisfaction, kpis.satisfaction);
      const byRule = (a: AnnualAggregation): BeijingScore => score(annualValue(otc, a), annualValue(fb, a), annualValue(sat, a));
      const annual: AnnualRates = {
        aggregation, onTimeCompletion: otc, feedback: fb, satisfaction: sat,
        beijing: { monthlyAverage: byRule('monthlyAverage'), pooled: byRule('pooled') },
      };
      return { unitId, dispatched: c('dispatched'), kpis, upheldComplaints, annual, beijing: annual.beijing[aggregation], yanji };
    });
    const ranked = rankBy(units, (u) => u.beijing.total);
    return {
      period: { kind: period.kind, label: period.label, from: period.from, to: period.to },
      asOf,
      units: ranked.map((r) => ({ ...r.item, rank: r.rank })),
      hotTopics: { categories: withChange(cats, prevCats), areas: withChange(areas, prevAreas) },
      computeMs: Date.now() - t0,
    };
  }
}

/** Supervisors and administrators: any unit or all; a unit handler: their own unit only. */
function scopedUnit(actor: Actor, unitId: string | undefined): string | undefined {
  if (actor.role !== 'unit_handler') {
    requirePermission(actor, 'kpi:read');
    return unitId;
  }
  if (actor.unitId === null || (unitId !== undefined && unitId !== actor.unitId)) requirePermission(actor, 'kpi:read');
  return actor.unitId ?? undefined;
}

/** The domain formulas (work-order-kpi.ts) from summed counters; see domain/kpi/work-order-facts.ts. */
export function unitKpis(c: (k: FactCounter) => number, open: (f: OpenDueField) => number): UnitKpis {
  return {
    onTimeCompletion: rate(c('otcOnTime'), c('otcPassed') + open('otcOpenDueAt')),
    feedback: rate(c('feedbackConfirmed'), c('reached')),
    satisfaction: rate(c('satisfied'), c('reached')),
    response: rate(c('contacted'), c('reached')),
    resolution: rate(c('resolved'), c('reached')),
    callback: rate(c('callbackReached'), c('callbackRequired')),
    timelySign: rate(c('signOnTime'), c('signCounted') + open('signOpenDueAt')),
    returns: rate(c('returnRequested'), c('dispatched')),
    redo: rate(c('redone'), c('redoBase')),
  };
}

/** The months of a year that have begun by `asOf`. */
function monthsOf(year: Period, asOf: Date): Period[] {
  const out: Period[] = [];
  for (let m = 1; m <= 12; m += 1) {
    const p = parsePeriod('month', `${year.label}-${String(m).padStart(2, '0')}`);
    if (p && p.from.getTime() <= asOf.getTime()) out.push(p);
  }
  return out;
}

/** Per unit, the KPIs of one month from the same view (same `asOf`) as the year's. */
function monthKpis(view: WorkOrderFactsView, key: string, unitId: string | undefined): Map<string, UnitKpis> {
  const opens = OPEN_FIELDS.map((f) => view.countOpenBefore(key, f, unitId));
  return new Map(
    view.sumByUnit(key, unitId).map(({ unitId: u, counters }) => [
      u,
      unitKpis((k) => counters[k] ?? 0, (f) => opens[OPEN_FIELDS.indexOf(f)]?.get(u) ?? 0),
    ]),
  );
}

function withChange(current: readonly { key: string; count: number }[], previous: readonly { key: string; count: number }[]): TopicRow[] {
  const prev = new Map(previous.map((p) => [p.key, p.count]));
  return current.map(({ key, count }) => {
    const p = prev.get(key) ?? 0;
    return { key, count, previousCount: p, change: count - p, changeRate: p === 0 ? null : (count - p) / p };
  });
}

/** A cell of an exported report: a number stays a number (spreadsheets sum it), null is empty. */
export type ReportCell = string | number | null;

export interface ReportTable {
  readonly header: readonly string[];
  readonly rows: readonly ReportCell[][];
  readonly topicHeader: readonly string[];
  readonly topics: readonly ReportCell[][];
}

const pctOf = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : round(v * 100, 2));
const pct = (r: Rate): number | null => pctOf(r.value);
const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const pts = (v: number | null | undefined, digits = 3): number | null => (v === null || v === undefined ? null : round(v, digits));
const AGGREGATION_TEXT: Record<AnnualAggregation, string> = { monthlyAverage: '月均', pooled: '全年合计' };

/**
 * The report as one table per unit, with Chinese headers (rates in percent, scores with their
 * parts), for the CSV and Excel exports; hot topics follow as a second table.
 */
export function reportTable(r: WorkOrderReport, unitNames: ReadonlyMap<string, string> = new Map()): ReportTable {
  const header = [
    '统计周期', '承办单位', '单位名称', '排名', '派单量', '按期办结率(%)', '反馈率(%)', '满意率(%)', '回访率(%)', '响应率(%)', '解决率(%)',
    '及时签收率(%)', '退单率(%)', '重办率(%)', '属实投诉(件)',
    '北京-按期办结(1分)', '北京-反馈(0.8分)', '北京-满意(0.8分)', '北京-投诉(0.4分)', '北京三项得分(3分)',
    '延吉-签收', '延吉-退单', '延吉-办结', '延吉-延期', '延吉-答复', '延吉-满意', '延吉-无重办', '延吉-无重复投诉',
    '延吉-承办处理(57分)', '延吉-催办督办(15分)', '延吉得分(72分)',
    '年度汇总方式', '按期办结率-月均(%)', '按期办结率-全年(%)', '北京得分-月均', '北京得分-全年',
  ];
  const rows = r.units.map((u): ReportCell[] => {
    const y = u.yanji.items;
    return [
      r.period.label, u.unitId, unitNames.get(u.unitId) ?? u.unitId, u.rank, u.dispatched, pct(u.kpis.onTimeCompletion), pct(u.kpis.feedback), pct(u.kpis.satisfaction),
      pct(u.kpis.callback), pct(u.kpis.response), pct(u.kpis.resolution), pct(u.kpis.timelySign), pct(u.kpis.returns), pct(u.kpis.redo),
      u.upheldComplaints,
      pts(u.beijing.completion), pts(u.beijing.feedback), pts(u.beijing.satisfaction), pts(u.beijing.complaints), pts(u.beijing.total),
      y.sign, y.return, y.completion, y.extension, y.reply, y.satisfaction, y.noRedo, y.noRepeat,
      u.yanji.handling, u.yanji.supervision, u.yanji.total,
      u.annual ? AGGREGATION_TEXT[u.annual.aggregation] : null,
      pctOf(u.annual?.onTimeCompletion.monthlyAverage), u.annual ? pct(u.annual.onTimeCompletion.pooled) : null,
      pts(u.annual?.beijing.monthlyAverage.total), pts(u.annual?.beijing.pooled.total),
    ];
  });
  const topicRow = (kind: string) => (t: TopicRow): ReportCell[] => [kind, t.key, t.count, t.previousCount, t.change, t.changeRate === null ? null : round(t.changeRate * 100, 2)];
  return {
    header, rows,
    topicHeader: ['热点', '名称', '本期件数', '上期件数', '增减', '增减率(%)'],
    topics: [...r.hotTopics.categories.map(topicRow('诉求类型')), ...r.hotTopics.areas.map(topicRow('区域'))],
  };
}

/** Writes the report as an Excel workbook (adapters/xlsx). */
export type ReportWorkbookWriter = (r: WorkOrderReport, unitNames?: ReadonlyMap<string, string>) => Promise<Buffer>;

/** One line per unit, then the hot topics. UTF-8 with BOM so spreadsheet programs read the Chinese. */
export function reportToCsv(r: WorkOrderReport, unitNames?: ReadonlyMap<string, string>): string {
  const t = reportTable(r, unitNames);
  const line = (cells: readonly ReportCell[]): string => cells.map((c) => csvCell(c ?? '')).join(',');
  return `\uFEFF${[t.header, ...t.rows, [], t.topicHeader, ...t.topics].map(line).join('\r\n')}\r\n`;
}

/**
 * One CSV cell. Text that a spreadsheet would read as a formula (starting with = + - @, a tab or a
 * carriage return) gets a leading apostrophe (OWASP CSV injection); numbers stay numbers.
 */
export function csvCell(v: unknown): string {
  const s = typeof v === 'string' ? csvSafeText(v) : String(v);
  return /[",\r\n\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Text a spreadsheet would read as a formula gets a leading apostrophe. */
export function csvSafeText(raw: string): string {
  return /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
}
