/**
 * The call record as the query side reads it (…View: the read side's own types, beside the domain's
 * CallRecord; written by the call path, one document per call),
 * and the repository port the query use cases need.
 */
import type { CallScope, CaseHandlers } from '../../domain/access';
import type { Page } from '../auth/auth.ports';
import type { CallOutcome, OutcomeFilter } from '../../domain/call/call.record';
import type { EndReason, Party } from '../../domain/call/call.events';
import type { CallerLossReason } from '../../domain/call/call.inputs';

export type { CallOutcome, OutcomeFilter } from '../../domain/call/call.record';

export interface CallAttemptView {
  readonly attempt: number;
  readonly agentId: string;
  readonly startedAt: number;
  readonly endedAt: number | null;
  /** answered | no-answer | rejected | busy | unreachable | cancelled. */
  readonly outcome: string;
  readonly ringMs: number | null;
}

export interface CallTimelineEntryView {
  readonly seq: number;
  readonly at: number;
  readonly type: string;
  readonly data?: Record<string, unknown>;
}

export interface CallRatingView {
  readonly scale: string;
  readonly digit: string;
  readonly value: number;
  readonly satisfied: boolean;
  readonly label?: string;
}

export interface CallRecordView {
  readonly callId: string;
  readonly callerNumber: string;
  readonly callerName: string | null;
  readonly calledNumber: string;
  /** The agent who answered. */
  readonly agentId: string | null;
  readonly queueId: string | null;
  readonly outcome: CallOutcome;
  /** How the call ended (completed, caller-hangup, caller-lost, …); null while it runs. */
  readonly endReason: EndReason | null;
  /** Who ended the call (the last hang-up). */
  readonly hungUpBy: Party | null;
  /** Who ended the conversation with the agent (caller, agent, network, system); null without one. */
  readonly conversationEndedBy: Party | null;
  /** The caller's leg was lost without a hang-up: why, and its last sign of life (Asterisk's time). */
  readonly callerLost: { readonly why: CallerLossReason; readonly lastSignAt: number } | null;
  /** The agent's after-call work: start, end, and whether the timer or the agent ended it. */
  readonly wrapUp: { readonly agentId: string; readonly startedAt: number; readonly endedAt: number; readonly endedBy: 'timer' | 'agent' | 'system' } | null;
  readonly rating: CallRatingView | null;
  readonly timeline: readonly CallTimelineEntryView[];
  readonly attempts: readonly CallAttemptView[];
  readonly waitMs: number | null;
  readonly ringMs: number | null;
  readonly talkMs: number | null;
  readonly wrapUpMs: number | null;
  readonly recording: string | null;
  readonly startedAt: number;
  readonly endedAt: number | null;
  /** Local (Asia/Shanghai) day `YYYY-MM-DD` and hour `YYYY-MM-DDTHH`, derived at write time. */
  readonly dayKey: string;
  readonly hourKey: string;
  /** A work order made from this call is confidential (保密): set by the work-order side, never withdrawn. */
  readonly confidential: boolean;
  /** Units that received a work order from this call (lead and co-units): they may open it. */
  readonly unitIds: readonly string[];
  /** Lead units of those orders: they handle the case and see a confidential caller. */
  readonly handlingUnitIds: readonly string[];
  /** The work order whose automated callback survey handed this call to the agent queue (the citizen pressed 0); null otherwise. */
  readonly surveyOrder: { readonly orderId: string; readonly orderNumber: string } | null;
}

export type CallSortField = 'startedAt' | 'waitMs' | 'talkMs' | 'ringMs';

export interface CallQuery {
  readonly from: number;
  readonly to: number;
  readonly agentId?: string;
  readonly queueId?: string;
  readonly callerNumber?: string;
  /**
   * With `callerNumber`: the handler keys of the searcher (domain/access `actorHandlerKeys`). A
   * confidential call matches only when one of them handles it, so a search never confirms the
   * number of a confidential caller to someone who may not see it.
   */
  readonly searcherKeys?: readonly string[];
  readonly outcome?: OutcomeFilter;
  readonly ratingValue?: number;
  readonly rated?: boolean;
  readonly page: number;
  readonly pageSize: number;
  readonly sort: CallSortField;
  readonly order: 'asc' | 'desc';
}

export interface RatingCount {
  readonly agentId: string | null;
  readonly value: number;
  readonly satisfied: boolean;
  readonly count: number;
}

export interface CallRecordReader {
  find(scope: CallScope, query: CallQuery): Promise<Page<CallRecordView>>;
  findById(callId: string): Promise<CallRecordView | null>;
  /** Most recent first; `before` excludes calls that started at or after it. */
  recentByCaller(callerNumber: string, limit: number, before?: number): Promise<CallRecordView[]>;
  /** Counts of ratings by (agent, value, satisfied) in the period and scope. */
  ratingCounts(scope: CallScope, from: number, to: number, filter: { agentId?: string; queueId?: string }): Promise<RatingCount[]>;
  /** Every call in the period and scope (for KPIs); the caller bounds the period. */
  listForMetrics(scope: CallScope, from: number, to: number, filter: { agentId?: string; queueId?: string }): Promise<CallRecordView[]>;
}

/** Work orders for a caller's number, from the work-order area. */
export interface WorkOrderSummary {
  readonly orderId: string;
  readonly number: string;
  readonly createdAt: number;
  readonly status: string;
  readonly category: string | null;
  readonly title: string | null;
  /** Lead and co-units (who may see the order). */
  readonly unitIds: readonly string[];
  /** Who handles the order's case (sees a confidential caller and the complaint text). */
  readonly handlers: CaseHandlers;
  readonly confidential: boolean;
}

export interface WorkOrderLookup {
  recentByCaller(callerNumber: string, limit: number): Promise<WorkOrderSummary[]>;
}

/** Until the work-order area provides one. */
export const NO_WORK_ORDERS: WorkOrderLookup = { recentByCaller: () => Promise.resolve([]) };
