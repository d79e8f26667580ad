/**
 * Ports of the work-order use cases. Adapters: mongoose repositories (adapters/db), the cron
 * scheduler (adapters/jobs). Everything crossing a port is plain data.
 */
import type { CalendarYearData } from '../../domain/calendar';
import type { RepeatCandidate, RegulationPreset, WorkOrder } from '../../domain/work-order';
import type { WorkOrderFactRow } from './work-order.facts';

export type Clock = () => number;

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

/** An order as stored: the domain value plus its revision (optimistic concurrency). */
export interface StoredWorkOrder {
  readonly order: WorkOrder;
  /** 1 on insert, +1 on every write. A write names the revision it read. */
  readonly rev: number;
  /** When the sweep should next look at the order (min of the three below); indexed. */
  readonly wakeAt?: Date;
  readonly nextNoticeAt?: Date;
  readonly contactRetryAt?: Date;
  readonly callbackDueAt?: Date;
}

/** Fields derived from the order at write time so reads and the sweep use indexes. */
export interface WorkOrderIndexFields {
  readonly wakeAt?: Date;
  readonly nextNoticeAt?: Date;
  readonly contactRetryAt?: Date;
  readonly callbackDueAt?: Date;
  /** Lead and co-units: who may see the order. */
  readonly unitIds: readonly string[];
  /** Normalized caller phone, for repeat-complaint lookup. */
  readonly phoneKey?: string;
}

export interface WorkOrderFilter {
  readonly status?: readonly string[];
  /** Orders whose lead or co-units include this unit. */
  readonly unitId?: string;
  readonly category?: string;
  readonly urgency?: string;
  readonly areaCode?: string;
  readonly number?: string;
  readonly phoneKey?: string;
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
}

export interface WorkOrderRepository {
  /** Next value of a per-day counter (1, 2, …) for readable numbers. */
  nextSequence(day: string): Promise<number>;
  /** Inserts a new order at rev 1. */
  insert(order: WorkOrder, index: WorkOrderIndexFields): Promise<StoredWorkOrder>;
  get(id: string): Promise<StoredWorkOrder | null>;
  /**
   * Replaces the order only if the stored revision is still `expectedRev` (and, when given, none of
   * `absentNoticeKeys` is in `sentNoticeKeys`). Returns the new revision, or null when the condition failed.
   */
  replace(order: WorkOrder, expectedRev: number, index: WorkOrderIndexFields, absentNoticeKeys?: readonly string[]): Promise<number | null>;
  list(filter: WorkOrderFilter, page: number, pageSize: number): Promise<Page<StoredWorkOrder>>;
  /** Earlier orders with this normalized phone created at or after `since` (indexed on phoneKey). */
  findRepeatCandidates(phoneKey: string, since: Date, limit: number): Promise<RepeatCandidate[]>;
  /**
   * Orders whose `wakeAt` ≤ `now`, oldest first, strictly after the cursor (wakeAt, id), at most
   * `limit` (indexed on wakeAt, _id).
   */
  findDue(now: Date, limit: number, after?: { readonly wakeAt: Date; readonly id: string }): Promise<StoredWorkOrder[]>;
}

/** The compact per-order facts the KPI reports aggregate. */
export interface WorkOrderFactsRepository {
  /** Writes the order's rows (replacing older rows of a lower revision) and drops rows it no longer has. */
  put(orderId: string, orderRev: number, rows: readonly WorkOrderFactRow[]): Promise<void>;
  /** Sums of every numeric counter of unit rows in the period, grouped by unit. */
  sumByUnit(periodKey: string, unitId?: string): Promise<UnitCounterSums[]>;
  /** Per unit, rows in the period whose `field` is set and earlier than `before`. */
  countOpenBefore(periodKey: string, field: OpenDueField, before: Date, unitId?: string): Promise<Map<string, number>>;
  /** Orders per category or area whose topic period is `periodKey`, most frequent first. */
  topics(periodKey: string, dimension: 'category' | 'areaCode', limit: number): Promise<{ key: string; count: number }[]>;
}

export type OpenDueField = 'signOpenDueAt' | 'otcOpenDueAt' | 'unfinishedDueAt' | 'feedbackOpenDueAt';

export interface UnitCounterSums {
  readonly unitId: string;
  readonly counters: Readonly<Record<string, number>>;
}

// ---- settings: presets and calendar ----

export interface StoredPreset {
  readonly preset: RegulationPreset;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

export interface WorkOrderSettingsStore {
  getActivePresetId(): Promise<string | null>;
  setActivePresetId(id: string, by: string, now: Date): Promise<void>;
  listPresets(): Promise<StoredPreset[]>;
  putPreset(preset: RegulationPreset, by: string, now: Date): Promise<void>;
  listCalendarYears(): Promise<CalendarYearData[]>;
  /** Stores the year only if no stored version is ≥ `year.version`; false when a newer one exists. */
  putCalendarYear(year: CalendarYearData, by: string, now: Date): Promise<boolean>;
}

// ---- knowledge base ----

export interface KnowledgeArticle {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly category: string;
  readonly keywords: readonly string[];
  readonly ownerUnitId: string | null;
  readonly validFrom: Date;
  /** Null: valid until withdrawn. */
  readonly validTo: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly updatedBy: string;
  readonly rev: number;
  /** Consultations answered with this article. */
  readonly useCount: number;
}

export interface KnowledgeSearchQuery {
  /** Any of these tokens (CJK bigrams, words, keywords). */
  readonly tokens: readonly string[];
  readonly category?: string;
  /** Valid at this instant. */
  readonly at: Date;
  readonly limit: number;
}

export interface KnowledgeCandidate {
  readonly article: KnowledgeArticle;
  readonly tokens: readonly string[];
}

export interface KnowledgeRepository {
  insert(article: KnowledgeArticle, tokens: readonly string[]): Promise<void>;
  get(id: string): Promise<KnowledgeArticle | null>;
  /** Replaces the article if its revision is still `expectedRev`; false otherwise. */
  replace(article: KnowledgeArticle, tokens: readonly string[], expectedRev: number): Promise<boolean>;
  /** Articles sharing at least one token (indexed array), valid at `at`. */
  search(q: KnowledgeSearchQuery): Promise<KnowledgeCandidate[]>;
  incrementUse(id: string): Promise<void>;
}

// ---- scheduled jobs ----

/** One runner per job across instances: a lease in the database, per time slot of `leaseMs`. */
export interface JobLock {
  /** Takes (or, for the same owner, confirms) the job for the slot containing `now`; false when another owner holds it. */
  acquire(job: string, owner: string, leaseMs: number, now: Date): Promise<boolean>;
  /** Gives up the slots `owner` holds from now on. */
  release(job: string, owner: string): Promise<void>;
}

/** Stored report snapshots (the scheduled report job writes them). */
export interface ReportSnapshotStore {
  save(id: string, report: unknown, now: Date): Promise<void>;
  get(id: string): Promise<unknown>;
}

/** A job the scheduler runs on a cron expression, on one instance at a time. */
export interface ScheduledJob {
  readonly name: string;
  /** node-cron expression (seconds field allowed). */
  readonly cron: string;
  /** Lease slot taken at each firing (and renewed while running): the cron interval. */
  readonly leaseMs: number;
  run(): Promise<void>;
}
