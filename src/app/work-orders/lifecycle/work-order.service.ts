/**
 * Work-order use cases: create (with repeat-complaint linking), one lifecycle action at a time,
 * reads and lists. Every change goes through the pure state machine, which appends the audit
 * history entry; the write is conditional on the revision that was read (optimistic concurrency:
 * a lost race is retried from a fresh read, or answered 409 when the client named a revision).
 */
import { actorHandlerKeys, owns, type Actor } from '../../../domain/access';
import { toLocalDate } from '../../../domain/calendar';
import {
  createWorkOrder, findRepeatLink, formatWorkOrderNumber, normalizePhone, radarDeadline, radarLevel, repeatWindowStart, transition,
  type DeadlineStage, type RadarLevel,
  type Actor as OrderActor, type AttachmentRef, type RegulationPreset, type TransitionErrorCode,
  type NewWorkOrderInput, type WorkOrder, type WorkOrderAction, type WorkOrderEvent,
} from '../../../domain/work-order';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../shared/errors';
import type { Logger } from '../../../shared/logger';
import type {
  CallCases, Clock, KnowledgeRepository, NoticeLog, Page, RadarFilter, StoredWorkOrder, WorkOrderFactsRepository, WorkOrderFilter, WorkOrderRepository,
} from '../work-orders.ports';
import type { RegulationService } from './regulation.service';
import { factRowsOf } from '../../../domain/kpi/work-order-facts';
import type { WorkOrderEmitter, WorkOrderNotice } from './work-order.events';
import { withSentNotices } from './sent-notices';
import { indexFieldsOf } from './work-order.index';
import { canSee, isHotlineStaff, orderActor, orderHandlers, roleMayAct, unitIdsOf, visibleOrder } from './work-order.policy';

/** What a creator says of a new order: the domain factory's input without what the service fills in. */
export type CreateWorkOrderInput = Omit<NewWorkOrderInput, 'id' | 'number' | 'presetId' | 'createdAt' | 'createdBy'> & {
  /** Accept at once (受理 → 待派单); default true. False keeps a draft. */
  readonly submit?: boolean;
};

export type WorkOrderView = WorkOrder & { readonly rev: number; readonly callerMasked: boolean };

export interface WorkOrderSummary {
  readonly id: string;
  readonly number: string;
  readonly status: WorkOrder['status'];
  readonly category: string;
  readonly urgency: string;
  readonly areaCode: string;
  readonly leadUnitId: string | null;
  readonly coUnitIds: readonly string[];
  readonly createdAt: Date;
  readonly callerName: string | null;
  readonly callerPhone: string | null;
  readonly callerMasked: boolean;
  readonly repeatOf: string | null;
  readonly escalated: boolean;
  /** Earliest open deadline. */
  readonly nextDueAt: Date | null;
  readonly rev: number;
}

/** One row of the deadline radar: the order's summary and its current stage's deadline. */
export interface RadarRow extends WorkOrderSummary {
  /** Null when no stage clock runs in the order's status (e.g. waiting for the caller's feedback under a preset without a 反馈 limit). */
  readonly stage: DeadlineStage | null;
  readonly dueAt: Date | null;
  readonly remindAt: Date | null;
  readonly level: RadarLevel | null;
  /** Repeat-complaint chain: the first order of the chain (this order's id when it is not a repeat). */
  readonly chainRootId: string;
  readonly repeatNumber: number;
}

/** The preset's limits a screen names in its guard texts (已延期过一次, 距到期不足5个工作日, …). */
export interface PreviewLimits {
  readonly extension: Omit<RegulationPreset['extension'], 'source'>;
  readonly return: { readonly maxCount: number | null };
}

/** What the state machine would answer to an action, nothing written. */
export type ActionPreview = { readonly limits: PreviewLimits } & (
  | { readonly allowed: true; readonly status: WorkOrder['status']; readonly deadlines: WorkOrder['deadlines'] }
  | { readonly allowed: false; readonly code: TransitionErrorCode; readonly reason: string }
);

export interface WorkOrderServiceDeps {
  readonly orders: WorkOrderRepository;
  /** What the sweep sent, folded into an order when it is read. */
  readonly notices: NoticeLog;
  readonly facts: WorkOrderFactsRepository;
  readonly knowledge: Pick<KnowledgeRepository, 'get' | 'incrementUse'>;
  readonly regulation: RegulationService;
  readonly events: WorkOrderEmitter;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly log: Logger;
  /** The calls orders are made from: they get the order's confidentiality and units. */
  readonly calls?: CallCases;
  /** The caller of a confidential order is marked, so the caller's later calls are masked from their first event. */
  readonly callers?: { markFromOrder(order: { id: string; phone: string | null; callId: string | null }): Promise<void> };
  /** Attempts when another writer changed the order between read and write. */
  readonly maxAttempts?: number;
  /** Prefix of readable numbers, e.g. `WO`. */
  readonly numberPrefix?: string;
  /**
   * The stored files an action's attachment ids name (400 when one is not a file of the order);
   * unset: ids are taken as given.
   */
  readonly attachmentRefs?: (orderId: string, refs: readonly AttachmentRef[], field: string) => Promise<AttachmentRef[]>;
  /** Of these unit ids, those the unit directory has stopped dispatch to; unset: none. */
  readonly stoppedUnits?: (unitIds: readonly string[]) => Promise<string[]>;
}

const SYSTEM: OrderActor = { id: 'system', role: 'system' };

/** The HTTP status family of each state-machine refusal. */
export function transitionError(code: TransitionErrorCode, reason: string): Error {
  switch (code) {
    case 'WORK_ORDER.INVALID_INPUT':
      return new ValidationError('body', reason);
    case 'WORK_ORDER.FORBIDDEN_ROLE':
    case 'WORK_ORDER.NOT_ASSIGNED_UNIT':
      return new ForbiddenError(reason);
    default:
      return new ConflictError(reason, { reasonCode: code });
  }
}

export class WorkOrderService {
  private readonly maxAttempts: number;

  constructor(private readonly deps: WorkOrderServiceDeps) {
    this.maxAttempts = deps.maxAttempts ?? 4;
  }

  async create(actor: Actor, input: CreateWorkOrderInput): Promise<WorkOrderView> {
    if (!isHotlineStaff(actor)) throw new ForbiddenError(`role ${actor.role} may not create work orders`);
    if (input.callId !== undefined) await this.checkCall(actor, input.callId);
    const now = new Date(this.deps.clock());
    const preset = this.deps.regulation.activePreset();
    const calendar = this.deps.regulation.workCalendar();
    const seq = await this.deps.orders.nextSequence(toLocalDate(now));
    const by = orderActor(actor);
    let order = createWorkOrder({
      id: this.deps.newId(),
      number: formatWorkOrderNumber(now, seq, this.deps.numberPrefix ?? 'WO'),
      presetId: preset.id,
      createdAt: now,
      createdBy: { id: by.id, role: by.role === 'agent' ? 'agent' : 'supervisor' },
      caller: input.caller,
      category: input.category,
      urgency: input.urgency,
      content: input.content,
      areaCode: input.areaCode,
      ...(input.location !== undefined ? { location: input.location } : {}),
      ...(input.callId !== undefined ? { callId: input.callId } : {}),
      ...(input.recordingId !== undefined ? { recordingId: input.recordingId } : {}),
    });
    const events: WorkOrderEvent[] = [];
    const step = (action: WorkOrderAction, who: OrderActor): void => {
      const r = transition(order, action, { now, actor: who, preset, calendar });
      if (!r.ok) throw transitionError(r.code, r.reason);
      order = r.order;
      events.push(...r.events);
    };
    if (input.submit ?? true) step({ type: 'accept' }, by);
    const link = await this.repeatLink(order, preset, now);
    if (link) step({ type: 'linkRepeat', rootOrderId: link.rootOrderId, repeatNumber: link.repeatNumber, escalate: link.escalate }, SYSTEM);
    await this.markCallBefore(null, order);
    const stored = await this.deps.orders.insert(order, indexFieldsOf({ order, events, now, preset, calendar }));
    await this.markCallAfter(null, stored.order);
    await this.writeFacts(null, stored.order, stored.rev);
    this.deps.log.info('work order created', { orderId: order.id, number: order.number, userId: actor.userId, repeatOf: order.repeatOf });
    this.publish(order, stored.rev, 'create', 'DRAFT', actor.userId, events, now, 'workOrder:created');
    return { ...visibleOrder(actor, stored.order), rev: stored.rev };
  }

  /** Applies one lifecycle action. `expectedRev`: fail with 409 instead of retrying when the order moved on. */
  async act(actor: Actor, orderId: string, action: WorkOrderAction, expectedRev?: number): Promise<WorkOrderView> {
    if (!roleMayAct(actor, action.type)) throw new ForbiddenError(`role ${actor.role} may not ${action.type}`);
    if (action.type === 'answerDirect') await this.checkArticle(action.kbArticleId);
    if (action.type === 'linkCall') await this.checkCall(actor, action.callId);
    if (action.type === 'merge') await this.checkTarget(actor, orderId, action.masterId, 'body.masterId', true);
    if (action.type === 'linkRepeat') await this.checkTarget(actor, orderId, action.rootOrderId, 'body.rootOrderId', false);
    if (action.type === 'dispatch') await this.checkUnits(action);
    if (action.type === 'approveReturn' && action.redispatchTo) await this.checkUnits(action.redispatchTo);
    return this.write(orderActor(actor), actor.userId, orderId, () => this.load(actor, orderId), action, expectedRev, (o) => visibleOrder(actor, o));
  }

  /**
   * The call was handed to an emergency line (the line answered): its orders still being recorded or
   * awaiting dispatch become EMERGENCY_TRANSFERRED (转110/119/120/122). Returns the ids changed.
   */
  async markEmergencyTransferred(callId: string, line: '110' | '119' | '120' | '122'): Promise<string[]> {
    const open = await this.deps.orders.list({ callId, status: ['DRAFT', 'PENDING_DISPATCH'] }, 1, 100);
    const changed: string[] = [];
    for (const { order } of open.items) {
      await this.actAsSystem(order.id, { type: 'transferEmergency', target: line });
      changed.push(order.id);
    }
    return changed;
  }

  /**
   * Applies an action of the system itself (the survey job's callback results), on the order as
   * stored. Returns the order and its new revision.
   */
  async actAsSystem(orderId: string, action: WorkOrderAction): Promise<{ readonly order: WorkOrder; readonly rev: number }> {
    const loadAny = async (): Promise<StoredWorkOrder> => {
      const stored = await this.deps.orders.get(orderId);
      if (!stored) throw new NotFoundError('work order');
      const now = new Date(this.deps.clock());
      return withSentNotices(stored, this.deps.notices, now, this.presetOf(stored.order), this.deps.regulation.workCalendar());
    };
    const view = await this.write(SYSTEM, SYSTEM.id, orderId, loadAny, action, undefined, (o) => o);
    return { order: view, rev: view.rev };
  }

  private async write<V>(
    by: OrderActor, userId: string, orderId: string, loadOrder: () => Promise<StoredWorkOrder>, action: WorkOrderAction, expectedRev: number | undefined,
    view: (o: WorkOrder) => V,
  ): Promise<V & { rev: number }> {
    for (let attempt = 1; ; attempt += 1) {
      const stored = await loadOrder();
      if (attempt === 1) action = await this.withStoredFiles(orderId, action);
      if (expectedRev !== undefined && stored.rev !== expectedRev) {
        throw new ConflictError(`the order is at revision ${stored.rev}, not ${expectedRev}`, { reasonCode: 'WORK_ORDER.STALE_REVISION', rev: stored.rev });
      }
      const now = new Date(this.deps.clock());
      const preset = this.presetOf(stored.order);
      const calendar = this.deps.regulation.workCalendar();
      const r = transition(stored.order, action, { now, actor: by, preset, calendar });
      if (!r.ok) throw transitionError(r.code, r.reason);
      const index = indexFieldsOf({ order: r.order, previous: stored, events: r.events, now, preset, calendar });
      await this.markCallBefore(stored.order, r.order);
      const rev = await this.deps.orders.replace(r.order, stored.rev, index);
      if (rev === null) {
        if (expectedRev !== undefined || attempt >= this.maxAttempts) {
          throw new ConflictError('the order was changed by someone else; reload and retry', { reasonCode: 'WORK_ORDER.CONCURRENT_CHANGE' });
        }
        this.deps.log.debug('work order write lost a race, retrying', { orderId, attempt });
        await new Promise((r) => setTimeout(r, 10 * attempt)); // let the winner finish its write
        continue;
      }
      await this.markCallAfter(stored.order, r.order);
      await this.writeFacts(stored.order, r.order, rev);
      if (action.type === 'answerDirect') await this.deps.knowledge.incrementUse(action.kbArticleId);
      const from = stored.order.status;
      this.deps.log.info('work order transition', { orderId, from, input: action.type, to: r.order.status, userId });
      this.publish(r.order, rev, action.type, from, userId, r.events, now, 'workOrder:changed');
      return { ...view(r.order), rev };
    }
  }

  /** Evidence and attachments must be files uploaded to this order: a bare id proves nothing. */
  private async withStoredFiles(orderId: string, action: WorkOrderAction): Promise<WorkOrderAction> {
    const resolve = this.deps.attachmentRefs;
    if (!resolve) return action;
    let out = action;
    if (action.attachments && action.attachments.length > 0) out = { ...out, attachments: await resolve(orderId, action.attachments, 'body.attachments') };
    if (out.type === 'requestReturn' && out.evidence.length > 0) out = { ...out, evidence: await resolve(orderId, out.evidence, 'body.evidence') };
    return out;
  }

  async get(actor: Actor, orderId: string): Promise<WorkOrderView> {
    const stored = await this.load(actor, orderId);
    return { ...visibleOrder(actor, stored.order), rev: stored.rev };
  }

  async list(actor: Actor, filter: WorkOrderFilter, page: number, pageSize: number): Promise<Page<WorkOrderSummary>> {
    let scoped: WorkOrderFilter = filter;
    if (!isHotlineStaff(actor)) {
      if (actor.role !== 'unit_handler' || actor.unitId === null) throw new ForbiddenError('no work orders to list');
      if (filter.unitId !== undefined && filter.unitId !== actor.unitId) return { items: [], total: 0, page, pageSize };
      scoped = { ...filter, unitId: actor.unitId };
    }
    // A search by phone never confirms the number of a confidential caller the searcher does not handle.
    if (scoped.phoneKey !== undefined) scoped = { ...scoped, phoneKey: normalizePhone(scoped.phoneKey), searcherKeys: actorHandlerKeys(actor) };
    const res = await this.deps.orders.list(scoped, page, pageSize);
    return { ...res, items: res.items.map((s) => summaryOf(actor, s)) };
  }

  /**
   * The deadline radar: open orders soonest due first, paged and filtered by the database. A unit
   * handler sees only its unit's (lead or co-unit), whatever unit it asks for.
   */
  async radar(actor: Actor, filter: Omit<RadarFilter, 'now'>, page: number, pageSize: number): Promise<Page<RadarRow> & { readonly now: Date }> {
    const now = new Date(this.deps.clock());
    let scoped: RadarFilter = { ...filter, now };
    if (!isHotlineStaff(actor)) {
      if (actor.role !== 'unit_handler' || actor.unitId === null) throw new ForbiddenError('no work orders to list');
      if (filter.unitId !== undefined && filter.unitId !== actor.unitId) return { items: [], total: 0, page, pageSize, now };
      scoped = { ...scoped, unitId: actor.unitId };
    }
    const res = await this.deps.orders.radar(scoped, page, pageSize);
    return { ...res, now, items: res.items.map((s) => radarRowOf(actor, s, now)) };
  }

  /**
   * A 催办 or 督办 sent by hand from the radar, on the order's current stage (hotline-rules §4:
   * 催办 before the deadline, 督办 after it; supervisors and administrators, as `recordNotice`).
   * It is recorded like the sweep's notices, under a key of its own (`manual-<kind>@<instant>`), so
   * it never stands in for a scheduled one, and the units hear of it live like the sweep's.
   */
  async supervise(actor: Actor, orderId: string, kind: 'reminder' | 'supervision'): Promise<WorkOrderView & { readonly notice: WorkOrderNotice }> {
    if (!roleMayAct(actor, 'recordNotice')) throw new ForbiddenError(`role ${actor.role} may not send 催办/督办`);
    const stored = await this.load(actor, orderId);
    const now = new Date(this.deps.clock());
    const current = radarDeadline(stored.order, this.presetOf(stored.order));
    if (!current) throw new ConflictError('no stage clock runs on this order', { reasonCode: 'WORK_ORDER.NO_RUNNING_DEADLINE' });
    const overdue = now.getTime() > current.dueAt.getTime();
    if (kind === 'supervision' && !overdue) throw new ConflictError('督办 follows a passed deadline; before it, send 催办', { reasonCode: 'WORK_ORDER.NOT_OVERDUE' });
    if (kind === 'reminder' && overdue) throw new ConflictError('the deadline has passed: send 督办', { reasonCode: 'WORK_ORDER.ALREADY_OVERDUE' });
    const key = `${orderId}:${current.stage}:manual-${kind}@${now.getTime()}:${current.dueAt.toISOString()}`;
    const level = kind === 'reminder' ? 'reminder' : 'yellow';
    const view = await this.act(actor, orderId, { type: 'recordNotice', key, kind, stage: current.stage, level });
    const notice: WorkOrderNotice = { orderId, number: view.number, key, stage: current.stage, kind, level, dueAt: current.dueAt, unitIds: unitIdsOf(view), at: now };
    this.deps.events.emit(kind === 'reminder' ? 'workOrder:reminder' : 'workOrder:supervision', notice);
    this.deps.log.info('work order notice sent by hand', { orderId, kind, stage: current.stage, userId: actor.userId });
    return { ...view, notice };
  }

  /**
   * Runs an action through the state machine on the order as stored, as this actor, and writes
   * nothing: the screens show the preset's deadlines before a dispatch and its guards (延期, 退单)
   * before a request, from the same rule the write applies.
   */
  async preview(actor: Actor, orderId: string, action: WorkOrderAction): Promise<ActionPreview> {
    if (!roleMayAct(actor, action.type)) throw new ForbiddenError(`role ${actor.role} may not ${action.type}`);
    const stored = await this.load(actor, orderId);
    // The evidence a return names counts as it would on the write: its kind comes from the stored file.
    action = await this.withStoredFiles(orderId, action);
    const preset = this.presetOf(stored.order);
    const r = transition(stored.order, action, { now: new Date(this.deps.clock()), actor: orderActor(actor), preset, calendar: this.deps.regulation.workCalendar() });
    const { source: _s, ...extension } = preset.extension;
    const limits = { extension, return: { maxCount: preset.return.maxCount } };
    return r.ok ? { limits, allowed: true, status: r.order.status, deadlines: r.order.deadlines } : { limits, allowed: false, code: r.code, reason: r.reason };
  }

  /**
   * A calendar year was added or corrected: every open provisional deadline is counted again on the
   * current calendar (domain `recountProvisionalDeadlines`, never retroactively overdue), the change is
   * written to each order's history, the units hear of it (`workOrder:deadlineChanged`), and the new
   * due instants re-plan 催办/督办 through the wake schedule like any write.
   */
  async recomputeProvisionalDeadlines(reason: string): Promise<{ readonly examined: number; readonly changed: number }> {
    const ids = await this.deps.orders.openWithProvisionalDeadlines();
    let changed = 0;
    for (const orderId of ids) {
      try {
        if (await this.recomputeOne(orderId, reason)) changed += 1;
      } catch (err) {
        // One order that cannot be written must not stop the others; it stays provisional and is retried by the next change.
        this.deps.log.error('provisional deadlines not recomputed', { orderId, err: String(err) });
      }
    }
    this.deps.log.info('provisional deadlines recomputed', { examined: ids.length, changed, reason });
    return { examined: ids.length, changed };
  }

  private async recomputeOne(orderId: string, reason: string): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      const found = await this.deps.orders.get(orderId);
      if (!found) return false;
      const now = new Date(this.deps.clock());
      const preset = this.presetOf(found.order);
      const calendar = this.deps.regulation.workCalendar();
      const stored = await withSentNotices(found, this.deps.notices, now, preset, calendar);
      const r = transition(stored.order, { type: 'recomputeDeadlines', reason }, { now, actor: SYSTEM, preset, calendar });
      if (!r.ok) {
        if (r.code === 'WORK_ORDER.NOTHING_TO_RECOMPUTE' || r.code === 'WORK_ORDER.INVALID_TRANSITION') return false;
        throw transitionError(r.code, r.reason);
      }
      const index = indexFieldsOf({ order: r.order, previous: stored, events: r.events, now, preset, calendar });
      const rev = await this.deps.orders.replace(r.order, stored.rev, index);
      if (rev === null) {
        if (attempt >= this.maxAttempts) throw new ConflictError('the order kept changing', { reasonCode: 'WORK_ORDER.CONCURRENT_CHANGE' });
        continue;
      }
      await this.writeFacts(stored.order, r.order, rev);
      this.publish(r.order, rev, 'recomputeDeadlines', stored.order.status, SYSTEM.id, r.events, now, 'workOrder:changed');
      const unitIds = unitIdsOf(r.order);
      for (const e of r.events) {
        if (e.type !== 'DeadlinesRecomputed') continue;
        for (const c of e.changes) {
          if (c.dueAt.getTime() === c.previousDueAt.getTime()) continue; // only the provisional flag changed
          this.deps.events.emit('workOrder:deadlineChanged', {
            orderId, number: r.order.number, stage: c.stage, previousDueAt: c.previousDueAt, dueAt: c.dueAt, unitIds, at: now,
          });
        }
      }
      return true;
    }
  }

  /** The order as stored, with the notices the sweep sent since it was written (sent-notices.ts). */
  private async load(actor: Actor, orderId: string): Promise<StoredWorkOrder> {
    const stored = await this.deps.orders.get(orderId);
    if (!stored || !canSee(actor, stored.order)) throw new NotFoundError('work order');
    const now = new Date(this.deps.clock());
    return withSentNotices(stored, this.deps.notices, now, this.presetOf(stored.order), this.deps.regulation.workCalendar());
  }

  /**
   * An order names only a call the actor may open (else it would open that call to the order's units).
   * The call path stores a call's record when the call enters and when an agent answers, so the agent
   * talking to the caller may name the call.
   */
  private async checkCall(actor: Actor, callId: string): Promise<void> {
    if (!this.deps.calls) return;
    const subject = await this.deps.calls.subject(callId);
    if (!subject || !owns(actor, subject)) throw new ValidationError('body.callId', 'no call with this id that you may open');
  }

  /**
   * Confidentiality reaches the call before the order is written: a failure leaves the call masked
   * and the order unwritten (the client sees the error and retries), never a confidential order with an
   * unmasked call.
   */
  private async markCallBefore(previous: WorkOrder | null, order: WorkOrder): Promise<void> {
    const c = order.caller;
    const p = previous?.caller;
    if (this.deps.callers && c.confidential && !(p?.confidential && p.phone === c.phone && previous?.callId === order.callId)) {
      await this.deps.callers.markFromOrder({ id: order.id, phone: c.phone ?? null, callId: order.callId ?? null });
    }
    if (!this.deps.calls || order.callId === undefined) return;
    if (!order.caller.confidential || (previous?.caller.confidential && previous.callId === order.callId)) return;
    await this.deps.calls.mark(order.callId, { confidential: true, unitIds: [], handlingUnitIds: [] });
  }

  /**
   * Units reach the call after the order is written, so no unit opens a call for an order that was
   * not written. A failure is logged and the write stands; the unit sees the call after the order's
   * next write of its units (marking is idempotent).
   */
  private async markCallAfter(previous: WorkOrder | null, order: WorkOrder): Promise<void> {
    if (!this.deps.calls || order.callId === undefined) return;
    const unitIds = unitIdsOf(order);
    const handlingUnitIds = orderHandlers(order).handlingUnitIds;
    const key = (o: WorkOrder): string => `${o.callId ?? ''}|${o.leadUnitId ?? ''}|${unitIdsOf(o).join(',')}`;
    if (unitIds.length === 0 || (previous !== null && key(previous) === key(order))) return;
    try {
      await this.deps.calls.mark(order.callId, { confidential: order.caller.confidential, unitIds, handlingUnitIds });
    } catch (err) {
      this.deps.log.error('call not marked with the order\'s units', { orderId: order.id, callId: order.callId, err: String(err) });
    }
  }

  /**
   * The order another one is merged into or linked to must exist and be visible to the actor (404
   * `WORK_ORDER.TARGET_NOT_FOUND` otherwise, as for an id the actor may not see). A merge master must
   * be open: a merged master would chain, a closed one would close the duplicate unworked (409).
   */
  private async checkTarget(actor: Actor, orderId: string, targetId: string, field: string, mustBeOpen: boolean): Promise<void> {
    if (targetId === orderId) return; // the state machine refuses an order as its own target
    const target = await this.deps.orders.get(targetId);
    if (!target || !canSee(actor, target.order)) {
      throw new NotFoundError('target work order', { reasonCode: 'WORK_ORDER.TARGET_NOT_FOUND', field });
    }
    if (!mustBeOpen) return;
    if (target.order.status === 'MERGED') {
      throw new ConflictError('the master is itself merged; merge into its master instead', {
        reasonCode: 'WORK_ORDER.TARGET_MERGED', field, mergedInto: target.order.mergedInto ?? null,
      });
    }
    if (['CLOSED', 'INVALID', 'EMERGENCY_TRANSFERRED'].includes(target.order.status)) {
      throw new ConflictError(`the master is ${target.order.status}`, { reasonCode: 'WORK_ORDER.TARGET_CLOSED', field });
    }
  }

  /** A unit the directory has stopped dispatch to gets no new order (409 `WORK_ORDER.UNIT_STOPPED`). */
  private async checkUnits(t: { readonly leadUnitId: string; readonly coUnitIds?: readonly string[] }): Promise<void> {
    if (!this.deps.stoppedUnits) return;
    const stopped = await this.deps.stoppedUnits([t.leadUnitId, ...(t.coUnitIds ?? [])]);
    if (stopped.length > 0) throw new ConflictError(`no dispatch to ${stopped.join(', ')}: the unit directory has stopped it`, { reasonCode: 'WORK_ORDER.UNIT_STOPPED', unitIds: stopped });
  }

  private presetOf(order: WorkOrder): RegulationPreset {
    return this.deps.regulation.preset(order.presetId) ?? this.deps.regulation.activePreset();
  }

  private async checkArticle(id: string): Promise<void> {
    const a = await this.deps.knowledge.get(id);
    const now = this.deps.clock();
    if (!a || a.validFrom.getTime() > now || (a.validTo !== null && a.validTo.getTime() < now)) {
      throw new ValidationError('body.kbArticleId', 'no valid knowledge-base article with this id');
    }
  }

  private async repeatLink(order: WorkOrder, preset: RegulationPreset, now: Date) {
    const phone = order.caller.phone ? normalizePhone(order.caller.phone) : '';
    if (phone === '') return undefined;
    const since = repeatWindowStart(now, preset.repeatComplaint);
    const candidates = await this.deps.orders.findRepeatCandidates(phone, since, 1000);
    return findRepeatLink(
      { id: order.id, phone, category: order.category, areaCode: order.areaCode, at: now },
      candidates,
      preset.repeatComplaint,
    );
  }

  /**
   * Hands the KPI facts of the new revision, and of the one it replaced, to the report sums. They are
   * derived data: a failure does not undo the order write; it is logged, and the sums miss this
   * change until they are rebuilt (scripts/work-order-rollups.ts rebuild).
   */
  private async writeFacts(previous: WorkOrder | null, order: WorkOrder, rev: number): Promise<void> {
    try {
      await this.deps.facts.put(order.id, rev, factRowsOf(order), previous ? factRowsOf(previous) : []);
    } catch (err) {
      this.deps.log.warn('work order facts not written', { orderId: order.id, rev, err: String(err) });
    }
  }

  private publish(
    order: WorkOrder, rev: number, action: string, from: WorkOrder['status'], actorId: string,
    events: readonly WorkOrderEvent[], at: Date, topic: 'workOrder:created' | 'workOrder:changed',
  ): void {
    const unitIds = unitIdsOf(order);
    this.deps.events.emit(topic, { orderId: order.id, number: order.number, action, from, to: order.status, actorId, rev, unitIds, at });
    for (const e of events) {
      if (e.type === 'Escalated') this.deps.events.emit('workOrder:escalated', { orderId: order.id, number: order.number, reason: e.reason, unitIds, at });
    }
  }
}

function radarRowOf(actor: Actor, s: StoredWorkOrder, now: Date): RadarRow {
  const due = s.radarDueAt && s.radarStage ? { dueAt: s.radarDueAt, ...(s.radarRemindAt ? { remindAt: s.radarRemindAt } : {}) } : null;
  return {
    ...summaryOf(actor, s),
    stage: due ? (s.radarStage ?? null) : null,
    dueAt: due?.dueAt ?? null,
    remindAt: due?.remindAt ?? null,
    level: due ? radarLevel(due, now) : null,
    chainRootId: s.order.repeatOf ?? s.order.id,
    repeatNumber: s.order.repeatNumber,
  };
}

function summaryOf(actor: Actor, s: StoredWorkOrder): WorkOrderSummary {
  const v = visibleOrder(actor, s.order);
  const open = Object.values(v.deadlines).filter((d) => d && !d.metAt).map((d) => d.dueAt.getTime());
  return {
    id: v.id, number: v.number, status: v.status, category: v.category, urgency: v.urgency, areaCode: v.areaCode,
    leadUnitId: v.leadUnitId ?? null, coUnitIds: v.coUnitIds, createdAt: v.createdAt,
    callerName: v.caller.name ?? null, callerPhone: v.caller.phone ?? null, callerMasked: v.callerMasked,
    repeatOf: v.repeatOf ?? null, escalated: v.escalated,
    nextDueAt: open.length > 0 ? new Date(Math.min(...open)) : null, rev: s.rev,
  };
}
