/**
 * Ports of callback requests (回拨) and of calls' recordings: where requests and their placed calls
 * are kept, what places the two-leg call, the agents' phones, and the telephony's stored recordings.
 */
import type { Readable } from 'node:stream';
import type { CallbackCall, CallbackRequestRecord, CallbackResult, CallbackStatus } from '../../domain/callback/callback';
import type { CaseHandlers } from '../../domain/access';

export interface CallbackFilter {
  readonly status?: CallbackStatus;
  readonly assignedAgentId?: string;
}

export interface CallbackRepository {
  list(filter: CallbackFilter, page: number, pageSize: number): Promise<{ items: CallbackRequestRecord[]; total: number }>;
  get(id: string): Promise<CallbackRequestRecord | null>;
  /** Assigns an open or assigned request with no call in progress; null when it is not (any more). */
  assign(id: string, agentId: string, by: string, at: number): Promise<CallbackRequestRecord | null>;
  /** Adds `call` (in progress) when the request is assigned to its agent and has no call in progress; false otherwise. */
  startCall(id: string, call: CallbackCall): Promise<boolean>;
  /** The placed call's end (idempotent). */
  finishCall(id: string, callId: string, end: Pick<CallbackCall, 'agentAnsweredAt' | 'citizenAnsweredAt' | 'endedAt' | 'outcome' | 'recording' | 'talkMs'>): Promise<void>;
  /** Closes a request with no call in progress; null when it is closed already or a call runs. */
  close(id: string, by: string, at: number, result: CallbackResult, note: string | null): Promise<CallbackRequestRecord | null>;
  /** Placed calls still marked in progress (on any instance), with their request's id. */
  callsInProgress(): Promise<{ requestId: string; call: CallbackCall }[]>;
  /** The request and placed call with this call id (for its recording). */
  findCall(callId: string): Promise<{ request: CallbackRequestRecord; call: CallbackCall } | null>;
}

/** Who handles the inbound call a request came from, and whether it is confidential (a confidential order made from it). */
export interface CallCaseLookup {
  caseOf(callId: string): Promise<{ readonly confidential: boolean; readonly handlers: CaseHandlers } | null>;
}

export interface CallbackPlacement {
  readonly callId: string;
  /** The agent's phone (dial string, `PJSIP/agent1001`). */
  readonly agentEndpoint: string;
  readonly citizenNumber: string;
  /** Record the conversation (RECORD_CALLS). */
  readonly record: boolean;
}

export interface CallbackCallResult {
  readonly agentAnsweredAt: number | null;
  readonly citizenAnsweredAt: number | null;
  readonly endedAt: number;
  /** Q.850 cause of the citizen leg when it ended without answering (17 busy, 19 no answer…). */
  readonly citizenCause: number | null;
  readonly recording: string | null;
}

/** Places the outbound callback: the agent's phone first, once answered the citizen through the trunk, bridged. */
export interface CallbackDialer {
  ready(): boolean;
  /** Resolves when the call is over (both legs gone); never rejects for a call that did not connect. */
  place(p: CallbackPlacement): Promise<CallbackCallResult>;
  /** Whether the telephony still has a leg of the call (placed by any instance). */
  isUp(callId: string): Promise<boolean>;
  /** Hangs up every call this instance is placing (a stop); their `place` then resolves. */
  endAll(): Promise<void>;
}

/** The call path's view of an agent: its phone, and whether it may take a callback now. */
export interface CallbackAgents {
  /** Null for an agent the call path does not know. `idle`: logged in and not ready (示忙), so no inbound call is offered meanwhile. */
  phoneOf(agentId: string): { readonly endpoint: string; readonly idle: boolean } | null;
}

/** The telephony's stored recordings (Asterisk, over ARI). */
export interface RecordingStore {
  /** Its size and bytes; null when there is no such recording (none, not finished, or deleted). */
  open(name: string): Promise<{ readonly size: number; readonly body: Readable } | null>;
  /** Deletes it; a recording already gone is fine. */
  delete(name: string): Promise<void>;
}

/** A recording of a call that may be listened to. */
export interface CallRecordingRef {
  readonly callId: string;
  readonly name: string;
  readonly startedAt: number;
  readonly confidential: boolean;
  readonly handlers: CaseHandlers;
}

export interface RecordingCatalogue {
  /** The recording of an inbound call or of a placed callback, with who handles its case. */
  find(callId: string): Promise<CallRecordingRef | null>;
  /** Recordings of calls started before `before`, oldest first, at most `limit`. */
  olderThan(before: number, limit: number): Promise<CallRecordingRef[]>;
  /** Forgets the recording's name on its call (after the file was deleted). */
  markPurged(callId: string, at: number): Promise<void>;
}

export interface RecordingAccess {
  readonly callId: string;
  readonly recording: string;
  readonly userId: string;
  readonly role: string;
  readonly at: number;
  readonly range: { readonly start: number; readonly end: number } | null;
}

export interface RecordingDeletion {
  readonly callId: string;
  readonly recording: string;
  readonly callStartedAt: number;
  readonly retentionDays: number;
  readonly at: number;
  readonly by: string;
}

export interface RecordingAudit {
  listened(entry: RecordingAccess): Promise<void>;
  deleted(entry: RecordingDeletion): Promise<void>;
  listensOf(callId: string): Promise<RecordingAccess[]>;
}
