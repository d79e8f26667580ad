/**
 * What the personal-data retention needs from storage (docs/adr/0025): the calls past the period
 * that still name their citizen, the caller index, the calls' events and records, the callback
 * requests, and the audit of each run.
 */

/** The fields of call data that name the citizen (events' data, timeline entries, records). */
export const CALLER_DATA_FIELDS = ['callerNumber', 'callerName'] as const;

/** `data` without the fields that name the citizen. */
export function withoutCallerData<T extends Record<string, unknown>>(data: T): T {
  const out: Record<string, unknown> = { ...data };
  for (const f of CALLER_DATA_FIELDS) delete out[f];
  return out as T;
}

export interface DueCall {
  readonly callId: string;
  /** '' when the network gave none. */
  readonly callerNumber: string;
  readonly startedAt: number;
}

export interface PersonalDataStore {
  /** Calls that started before `before` and still name their citizen, oldest first. */
  callsDue(before: number, limit: number): Promise<DueCall[]>;
  /**
   * Takes out of the number's caller index (the screen pop's history) the entries of `callIds` and
   * any other of its calls that started before `before`; the index of a number left with none goes
   * whole. Returns the entries removed.
   */
  forgetInCallerIndex(callerNumber: string, callIds: ReadonlySet<string>, before: number): Promise<number>;
  /** Takes the citizen's number out of the call's stored events; returns the events changed. */
  stripEvents(callId: string): Promise<number>;
  /**
   * Takes the number and name out of the call's record (its fields, timeline and folded detail) and
   * marks it (`at`); false when it was already done or changed meanwhile (the next run looks again).
   */
  stripCall(callId: string, at: number): Promise<boolean>;
  /** Ids of callback requests made before `before` that still name their citizen and have no call running. */
  callbacksDue(before: number, limit: number): Promise<string[]>;
  /**
   * Takes the number and the agent's note out of the request and marks it; a request still open or
   * assigned is closed `unreachable` by `by` (nobody can call it back any more). False when it was
   * already done or a call started on it meanwhile.
   */
  stripCallback(id: string, at: number, by: string): Promise<boolean>;
}

/** What one run removed (written only when it removed something). */
export interface PersonalDataRun {
  readonly at: number;
  readonly by: string;
  readonly retentionDays: number;
  /** Data of calls that started before this were due. */
  readonly before: number;
  readonly calls: number;
  readonly events: number;
  readonly callerIndexEntries: number;
  readonly callbacks: number;
}

export interface PersonalDataAudit {
  recorded(run: PersonalDataRun): Promise<void>;
}
