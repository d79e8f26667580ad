/**
 * Marking callers confidential (保密) without a work order, and withdrawing marks (docs/adr/0027).
 * An agent marks the caller of a call they answered (the caller asks for it on the call); supervisors
 * and administrators mark any number, list the directory (numbers masked) with each mark's audit, and
 * withdraw marks. Marking through a call masks that call too. No view here carries a full number.
 */
import { maskPhone, requirePermission, callerKey, type Actor, type CallSubject } from '../../domain/access';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { ConfidentialAuditEntry, ConfidentialMarkRecord, ConfidentialMarkRecords } from './callers.ports';
import type { ConfidentialCallers } from './confidential-callers';

export interface ConfidentialMarkView {
  readonly id: string;
  /** Masked: supervisors do not handle the callers' cases. */
  readonly callerNumber: string;
  readonly active: boolean;
  readonly since: number;
  readonly changedAt: number;
  readonly reason: string | null;
  readonly markedBy: string | null;
  /** `order:<id>`, `call:<callId>`, `user:<userId>`. */
  readonly sources: readonly string[];
  readonly withdrawal: { readonly at: number; readonly by: string; readonly reason: string } | null;
}

export type ConfidentialAuditView = Omit<ConfidentialAuditEntry, 'at'> & { readonly at: number };

export interface MarkRequest {
  readonly number?: string;
  readonly callId?: string;
  readonly reason: string;
}

export interface ConfidentialMarksDeps {
  readonly callers: ConfidentialCallers;
  readonly records: ConfidentialMarkRecords;
  readonly calls: {
    subject(callId: string): Promise<CallSubject | null>;
    /** Marks the call record confidential (and the live call, where it runs here). */
    markConfidential(callId: string): Promise<void>;
  };
  readonly log: Logger;
}

/** Numbers shorter than this are not a caller (a typo, an extension). */
const MIN_KEY_DIGITS = 5;

export function markView(r: ConfidentialMarkRecord): ConfidentialMarkView {
  return {
    id: r.markId,
    callerNumber: maskPhone(r.key),
    active: r.active,
    since: r.since.getTime(),
    changedAt: r.changedAt.getTime(),
    reason: r.reason,
    markedBy: r.markedBy,
    sources: r.sources,
    withdrawal: r.withdrawal ? { at: r.withdrawal.at.getTime(), by: r.withdrawal.by, reason: r.withdrawal.reason } : null,
  };
}

export class ConfidentialMarks {
  constructor(private readonly deps: ConfidentialMarksDeps) {}

  async mark(actor: Actor, req: MarkRequest): Promise<ConfidentialMarkView> {
    requirePermission(actor, 'callers:mark');
    const by = { userId: actor.userId, role: actor.role };
    let number: string;
    let source: string;
    if (req.callId !== undefined) {
      const subject = await this.deps.calls.subject(req.callId);
      if (!subject) throw new NotFoundError('call');
      requirePermission(actor, 'callers:mark', subject, 'call');
      // A phone that only rang is not the agent's conversation: the caller asked the one who answered.
      if (actor.role === 'agent' && subject.handlingAgentId !== actor.agentId) throw new ForbiddenError('only the agent who answered the call may mark its caller');
      const caller = await this.deps.callers.callerOfCall(req.callId);
      if (caller === null || callerKey(caller).length < MIN_KEY_DIGITS) throw new ConflictError('the call has no caller number to mark', { field: 'body.callId' });
      number = caller;
      source = `call:${req.callId}`;
    } else {
      // Agents mark through the call they answer, never a number of their choosing.
      if (actor.role === 'agent') throw new ForbiddenError('agents mark the caller of a call they answered (callId)');
      number = req.number ?? '';
      if (callerKey(number).length < MIN_KEY_DIGITS) throw new ValidationError('body.number', `a caller number has at least ${MIN_KEY_DIGITS} digits`);
      source = `user:${actor.userId}`;
    }
    const [marked] = await this.deps.callers.mark([number], { source, by, reason: req.reason });
    // The caller is known before the call is masked: a failure here leaves the directory marked and the client retries.
    if (req.callId !== undefined) await this.deps.calls.markConfidential(req.callId);
    const record = marked ? await this.deps.records.find(marked.markId) : null;
    if (!record) throw new NotFoundError('confidential caller');
    this.deps.log.info('confidential caller marked', { markId: record.markId, callerNumber: maskPhone(record.key), source, by: actor.userId });
    return markView(record);
  }

  async withdraw(actor: Actor, markId: string, reason: string): Promise<ConfidentialMarkView> {
    requirePermission(actor, 'callers:confidential');
    const r = await this.deps.callers.withdraw(markId, { userId: actor.userId, role: actor.role }, reason);
    if (r === 'absent') throw new NotFoundError('confidential caller');
    if (r === 'withdrawn') throw new ConflictError('the mark is already withdrawn', { markId });
    const record = await this.deps.records.find(markId);
    if (!record) throw new NotFoundError('confidential caller');
    this.deps.log.info('confidential caller mark withdrawn', { markId, callerNumber: maskPhone(record.key), by: actor.userId });
    return markView(record);
  }

  async list(actor: Actor, q: { state: 'active' | 'withdrawn' | 'all'; number?: string; page: number; pageSize: number }): Promise<{ items: ConfidentialMarkView[]; total: number; page: number; pageSize: number }> {
    requirePermission(actor, 'callers:confidential');
    const key = q.number === undefined ? undefined : callerKey(q.number);
    if (key !== undefined && key.length < MIN_KEY_DIGITS) throw new ValidationError('query.number', `a caller number has at least ${MIN_KEY_DIGITS} digits`);
    const r = await this.deps.records.list({ state: q.state, page: q.page, pageSize: q.pageSize, ...(key !== undefined ? { key } : {}) });
    return { items: r.items.map(markView), total: r.total, page: q.page, pageSize: q.pageSize };
  }

  async get(actor: Actor, markId: string): Promise<ConfidentialMarkView> {
    requirePermission(actor, 'callers:confidential');
    const r = await this.deps.records.find(markId);
    if (!r) throw new NotFoundError('confidential caller');
    return markView(r);
  }

  async auditOf(actor: Actor, markId: string): Promise<ConfidentialAuditView[]> {
    requirePermission(actor, 'callers:confidential');
    if (!(await this.deps.records.find(markId))) throw new NotFoundError('confidential caller');
    return (await this.deps.records.auditOf(markId)).map((e) => ({ ...e, at: e.at.getTime() }));
  }
}
