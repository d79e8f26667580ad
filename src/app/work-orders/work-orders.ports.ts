/**
 * Ports of the work-order use cases. Adapters: mongoose repositories (adapters/db), the cron
 * scheduler (adapters/jobs). Everything crossing a port is plain data.
 */
import type { CallSubject } from '../../domain/access';
import type { CalendarYearData } from '../../domain/calendar';
import type { ComplaintStatus, DeadlineStage, RepeatCandidate, RegulationPreset, UnitComplaint, WorkOrder } from '../../domain/work-order';
import type { FactChange, WorkOrderFactRow, WorkOrderFactsView } from '../../domain/kpi/work-order-facts';

export type { FactChange, OpenDueField, PackedFactRow, UnitCounterSums, WorkOrderFactsView } from '../../domain/kpi/work-order-facts';

export type { Clock } from '../../shared/clock';

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
  readonly radarDueAt?: Date;
  readonly radarStage?: DeadlineStage;
  readonly radarRemindAt?: Date;
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
  /** Who handles the case (domain/access `caseHandlerKeys`): a search by phone may show them a confidential order. */
  readonly handlerKeys: readonly string[];
  /**
   * The deadline radar's sort key, set on every open order: the due instant of its current stage
   * (domain `radarDeadline`), or RADAR_NO_DEADLINE when no stage clock runs (the order sorts last).
   * Unset on closed orders, so "open" is a range on the index.
   */
  readonly radarDueAt?: Date;
  readonly radarStage?: DeadlineStage;
  readonly radarRemindAt?: Date;
}

/** The radar key of an open order without a running stage clock: after every real deadline. */
export const RADAR_NO_DEADLINE = new Date('9999-12-31T00:00:00.000Z');

/** The radar fields alone (written at each write, or by the backfill for orders from before them). */
export type RadarFields = Pick<WorkOrderIndexFields, 'radarDueAt' | 'radarStage' | 'radarRemindAt'>;

/** Open orders written before the radar fields existed, and the one write that gives them theirs. */
export interface RadarBackfillStore {
  /** Open orders without `radarDueAt` whose id comes after `afterId`, in id order. */
  withoutRadar(afterId: string, limit: number): Promise<StoredWorkOrder[]>;
  /**
   * Sets the radar fields where the order is still at `rev` and still has none (a write since gave it
   * its own); the order and its revision are left as they are. False when nothing was set.
   */
  setRadar(id: string, rev: number, fields: RadarFields): Promise<boolean>;
}

/** The deadline radar's filters (server-side; each has an index led by the filter and the due instant). */
export interface RadarFilter {
  readonly unitId?: string;
  readonly category?: string;
  readonly urgency?: string;
  readonly status?: readonly string[];
  /** overdue: due before `now`; warning: 催办 instant reached, not yet due. */
  readonly level?: 'overdue' | 'warning';
  readonly now: Date;
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
  /**
   * With `phoneKey`: the searcher's handler keys (domain/access `actorHandlerKeys`); a confidential
   * order matches only when one of them is among the order's `handlerKeys`.
   */
  readonly searcherKeys?: readonly string[];
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
  /** Orders made from (or linked to) this call. */
  readonly callId?: string;
}

export interface WorkOrderRepository {
  /** Next value of a per-day counter (1, 2, …) for readable numbers. */
  nextSequence(day: string): Promise<number>;
  /** Inserts a new order at rev 1. */
  insert(order: WorkOrder, index: WorkOrderIndexFields): Promise<StoredWorkOrder>;
  get(id: string): Promise<StoredWorkOrder | null>;
  /**
   * Replaces the order only if the stored revision is still `expectedRev`, listing a changed wake
   * time in the wake schedule first. Returns the new revision, or null when the condition failed.
   */
  replace(order: WorkOrder, expectedRev: number, index: WorkOrderIndexFields): Promise<number | null>;
  list(filter: WorkOrderFilter, page: number, pageSize: number): Promise<Page<StoredWorkOrder>>;
  /** Open orders by their current stage's due instant (soonest first), with the radar fields. */
  radar(filter: RadarFilter, page: number, pageSize: number): Promise<Page<StoredWorkOrder>>;
  /** Orders in `status` with an id after `afterId`, in id order (a cursor over them, no count). */
  byStatus(status: string, afterId: string, limit: number): Promise<StoredWorkOrder[]>;
  /** Ids of orders not closed that have an open provisional deadline (a calendar year arrived or changed). */
  openWithProvisionalDeadlines(): Promise<string[]>;
  /** Earlier orders with this normalized phone created at or after `since` (indexed on phoneKey). */
  findRepeatCandidates(phoneKey: string, since: Date, limit: number): Promise<RepeatCandidate[]>;
}

/**
 * What the sweep sent: 催办/督办 notices, and the announcements of a due first-contact retry or
 * callback. The key is unique (the notice's idempotency key), so of several sweeps recording the same
 * notice exactly one records it, and only that one announces it.
 */
export interface SentNoticeRecord {
  readonly key: string;
  readonly orderId: string;
  readonly kind: 'reminder' | 'supervision' | 'contactRetry' | 'callback';
  /** For reminder / supervision. */
  readonly stage?: DeadlineStage;
  readonly level?: string;
  /** The deadline (retry / callback: when it became due). */
  readonly dueAt: Date;
  /** When it was sent. */
  readonly at: Date;
}

/**
 * The sweep's notices, kept apart from the orders so that sending one costs a small insert instead
 * of a rewrite of the order (the order's history gets them when it is next read, see
 * WorkOrderService).
 */
export interface NoticeLog {
  /**
   * Records those of `notices` not recorded yet. `recorded`: the keys this call recorded (announce
   * these); `failed`: those it could not record for another reason (try again later).
   */
  record(notices: readonly SentNoticeRecord[]): Promise<{ readonly recorded: ReadonlySet<string>; readonly failed: ReadonlySet<string> }>;
  /** Those of `keys` that are recorded. */
  find(keys: readonly string[]): Promise<SentNoticeRecord[]>;
}

/**
 * Which orders were written, by the writer's epoch minute. A writer marks an order BEFORE it writes
 * it (a mark without a write, after a crash, only costs a read), so whoever read an order before a
 * mark's minute minus a small margin for clock lag knows the order has not changed since unless a
 * mark says so. The sweep relies on it to keep orders it read ahead of their wake time.
 */
export interface OrderChangeLog {
  /** Notes that the order is about to be written. */
  mark(orderId: string, at: Date): Promise<void>;
  /** The orders marked in `fromMinute` or later, each with the latest minute it was marked in. */
  changedSince(fromMinute: number): Promise<Map<string, number>>;
  /** Forgets the marks of minutes before `beforeMinute`. */
  prune(beforeMinute: number): Promise<void>;
}

/** How far a sweep has read a minute's entries, and the orders in it to look at again: [id, epoch ms]. */
export interface SweepProgress {
  readonly upTo: number;
  readonly again: readonly (readonly [string, number])[];
}

/**
 * When orders must be looked at again, listed by the minute of their `wakeAt` (epoch minutes), so
 * the sweep reads the few minutes that passed instead of querying a range over every open order.
 * The order repository adds an order whenever it writes a new `wakeAt`, the sweep whenever it has
 * sent what was due (the order's next wake); entries are hints (an order may be listed in several
 * minutes; what is due when it is read decides).
 */
export interface WakeSchedule {
  /** Lists the order under the minute of `wakeAt`, or of `now` when `wakeAt` has passed. */
  add(orderId: string, wakeAt: Date, now: Date): Promise<void>;
  /**
   * Minutes that have entries, ascending: those recorded for the hours from `fromHour` to
   * `toHour` (epoch hours), plus each of `alsoMinutes` that has an entry.
   */
  minutes(fromHour: number, toHour: number, alsoMinutes: readonly number[]): Promise<number[]>;
  /** Lists many orders at once: the same layout as `add`, fewer round trips. */
  addMany(items: readonly (readonly [string, Date])[], now: Date): Promise<void>;
  /**
   * Order ids listed under a minute, in the order they were added (may repeat), from position
   * `from` on, and the position to read on from next time (the list only grows until it is
   * dropped, so a reader can resume where it stopped).
   */
  entries(minute: number, from?: number): Promise<{ readonly ids: string[]; readonly next: number }>;
  /** Forgets a minute whose entries are all done, and its saved progress. Only for minutes no writer adds to any more. */
  drop(minute: number): Promise<void>;
  /** The sweep progress saved for those of `minutes` that have one. */
  progress(minutes: readonly number[]): Promise<Map<number, SweepProgress>>;
  /** Saves how far a sweep has read a minute not dropped yet (replacing what was saved). */
  saveProgress(minute: number, progress: SweepProgress): Promise<void>;
  /** Forgets an hour's record of minutes, once every minute of it has been dropped. */
  dropHour(hour: number): Promise<void>;
}

/**
 * The KPI facts of every order, summed per report period (see reporting/work-order-facts.service.ts): a writer
 * hands over each new revision's rows with those of the revision it replaced; reports read a view.
 */
export interface WorkOrderFactsRepository {
  /**
   * Records that the order went from the revision before `orderRev` (whose rows are `previousRows`;
   * none for a new order) to `orderRev` (rows `rows`). Call once per successful order write.
   */
  put(orderId: string, orderRev: number, rows: readonly WorkOrderFactRow[], previousRows: readonly WorkOrderFactRow[]): Promise<void>;
  /**
   * The sums of these periods as one consistent view: everything `put` before the call, whether
   * already folded or not. Open due instants are counted before `asOf`.
   */
  /** `topics: false`: the hot-topic sums are not read (a trend needs none; `topics` then throws). */
  view(periodKeys: readonly string[], asOf: Date, opts?: { readonly topics?: boolean }): Promise<WorkOrderFactsView>;
}

/** Sums of the facts of some periods, read at once (WorkOrderFactsRepository.view). */
// ---- KPI rollups: storage of WorkOrderFacts (reporting/work-order-facts.service.ts) ----

/** Counts of one rollup document (key: a JSON tuple) and the last batch applied to it. */
export interface StoredRollup {
  readonly seq: number;
  readonly bag: ReadonlyMap<string, number>;
}

/** How far the change log (one list per epoch hour) has been folded. */
export interface FoldCursor {
  /** Oldest hour still read. */
  readonly from: number;
  /** Changes folded per hour from `from` on (absent: 0). */
  readonly slots: Readonly<Record<string, number>>;
}

export interface FoldState {
  /** Generation of the rollup documents in use (a rebuild writes the next one). */
  readonly gen: number;
  /** Last batch whose effects are complete. */
  readonly seq: number;
  readonly cursor: FoldCursor;
  /** Hours closed by the last batch, to delete. */
  readonly drop: readonly number[];
  /** While a rebuild writes generation `gen`: no hour is closed, so its switch can replay the log from `cursor`. */
  readonly hold?: { readonly gen: number; readonly at: number; readonly cursor: FoldCursor };
}

/** One fold step, stored before any of its effects (write-ahead): applying it again changes nothing. */
export interface FoldBatch {
  readonly seq: number;
  /** Epoch ms (log clock) when it was written. */
  readonly at: number;
  /** Generation the deltas are for. */
  readonly gen: number;
  readonly deltas: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** The state once applied. */
  readonly after: FoldState;
}

/**
 * Storage of the sums. Collections stay small: the change log holds the open hours only, rollups a
 * few documents per period (docs/database.md, "Designs from the FerretDB v1 days that stay").
 */
export interface WorkOrderRollupStore {
  /** Appends to the change list of an epoch hour. */
  appendChange(hour: number, change: FactChange): Promise<void>;
  /** Every change listed under the hour, in the order of the list. */
  readChanges(hour: number): Promise<FactChange[]>;
  /** Deletes the hour's list (nobody appends to it any more). */
  dropChanges(hour: number): Promise<void>;
  readState(): Promise<FoldState | null>;
  /** Stores the state unless one exists. */
  createState(state: FoldState): Promise<void>;
  writeState(state: FoldState): Promise<void>;
  readBatch(seq: number): Promise<FoldBatch | null>;
  /** Stores the batch unless one with its seq exists (a unique insert); false then. */
  insertBatch(batch: FoldBatch): Promise<boolean>;
  deleteBatch(seq: number): Promise<void>;
  readRollups(gen: number, ids: readonly string[]): Promise<Map<string, StoredRollup>>;
  /** Replaces (or creates) rollup documents. */
  writeRollups(gen: number, rollups: ReadonlyMap<string, StoredRollup>): Promise<void>;
  /** Deletes every rollup document of a generation (maintenance: may scan). */
  clearGeneration(gen: number): Promise<void>;
  /** Deletes every rollup document not of generation `keep`, and data of earlier layouts (maintenance). */
  clearOtherGenerations(keep: number): Promise<void>;
}

// ---- complaints against units (监督投诉) ----

export interface ComplaintFilter {
  readonly unitId?: string;
  readonly status?: ComplaintStatus;
  /** `complainedAt` in [from, to). */
  readonly from?: Date;
  readonly to?: Date;
}

export interface UnitComplaintRepository {
  insert(c: UnitComplaint): Promise<void>;
  get(id: string): Promise<{ readonly complaint: UnitComplaint; readonly rev: number } | null>;
  /** Replaces the complaint where it is still at `expectedRev`; false otherwise. */
  replace(c: UnitComplaint, expectedRev: number): Promise<boolean>;
  list(f: ComplaintFilter, page: number, pageSize: number): Promise<Page<{ readonly complaint: UnitComplaint; readonly rev: number }>>;
  /** Upheld complaints per unit whose `complainedAt` is in [from, to) (indexed on status, complainedAt). */
  countUpheld(from: Date, to: Date): Promise<Map<string, number>>;
}

// ---- settings: presets and calendar ----

/** One stored version of a preset; the versions of a preset are kept, each with its effective date. */
export interface StoredPreset {
  readonly preset: RegulationPreset;
  readonly updatedAt: Date;
  readonly updatedBy: string;
  /** The version applies from this instant (00:00 Asia/Shanghai of its effective date). */
  readonly effectiveFrom: Date;
}

export interface WorkOrderSettingsStore {
  getActivePresetId(): Promise<string | null>;
  setActivePresetId(id: string, by: string, now: Date): Promise<void>;
  /** Every stored version of every preset. */
  listPresets(): Promise<StoredPreset[]>;
  /** Adds a version; false when this preset id and version are stored already. */
  putPreset(stored: StoredPreset): Promise<boolean>;
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

/** What a work order tells the call it was made from (the order's case, domain/access/masking.ts). */
export interface CallCase {
  readonly confidential: boolean;
  /** Lead and co-units: may open the call. */
  readonly unitIds: readonly string[];
  /** Lead units: handle the case and see a confidential caller. */
  readonly handlingUnitIds: readonly string[];
}

/**
 * The calls work orders are made from. `mark` only ever adds (confidential is never withdrawn, units
 * are added), so writes from several orders and instances give the same result in any order and any
 * number of times, without a transaction; it works before the call's record is first stored.
 */
export interface CallCases {
  /** The call as far as access is concerned; null when no record of it is stored. */
  subject(callId: string): Promise<CallSubject | null>;
  mark(callId: string, c: CallCase): Promise<void>;
}

/**
 * Claims of survey call attempts: the first instance to claim a key (`<order>:<completion>:<attempt n>`)
 * places that attempt, so two instances never call the same citizen for the same attempt. Atomic as
 * a unique insert. A claim is a lease of `leaseMs` from `at`, renewed by its owner while the attempt
 * runs: when its owner died mid-attempt (never finished, never renewed), the attempt is taken over by
 * the first instance to claim it after the lease ran out.
 */
export interface SurveyClaims {
  /** True when `owner` now holds the attempt: claimed first, or taken over after the lease expired unfinished. */
  claim(key: string, orderId: string, owner: string, at: Date, leaseMs: number): Promise<boolean>;
  /** Extends the lease; false when `owner` no longer holds the claim. */
  renew(key: string, owner: string, expiresAt: Date): Promise<boolean>;
  /** The attempt's result is recorded: the claim is never taken over. */
  finish(key: string, owner: string, at: Date): Promise<boolean>;
}

/** What became of one survey call. `callId`: the call's channel id, when a channel was created. */
export type SurveyCallOutcome =
  | {
      readonly kind: 'answered';
      readonly callId: string;
      /** Keypad answers (undefined: none before the timeout or the hang-up). */
      readonly solved?: string;
      readonly satisfaction?: string;
    }
  /** The citizen pressed 0: the call was moved to the agent queue (its call-path record has `callId`). */
  | { readonly kind: 'toAgent'; readonly callId: string }
  | { readonly kind: 'busy' | 'noAnswer' | 'failed'; readonly callId?: string };

/** Places automated survey calls (the ARI adapter: originate through the trunk, prompts, keypad). */
export interface SurveyDialer {
  /** Whether calls can be placed now (a run does nothing otherwise, so no attempt is used up by an outage). */
  ready(): boolean;
  call(request: { readonly orderId: string; readonly orderNumber: string; readonly phone: string }): Promise<SurveyCallOutcome>;
}

/**
 * What became of survey calls handed to the agent queue (the call path's side): the agent who
 * answered, or null when the call ended without one (abandoned in the queue, overflow, lost).
 */
export interface SurveyHandovers {
  outcome(callId: string): Promise<{ readonly agentId: string | null }>;
}
