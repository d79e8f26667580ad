/**
 * Complaints against handling units (监督投诉): hotline staff record them, a supervisor or
 * administrator other than the recorder judges each one, and the upheld ones feed the Beijing
 * score of the unit in the report of the period the citizen complained in.
 */
import { requirePermission, type Actor } from '../../../domain/access';
import { judgeComplaint, type ComplaintGround, type UnitComplaint } from '../../../domain/work-order';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../shared/errors';
import type { Logger } from '../../../shared/logger';
import type { Clock, ComplaintFilter, Page, UnitComplaintRepository, WorkOrderRepository } from '../work-orders.ports';
import { unitIdsOf } from './work-order.policy';

export interface RecordComplaintInput {
  readonly unitId: string;
  readonly orderId?: string;
  readonly ground: ComplaintGround;
  readonly description: string;
  /** Default: now. */
  readonly complainedAt?: Date;
}

export type ComplaintView = UnitComplaint & { readonly rev: number };

export interface ComplaintServiceDeps {
  readonly complaints: UnitComplaintRepository;
  readonly orders: Pick<WorkOrderRepository, 'get'>;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly log: Logger;
}

export class ComplaintService {
  constructor(private readonly deps: ComplaintServiceDeps) {}

  async record(actor: Actor, input: RecordComplaintInput): Promise<ComplaintView> {
    requirePermission(actor, 'complaints:record');
    const now = new Date(this.deps.clock());
    if (input.complainedAt && input.complainedAt.getTime() > now.getTime()) {
      throw new ValidationError('body.complainedAt', 'a complaint cannot be made in the future');
    }
    if (input.orderId !== undefined) {
      const stored = await this.deps.orders.get(input.orderId);
      if (!stored) throw new ValidationError('body.orderId', 'no work order with this id');
      if (!unitIdsOf(stored.order).includes(input.unitId) && !stored.order.returns.some((r) => r.unitId === input.unitId)) {
        throw new ValidationError('body.unitId', 'the unit never had this work order');
      }
    }
    const complaint: UnitComplaint = {
      id: this.deps.newId(), unitId: input.unitId, ground: input.ground, description: input.description,
      complainedAt: input.complainedAt ?? now, recordedAt: now, recordedBy: actor.userId, status: 'pending',
      ...(input.orderId !== undefined ? { orderId: input.orderId } : {}),
    };
    await this.deps.complaints.insert(complaint);
    this.deps.log.info('unit complaint recorded', { complaintId: complaint.id, unitId: complaint.unitId, orderId: complaint.orderId, userId: actor.userId });
    return { ...complaint, rev: 1 };
  }

  async judge(actor: Actor, id: string, decision: 'upheld' | 'rejected', finding: string, expectedRev?: number): Promise<ComplaintView> {
    requirePermission(actor, 'complaints:judge');
    const stored = await this.deps.complaints.get(id);
    if (!stored) throw new NotFoundError('complaint');
    if (expectedRev !== undefined && stored.rev !== expectedRev) {
      throw new ConflictError(`the complaint is at revision ${stored.rev}, not ${expectedRev}`, { reasonCode: 'COMPLAINT.STALE_REVISION', rev: stored.rev });
    }
    const r = judgeComplaint(stored.complaint, decision, finding, actor.userId, new Date(this.deps.clock()));
    if (!r.ok) {
      if (r.code === 'COMPLAINT.SELF_REVIEW') throw new ForbiddenError(r.reason);
      throw new ConflictError(r.reason, { reasonCode: r.code });
    }
    if (!(await this.deps.complaints.replace(r.complaint, stored.rev))) {
      throw new ConflictError('the complaint was judged by someone else; reload', { reasonCode: 'COMPLAINT.CONCURRENT_CHANGE' });
    }
    this.deps.log.info('unit complaint judged', { complaintId: id, unitId: r.complaint.unitId, decision, userId: actor.userId });
    return { ...r.complaint, rev: stored.rev + 1 };
  }

  async get(actor: Actor, id: string): Promise<ComplaintView> {
    requirePermission(actor, 'complaints:read');
    const stored = await this.deps.complaints.get(id);
    if (!stored) throw new NotFoundError('complaint');
    return { ...stored.complaint, rev: stored.rev };
  }

  async list(actor: Actor, filter: ComplaintFilter, page: number, pageSize: number): Promise<Page<ComplaintView>> {
    requirePermission(actor, 'complaints:read');
    const res = await this.deps.complaints.list(filter, page, pageSize);
    return { ...res, items: res.items.map((s) => ({ ...s.complaint, rev: s.rev })) };
  }
}
