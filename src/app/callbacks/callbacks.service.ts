/**
 * Callback requests (回拨) left by callers on overflow: listed (agents: those assigned to them),
 * assigned to an agent by a supervisor, placed by that agent from the console (their phone first,
 * then the citizen through the trunk, bridged and recorded as a call of its own), and closed with the
 * result. A confidential caller's number (a confidential order made from the inbound call, or the caller
 * in the confidential-caller directory at the time of that call, ADR 0027) is masked for everyone not
 * handling the case; the assigned agent handles it.
 */
import { randomUUID } from 'node:crypto';
import { ForbiddenError, NotFoundError, UnavailableError, ConflictError } from '../../shared/errors';
import { isHandling, maskPhone, requirePermission, type Actor } from '../../domain/access';
import {
  callOutcome, checkAssignable, checkClosable, checkPlaceable,
  type CallbackCall, type CallbackRequestRecord, type CallbackResult, type CallbackStatus,
} from '../../domain/callback/callback';
import type { Background } from '../../shared/background';
import type { Logger } from '../../shared/logger';
import type { CallbackAgents, CallbackDialer, CallbackRepository, CallCaseLookup } from './callbacks.ports';
import type { ConfidentialCallerReads } from '../records/call-records.service';

export type CallbackView = CallbackRequestRecord & { readonly masked: boolean };

export interface CallbackServiceDeps {
  readonly repo: CallbackRepository;
  readonly cases: CallCaseLookup;
  /** The confidential-caller directory (a caller marked by hand or by an order); none: the calls' own marks only. */
  readonly callers?: ConfidentialCallerReads;
  /** Null where no telephony is wired: placing answers 503. */
  readonly dialer: CallbackDialer | null;
  readonly agents: CallbackAgents;
  readonly recordCalls: boolean;
  readonly background: Background;
  readonly clock: () => number;
  readonly log: Logger;
}

/** A placed call whose legs are gone this long after it was placed is over, whoever placed it (its end was never recorded). */
export const STALE_CALL_MS = 5 * 60_000;

export class CallbackService {
  /** The calls this instance is placing, until their end is recorded. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: CallbackServiceDeps) {}

  async list(actor: Actor, q: { status?: CallbackStatus; page: number; pageSize: number }): Promise<{ items: CallbackView[]; total: number; page: number; pageSize: number }> {
    requirePermission(actor, 'callbacks:read');
    // Agents see the requests assigned to them; supervisors and administrators all of them.
    const mine = actor.role === 'agent';
    if (mine && actor.agentId === null) return { items: [], total: 0, page: q.page, pageSize: q.pageSize };
    const { items, total } = await this.deps.repo.list(
      { ...(q.status ? { status: q.status } : {}), ...(mine ? { assignedAgentId: actor.agentId as string } : {}) },
      q.page,
      q.pageSize,
    );
    return { items: await this.views(actor, items), total, page: q.page, pageSize: q.pageSize };
  }

  async get(actor: Actor, id: string): Promise<CallbackView> {
    return this.view(actor, await this.visible(actor, id));
  }

  async assign(actor: Actor, id: string, agentId: string): Promise<CallbackView> {
    requirePermission(actor, 'callbacks:assign');
    const r = await this.visible(actor, id);
    checkAssignable(r);
    if (!this.deps.agents.phoneOf(agentId)) throw new NotFoundError('agent', { field: 'body.agentId' });
    const assigned = await this.deps.repo.assign(r.id, agentId, actor.userId, this.deps.clock());
    if (!assigned) throw new ConflictError('the callback request changed meanwhile (closed, or a call started)');
    this.deps.log.info('callback assigned', { callbackId: r.id, agentId, by: actor.userId });
    return this.view(actor, assigned);
  }

  /**
   * Places the callback from the agent's own phone: returns at once with the call in progress (202);
   * the call's end (answered, not answered, busy) and recording are recorded on the request.
   */
  async place(actor: Actor, id: string): Promise<CallbackCall> {
    requirePermission(actor, 'callbacks:place');
    if (actor.agentId === null) throw new ForbiddenError('only an agent places a callback, from their own phone');
    const r = await this.visible(actor, id);
    checkPlaceable(r, actor.agentId);
    const phone = this.deps.agents.phoneOf(actor.agentId);
    if (!phone) throw new ConflictError('the agent has no phone in the call path');
    if (!phone.idle) throw new ConflictError('set yourself not ready (示忙) before placing a callback, so no inbound call is offered meanwhile', { reasonCode: 'CALLBACK.AGENT_NOT_IDLE' });
    const dialer = this.deps.dialer;
    if (!dialer?.ready()) throw new UnavailableError('telephony');
    const call: CallbackCall = {
      callId: `callback-${randomUUID()}`, agentId: actor.agentId, placedAt: this.deps.clock(), placedBy: actor.userId,
      agentAnsweredAt: null, citizenAnsweredAt: null, endedAt: null, outcome: 'in-progress', recording: null, talkMs: null,
    };
    if (!(await this.deps.repo.startCall(r.id, call))) throw new ConflictError('the callback request changed meanwhile (reassigned, closed, or a call started)');
    this.deps.log.info('callback placed', { callbackId: r.id, callId: call.callId, agentId: actor.agentId });
    const done = this.run(r.id, call, phone.endpoint, r.callerNumber, dialer).finally(() => this.running.delete(call.callId));
    this.running.set(call.callId, done);
    this.deps.background.run('callbacks.call', () => done, { callId: call.callId });
    return call;
  }

  async close(actor: Actor, id: string, result: CallbackResult, note: string | null): Promise<CallbackView> {
    requirePermission(actor, 'callbacks:read');
    const r = await this.visible(actor, id);
    checkClosable(r);
    const closed = await this.deps.repo.close(r.id, actor.userId, this.deps.clock(), result, note);
    if (!closed) throw new ConflictError('the callback request changed meanwhile (closed, or a call started)');
    this.deps.log.info('callback closed', { callbackId: r.id, result, by: actor.userId });
    return this.view(actor, closed);
  }

  /**
   * Records the end of placed calls left in progress by an instance that stopped or crashed before
   * recording it: not placed here, placed a while ago, and no leg left in the telephony (outcome
   * failed, ended when this was found). Run after each connection to the telephony.
   */
  async settleStale(): Promise<number> {
    const dialer = this.deps.dialer;
    if (!dialer?.ready()) return 0;
    const now = this.deps.clock();
    let settled = 0;
    for (const { requestId, call } of await this.deps.repo.callsInProgress()) {
      if (this.running.has(call.callId) || now - call.placedAt < STALE_CALL_MS || (await dialer.isUp(call.callId))) continue;
      await this.deps.repo.finishCall(requestId, call.callId, { agentAnsweredAt: call.agentAnsweredAt, citizenAnsweredAt: call.citizenAnsweredAt, endedAt: now, outcome: 'failed', recording: null, talkMs: null });
      this.deps.log.warn('callback call left in progress settled', { callbackId: requestId, callId: call.callId });
      settled += 1;
    }
    return settled;
  }

  /** A stop: the calls this instance is placing are hung up and their ends recorded. */
  async stop(): Promise<void> {
    await this.deps.dialer?.endAll();
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(id: string, call: CallbackCall, agentEndpoint: string, citizenNumber: string, dialer: CallbackDialer): Promise<void> {
    let end: Parameters<CallbackRepository['finishCall']>[2];
    try {
      const r = await dialer.place({ callId: call.callId, agentEndpoint, citizenNumber, record: this.deps.recordCalls });
      const outcome = callOutcome({ agentAnswered: r.agentAnsweredAt !== null, citizenAnswered: r.citizenAnsweredAt !== null, citizenCause: r.citizenCause });
      end = {
        agentAnsweredAt: r.agentAnsweredAt, citizenAnsweredAt: r.citizenAnsweredAt, endedAt: r.endedAt, outcome,
        recording: outcome === 'answered' ? r.recording : null,
        talkMs: r.citizenAnsweredAt !== null ? Math.max(0, r.endedAt - r.citizenAnsweredAt) : null,
      };
    } catch (err) {
      this.deps.log.warn('callback call failed', { callbackId: id, callId: call.callId, err: String(err) });
      end = { agentAnsweredAt: null, citizenAnsweredAt: null, endedAt: this.deps.clock(), outcome: 'failed', recording: null, talkMs: null };
    }
    await this.deps.repo.finishCall(id, call.callId, end);
    this.deps.log.info('callback call ended', { callbackId: id, callId: call.callId, outcome: end.outcome });
  }

  /** 404 for a request that does not exist or (agents) is not assigned to them. */
  private async visible(actor: Actor, id: string): Promise<CallbackRequestRecord> {
    requirePermission(actor, 'callbacks:read');
    const r = await this.deps.repo.get(id);
    if (!r) throw new NotFoundError('callback request');
    if (actor.role === 'agent' && (actor.agentId === null || r.assignedAgentId !== actor.agentId)) throw new NotFoundError('callback request');
    return r;
  }

  private async view(actor: Actor, r: CallbackRequestRecord): Promise<CallbackView> {
    const [v] = await this.views(actor, [r]);
    return v as CallbackView;
  }

  /** The requests as `actor` may see them; the directory is asked once for all of them. */
  private async views(actor: Actor, rs: readonly CallbackRequestRecord[]): Promise<CallbackView[]> {
    const marked = await this.markedInDirectory(rs);
    return Promise.all(
      rs.map(async (r, i) => {
        const c = await this.deps.cases.caseOf(r.callId);
        if (c?.confidential !== true && marked[i] !== true) return { ...r, masked: false };
        // The assigned agent handles the callback, as the inbound call's handlers handle its case.
        const handling = (c !== null && isHandling(actor, c.handlers)) || (r.assignedAgentId !== null && actor.role === 'agent' && actor.agentId === r.assignedAgentId);
        return handling ? { ...r, masked: false } : { ...r, callerNumber: maskPhone(r.callerNumber), masked: true };
      }),
    );
  }

  /** Whether the directory masks each request's inbound call; it fails closed when it cannot say. */
  private async markedInDirectory(rs: readonly CallbackRequestRecord[]): Promise<boolean[]> {
    if (!this.deps.callers || rs.length === 0) return rs.map(() => false);
    try {
      return await this.deps.callers.masks(rs.map((r) => ({ callerNumber: r.callerNumber, startedAt: r.requestedAt })));
    } catch (err) {
      this.deps.log.warn('confidential-caller directory not read, callback numbers masked', { callbackIds: rs.map((r) => r.id), err: String(err) });
      return rs.map(() => true);
    }
  }
}
