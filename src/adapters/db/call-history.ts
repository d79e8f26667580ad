/**
 * `call_history_by_number`: for each caller number, the ids of its calls in the order their records
 * were first stored, as a KeyedList (every read and write is an `_id` lookup, so a caller's history
 * costs the same at a million calls; docs/database.md). CallStore appends a call when it first stores the call's record; the call-record
 * reader walks the list back from its newest entry. An entry may be listed twice (a first write that
 * failed after listing and was retried from the spool): readers keep the first of each call id.
 */
import type { Connection } from 'mongoose';
import { KeyedList } from './keyed-list';

export const CALL_HISTORY_COLLECTION = 'call_history_by_number';

export interface CallHistoryEntry {
  readonly callId: string;
  /** The call's start (ms since epoch), so readers can skip later calls without reading them. */
  readonly startedAt: number;
}

export function callHistoryList(conn: Connection): KeyedList<CallHistoryEntry> {
  return new KeyedList<CallHistoryEntry>(conn, CALL_HISTORY_COLLECTION);
}
