/**
 * Ports of the confidential-caller directory (docs/adr/0021, 0027): its storage by caller key, the
 * marks' records and audit as the REST use cases read them, and the nudge that tells the other app
 * instances the directory changed.
 */
import type { Role } from '../../domain/access';

/** A caller's standing: confidential now, or no longer since `withdrawnAt` (calls before it stay masked). */
export interface CallerStanding {
  readonly active: boolean;
  readonly withdrawnAt: number | null;
}

/** Who changed a mark: a person, or nobody (an order's mark names its order in `source`). */
export interface MarkAuthor {
  readonly userId: string;
  readonly role: Role;
}

export interface MarkInput {
  /** Why the caller is marked: `order:<id>`, `call:<callId>` (marked during the call), `user:<userId>`. */
  readonly source: string;
  readonly at: Date;
  readonly by: MarkAuthor | null;
  readonly reason: string | null;
}

export interface WithdrawInput {
  readonly at: Date;
  readonly by: MarkAuthor;
  readonly reason: string;
}

/** One caller of the directory as stored: the full number only as its `_id` (the caller key), never in a view. */
export interface ConfidentialMarkRecord {
  /** Opaque id of the caller's entry (REST addresses marks by it, never by number). */
  readonly markId: string;
  readonly key: string;
  readonly active: boolean;
  /** Start of the current spell (a mark after a withdrawal starts a new one). */
  readonly since: Date;
  readonly changedAt: Date;
  readonly sources: readonly string[];
  /** The latest mark's reason and author. */
  readonly reason: string | null;
  readonly markedBy: string | null;
  readonly withdrawal: { readonly at: Date; readonly by: string; readonly reason: string } | null;
}

/** One change of a mark: who, when, why; the number masked (the audit holds no full number). */
export interface ConfidentialAuditEntry {
  readonly markId: string;
  readonly callerNumber: string;
  readonly action: 'marked' | 'withdrawn';
  readonly source: string | null;
  readonly by: string | null;
  readonly role: Role | null;
  readonly reason: string | null;
  readonly at: Date;
}

/** Storage of the confidential callers, keyed by `callerKey`; every change is audited by the store itself. */
export interface ConfidentialCallerStore {
  /** The standings of those of `keys` that are in the directory (confidential now or withdrawn). */
  standings(keys: readonly string[]): Promise<Map<string, CallerStanding>>;
  /** Entries changed (marked, marked again, withdrawn) at or after `since`: the copies in memory follow them. */
  changedSince(since: Date): Promise<Array<{ key: string; changedAt: Date } & CallerStanding>>;
  /** Marks the keys (idempotent; a withdrawn caller starts a new spell) and audits each; the entries' ids. */
  add(keys: readonly string[], mark: MarkInput): Promise<Array<{ key: string; markId: string }>>;
  /** Withdraws the mark and audits it: its caller key, or why not (no such mark, already withdrawn). */
  withdraw(markId: string, w: WithdrawInput): Promise<{ key: string } | 'absent' | 'withdrawn'>;
  /** The caller's number of a stored call (an order names its call; the caller may have given another number). */
  callerOfCall(callId: string): Promise<string | null>;
}

export interface MarkListQuery {
  readonly state: 'active' | 'withdrawn' | 'all';
  /** One caller (its key). */
  readonly key?: string;
  readonly page: number;
  readonly pageSize: number;
}

/** The marks as the REST use cases read them. */
export interface ConfidentialMarkRecords {
  find(markId: string): Promise<ConfidentialMarkRecord | null>;
  list(q: MarkListQuery): Promise<{ items: ConfidentialMarkRecord[]; total: number }>;
  auditOf(markId: string): Promise<ConfidentialAuditEntry[]>;
}

/**
 * Tells the other app instances that the directory changed, and hears theirs: the message names no
 * caller (each instance reads the changes from the database), so a number never crosses Redis.
 */
export interface ConfidentialCallerFeed {
  publish(): Promise<void>;
  /** `onChange` for each change another instance announces, and after each reconnection (changes may have been missed). */
  subscribe(onChange: () => void): () => void;
}
