/** In-memory ports for the work-order use cases (same contracts as the database adapters). */
import type { Actor } from '../../../../src/domain/access';
import { TERMINAL_STATUSES, type RepeatCandidate, type WorkOrder } from '../../../../src/domain/work-order';
import type {
  NoticeLog, OrderChangeLog, RadarFilter, SentNoticeRecord, SweepProgress,
  KnowledgeArticle, KnowledgeCandidate, KnowledgeRepository, KnowledgeSearchQuery, OpenDueField, Page, StoredPreset,
  StoredWorkOrder, UnitCounterSums, WakeSchedule, WorkOrderFactsRepository, WorkOrderFactsView, WorkOrderFilter, WorkOrderIndexFields,
  WorkOrderRepository, WorkOrderSettingsStore,
} from '../../../../src/app/work-orders/work-orders.ports';
import { FACT_COUNTERS, type WorkOrderFactRow } from '../../../../src/domain/kpi/work-order-facts';
import { wakeNeedsListing } from '../../../../src/app/work-orders/lifecycle/work-order.index';
import type { CalendarYearData } from '../../../../src/domain/calendar';

type Row = StoredWorkOrder & { index: WorkOrderIndexFields };

/** The wake schedule in memory: minute → ids, hour → minutes (same contract as MongoWakeSchedule). */
export class FakeWakes implements WakeSchedule {
  readonly byMinute = new Map<number, string[]>();
  readonly byHour = new Map<number, number[]>();

  async add(orderId: string, wakeAt: Date, now: Date): Promise<void> {
    const minute = Math.floor(Math.max(wakeAt.getTime(), now.getTime()) / 60_000);
    const list = this.byMinute.get(minute);
    if (list) list.push(orderId);
    else {
      this.byMinute.set(minute, [orderId]);
      const hour = Math.floor(minute / 60);
      this.byHour.set(hour, [...(this.byHour.get(hour) ?? []), minute]);
    }
  }
  addManyCalls = 0;
  async addMany(items: readonly (readonly [string, Date])[], now: Date): Promise<void> {
    this.addManyCalls += 1;
    for (const [id, at] of items) await this.add(id, at, now);
  }
  /** The hour ranges asked for, in order. */
  readonly hourReads: [number, number][] = [];
  async minutes(fromHour: number, toHour: number, also: readonly number[]): Promise<number[]> {
    this.hourReads.push([fromHour, toHour]);
    const found = new Set<number>();
    for (const [h, ms] of this.byHour) if (h >= fromHour && h <= toHour) ms.forEach((m) => found.add(m));
    for (const m of also) if (this.byMinute.has(m)) found.add(m);
    return [...found].sort((a, b) => a - b);
  }
  readonly reads: { minute: number; from: number }[] = [];
  async entries(minute: number, from = 0): Promise<{ ids: string[]; next: number }> {
    this.reads.push({ minute, from });
    const ids = (this.byMinute.get(minute) ?? []).slice(from);
    return { ids, next: from + ids.length };
  }
  async drop(minute: number): Promise<void> {
    this.byMinute.delete(minute);
    this.saved.delete(minute);
  }
  /** Sweep progress saved per minute. */
  readonly saved = new Map<number, SweepProgress>();
  async progress(minutes: readonly number[]): Promise<Map<number, SweepProgress>> {
    return new Map(minutes.flatMap((m): [number, SweepProgress][] => {
      const p = this.saved.get(m);
      return p ? [[m, p]] : [];
    }));
  }
  async saveProgress(minute: number, p: SweepProgress): Promise<void> {
    this.saved.set(minute, p);
  }
  async dropHour(hour: number): Promise<void> {
    this.byHour.delete(hour);
  }
}

export class FakeOrders implements WorkOrderRepository {
  readonly rows = new Map<string, Row>();

  constructor(
    readonly wakes: FakeWakes = new FakeWakes(),
    private readonly clock: () => number = Date.now,
  ) {}

  private seq = new Map<string, number>();
  /** Called before a replace is applied: lets a test slip in a concurrent write. */
  beforeReplace: ((id: string) => void) | null = null;
  /** Marked before every replace, as MongoWorkOrderRepository does. */
  changes: OrderChangeLog | null = null;
  writes = 0;

  async nextSequence(day: string): Promise<number> {
    const n = (this.seq.get(day) ?? 0) + 1;
    this.seq.set(day, n);
    return n;
  }
  async insert(order: WorkOrder, index: WorkOrderIndexFields): Promise<StoredWorkOrder> {
    if (index.wakeAt) await this.wakes.add(order.id, index.wakeAt, new Date(this.clock()));
    const row = { order, rev: 1, index, ...pickTimes(index) };
    this.rows.set(order.id, row);
    return row;
  }
  /** Ids of every get, in order. */
  readonly gets: string[] = [];
  async get(id: string): Promise<StoredWorkOrder | null> {
    this.gets.push(id);
    return this.rows.get(id) ?? null;
  }
  async replace(order: WorkOrder, expectedRev: number, index: WorkOrderIndexFields): Promise<number | null> {
    await this.changes?.mark(order.id, new Date(this.clock()));
    this.beforeReplace?.(order.id);
    const cur = this.rows.get(order.id);
    if (!cur || cur.rev !== expectedRev) return null;
    this.writes += 1;
    const now = this.clock();
    if (wakeNeedsListing(index.wakeAt, cur.wakeAt, now)) {
      await this.wakes.add(order.id, index.wakeAt, new Date(now));
    }
    this.rows.set(order.id, { order, rev: expectedRev + 1, index, ...pickTimes(index) });
    return expectedRev + 1;
  }
  async byStatus(status: string, afterId: string, limit: number): Promise<StoredWorkOrder[]> {
    return [...this.rows.values()]
      .filter((r) => r.order.status === status && r.order.id > afterId)
      .sort((a, b) => (a.order.id < b.order.id ? -1 : 1))
      .slice(0, limit)
      .map((r) => ({ order: r.order, rev: r.rev }));
  }

  async openWithProvisionalDeadlines(): Promise<string[]> {
    return [...this.rows.values()]
      .filter((r) => !TERMINAL_STATUSES.has(r.order.status) && Object.values(r.order.deadlines).some((d) => d && d.provisional && !d.metAt))
      .map((r) => r.order.id);
  }
  async list(f: WorkOrderFilter, page: number, pageSize: number): Promise<Page<StoredWorkOrder>> {
    const all = [...this.rows.values()].filter((r) => f.unitId === undefined || r.index.unitIds.includes(f.unitId));
    return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize };
  }
  /** The radar as MongoWorkOrderRepository answers it: open orders (radarDueAt set) by due instant, then id. */
  async radar(f: RadarFilter, page: number, pageSize: number): Promise<Page<StoredWorkOrder>> {
    const t = f.now.getTime();
    const all = [...this.rows.values()]
      .filter((r) => r.index.radarDueAt !== undefined)
      .filter((r) => f.unitId === undefined || r.index.unitIds.includes(f.unitId))
      .filter((r) => f.category === undefined || r.order.category === f.category)
      .filter((r) => f.urgency === undefined || r.order.urgency === f.urgency)
      .filter((r) => !f.status || f.status.length === 0 || f.status.includes(r.order.status))
      .filter((r) => {
        const due = r.index.radarDueAt?.getTime() ?? 0;
        if (f.level === 'overdue') return due < t;
        if (f.level === 'warning') return due >= t && r.index.radarRemindAt !== undefined && r.index.radarRemindAt.getTime() <= t;
        return true;
      })
      .sort((a, b) => (a.index.radarDueAt?.getTime() ?? 0) - (b.index.radarDueAt?.getTime() ?? 0) || (a.order.id < b.order.id ? -1 : 1))
      .map((r) => ({ order: r.order, rev: r.rev, ...pickRadar(r.index) }));
    return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize };
  }
  async findRepeatCandidates(phoneKey: string, since: Date): Promise<RepeatCandidate[]> {
    return [...this.rows.values()]
      .filter((r) => r.index.phoneKey === phoneKey && r.order.createdAt >= since)
      .map((r) => ({
        id: r.order.id, phone: r.order.caller.phone ?? '', category: r.order.category, areaCode: r.order.areaCode,
        acceptedAt: r.order.acceptedAt ?? r.order.createdAt, ...(r.order.repeatOf ? { repeatOf: r.order.repeatOf } : {}),
      }));
  }
}

function pickRadar(i: WorkOrderIndexFields) {
  return {
    ...(i.radarDueAt ? { radarDueAt: i.radarDueAt } : {}), ...(i.radarStage ? { radarStage: i.radarStage } : {}),
    ...(i.radarRemindAt ? { radarRemindAt: i.radarRemindAt } : {}),
  };
}

function pickTimes(i: WorkOrderIndexFields) {
  return {
    ...(i.wakeAt ? { wakeAt: i.wakeAt } : {}), ...(i.nextNoticeAt ? { nextNoticeAt: i.nextNoticeAt } : {}),
    ...(i.contactRetryAt ? { contactRetryAt: i.contactRetryAt } : {}), ...(i.callbackDueAt ? { callbackDueAt: i.callbackDueAt } : {}),
  };
}

/** OrderChangeLog in memory. */
export class FakeChangeLog implements OrderChangeLog {
  readonly marks: { orderId: string; minute: number }[] = [];
  /** The next changedSince fails (a database error). */
  failNext = false;
  async mark(orderId: string, at: Date): Promise<void> {
    this.marks.push({ orderId, minute: Math.floor(at.getTime() / 60_000) });
  }
  async changedSince(fromMinute: number): Promise<Map<string, number>> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database unavailable');
    }
    const out = new Map<string, number>();
    for (const m of this.marks) if (m.minute >= fromMinute) out.set(m.orderId, Math.max(m.minute, out.get(m.orderId) ?? m.minute));
    return out;
  }
  async prune(beforeMinute: number): Promise<void> {
    const keep = this.marks.filter((m) => m.minute >= beforeMinute);
    this.marks.splice(0, this.marks.length, ...keep);
  }
}

/** NoticeLog in memory: a key is recorded once. */
export class FakeNoticeLog implements NoticeLog {
  readonly rows = new Map<string, SentNoticeRecord>();
  /** Keys whose next record fails (a database error), once each. */
  readonly failNext = new Set<string>();
  /** Called before a record is applied: lets a test slip in a concurrent sweep. */
  beforeRecord: ((notices: readonly SentNoticeRecord[]) => void) | null = null;
  async record(notices: readonly SentNoticeRecord[]): Promise<{ recorded: ReadonlySet<string>; failed: ReadonlySet<string> }> {
    this.beforeRecord?.(notices);
    const recorded = new Set<string>();
    const failed = new Set<string>();
    for (const n of notices) {
      if (this.failNext.delete(n.key)) failed.add(n.key);
      else if (!this.rows.has(n.key)) {
        this.rows.set(n.key, n);
        recorded.add(n.key);
      }
    }
    return { recorded, failed };
  }
  async find(keys: readonly string[]): Promise<SentNoticeRecord[]> {
    return keys.flatMap((k) => {
      const r = this.rows.get(k);
      return r ? [r] : [];
    });
  }
}

export class FakeFacts implements WorkOrderFactsRepository {
  readonly rows = new Map<string, WorkOrderFactRow & { orderRev: number }>();
  /** Keeps the rows of each order's highest revision (the replaced rows are not needed to sum from scratch). */
  async put(orderId: string, orderRev: number, rows: readonly WorkOrderFactRow[], _previousRows: readonly WorkOrderFactRow[] = []): Promise<void> {
    for (const r of rows) {
      const cur = this.rows.get(r.id);
      if (!cur || cur.orderRev < orderRev) this.rows.set(r.id, { ...r, orderRev });
    }
    for (const [id, r] of this.rows) if (r.orderId === orderId && r.idx >= rows.length && r.orderRev < orderRev) this.rows.delete(id);
  }
  /** Sums over the stored rows from scratch. */
  async view(_periodKeys: readonly string[], asOf: Date): Promise<WorkOrderFactsView> {
    const rows = [...this.rows.values()];
    return {
      sumByUnit(periodKey: string, unitId?: string): UnitCounterSums[] {
        const m = new Map<string, Record<string, number>>();
        for (const r of rows) {
          if (!r.periods.includes(periodKey) || r.unitId === null || (unitId !== undefined && r.unitId !== unitId)) continue;
          const s = m.get(r.unitId) ?? Object.fromEntries(FACT_COUNTERS.map((c) => [c, 0]));
          for (const c of FACT_COUNTERS) s[c] = (s[c] ?? 0) + r.counters[c];
          m.set(r.unitId, s);
        }
        return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([u, counters]) => ({ unitId: u, counters }));
      },
      countOpenBefore(periodKey: string, field: OpenDueField, unitId?: string): Map<string, number> {
        const m = new Map<string, number>();
        for (const r of rows) {
          const due = r[field];
          if (!r.periods.includes(periodKey) || !due || due >= asOf || r.unitId === null || (unitId !== undefined && r.unitId !== unitId)) continue;
          m.set(r.unitId, (m.get(r.unitId) ?? 0) + 1);
        }
        return m;
      },
      topics(periodKey: string, dimension: 'category' | 'areaCode', limit: number) {
        const m = new Map<string, number>();
        for (const r of rows) if (r.topicPeriods.includes(periodKey)) m.set(r[dimension], (m.get(r[dimension]) ?? 0) + 1);
        return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, limit).map(([key, count]) => ({ key, count }));
      },
    };
  }
}

export class FakeKnowledge implements KnowledgeRepository {
  readonly rows = new Map<string, { article: KnowledgeArticle; tokens: readonly string[] }>();
  async insert(article: KnowledgeArticle, tokens: readonly string[]): Promise<void> {
    this.rows.set(article.id, { article, tokens });
  }
  async get(id: string): Promise<KnowledgeArticle | null> {
    return this.rows.get(id)?.article ?? null;
  }
  async replace(article: KnowledgeArticle, tokens: readonly string[], expectedRev: number): Promise<boolean> {
    const cur = this.rows.get(article.id);
    if (!cur || cur.article.rev !== expectedRev) return false;
    this.rows.set(article.id, { article: { ...article, useCount: cur.article.useCount }, tokens });
    return true;
  }
  async search(q: KnowledgeSearchQuery): Promise<KnowledgeCandidate[]> {
    return [...this.rows.values()]
      .filter(({ article: a, tokens }) => tokens.some((t) => q.tokens.includes(t)) && a.validFrom <= q.at && (a.validTo === null || a.validTo >= q.at))
      .filter(({ article: a }) => q.category === undefined || a.category === q.category)
      .slice(0, q.limit)
      .map(({ article, tokens }) => ({ article, tokens }));
  }
  async incrementUse(id: string): Promise<void> {
    const cur = this.rows.get(id);
    if (cur) this.rows.set(id, { ...cur, article: { ...cur.article, useCount: cur.article.useCount + 1 } });
  }
}

export class FakeSettings implements WorkOrderSettingsStore {
  active: string | null = null;
  presets: StoredPreset[] = [];
  years: CalendarYearData[] = [];
  async getActivePresetId() {
    return this.active;
  }
  async setActivePresetId(id: string) {
    this.active = id;
  }
  async listPresets() {
    return this.presets;
  }
  async putPreset(stored: StoredPreset) {
    if (this.presets.some((p) => p.preset.id === stored.preset.id && p.preset.version === stored.preset.version)) return false;
    this.presets = [...this.presets, stored];
    return true;
  }
  async listCalendarYears() {
    return this.years;
  }
  async putCalendarYear(year: CalendarYearData) {
    if (this.years.some((y) => y.year === year.year && y.version >= year.version)) return false;
    this.years = [...this.years.filter((y) => y.year !== year.year), year];
    return true;
  }
}

export const actor = (role: Actor['role'], extra: Partial<Actor> = {}): Actor => ({
  userId: `${role}-1`, role, agentId: role === 'agent' ? '1001' : null, unitId: role === 'unit_handler' ? 'unit-1' : null, groupId: null, ...extra,
});
