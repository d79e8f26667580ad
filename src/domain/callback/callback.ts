/**
 * Callback requests (回拨): a caller who, offered it on overflow, pressed the key to be called back.
 * A supervisor assigns the request to an agent; the agent places the call from the console (their
 * phone first, then the citizen through the trunk), as often as needed; the agent or a supervisor
 * closes it with the result. Pure rules: who may do what in which state.
 */
import { ConflictError } from '../../shared/errors';

export const CALLBACK_STATUSES = ['open', 'assigned', 'closed'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

/** How a request ended: the citizen was reached, could not be reached, or the request was not a real one. */
export const CALLBACK_RESULTS = ['reached', 'unreachable', 'invalid'] as const;
export type CallbackResult = (typeof CALLBACK_RESULTS)[number];

/** How one placed call ended. */
export const CALLBACK_CALL_OUTCOMES = ['in-progress', 'answered', 'agent-no-answer', 'citizen-no-answer', 'citizen-busy', 'failed'] as const;
export type CallbackCallOutcome = (typeof CALLBACK_CALL_OUTCOMES)[number];

/** One outbound call placed for a request: its own call id and record (times, outcome, recording). */
export interface CallbackCall {
  readonly callId: string;
  readonly agentId: string;
  readonly placedAt: number;
  readonly placedBy: string;
  readonly agentAnsweredAt: number | null;
  readonly citizenAnsweredAt: number | null;
  readonly endedAt: number | null;
  readonly outcome: CallbackCallOutcome;
  /** Name of the conversation's recording in the telephony (null: not recorded, or purged). */
  readonly recording: string | null;
  readonly talkMs: number | null;
}

export interface CallbackRequestRecord {
  readonly id: string;
  /** The inbound call in which the citizen asked to be called back. */
  readonly callId: string;
  readonly callerNumber: string;
  readonly queueId: string;
  readonly requestedAt: number;
  readonly status: CallbackStatus;
  readonly assignedAgentId: string | null;
  readonly assignedAt: number | null;
  readonly assignedBy: string | null;
  readonly closedAt: number | null;
  readonly closedBy: string | null;
  readonly result: CallbackResult | null;
  readonly note: string | null;
  readonly calls: readonly CallbackCall[];
}

/** A call still going on for the request (one at a time). */
export function callInProgress(r: CallbackRequestRecord): CallbackCall | null {
  return r.calls.find((c) => c.outcome === 'in-progress') ?? null;
}

export function checkAssignable(r: CallbackRequestRecord): void {
  if (r.status === 'closed') throw new ConflictError('the callback request is closed');
  if (callInProgress(r)) throw new ConflictError('a callback call is in progress');
}

export function checkPlaceable(r: CallbackRequestRecord, agentId: string): void {
  if (r.status === 'closed') throw new ConflictError('the callback request is closed');
  if (r.assignedAgentId !== agentId) throw new ConflictError('the callback request is assigned to another agent');
  if (callInProgress(r)) throw new ConflictError('a callback call is in progress');
}

export function checkClosable(r: CallbackRequestRecord): void {
  if (r.status === 'closed') throw new ConflictError('the callback request is already closed');
  if (callInProgress(r)) throw new ConflictError('a callback call is in progress');
}

/** The outcome of a placed call from what happened on its two legs. */
export function callOutcome(e: { agentAnswered: boolean; citizenAnswered: boolean; citizenCause: number | null }): Exclude<CallbackCallOutcome, 'in-progress'> {
  if (!e.agentAnswered) return 'agent-no-answer';
  if (e.citizenAnswered) return 'answered';
  if (e.citizenCause === 17) return 'citizen-busy';
  if (e.citizenCause === null || [16, 18, 19, 0].includes(e.citizenCause)) return 'citizen-no-answer';
  return 'failed';
}
